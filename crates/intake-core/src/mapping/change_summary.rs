//! A proposed change in one line for staff ("Allergy: penicillin"), as message ids of
//! `locales/<language>/changes.ftl` around the patient's and the record's own words: built
//! here, stored with the change, rendered in the reader's language at the edge.

use std::fmt;

use crate::{
    domain::{Arg, Joiner, Message, Phrase, Translate},
    engine::Answer,
    forms::Item,
};

/// What a proposed change is, in a line. Holds PHI (the patient's words); its `Debug` does not.
#[derive(Clone, PartialEq, Eq)]
pub struct ChangeSummary(Phrase);

/// What kind of chart entry an answer became, as its summary's label reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EntryKind {
    /// "Allergy: …"
    Allergy,
    /// "Medication: …"
    Medication,
    /// "Condition: …"
    Condition,
    /// "Observation: …"
    Observation,
    /// "Photo: …"
    Photo,
}

impl EntryKind {
    fn id(self) -> &'static str {
        match self {
            Self::Allergy => ALLERGY,
            Self::Medication => MEDICATION,
            Self::Condition => CONDITION,
            Self::Observation => OBSERVATION,
            Self::Photo => PHOTO,
        }
    }
}

/// What the patient said of an entry the chart already holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OnFileSaid {
    /// A medicine the patient stopped taking.
    Stopped,
    /// A medicine the patient takes differently now.
    TakenDifferently,
    /// An allergy or condition the patient says is no longer true.
    NoLongerTrue,
}

/// A detail of who the patient is that differs from the chart's.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IdentityDetail {
    /// The date of birth.
    BirthDate,
    /// The first (given) name.
    FirstName,
    /// The last (family) name.
    LastName,
}

const ALLERGY: &str = "change-summary-allergy";
const MEDICATION: &str = "change-summary-medication";
const CONDITION: &str = "change-summary-condition";
const OBSERVATION: &str = "change-summary-observation";
const PHOTO: &str = "change-summary-photo";
/// An entry label kept from a summary stored as text, before summaries were message ids.
const LABELLED: &str = "change-summary-labelled";
const UPDATE: &str = "change-summary-update";
/// The messages whose `value` part an edit replaces.
const ENTRIES: [&str; 6] = [ALLERGY, MEDICATION, CONDITION, OBSERVATION, PHOTO, LABELLED];

/// Every message id a summary names. They are stored with each change: a message may be
/// reworded, never renamed or removed (a stored id this version lacks reads as its words only).
pub const SUMMARY_MESSAGE_IDS: [&str; 23] = [
    ALLERGY,
    MEDICATION,
    CONDITION,
    OBSERVATION,
    PHOTO,
    LABELLED,
    UPDATE,
    "change-summary-answers",
    "change-summary-stopped",
    "change-summary-taken-differently",
    "change-summary-no-longer-true",
    "change-summary-consent-given",
    "change-summary-consent-given-drawn",
    "change-summary-consent-declined",
    "change-summary-consent-declined-drawn",
    "change-summary-differs",
    "change-summary-birth-date",
    "change-summary-first-name",
    "change-summary-last-name",
    "change-summary-not-on-chart",
    "change-summary-from-answers",
    "change-summary-provenance",
    "change-summary-urgent",
];

/// The argument names summaries use, their own and those of an answer read back.
const ARGUMENT_NAMES: [&str; 16] = [
    "value",
    "label",
    "change",
    "form",
    "name",
    "consent",
    "version",
    "differences",
    "chart",
    "patient",
    "resource",
    "flag",
    "day",
    "month",
    "year",
    "count",
];

/// Every id and argument name a stored summary may hold, to read one back.
fn known_names() -> Vec<&'static str> {
    let mut known = Vec::from(SUMMARY_MESSAGE_IDS);
    known.extend(Answer::MESSAGE_IDS);
    known.extend(ARGUMENT_NAMES);
    known
}

impl ChangeSummary {
    /// "Answers to “{form}”": the QuestionnaireResponse.
    pub fn answers(form_title: &str) -> Self {
        composed("change-summary-answers", vec![("form", text(form_title))])
    }

    /// "Allergy: {value}" and the like: one answer become a chart entry.
    pub fn entry(kind: EntryKind, value: Phrase) -> Self {
        composed(kind.id(), vec![("value", value)])
    }

    /// "{name}: the patient stopped taking it" and the like.
    pub fn on_file(name: &str, said: OnFileSaid) -> Self {
        let id = match said {
            OnFileSaid::Stopped => "change-summary-stopped",
            OnFileSaid::TakenDifferently => "change-summary-taken-differently",
            OnFileSaid::NoLongerTrue => "change-summary-no-longer-true",
        };
        composed(id, vec![("name", text(name))])
    }

    /// "Consent given: {consent} (version {version})", with ", signature drawn" when drawn.
    pub fn consent(consent: &str, version: &str, given: bool, drawn: bool) -> Self {
        let id = match (given, drawn) {
            (true, false) => "change-summary-consent-given",
            (true, true) => "change-summary-consent-given-drawn",
            (false, false) => "change-summary-consent-declined",
            (false, true) => "change-summary-consent-declined-drawn",
        };
        composed(
            id,
            vec![("consent", text(consent)), ("version", text(version))],
        )
    }

    /// "Differs from the chart: date of birth: chart 1980-01-01, patient 1980-01-02; …". A
    /// detail the chart lacks reads "(none)".
    pub fn identity(differences: &[(IdentityDetail, Option<&str>, String)]) -> Self {
        let items = differences
            .iter()
            .map(|(detail, chart, patient)| {
                let id = match detail {
                    IdentityDetail::BirthDate => "change-summary-birth-date",
                    IdentityDetail::FirstName => "change-summary-first-name",
                    IdentityDetail::LastName => "change-summary-last-name",
                };
                let chart = chart.map_or_else(|| Phrase::said("change-summary-not-on-chart"), text);
                Phrase::composed(id, vec![("chart", chart), ("patient", text(patient))])
            })
            .collect();
        composed(
            "change-summary-differs",
            vec![(
                "differences",
                Phrase::Joined {
                    items,
                    by: Joiner::Semicolon,
                },
            )],
        )
    }

    /// "{resource} from the patient's answers": a resource an SDC template made.
    pub fn from_answers(resource_type: &str) -> Self {
        composed(
            "change-summary-from-answers",
            vec![("resource", text(resource_type))],
        )
    }

    /// "Where these changes came from: the patient, through the intake".
    pub fn provenance() -> Self {
        Self(Phrase::said("change-summary-provenance"))
    }

    /// "Urgent answer flagged for the chart: {flag}".
    pub fn urgent(flag: &str) -> Self {
        composed("change-summary-urgent", vec![("flag", text(flag))])
    }

    /// "Update on file: {change}": an entry on the chart the patient changed.
    #[must_use]
    pub fn update_on_file(self) -> Self {
        composed(UPDATE, vec![("change", self.0)])
    }

    /// Text shown as it is: what tests and hand-made changes carry.
    pub fn verbatim(text: impl Into<String>) -> Self {
        Self(Phrase::verbatim(text))
    }

    /// The words to render.
    pub fn phrase(&self) -> &Phrase {
        &self.0
    }

    /// The summary with a new value after staff edited the entry: "Allergy: latex" becomes
    /// "Allergy: latex gloves"; the label stays, an update stays one.
    #[must_use]
    pub fn with_value(self, value: Phrase) -> Self {
        Self(with_value(self.0, value))
    }

    /// As stored in the change's `summary` column.
    pub fn to_stored(&self) -> String {
        self.0.to_stored()
    }

    /// What [`ChangeSummary::to_stored`] wrote; a summary stored as English text by an earlier
    /// version reads as that text, and one naming an id this version lacks reads as its words.
    pub fn from_stored(stored: &str) -> Self {
        Self(Phrase::from_stored(stored, &known_names()))
    }
}

fn with_value(summary: Phrase, value: Phrase) -> Phrase {
    match summary {
        Phrase::Composed { id, parts } if ENTRIES.contains(&id) => {
            let label = parts.into_iter().filter(|(name, _)| *name != "value");
            Phrase::Composed {
                id,
                parts: label.chain([("value", value)]).collect(),
            }
        }
        Phrase::Composed { id: UPDATE, parts } => Phrase::Composed {
            id: UPDATE,
            parts: parts
                .into_iter()
                .map(|(name, part)| (name, with_value(part, value.clone())))
                .collect(),
        },
        // Stored as English text before summaries were messages: keep its label.
        Phrase::Verbatim(old) => match old.split_once(": ") {
            Some((label, _)) => Phrase::composed(
                LABELLED,
                vec![("label", Phrase::verbatim(label)), ("value", value)],
            ),
            None => value,
        },
        _ => value,
    }
}

/// `answer` to `item` as it reads back, as words to render in the reader's language: yes and
/// no, a date, a number as messages; the form's own words (its option, in `words`' language)
/// and what the patient typed as they are. It reads as [`Answer::display`] does.
pub fn answer_words(answer: &Answer, item: &Item, words: &dyn Translate) -> Phrase {
    match answer {
        Answer::Boolean(true) => Phrase::said("answer-yes"),
        Answer::Boolean(false) => Phrase::said("answer-no"),
        Answer::Date(date) => Phrase::Said(
            Message::new("date-long")
                .with("day", date.day())
                .with("month", u8::from(date.month()))
                .with("year", date.year()),
        ),
        Answer::Decimal(value) => {
            Phrase::Said(Message::new("number").with("value", Arg::Decimal(value.clone())))
        }
        Answer::Attachment(_) => Phrase::said("answer-photo-sent"),
        Answer::Group(answers) => {
            Phrase::Said(Message::new("answer-group").with("count", answers.len()))
        }
        other => Phrase::verbatim(other.display(item, words)),
    }
}

fn composed(id: &'static str, parts: Vec<(&'static str, Phrase)>) -> ChangeSummary {
    ChangeSummary(Phrase::composed(id, parts))
}

fn text(words: &str) -> Phrase {
    Phrase::verbatim(words)
}

/// Ids only: the words may be the patient's.
impl fmt::Debug for ChangeSummary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ChangeSummary({:?})", self.0)
    }
}

#[cfg(any(test, feature = "test-support"))]
pub mod examples;
#[cfg(test)]
mod tests;
