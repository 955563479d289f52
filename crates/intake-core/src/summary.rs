//! The clinician's pre-visit summary, as data: what the patient answered and what they asked
//! to change on the chart, in the form's order.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::{
    domain::Translate,
    engine::{Answer, Answers, FileRef, instance_heading},
    forms::{Form, Item, ItemKind},
};

/// A consent the patient agreed to or declined, as recorded when they submitted: the version
/// of the text they read, the full name they typed to sign it and, when they drew it too, the
/// stored picture of their signature.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConsentRecord {
    /// What was consented to (the consent question, in English).
    pub title: String,
    /// The version of the consent text.
    pub version: String,
    /// Whether the patient agreed.
    pub agreed: bool,
    /// The full name typed as the signature.
    pub signed_name: Option<String>,
    /// The signature as drawn (a PNG stored beside the answers), when the patient drew it.
    /// Records made before signatures could be drawn have none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub drawn: Option<FileRef>,
    /// When, epoch milliseconds (the submission's time).
    pub recorded_at: i64,
}

impl ConsentRecord {
    /// How the patient signed, for the pages that say so.
    pub fn signed_by(&self) -> Option<SignedBy> {
        match (&self.drawn, &self.signed_name) {
            (Some(_), _) => Some(SignedBy::Drawn),
            (None, Some(_)) => Some(SignedBy::Typed),
            (None, None) => None,
        }
    }
}

/// How a consent was signed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SignedBy {
    /// A signature drawn on the screen, with the full name typed.
    Drawn,
    /// The full name typed only.
    Typed,
}

impl fmt::Debug for ConsentRecord {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ConsentRecord")
            .field("version", &self.version)
            .field("agreed", &self.agreed)
            .field("signed_name", &"[redacted]")
            .field("drawn", &self.drawn.is_some())
            .finish_non_exhaustive()
    }
}

/// The consents among `form`'s items that `answers` answered, recorded at `recorded_at`.
pub fn consents(form: &Form, answers: &Answers, recorded_at: i64) -> Vec<ConsentRecord> {
    form.items()
        .filter_map(|item| {
            let terms = item.consent.as_ref()?;
            let agreed = match answers.get(&item.id).first()? {
                Answer::Boolean(agreed) => *agreed,
                _ => return None,
            };
            let signed_name = answers
                .get(&terms.signature)
                .first()
                .map(Answer::to_input)
                .filter(|name| agreed && !name.trim().is_empty());
            let drawn = terms
                .drawn
                .as_deref()
                .and_then(|drawn| answers.get(drawn).first())
                .and_then(|answer| match answer {
                    Answer::Attachment(file) if agreed => Some(file.clone()),
                    _ => None,
                });
            Some(ConsentRecord {
                title: item.text.en().to_owned(),
                version: terms.version.clone(),
                agreed,
                signed_name,
                drawn,
                recorded_at,
            })
        })
        .collect()
}

mod header;
mod notable;
mod staff_notes;

pub use header::ChartFacts;
pub use notable::notable;
// Where the staff pages have always found them; the engine finds them among the answers.
pub use crate::engine::photos;
pub use staff_notes::{StaffNote, staff_notes};

#[cfg(test)]
mod drawn_tests;
#[cfg(test)]
mod tests;

/// One screen for the clinician: the scores with their meaning, then the positive or abnormal
/// answers; the rest is kept for a closed disclosure.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PreVisitSummary {
    /// The form's title.
    pub form_title: String,
    /// Every score the patient's answers gave, in the form's order.
    pub scores: Vec<ScoreLine>,
    /// Positive or abnormal answers, section by section.
    pub notable: Vec<SummarySection>,
    /// Negative, normal and other answers, section by section.
    pub other: Vec<SummarySection>,
    /// The patient's answer to the form's interpreter question, when it has one.
    pub interpreter: Option<bool>,
}

/// A score, its band and what the band means.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScoreLine {
    /// The score's name ("PHQ-9 score").
    pub name: String,
    /// Its value.
    pub value: String,
    /// The highest it can be, when the form says.
    pub out_of: Option<String>,
    /// The band's label ("Moderate"), when a band holds the value.
    pub band: Option<String>,
    /// What the band means.
    pub meaning: Option<String>,
}

/// A section with at least one answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SummarySection {
    /// Its heading.
    pub title: String,
    /// Question and answer pairs.
    pub answers: Vec<SummaryAnswer>,
}

/// A question and what the patient said.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SummaryAnswer {
    /// The question.
    pub question: String,
    /// The answers, as the patient would read them.
    pub answers: Vec<String>,
}

/// Builds the summary in `language`. Unanswered questions, hidden items, scores (they have
/// their own list) and empty sections are left out of the answers; a repeating group's
/// instances (a new medicine, a medicine on file) are one entry each, headed like the patient
/// saw them.
pub fn summarize(form: &Form, answers: &Answers, words: &dyn Translate) -> PreVisitSummary {
    let language = words.language();
    let mut notable = Vec::new();
    let mut other = Vec::new();
    for section in &form.sections {
        let mut split = Split::default();
        answered(&section.items, answers, words, &mut split);
        let title = section.title.in_language(language).to_owned();
        if !split.notable.is_empty() {
            notable.push(SummarySection {
                title: title.clone(),
                answers: split.notable,
            });
        }
        if !split.other.is_empty() {
            other.push(SummarySection {
                title,
                answers: split.other,
            });
        }
    }
    PreVisitSummary {
        form_title: form.title.in_language(language).to_owned(),
        scores: scores(form, answers, words),
        notable,
        other,
        interpreter: form
            .items()
            .filter(|item| item.interpreter)
            .find_map(|item| match answers.get(&item.id).first() {
                Some(Answer::Boolean(wanted)) => Some(*wanted),
                _ => None,
            }),
    }
}

/// The scores the answers hold, each with the band its value falls in.
fn scores(form: &Form, answers: &Answers, words: &dyn Translate) -> Vec<ScoreLine> {
    let language = words.language();
    form.items()
        .filter(|item| item.is_score())
        .filter_map(|item| {
            let given = answers.get(&item.id).first()?;
            let value = match given {
                Answer::Integer(n) => *n as f64,
                Answer::Decimal(text) => text.parse().ok()?,
                _ => return None,
            };
            let band = item.band(value);
            Some(ScoreLine {
                name: item.text.in_language(language).to_owned(),
                value: given.display(item, words),
                out_of: match item.max {
                    Some(crate::forms::Bound::Number(max)) => Some(max.to_string()),
                    _ => None,
                },
                band: band.map(|b| b.label.in_language(language).to_owned()),
                meaning: band.map(|b| b.meaning.in_language(language).to_owned()),
            })
        })
        .collect()
}

/// A section's answers, parted into what stands out and the rest.
#[derive(Default)]
struct Split {
    notable: Vec<SummaryAnswer>,
    other: Vec<SummaryAnswer>,
}

/// The answered questions among `items`, in order, into `out`.
fn answered(items: &[Item], answers: &Answers, words: &dyn Translate, out: &mut Split) {
    let language = words.language();
    for item in items.iter().filter(|i| !i.hidden && !i.is_score()) {
        match (item.kind, item.repeats) {
            (ItemKind::Display, _) => {}
            (ItemKind::Group, false) => answered(&item.items, answers, words, out),
            (ItemKind::Group, true) => {
                for (index, instance) in answers.get(&item.id).iter().enumerate() {
                    let Answer::Group(inner) = instance else {
                        continue;
                    };
                    let mut inside = Split::default();
                    answered(&item.items, inner, words, &mut inside);
                    // A new entry stands out; one on file only when something about it does.
                    let stands_out = item.on_file.is_none() || !inside.notable.is_empty();
                    let entry = SummaryAnswer {
                        question: instance_heading(item, inner, index, language),
                        answers: inside
                            .notable
                            .into_iter()
                            .chain(inside.other)
                            .map(|a| {
                                // "Are you still taking it? No" reads better than "...?: No".
                                let gap = if a.question.ends_with('?') { " " } else { ": " };
                                format!("{}{gap}{}", a.question, a.answers.join(", "))
                            })
                            .collect(),
                    };
                    if stands_out {
                        out.notable.push(entry);
                    } else {
                        out.other.push(entry);
                    }
                }
            }
            _ => {
                let given = answers.get(&item.id);
                if given.is_empty() {
                    continue;
                }
                let entry = SummaryAnswer {
                    question: item.text.in_language(language).to_owned(),
                    answers: given.iter().map(|a| a.display(item, words)).collect(),
                };
                // What a form marks for the front desk is theirs to act on (the header shows
                // an interpreter request to the clinician).
                if !item.for_staff() && given.iter().any(|a| notable(item, a)) {
                    out.notable.push(entry);
                } else {
                    out.other.push(entry);
                }
            }
        }
    }
}

#[cfg(test)]
mod consent_tests {
    use super::*;
    use crate::forms::load_yaml;

    const FORM: &str = "id: t\nversion: '1'\ntitle: T\nsections:\n  - id: s\n    title: S\n    items:\n\
        \x20     - { id: agree, type: boolean, text: I agree to the terms, consent: { version: 2026-01, signature: sign } }\n\
        \x20     - { id: sign, type: string, text: Type your full name }\n";

    fn answered(agree: bool, name: &str) -> Answers {
        let mut answers = Answers::default();
        answers.set("agree", vec![Answer::Boolean(agree)]);
        answers.set("sign", vec![Answer::String(name.into())]);
        answers
    }

    #[test]
    fn a_consent_records_its_version_the_typed_name_and_the_time() {
        let form = load_yaml("t.yaml", FORM).unwrap();
        let [record] = consents(&form, &answered(true, "Rosa Delgado"), 42)
            .try_into()
            .unwrap();
        assert_eq!(record.title, "I agree to the terms");
        assert_eq!(record.version, "2026-01");
        assert!(record.agreed);
        assert_eq!(record.signed_name.as_deref(), Some("Rosa Delgado"));
        assert_eq!(record.recorded_at, 42);
        assert!(!format!("{record:?}").contains("Rosa"), "no name in Debug");

        let [declined] = consents(&form, &answered(false, "Rosa"), 42)
            .try_into()
            .unwrap();
        assert!(!declined.agreed && declined.signed_name.is_none());
        assert!(
            consents(&form, &Answers::default(), 42).is_empty(),
            "unanswered, nothing recorded"
        );
    }

    #[test]
    fn grouped_answers_and_each_instance_of_a_repeating_group_are_summarized_hidden_ones_are_not() {
        let form = load_yaml(
            "t.yaml",
            "id: t\nversion: '1'\ntitle: T\nsections:\n  - id: s\n    title: S\n    items:\n\
             \x20     - id: contact\n        type: group\n        text: Contact\n        items:\n\
             \x20         - { id: phone, type: string, text: Phone }\n\
             \x20         - { id: chart_id, type: string, hidden: true, text: Chart id }\n\
             \x20     - id: meds\n        type: group\n        repeats: true\n        text: New medicine\n        items:\n\
             \x20         - { id: name, type: string, text: Name }\n\
             \x20         - { id: dose, type: string, text: Dose }\n",
        )
        .unwrap();
        let mut answers = Answers::default();
        answers.set("phone", vec![Answer::String("555-0101".into())]);
        answers.set("chart_id", vec![Answer::String("p1".into())]);
        let mut first = Answers::default();
        first.set("name", vec![Answer::String("ibuprofen".into())]);
        first.set("dose", vec![Answer::String("200 mg".into())]);
        answers.set("meds", vec![Answer::Group(first)]);
        let summary = summarize(&form, &answers, crate::domain::Ids::ENGLISH);
        let entries: Vec<(&str, Vec<&str>)> = summary
            .notable
            .iter()
            .chain(&summary.other)
            .flat_map(|section| &section.answers)
            .map(|a| {
                (
                    a.question.as_str(),
                    a.answers.iter().map(String::as_str).collect(),
                )
            })
            .collect();
        assert_eq!(
            entries,
            [
                // A new medicine stands out; a phone number is among the other answers.
                ("New medicine 1", vec!["Name: ibuprofen", "Dose: 200 mg"]),
                ("Phone", vec!["555-0101"]),
            ]
        );
    }

    #[test]
    fn a_consent_must_name_a_signature_item_of_the_form() {
        let broken = FORM.replace("signature: sign", "signature: nobody");
        let error = load_yaml("t.yaml", &broken).unwrap_err().to_string();
        assert!(
            error.contains("t.yaml:8:74:") && error.contains("`nobody`"),
            "{error}"
        );
        let on_text = FORM.replace("id: agree, type: boolean", "id: agree, type: string");
        let error = load_yaml("t.yaml", &on_text).unwrap_err().to_string();
        assert!(error.contains("`consent` is for a yes/no item"), "{error}");
    }
}
