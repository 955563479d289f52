//! What the core says, read in English exactly as it read when the core still wrote English:
//! change summaries (and a stored one naming an id this version lacks reads as its words), an
//! answer's words in a summary as the review page reads the answer, staff edits' refusals and
//! status choices, and an issue in Spanish. The core's own tests read the same by message ids.

use super::Language;
use crate::{
    domain::{Phrase, Translate},
    engine::IssueKind,
    mapping::{
        ALLERGY_CLINICAL, ChangeSummary, EDIT_ERROR_IDS, EntryKind, MEDICATION_STATUSES,
        answer_examples, answer_words, summary_examples,
    },
};

fn english(summary: &ChangeSummary) -> String {
    Language::english().phrase(summary.phrase())
}

#[test]
fn every_summary_reads_in_english_as_the_text_it_replaced() {
    for (summary, before) in summary_examples() {
        assert_eq!(english(&summary), before);
    }
}

#[test]
fn a_stored_summary_naming_an_id_this_version_lacks_reads_as_its_words() {
    let stored =
        r#"{"composed":{"id":"change-summary-retired","parts":[["value",{"verbatim":"Latex"}]]}}"#;
    assert_eq!(english(&ChangeSummary::from_stored(stored)), "Latex");
    let stored = r#"{"said":{"id":"change-summary-retired"}}"#;
    assert_eq!(
        english(&ChangeSummary::from_stored(stored)),
        "change-summary-retired"
    );
    // Valid JSON of another shape is not a phrase: shown as it is, never an error.
    let stored = r#"{"summary":"Allergy: latex"}"#;
    assert_eq!(english(&ChangeSummary::from_stored(stored)), stored);
}

#[test]
fn an_edited_value_keeps_the_label_an_update_and_an_old_texts_label() {
    let gloves = || Phrase::verbatim("latex gloves");
    let latex = ChangeSummary::entry(EntryKind::Allergy, Phrase::verbatim("latex"));
    assert_eq!(
        english(&latex.clone().with_value(gloves())),
        "Allergy: latex gloves"
    );
    assert_eq!(
        english(&latex.update_on_file().with_value(gloves())),
        "Update on file: Allergy: latex gloves"
    );
    assert_eq!(
        english(&ChangeSummary::verbatim("Allergy: latex").with_value(gloves())),
        "Allergy: latex gloves",
        "a summary stored as text keeps its label"
    );
}

#[test]
fn an_answer_reads_back_as_the_review_page_reads_it() {
    let english = Language::english();
    let (form, answers) = answer_examples();
    for (item, answer) in answers {
        let item = form.item(item).unwrap();
        assert_eq!(
            english.phrase(&answer_words(&answer, item, english)),
            answer.display(item, english),
            "{}",
            answer.to_input()
        );
    }
}

#[test]
fn every_refusal_of_a_staff_edit_reads_in_english_as_it_did_before_it_was_a_message_id() {
    let english = Language::english();
    let said: Vec<String> = EDIT_ERROR_IDS
        .into_iter()
        .map(|id| english.phrase(&Phrase::said(id)))
        .collect();
    assert_eq!(
        said,
        [
            "This holds a character that cannot be saved (a control character); retype it.",
            "Choose one of the listed statuses.",
            "Choose a code from the list, or no code.",
            "Enter what this is.",
            "Enter a value.",
            "This value cannot be recorded.",
            "Enter a whole number, like 3.",
            "Enter a number, like 72.5.",
            "This answer is too long; please shorten it.",
        ]
    );
}

#[test]
fn statuses_are_chosen_in_words_a_patient_would_say() {
    let english = Language::english();
    let allergy: Vec<String> = ALLERGY_CLINICAL
        .iter()
        .map(|c| english.say(&c.words()))
        .collect();
    assert_eq!(
        allergy,
        [
            "Active: still reacts to it",
            "Inactive: no longer a risk for now",
            "Resolved: outgrown or cleared"
        ]
    );
    let medication: Vec<(&str, String)> = MEDICATION_STATUSES
        .iter()
        .map(|c| (c.code, english.say(&c.words())))
        .collect();
    assert_eq!(medication[0], ("active", "Taking it".to_owned()));
    assert!(medication.contains(&("stopped", "Stopped taking it".to_owned())));
}

#[test]
fn too_many_changes_reads_in_english_and_in_spanish() {
    let issue = IssueKind::TooManyChanges(3);
    assert!(
        issue
            .message(Language::english())
            .contains("at most 3 entries")
    );
    let spanish = Language::parse("es").unwrap();
    assert!(issue.message(&spanish).contains("como máximo 3 datos"));
}
