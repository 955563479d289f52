//! Summaries survive the database and read back safely whatever a row holds. How they read
//! in English (as they did when they were English text) is the edge's test: `intake::i18n`.

use super::*;
use crate::{
    domain::Ids,
    mapping::{answer_examples, summary_examples},
};

#[test]
fn an_edited_value_is_stored_as_a_phrase_from_then_on() {
    let edited = ChangeSummary::verbatim("Allergy: latex").with_value(Phrase::verbatim("gloves"));
    assert_eq!(ChangeSummary::from_stored(&edited.to_stored()), edited);
}

#[test]
fn a_stored_summary_reads_back_equal() {
    for (summary, before) in summary_examples() {
        let stored = summary.to_stored();
        assert!(
            stored.starts_with('{'),
            "stored as JSON, not English: {stored}"
        );
        let read = ChangeSummary::from_stored(&stored);
        assert_eq!(read, summary, "{before}");
    }
}

#[test]
fn a_summary_stored_as_english_text_before_reads_as_that_text() {
    for old in [
        "Allergy: penicillin",
        "Update on file: Medication: aspirin",
        "Answers to “Before your visit”",
        "",
    ] {
        let read = ChangeSummary::from_stored(old);
        assert_eq!(read, ChangeSummary::verbatim(old));
    }
}

#[test]
fn an_answers_words_are_stored_and_read_back() {
    let (form, answers) = answer_examples();
    for (item, answer) in answers {
        let words = answer_words(&answer, form.item(item).unwrap(), Ids::ENGLISH);
        assert_eq!(
            Phrase::from_stored(&words.to_stored(), &known_names()),
            words,
            "{}",
            answer.to_input()
        );
    }
}

#[test]
fn the_stored_form_of_every_kind_of_summary_stays_as_rows_hold_it() {
    // Rows keep these ids and names: a change to this snapshot must still read the old rows
    // (a message may be reworded in the files, never renamed or removed).
    let stored: Vec<String> = summary_examples()
        .iter()
        .map(|(summary, _)| summary.to_stored())
        .collect();
    insta::assert_snapshot!(stored.join("\n"));
}
