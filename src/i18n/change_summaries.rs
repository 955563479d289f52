//! The core's change summaries read in English exactly as they did when they were English
//! text, a stored summary naming an id this version lacks reads as its words, and an answer's
//! words in a summary read as the review page reads the answer. The core's own tests read the
//! same examples by ids (`intake_core::mapping::change_summary`).

use super::Language;
use crate::{
    domain::Phrase,
    mapping::{ChangeSummary, EntryKind, answer_examples, answer_words, summary_examples},
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
