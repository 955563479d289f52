//! A proposed change in clinical words, beside what the chart holds now: "Penicillin allergy —
//! active → resolved; patient says: stopped reacting in 2019". Staff decide from this; the FHIR
//! JSON is a technical detail behind a disclosure.
//!
//! Each resource type Intake proposes has its rows (`rows.rs`); a comparison pairs the rows of
//! the proposal with those of the chart's current resource and marks what differs. The words
//! are [`Phrase`]s of message ids (`locales/<language>/changes.ftl`) and of what the record or
//! the patient wrote: the staff pages render them.

mod rows;
mod words;

use serde_json::Value;

pub use rows::describe;

use crate::domain::{Joiner, Message, Phrase};

/// What kind of entry a resource is, as staff name it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// An AllergyIntolerance.
    Allergy,
    /// A MedicationStatement.
    Medicine,
    /// A Condition.
    Condition,
    /// An Observation.
    Observation,
    /// The Patient's own details.
    Demographics,
    /// A QuestionnaireResponse.
    Answers,
    /// A type Intake does not propose.
    Entry,
}

impl Kind {
    /// Every kind's message id, in the order of the variants.
    pub const MESSAGE_IDS: [&'static str; 7] = [
        "describe-kind-allergy",
        "describe-kind-medicine",
        "describe-kind-condition",
        "describe-kind-observation",
        "describe-kind-demographics",
        "describe-kind-answers",
        "describe-kind-entry",
    ];

    /// The kind in words ("Allergy", "Medicine").
    pub fn message(self) -> Message {
        Message::new(Self::MESSAGE_IDS[self as usize])
    }
}

/// Every message id a description uses, for the tests that hold them against `locales/`:
/// kinds, facts, codes, months, and the words of values and headlines.
pub fn message_ids() -> Vec<&'static str> {
    let mut ids = Vec::from(Kind::MESSAGE_IDS);
    ids.extend(rows::FACTS);
    ids.extend(words::CODES.iter().map(|(_, id)| *id));
    ids.extend(words::MONTHS);
    ids.extend(WORDS);
    ids
}

/// The ids whose `.in-sentence` form a headline may use: facts, codes, months, yes and no.
pub fn in_sentence_ids() -> Vec<&'static str> {
    let mut ids = Vec::from(rows::FACTS);
    ids.extend(words::CODES.iter().map(|(_, id)| *id));
    ids.extend(words::MONTHS);
    ids.extend(["describe-yes", "describe-no"]);
    ids
}

/// The other words of descriptions and headlines.
const WORDS: [&str; 19] = [
    "describe-not-coded",
    "describe-not-named",
    "describe-the-patient",
    "describe-the-form",
    "describe-yes",
    "describe-no",
    "describe-reaction",
    "describe-date-day",
    "describe-date-month",
    "describe-title-allergy",
    "describe-title-demographics",
    "describe-title-answers",
    "describe-new",
    "describe-no-change",
    "describe-none",
    "describe-moved",
    "describe-fact-moved",
    "describe-headline",
    "describe-headline-said",
];

/// A resource as staff read it: what it is about, and its facts in order.
#[derive(Debug, Clone, PartialEq)]
pub struct ClinicalView {
    /// What kind of entry.
    pub kind: Kind,
    /// What it is about, e.g. "Penicillin" or "Rosa Delgado".
    pub subject: Phrase,
    /// The facts, in the order a clinician reads them.
    pub rows: Vec<ClinicalRow>,
}

/// One fact: a label and its value in words.
#[derive(Debug, Clone, PartialEq)]
pub struct ClinicalRow {
    /// E.g. "Status" (a message), or a question as the form asked it.
    pub label: Phrase,
    /// E.g. "Active" (a message), or what the patient wrote.
    pub value: Phrase,
}

/// A proposal beside the chart's current value.
#[derive(Debug, Clone, PartialEq)]
pub struct ChangeComparison {
    /// What kind of entry.
    pub kind: Kind,
    /// What it is about.
    pub subject: Phrase,
    /// The change in one line: "Penicillin allergy — active → resolved; patient says: …".
    pub headline: Phrase,
    /// The change without what the patient said, for a page's heading: "Penicillin allergy —
    /// active → resolved".
    pub heading: Phrase,
    /// What the patient's note adds, apart, for the page to show under its heading.
    pub patient_says: Option<PatientSays>,
    /// Every fact either side has, in order.
    pub rows: Vec<ComparedRow>,
    /// Whether the chart has a current value to compare with.
    pub on_file: bool,
}

/// The words a patient added to an entry's notes, and when.
#[derive(Clone, PartialEq, Eq)]
pub struct PatientSays {
    /// What they said.
    pub words: String,
    /// When, as the note's FHIR `dateTime` has it (the edge shows it on the clinic's clocks);
    /// `None` for a note Intake did not write.
    pub at: Option<String>,
}

/// The patient's words are not shown.
impl std::fmt::Debug for PatientSays {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PatientSays")
            .field("at", &self.at)
            .finish_non_exhaustive()
    }
}

/// One fact on both sides.
#[derive(Debug, Clone, PartialEq)]
pub struct ComparedRow {
    /// E.g. "Status".
    pub label: Phrase,
    /// As proposed; `None` when the proposal does not say.
    pub proposed: Option<Phrase>,
    /// As on the chart; `None` when the chart does not say (or there is no chart value).
    pub on_file: Option<Phrase>,
    /// Whether the two differ (always false without a chart value: everything is new then).
    pub differs: bool,
}

/// Facts whose change is the headline's "from → to" (the entry's state), in order of weight.
const STATUS_FACTS: [&str; 3] = ["fact-status", "fact-clinical-status", "fact-value"];
/// The fact of the notes; what a proposal adds to the chart's notes are the patient's words,
/// quoted at the end of the headline.
pub(crate) const NOTES: &str = "fact-notes";

/// Whether `label` is the fact `id`.
fn is_fact(label: &Phrase, id: &str) -> bool {
    matches!(label, Phrase::Said(message) if message.id == id)
}

/// Compares a proposal with the chart's current resource (`None` for a new entry).
pub fn compare(proposed: &Value, on_file: Option<&Value>) -> ChangeComparison {
    let new = describe(proposed);
    let old = on_file.map(describe);
    let mut rows: Vec<ComparedRow> = new
        .rows
        .iter()
        .map(|row| {
            let before = old
                .as_ref()
                .and_then(|old| old.rows.iter().find(|r| r.label == row.label))
                .map(|r| r.value.clone());
            ComparedRow {
                differs: old.is_some() && before.as_ref() != Some(&row.value),
                label: row.label.clone(),
                proposed: Some(row.value.clone()),
                on_file: before,
            }
        })
        .collect();
    if let Some(old) = &old {
        for row in &old.rows {
            if !new.rows.iter().any(|r| r.label == row.label) {
                rows.push(ComparedRow {
                    label: row.label.clone(),
                    proposed: None,
                    on_file: Some(row.value.clone()),
                    differs: false,
                });
            }
        }
    }
    let patient_says = patient_says(&rows, old.is_some());
    let (heading, headline) = headlines(&new, &rows, old.is_some(), patient_says.as_ref());
    ChangeComparison {
        headline,
        heading,
        patient_says,
        kind: new.kind,
        subject: new.subject,
        rows,
        on_file: old.is_some(),
    }
}

/// How a change is named in a headline: "Penicillin allergy", "Lisinopril 10 mg", "Details of
/// Rosa Delgado".
fn title(kind: Kind, subject: &Phrase) -> Phrase {
    let with_subject = |id| Phrase::composed(id, vec![("subject", subject.clone())]);
    match kind {
        // A record that names the allergy as one ("Peanut allergy") is not named twice.
        Kind::Allergy
            if !subject
                .as_verbatim()
                .is_some_and(|s| s.to_lowercase().contains("allerg")) =>
        {
            with_subject("describe-title-allergy")
        }
        Kind::Demographics => with_subject("describe-title-demographics"),
        Kind::Answers => with_subject("describe-title-answers"),
        _ => subject.clone(),
    }
}

/// What the proposal adds to the chart's notes (the chart's own are kept before it), without
/// the "Patient reports (<dateTime>): " Intake writes before the patient's words.
fn patient_says(rows: &[ComparedRow], on_file: bool) -> Option<PatientSays> {
    let note = rows
        .iter()
        .find(|r| is_fact(&r.label, NOTES) && (r.differs || !on_file))
        .and_then(|r| r.proposed.as_ref()?.as_verbatim())?;
    let old = rows
        .iter()
        .find(|r| is_fact(&r.label, NOTES))
        .and_then(|r| r.on_file.as_ref()?.as_verbatim())
        .unwrap_or_default();
    let added = note.strip_prefix(old).unwrap_or(note).trim();
    let (at, words) = match super::on_file::patient_note_parts(added) {
        Some((at, words)) => (Some(at.to_owned()), words.trim()),
        None => (None, added),
    };
    (!words.is_empty()).then(|| PatientSays {
        words: words.to_owned(),
        at,
    })
}

/// The heading, "Penicillin allergy — active → resolved" (for a new entry "Penicillin allergy —
/// new, as the patient reported it"), and the headline: the heading with "; patient says:
/// stopped reacting in 2019" when the patient said something.
fn headlines(
    view: &ClinicalView,
    rows: &[ComparedRow],
    on_file: bool,
    said: Option<&PatientSays>,
) -> (Phrase, Phrase) {
    let title = title(view.kind, &view.subject);
    let what = if on_file {
        what_changed(rows)
    } else {
        Phrase::said("describe-new")
    };
    let heading = Phrase::composed(
        "describe-headline",
        vec![("title", title.clone()), ("what", what.clone())],
    );
    let headline = match said {
        Some(said) => Phrase::composed(
            "describe-headline-said",
            vec![
                ("title", title),
                ("what", what),
                ("note", Phrase::verbatim(said.words.clone())),
            ],
        ),
        None => heading.clone(),
    };
    (heading, headline)
}

/// The entry's state from → to, else each changed fact from → to, else "no change".
fn what_changed(rows: &[ComparedRow]) -> Phrase {
    let moved = STATUS_FACTS.iter().find_map(|id| {
        rows.iter()
            .find(|r| is_fact(&r.label, id) && r.differs)
            .and_then(|r| Some((r.on_file.clone()?, r.proposed.clone()?)))
    });
    if let Some((from, to)) = moved {
        return Phrase::composed(
            "describe-moved",
            vec![("from", from.in_sentence()), ("to", to.in_sentence())],
        );
    }
    let none = || Phrase::said("describe-none");
    let changed: Vec<Phrase> = rows
        .iter()
        .filter(|r| r.differs && !is_fact(&r.label, NOTES))
        .map(|r| {
            Phrase::composed(
                "describe-fact-moved",
                vec![
                    ("fact", r.label.clone().in_sentence()),
                    ("from", r.on_file.clone().unwrap_or_else(none)),
                    ("to", r.proposed.clone().unwrap_or_else(none)),
                ],
            )
        })
        .collect();
    if changed.is_empty() {
        Phrase::said("describe-no-change")
    } else {
        Phrase::Joined {
            items: changed,
            by: Joiner::Comma,
        }
    }
}

#[cfg(any(test, feature = "test-support"))]
pub mod examples;
#[cfg(test)]
mod tests;
