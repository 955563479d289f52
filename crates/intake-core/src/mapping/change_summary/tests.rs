//! Summaries read in English exactly as they did when they were English text, survive the
//! database, and read safely whatever a row holds.

use time::macros::date;

use super::*;
use crate::{engine::FileRef, forms::load_yaml, i18n::Language};

fn english(summary: &ChangeSummary) -> String {
    Language::english().phrase(summary.phrase())
}

/// Every kind of summary, with the English text each was built as before it was a phrase.
fn every_kind() -> Vec<(ChangeSummary, &'static str)> {
    let latex = || ChangeSummary::entry(EntryKind::Allergy, Phrase::verbatim("Latex"));
    vec![
        (
            ChangeSummary::answers("Before your visit"),
            "Answers to “Before your visit”",
        ),
        (latex(), "Allergy: Latex"),
        (
            ChangeSummary::entry(EntryKind::Medication, Phrase::verbatim("metformin 500 mg")),
            "Medication: metformin 500 mg",
        ),
        (
            ChangeSummary::entry(EntryKind::Condition, Phrase::verbatim("Asthma")),
            "Condition: Asthma",
        ),
        (
            ChangeSummary::entry(EntryKind::Observation, Phrase::said("answer-yes")),
            "Observation: Yes",
        ),
        (
            ChangeSummary::entry(EntryKind::Photo, Phrase::verbatim("Insurance card (front)")),
            "Photo: Insurance card (front)",
        ),
        (latex().update_on_file(), "Update on file: Allergy: Latex"),
        (
            ChangeSummary::on_file("Aspirin", OnFileSaid::Stopped),
            "Aspirin: the patient stopped taking it",
        ),
        (
            ChangeSummary::on_file("Aspirin", OnFileSaid::TakenDifferently),
            "Aspirin: the patient takes it differently now",
        ),
        (
            ChangeSummary::on_file("Penicillin", OnFileSaid::NoLongerTrue),
            "Penicillin: the patient says it is no longer true",
        ),
        (
            ChangeSummary::consent("I agree to treatment", "2026-01", true, false),
            "Consent given: I agree to treatment (version 2026-01)",
        ),
        (
            ChangeSummary::consent("I agree to treatment", "2026-01", true, true),
            "Consent given: I agree to treatment (version 2026-01), signature drawn",
        ),
        (
            ChangeSummary::consent("Photos for teaching", "3", false, false),
            "Consent declined: Photos for teaching (version 3)",
        ),
        (
            ChangeSummary::consent("Photos for teaching", "3", false, true),
            "Consent declined: Photos for teaching (version 3), signature drawn",
        ),
        (
            ChangeSummary::identity(&[
                (
                    IdentityDetail::BirthDate,
                    Some("1980-01-01"),
                    "1980-01-02".into(),
                ),
                (IdentityDetail::FirstName, None, "Ana".into()),
                (IdentityDetail::LastName, Some("Diaz"), "Díaz".into()),
            ]),
            "Differs from the chart: date of birth: chart 1980-01-01, patient 1980-01-02; \
             first name: chart (none), patient Ana; last name: chart Diaz, patient Díaz",
        ),
        (
            ChangeSummary::from_answers("Observation"),
            "Observation from the patient's answers",
        ),
        (
            ChangeSummary::provenance(),
            "Where these changes came from: the patient, through the intake",
        ),
        (
            ChangeSummary::urgent("Thoughts of self-harm; Chest pain"),
            "Urgent answer flagged for the chart: Thoughts of self-harm; Chest pain",
        ),
    ]
}

#[test]
fn every_summary_reads_in_english_as_the_text_it_replaced() {
    for (summary, before) in every_kind() {
        assert_eq!(english(&summary), before);
    }
}

#[test]
fn a_stored_summary_reads_back_equal_and_renders_the_same_english() {
    for (summary, before) in every_kind() {
        let stored = summary.to_stored();
        assert!(
            stored.starts_with('{'),
            "stored as JSON, not English: {stored}"
        );
        let read = ChangeSummary::from_stored(&stored);
        assert_eq!(read, summary, "{before}");
        assert_eq!(english(&read), before);
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
        assert_eq!(english(&read), old);
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
    let edited = ChangeSummary::verbatim("Allergy: latex").with_value(gloves());
    assert_eq!(
        ChangeSummary::from_stored(&edited.to_stored()),
        edited,
        "and is stored as a phrase from then on"
    );
}

#[test]
fn an_answer_reads_back_as_the_review_page_reads_it() {
    let form = load_yaml(
        "a.yaml",
        "\
id: a
version: '1'
title: A
sections:
  - id: s
    title: S
    items:
      - { id: smoker, type: boolean, text: Smoker }
      - { id: weight, type: decimal, text: Weight }
      - { id: seen, type: date, text: Seen }
      - id: colour
        type: choice
        text: Colour
        options: [{ code: r, display: Red }]
",
    )
    .unwrap();
    let file = FileRef {
        id: uuid::Uuid::nil(),
        content_type: "image/png".into(),
        size: 1,
        sha1: String::new(),
    };
    let english = Language::english();
    for (item, answer) in [
        ("smoker", Answer::Boolean(true)),
        ("smoker", Answer::Boolean(false)),
        ("weight", Answer::Decimal("72.5".into())),
        ("seen", Answer::Date(date!(2026 - 04 - 12))),
        ("colour", Answer::Choice("r".into())),
        ("colour", Answer::Choice("unlisted".into())),
        ("smoker", Answer::String("typed words".into())),
        ("smoker", Answer::Attachment(file.clone())),
        ("smoker", Answer::Group(crate::engine::Answers::default())),
    ] {
        let item = form.item(item).unwrap();
        let words = answer_words(&answer, item, english);
        assert_eq!(
            english.phrase(&words),
            answer.display(item, english),
            "{}",
            answer.to_input()
        );
        assert_eq!(
            Phrase::from_stored(&words.to_stored(), &known_names()),
            words,
            "an answer's words are stored and read back"
        );
    }
}

#[test]
fn the_stored_form_of_every_kind_of_summary_stays_as_rows_hold_it() {
    // Rows keep these ids and names: a change to this snapshot must still read the old rows
    // (a message may be reworded in the files, never renamed or removed).
    let stored: Vec<String> = every_kind()
        .iter()
        .map(|(summary, _)| summary.to_stored())
        .collect();
    insta::assert_snapshot!(stored.join("\n"));
}
