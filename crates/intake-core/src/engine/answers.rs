//! A patient's answers, typed by item.

use std::{collections::BTreeMap, fmt};

use serde::{Deserialize, Serialize};
use time::Date;

use crate::{
    domain::{Arg, Message, Translate},
    forms::{Form, Item, ItemKind},
};

/// One answer value.
#[derive(Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "type", content = "value", rename_all = "kebab-case")]
pub enum Answer {
    /// Yes or no.
    Boolean(bool),
    /// A whole number.
    Integer(i64),
    /// A decimal, kept as the canonical text the patient's number parsed to.
    Decimal(String),
    /// A calendar date.
    Date(Date),
    /// A date and time, as FHIR writes it.
    DateTime(String),
    /// A time of day, `HH:MM` or `HH:MM:SS`.
    Time(String),
    /// Free text (also an open-choice answer that is not one of the options).
    String(String),
    /// A web address.
    Url(String),
    /// A chosen option's code.
    Choice(String),
    /// A concept picked from a value set the terminology server searches (one too large for
    /// the form to list, `Item::searched_on_server`): the Coding itself.
    Coding {
        /// The code system.
        system: String,
        /// The code.
        code: String,
        /// The display the server gave.
        display: String,
    },
    /// A number with a UCUM unit.
    Quantity {
        /// The number, canonical decimal text.
        value: String,
        /// The UCUM unit code.
        unit: String,
    },
    /// A reference, e.g. `Practitioner/123`.
    Reference(String),
    /// One instance of a repeating group: its children's answers.
    Group(Answers),
    /// A file the patient sent (a photo), stored beside the answers; the answer names it.
    Attachment(FileRef),
}

/// A file stored beside a draft or submission, as an answer names it: enough to show, hash
/// and extract it without reading its bytes.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct FileRef {
    /// The stored file's id (`attachments.id`).
    pub id: uuid::Uuid,
    /// Its media type, from its content.
    pub content_type: String,
    /// Its size in bytes, as stored.
    pub size: u64,
    /// SHA-1 of its bytes, base64 (FHIR `Attachment.hash`).
    pub sha1: String,
}

impl FileRef {
    /// The file as a FHIR `Attachment`, without its bytes: media type, size, SHA-1, `title`,
    /// and the file's id as a `urn:uuid:` address (a DocumentReference extracted with it
    /// carries the bytes). <https://hl7.org/fhir/R4/datatypes.html#Attachment>
    pub fn fhir_attachment(&self, title: &str) -> serde_json::Value {
        serde_json::json!({
            "contentType": self.content_type,
            "url": format!("urn:uuid:{}", self.id),
            "size": self.size,
            "hash": self.sha1,
            "title": title,
        })
    }
}

impl Answer {
    /// The answer as the patient would read it back on the review page, in `words`' language.
    pub fn display(&self, item: &Item, words: &dyn Translate) -> String {
        match self {
            Self::Boolean(true) => words.say(&Message::new("answer-yes")),
            Self::Boolean(false) => words.say(&Message::new("answer-no")),
            Self::Date(date) => words.say(
                &Message::new("date-long")
                    .with("day", date.day())
                    .with("month", u8::from(date.month()))
                    .with("year", date.year()),
            ),
            Self::Decimal(value) => {
                words.say(&Message::new("number").with("value", Arg::Decimal(value.clone())))
            }
            Self::Choice(code) => item.option(code).map_or_else(
                || code.clone(),
                |o| o.display.in_language(words.language()).to_owned(),
            ),
            Self::Coding { display, .. } => display.clone(),
            Self::Quantity { value, unit } => {
                let shown = item
                    .unit
                    .as_ref()
                    .and_then(|u| u.display.clone())
                    .unwrap_or_else(|| unit.clone());
                format!("{value} {shown}")
            }
            Self::Attachment(_) => words.say(&Message::new("answer-photo-sent")),
            Self::Group(answers) => {
                words.say(&Message::new("answer-group").with("count", answers.len()))
            }
            other => other.to_input(),
        }
    }

    /// Every message id [`Answer::display`] uses, for the check that each has its words in
    /// every language.
    pub const MESSAGE_IDS: [&'static str; 6] = [
        "answer-yes",
        "answer-no",
        "date-long",
        "number",
        "answer-photo-sent",
        "answer-group",
    ];

    /// The value as an HTML form field holds it, to put a saved answer back into its input.
    pub fn to_input(&self) -> String {
        match self {
            Self::Boolean(b) => if *b { "yes" } else { "no" }.to_owned(),
            Self::Integer(n) => n.to_string(),
            Self::Decimal(d)
            | Self::DateTime(d)
            | Self::Time(d)
            | Self::String(d)
            | Self::Url(d)
            | Self::Choice(d)
            | Self::Reference(d) => d.clone(),
            Self::Date(d) => iso_date(*d),
            Self::Quantity { value, .. } => value.clone(),
            Self::Group(_) => String::new(),
            Self::Attachment(file) => file.id.to_string(),
            // The three parts, as the search's matches offer them (`Answer::coding_input`).
            Self::Coding {
                system,
                code,
                display,
            } => Self::coding_input(system, code, display),
        }
    }

    /// How a picked Coding is written in its input: a JSON array of system, code and display.
    pub fn coding_input(system: &str, code: &str, display: &str) -> String {
        serde_json::json!([system, code, display]).to_string()
    }

    /// The Coding an input written by [`Answer::coding_input`] holds.
    pub fn coding_from_input(value: &str) -> Option<Self> {
        let [system, code, display]: [String; 3] = serde_json::from_str(value).ok()?;
        (!code.is_empty()).then_some(Self::Coding {
            system,
            code,
            display,
        })
    }

    /// Whether the value has the type `kind` asks for.
    pub fn fits(&self, kind: ItemKind) -> bool {
        matches!(
            (self, kind),
            (Self::Boolean(_), ItemKind::Boolean)
                | (Self::Integer(_), ItemKind::Integer)
                | (Self::Decimal(_), ItemKind::Decimal)
                | (Self::Date(_), ItemKind::Date)
                | (Self::DateTime(_), ItemKind::DateTime)
                | (Self::Time(_), ItemKind::Time)
                | (
                    Self::String(_),
                    ItemKind::String | ItemKind::Text | ItemKind::OpenChoice
                )
                | (Self::Url(_), ItemKind::Url)
                | (Self::Choice(_), ItemKind::Choice | ItemKind::OpenChoice)
                | (Self::Coding { .. }, ItemKind::Choice)
                | (Self::Quantity { .. }, ItemKind::Quantity)
                | (Self::Reference(_), ItemKind::Reference)
                | (Self::Group(_), ItemKind::Group)
                | (Self::Attachment(_), ItemKind::Attachment)
        )
    }
}

/// The heading of instance `index` of a repeating group: for one about a chart entry, the
/// entry's name as the chart has it; otherwise the group's name and the instance's number.
pub fn instance_heading(group: &Item, inner: &Answers, index: usize, language: &str) -> String {
    group
        .on_file
        .and_then(|_| {
            inner
                .get(&crate::forms::on_file::name_id(&group.id))
                .first()
        })
        .map(Answer::to_input)
        .unwrap_or_else(|| format!("{} {}", group.text.in_language(language), index + 1))
}

/// `YYYY-MM-DD`, as FHIR and `<input type=date>` write a date.
pub fn iso_date(date: Date) -> String {
    let (year, month, day) = (date.year(), u8::from(date.month()), date.day());
    format!("{year:04}-{month:02}-{day:02}")
}

impl fmt::Debug for Answer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Answer([redacted])")
    }
}

/// Answers by item id. Items without an answer are absent, never present-and-empty.
#[derive(Clone, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Answers(BTreeMap<String, Vec<Answer>>);

impl Answers {
    /// The answers to one item (empty when unanswered).
    pub fn get(&self, item_id: &str) -> &[Answer] {
        self.0.get(item_id).map_or(&[], Vec::as_slice)
    }

    /// Replaces one item's answers; an empty list removes the item.
    pub fn set(&mut self, item_id: &str, answers: Vec<Answer>) {
        if answers.is_empty() {
            self.0.remove(item_id);
        } else {
            self.0.insert(item_id.to_owned(), answers);
        }
    }

    /// Whether nothing has been answered.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// How many items have answers.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Items and their answers.
    pub fn iter(&self) -> impl Iterator<Item = (&String, &Vec<Answer>)> {
        self.0.iter()
    }

    /// Mutable access to one item's answers, if it has any.
    pub fn get_mut(&mut self, item_id: &str) -> Option<&mut Vec<Answer>> {
        self.0.get_mut(item_id)
    }

    /// Removes one item's answers.
    pub fn remove(&mut self, item_id: &str) -> Option<Vec<Answer>> {
        self.0.remove(item_id)
    }

    /// Keeps only answers to items the form has, of the type it asks for: what carries over when
    /// a form changes under a draft.
    pub fn retain_fitting(&mut self, form: &Form) {
        self.0.retain(|id, answers| {
            form.item(id)
                .is_some_and(|item| answers.iter().all(|a| a.fits(item.kind)))
        });
    }
}

impl fmt::Debug for Answers {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Answers([{} items redacted])", self.0.len())
    }
}
