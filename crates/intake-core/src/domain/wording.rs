//! What to tell people, as data: a message id from the translation files
//! (`locales/<language>/*.ftl`) with its arguments. The core decides what to say; the edge
//! (`intake::i18n`) holds the words and renders them in the reader's language, so the core
//! neither reads files nor knows any language.

use std::fmt;

/// A value a message speaks of.
#[derive(Clone, PartialEq, Eq)]
pub enum Arg {
    /// A whole number: plural forms choose by it ("1 answer", "3 answers").
    Number(i64),
    /// A number as written with a point (`72.5`), shown with the language's decimal separator.
    Decimal(String),
    /// Words or figures shown as they are (a phone number, a masked address).
    Text(String),
    /// A date, in figures in the language's order (`12/04/2026`, `04/12/2026`).
    Date(time::Date),
}

/// Nothing of the value: it may be something the patient typed.
impl fmt::Debug for Arg {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Arg([redacted])")
    }
}

impl From<i64> for Arg {
    fn from(value: i64) -> Self {
        Self::Number(value)
    }
}

impl From<u32> for Arg {
    fn from(value: u32) -> Self {
        Self::Number(i64::from(value))
    }
}

impl From<u8> for Arg {
    fn from(value: u8) -> Self {
        Self::Number(i64::from(value))
    }
}

impl From<i32> for Arg {
    fn from(value: i32) -> Self {
        Self::Number(i64::from(value))
    }
}

impl From<usize> for Arg {
    fn from(value: usize) -> Self {
        Self::Number(i64::try_from(value).unwrap_or(i64::MAX))
    }
}

impl From<u64> for Arg {
    fn from(value: u64) -> Self {
        Self::Number(i64::try_from(value).unwrap_or(i64::MAX))
    }
}

impl From<&usize> for Arg {
    fn from(value: &usize) -> Self {
        Self::from(*value)
    }
}

impl From<&str> for Arg {
    fn from(value: &str) -> Self {
        Self::Text(value.to_owned())
    }
}

impl From<String> for Arg {
    fn from(value: String) -> Self {
        Self::Text(value)
    }
}

impl From<&String> for Arg {
    fn from(value: &String) -> Self {
        Self::Text(value.clone())
    }
}

impl From<time::Date> for Arg {
    fn from(value: time::Date) -> Self {
        Self::Date(value)
    }
}

/// A message id with its arguments, by name (`$min` in the `.ftl` file is `min` here).
#[derive(Clone, PartialEq, Eq)]
pub struct Message {
    /// The id in every `locales/<language>/*.ftl`.
    pub id: &'static str,
    /// The values the message's placeables name.
    pub args: Vec<(&'static str, Arg)>,
}

impl Message {
    /// The message `id`, without arguments.
    pub fn new(id: &'static str) -> Self {
        Self {
            id,
            args: Vec::new(),
        }
    }

    /// The message with one more argument.
    #[must_use]
    pub fn with(mut self, name: &'static str, value: impl Into<Arg>) -> Self {
        self.args.push((name, value.into()));
        self
    }
}

/// The id and the arguments' names only: a value may be something the patient typed.
impl fmt::Debug for Message {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let names: Vec<&str> = self.args.iter().map(|(name, _)| *name).collect();
        write!(f, "Message({}, {names:?})", self.id)
    }
}

/// Renders messages in one language: what the core is handed where it must put words
/// together (an answer read back, a message beside a field), without knowing the words.
pub trait Translate: fmt::Debug + Sync {
    /// The BCP 47 code (`en`, `es`, `vi`), as forms key their own texts.
    fn language(&self) -> &str;

    /// `message` in this language.
    fn say(&self, message: &Message) -> String;
}

/// Words put together from parts: a message whose arguments are themselves words, text as the
/// record or the patient wrote it, lists. The core builds one for a sentence it cannot hand
/// over as a single [`Message`] ("Penicillin allergy — active → resolved"); the edge renders
/// each part in the reader's language, then the whole.
#[derive(Clone, PartialEq, Eq)]
pub enum Phrase {
    /// Shown as it is: the record's or the patient's own words, a code, a number.
    Verbatim(String),
    /// A message with plain arguments.
    Said(Message),
    /// The message `id`, its arguments rendered from phrases first.
    Composed {
        /// The id in every `locales/<language>/*.ftl`.
        id: &'static str,
        /// The arguments by name, each a phrase.
        parts: Vec<(&'static str, Phrase)>,
    },
    /// Several phrases read as one list.
    Joined {
        /// The items, in order.
        items: Vec<Phrase>,
        /// What stands between two of them.
        by: Joiner,
    },
    /// The phrase as it reads inside a sentence ("active", where alone it reads "Active"): each
    /// message's `.in-sentence` attribute, the language's way with text shown as it is.
    InSentence(Box<Phrase>),
}

/// What stands between the items of a list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Joiner {
    /// The items of one fact: "SNOMED CT 91936005, RxNorm 6809".
    Comma,
    /// Items that are each a list already: "Hives, rash (moderate); wheezing".
    Semicolon,
    /// Conditions that all hold: "serviceType hypertension and age 42 ≥ 18".
    And,
}

impl Phrase {
    /// The message `id` without arguments.
    pub fn said(id: &'static str) -> Self {
        Self::Said(Message::new(id))
    }

    /// Text shown as it is.
    pub fn verbatim(text: impl Into<String>) -> Self {
        Self::Verbatim(text.into())
    }

    /// The message `id` with `parts` as its arguments.
    pub fn composed(id: &'static str, parts: Vec<(&'static str, Phrase)>) -> Self {
        Self::Composed { id, parts }
    }

    /// This phrase as it reads inside a sentence.
    #[must_use]
    pub fn in_sentence(self) -> Self {
        Self::InSentence(Box::new(self))
    }

    /// The text, when it is shown as it is.
    pub fn as_verbatim(&self) -> Option<&str> {
        match self {
            Self::Verbatim(text) => Some(text),
            _ => None,
        }
    }
}

/// Text shown as it is.
impl From<String> for Phrase {
    fn from(text: String) -> Self {
        Self::Verbatim(text)
    }
}

impl From<Message> for Phrase {
    fn from(message: Message) -> Self {
        Self::Said(message)
    }
}

/// Ids and shape only: verbatim text may be something the patient typed.
impl fmt::Debug for Phrase {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Verbatim(_) => f.write_str("Verbatim([redacted])"),
            Self::Said(message) => message.fmt(f),
            Self::Composed { id, parts } => {
                write!(f, "Composed({id}")?;
                for (name, part) in parts {
                    write!(f, ", {name}: {part:?}")?;
                }
                f.write_str(")")
            }
            Self::Joined { items, by } => write!(f, "Joined({by:?}, {items:?})"),
            Self::InSentence(phrase) => write!(f, "InSentence({phrase:?})"),
        }
    }
}

/// The core's own tests read what it says as message ids and arguments, not as words: the
/// words are the edge's (`intake::i18n`, whose tests render them). `Ids` says a message as
/// `id` or `id(name: value, …)`, in the language it is given (for the forms' own texts).
#[cfg(test)]
#[derive(Debug)]
pub(crate) struct Ids(pub &'static str);

#[cfg(test)]
impl Ids {
    /// Messages as ids, with the forms' own texts in English.
    pub(crate) const ENGLISH: &'static Self = &Self("en");

    /// A phrase as ids: text shown as it is stays as it is, a composed message shows its
    /// parts, a list its items between `, `, `; ` or ` and `, an in-sentence phrase `⟨…⟩`.
    pub(crate) fn phrase(&self, phrase: &Phrase) -> String {
        match phrase {
            Phrase::Verbatim(text) => text.clone(),
            Phrase::Said(message) => self.say(message),
            Phrase::Composed { id, parts } => {
                let parts: Vec<String> = parts
                    .iter()
                    .map(|(name, part)| format!("{name}: {}", self.phrase(part)))
                    .collect();
                format!("{id}({})", parts.join(", "))
            }
            Phrase::Joined { items, by } => {
                let by = match by {
                    Joiner::Comma => ", ",
                    Joiner::Semicolon => "; ",
                    Joiner::And => " and ",
                };
                let items: Vec<String> = items.iter().map(|item| self.phrase(item)).collect();
                items.join(by)
            }
            Phrase::InSentence(phrase) => format!("⟨{}⟩", self.phrase(phrase)),
        }
    }
}

#[cfg(test)]
impl Translate for Ids {
    fn language(&self) -> &str {
        self.0
    }

    fn say(&self, message: &Message) -> String {
        if message.args.is_empty() {
            return message.id.to_owned();
        }
        let args: Vec<String> = message
            .args
            .iter()
            .map(|(name, value)| match value {
                Arg::Number(n) => format!("{name}: {n}"),
                Arg::Decimal(text) | Arg::Text(text) => format!("{name}: {text}"),
                Arg::Date(date) => format!("{name}: {date}"),
            })
            .collect();
        format!("{}({})", message.id, args.join(", "))
    }
}
