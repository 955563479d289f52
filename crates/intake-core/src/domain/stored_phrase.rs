//! A [`Phrase`] kept in the database: JSON that names its message ids and argument names as
//! text, read back against a table of the names its writer may use. A name the table lacks
//! (a row written by a newer version, a message since renamed) reads as the words it carries,
//! never as an error; text stored before phrases were (not JSON) reads as it is.

use serde::{Deserialize, Serialize};
use time::{Date, format_description::BorrowedFormatItem, macros::format_description};

use super::{Arg, Joiner, Message, Phrase};

/// How a date argument is stored: ISO 8601, as FHIR writes a date.
const ISO_DATE: &[BorrowedFormatItem<'static>] = format_description!("[year]-[month]-[day]");

/// The stored shape of a [`Phrase`]: its own, so renaming a Rust item never changes the rows.
#[derive(Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
enum Stored {
    Verbatim(String),
    Said {
        id: String,
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        args: Vec<(String, StoredArg)>,
    },
    Composed {
        id: String,
        parts: Vec<(String, Stored)>,
    },
    Joined {
        items: Vec<Stored>,
        by: StoredJoiner,
    },
    InSentence(Box<Stored>),
}

#[derive(Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
enum StoredArg {
    Number(i64),
    Decimal(String),
    Text(String),
    Date(String),
}

#[derive(Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
enum StoredJoiner {
    Comma,
    Semicolon,
    And,
}

impl Phrase {
    /// The phrase as JSON for a database column; [`Phrase::from_stored`] reads it back.
    pub fn to_stored(&self) -> String {
        // A tree of strings, numbers and enums: serialising it cannot fail.
        serde_json::to_string(&Stored::from(self)).unwrap_or_default()
    }

    /// What [`Phrase::to_stored`] wrote, its ids and argument names looked up in `known` (the
    /// names the writer may use, which are `'static` like every id the code names). Text that
    /// is not such JSON (written before summaries were phrases) is shown as it is; an id or a
    /// name not in `known` makes its message read as the words it carries.
    pub fn from_stored(text: &str, known: &[&'static str]) -> Self {
        match serde_json::from_str::<Stored>(text) {
            Ok(stored) => stored.resolve(known),
            Err(_) => Self::Verbatim(text.to_owned()),
        }
    }
}

impl From<&Phrase> for Stored {
    fn from(phrase: &Phrase) -> Self {
        match phrase {
            Phrase::Verbatim(text) => Self::Verbatim(text.clone()),
            Phrase::Said(message) => Self::Said {
                id: message.id.to_owned(),
                args: message
                    .args
                    .iter()
                    .map(|(name, arg)| ((*name).to_owned(), StoredArg::from(arg)))
                    .collect(),
            },
            Phrase::Composed { id, parts } => Self::Composed {
                id: (*id).to_owned(),
                parts: parts
                    .iter()
                    .map(|(name, part)| ((*name).to_owned(), Self::from(part)))
                    .collect(),
            },
            Phrase::Joined { items, by } => Self::Joined {
                items: items.iter().map(Self::from).collect(),
                by: match by {
                    Joiner::Comma => StoredJoiner::Comma,
                    Joiner::Semicolon => StoredJoiner::Semicolon,
                    Joiner::And => StoredJoiner::And,
                },
            },
            Phrase::InSentence(inner) => Self::InSentence(Box::new(Self::from(inner.as_ref()))),
        }
    }
}

impl From<&Arg> for StoredArg {
    fn from(arg: &Arg) -> Self {
        match arg {
            Arg::Number(n) => Self::Number(*n),
            Arg::Decimal(text) => Self::Decimal(text.clone()),
            Arg::Text(text) => Self::Text(text.clone()),
            Arg::Date(date) => Self::Date(date.format(ISO_DATE).unwrap_or_default()),
        }
    }
}

impl Stored {
    fn resolve(self, known: &[&'static str]) -> Phrase {
        let lookup = |name: &str| known.iter().copied().find(|k| *k == name);
        match self {
            Self::Verbatim(text) => Phrase::Verbatim(text),
            Self::Said { id, args } => {
                let names: Option<Vec<&'static str>> =
                    args.iter().map(|(name, _)| lookup(name)).collect();
                match (lookup(&id), names) {
                    (Some(id), Some(names)) => Phrase::Said(Message {
                        id,
                        args: names
                            .into_iter()
                            .zip(args)
                            .map(|(name, (_, arg))| (name, arg.resolve()))
                            .collect(),
                    }),
                    _ => unknown(
                        id,
                        args.into_iter()
                            .map(|(_, arg)| Phrase::Verbatim(arg.into_text()))
                            .collect(),
                    ),
                }
            }
            Self::Composed { id, parts } => {
                let names: Option<Vec<&'static str>> =
                    parts.iter().map(|(name, _)| lookup(name)).collect();
                let parts = parts.into_iter().map(|(_, part)| part.resolve(known));
                match (lookup(&id), names) {
                    (Some(id), Some(names)) => Phrase::Composed {
                        id,
                        parts: names.into_iter().zip(parts).collect(),
                    },
                    _ => unknown(id, parts.collect()),
                }
            }
            Self::Joined { items, by } => Phrase::Joined {
                items: items.into_iter().map(|item| item.resolve(known)).collect(),
                by: match by {
                    StoredJoiner::Comma => Joiner::Comma,
                    StoredJoiner::Semicolon => Joiner::Semicolon,
                    StoredJoiner::And => Joiner::And,
                },
            },
            Self::InSentence(inner) => inner.resolve(known).in_sentence(),
        }
    }
}

/// A message this version does not know: the words it carries, else its id, so a reader sees
/// what was said rather than nothing (and never an error).
fn unknown(id: String, parts: Vec<Phrase>) -> Phrase {
    if parts.is_empty() {
        Phrase::Verbatim(id)
    } else {
        Phrase::Joined {
            items: parts,
            by: Joiner::Comma,
        }
    }
}

impl StoredArg {
    fn resolve(self) -> Arg {
        match self {
            Self::Number(n) => Arg::Number(n),
            Self::Decimal(text) => Arg::Decimal(text),
            Self::Text(text) => Arg::Text(text),
            Self::Date(text) => Date::parse(&text, ISO_DATE).map_or(Arg::Text(text), Arg::Date),
        }
    }

    fn into_text(self) -> String {
        match self {
            Self::Number(n) => n.to_string(),
            Self::Decimal(text) | Self::Text(text) | Self::Date(text) => text,
        }
    }
}

#[cfg(test)]
mod tests {
    use time::macros::date;

    use super::*;

    const KNOWN: &[&str] = &["greeting", "name", "when", "list-of"];

    #[test]
    fn a_phrase_reads_back_as_it_was_stored() {
        let phrase = Phrase::composed(
            "list-of",
            vec![(
                "name",
                Phrase::Joined {
                    items: vec![
                        Phrase::Said(Message::new("greeting").with("when", date!(2026 - 04 - 12))),
                        Phrase::verbatim("Penicillin").in_sentence(),
                        Phrase::Said(Message::new("greeting").with("name", 3_i64)),
                        Phrase::Said(
                            Message::new("greeting").with("name", Arg::Decimal("72.5".into())),
                        ),
                    ],
                    by: Joiner::Semicolon,
                },
            )],
        );
        assert_eq!(Phrase::from_stored(&phrase.to_stored(), KNOWN), phrase);
    }

    #[test]
    fn text_stored_before_phrases_reads_as_it_is() {
        for old in [
            "Allergy: penicillin",
            "",
            "{not json",
            "42",
            "[\"a\"]",
            "null",
        ] {
            assert_eq!(
                Phrase::from_stored(old, KNOWN),
                Phrase::verbatim(old),
                "{old}"
            );
        }
    }

    #[test]
    fn an_unknown_id_or_name_reads_as_the_words_it_carries() {
        let stored = r#"{"composed":{"id":"retired-id","parts":[["name",{"verbatim":"latex"}]]}}"#;
        assert_eq!(
            Phrase::from_stored(stored, KNOWN),
            Phrase::Joined {
                items: vec![Phrase::verbatim("latex")],
                by: Joiner::Comma
            }
        );
        let stored = r#"{"said":{"id":"greeting","args":[["renamed",{"text":"Ana"}]]}}"#;
        assert_eq!(
            Phrase::from_stored(stored, KNOWN),
            Phrase::Joined {
                items: vec![Phrase::verbatim("Ana")],
                by: Joiner::Comma
            }
        );
        let stored = r#"{"said":{"id":"retired-id"}}"#;
        assert_eq!(
            Phrase::from_stored(stored, KNOWN),
            Phrase::verbatim("retired-id")
        );
        let stored = r#"{"said":{"id":"greeting","args":[["when",{"date":"12/04/2026"}]]}}"#;
        assert_eq!(
            Phrase::from_stored(stored, KNOWN),
            Phrase::Said(Message::new("greeting").with("when", "12/04/2026")),
            "a date not in ISO form is kept as text"
        );
    }
}
