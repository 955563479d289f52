//! Phrases put together by the core, rendered part by part: each part in this language, then
//! the message that holds them.

use super::{Language, render};
use crate::domain::{Arg, Joiner, Phrase};

/// The attribute of a message that holds its form inside a sentence ("active" for "Active").
const IN_SENTENCE: &str = "in-sentence";

impl Language {
    /// `phrase` in this language.
    pub fn phrase(&self, phrase: &Phrase) -> String {
        self.phrase_in(phrase, false)
    }

    fn phrase_in(&self, phrase: &Phrase, in_sentence: bool) -> String {
        match phrase {
            // Text shown as it is has no translation to hold its in-sentence form: English and
            // the languages Intake speaks write a status or a value in lower case in a sentence.
            Phrase::Verbatim(text) if in_sentence => text.to_lowercase(),
            Phrase::Verbatim(text) => text.clone(),
            Phrase::Said(message) if in_sentence => render(
                self,
                &format!("{}.{IN_SENTENCE}", message.id),
                &message.args,
            ),
            Phrase::Said(message) => render(self, message.id, &message.args),
            Phrase::Composed { id, parts } => {
                let args: Vec<(&str, Arg)> = parts
                    .iter()
                    .map(|(name, part)| (*name, Arg::Text(self.phrase_in(part, in_sentence))))
                    .collect();
                render(self, id, &args)
            }
            Phrase::Joined { items, by } => {
                let between = render(self, joiner_id(*by), &[]);
                items
                    .iter()
                    .map(|item| self.phrase_in(item, in_sentence))
                    .collect::<Vec<_>>()
                    .join(&between)
            }
            Phrase::InSentence(inner) => self.phrase_in(inner, true),
        }
    }
}

/// The message id of what stands between the items of a list.
pub fn joiner_id(by: Joiner) -> &'static str {
    match by {
        Joiner::Comma => "join-comma",
        Joiner::Semicolon => "join-semicolon",
        Joiner::And => "join-and",
    }
}

/// Every id a phrase's joiners use, for the tests that hold them against `locales/`.
pub const JOINER_IDS: [&str; 3] = ["join-comma", "join-semicolon", "join-and"];
