//! What a form marks for the front desk (`for: [staff]` with a `marker`): the markers its
//! answers raise, with those answers, kept with the submission so the worklist never reads the
//! clinical answers.

use std::fmt;

use serde::{Deserialize, Serialize};

use super::notable;
use crate::{
    domain::Translate,
    engine::{Answer, Answers},
    forms::{Form, Item},
};

/// A marker for the front desk ("Call me before the visit") and the answers behind it.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StaffNote {
    /// The form's words for it, in English (staff pages are in English).
    pub marker: String,
    /// Each question behind it with the patient's answer ("Street address: 12 Elm St").
    pub answers: Vec<String>,
}

impl fmt::Debug for StaffNote {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The answers may be a phone number or an address.
        f.debug_struct("StaffNote")
            .field("marker", &self.marker)
            .field("answers", &self.answers.len())
            .finish()
    }
}

/// The front desk's notes from `answers`, one per marker, in the form's order. An item for
/// staff raises its marker when an answer differs from its `normal:`, or, without one, when it
/// is anything but "No".
pub fn staff_notes(form: &Form, answers: &Answers, words: &dyn Translate) -> Vec<StaffNote> {
    let mut notes: Vec<StaffNote> = Vec::new();
    for item in form.items().filter(|item| item.for_staff()) {
        let given = answers.get(&item.id);
        if !given.iter().any(|answer| raises(item, answer)) {
            continue;
        }
        let Some(marker) = item.marker.as_ref().map(|m| m.en().to_owned()) else {
            continue;
        };
        let shown: Vec<String> = given.iter().map(|a| a.display(item, words)).collect();
        let line = format!("{}: {}", item.text.en(), shown.join(", "));
        match notes.iter_mut().find(|note| note.marker == marker) {
            Some(note) => note.answers.push(line),
            None => notes.push(StaffNote {
                marker,
                answers: vec![line],
            }),
        }
    }
    notes
}

fn raises(item: &Item, answer: &Answer) -> bool {
    if item.normal.is_some() {
        return notable(item, answer);
    }
    match answer {
        Answer::Boolean(yes) => *yes,
        Answer::String(text) => !text.trim().is_empty(),
        _ => true,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::forms::load_yaml;

    #[test]
    fn items_for_staff_raise_their_marker_once_with_the_answers_and_nothing_else_does() {
        let form = load_yaml(
            "t.yaml",
            "id: t\nversion: '1'\ntitle: T\nsections:\n  - id: s\n    title: S\n    items:\n\
             \x20     - { id: call, type: boolean, normal: false, for: [staff], marker: Call me before the visit, text: Call you first? }\n\
             \x20     - { id: correct, type: boolean, normal: true, for: [staff], marker: Details changed, text: Details correct? }\n\
             \x20     - { id: what, type: text, for: [staff], marker: Details changed, text: What changed }\n\
             \x20     - { id: mood, type: boolean, normal: false, text: Feeling down? }\n",
        )
        .unwrap();
        let mut answers = Answers::default();
        answers.set("call", vec![Answer::Boolean(false)]);
        answers.set("correct", vec![Answer::Boolean(false)]);
        answers.set("what", vec![Answer::String("New address".into())]);
        answers.set("mood", vec![Answer::Boolean(true)]);
        let notes = staff_notes(&form, &answers, crate::domain::Ids::ENGLISH);
        assert_eq!(
            notes,
            [StaffNote {
                marker: "Details changed".into(),
                answers: vec![
                    "Details correct?: answer-no".into(),
                    "What changed: New address".into()
                ],
            }],
            "a clinical answer never becomes a staff note"
        );
        assert!(
            !format!("{notes:?}").contains("New address"),
            "no answers in Debug"
        );
        answers.set("call", vec![Answer::Boolean(true)]);
        assert_eq!(
            staff_notes(&form, &answers, crate::domain::Ids::ENGLISH)[0].marker,
            "Call me before the visit"
        );
    }
}
