//! One summary of each kind, with the English text each was built as before it was a phrase:
//! the core's tests store and read them back, the edge's (`intake::i18n`) read them in English
//! (feature `test-support`).

use time::macros::date;

use super::{ChangeSummary, EntryKind, IdentityDetail, OnFileSaid};
use crate::{
    domain::Phrase,
    engine::{Answer, Answers, FileRef},
    forms::{Form, load_yaml},
};

/// Every kind of summary, with the English text each was built as before it was a phrase.
pub fn summary_examples() -> Vec<(ChangeSummary, &'static str)> {
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

/// A form and one answer of each kind to its items (item id, answer): what a change's words
/// say of an answer.
pub fn answer_examples() -> (Form, Vec<(&'static str, Answer)>) {
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
    .unwrap_or_else(|error| panic!("the example form does not load: {error}"));
    let file = FileRef {
        id: uuid::Uuid::nil(),
        content_type: "image/png".into(),
        size: 1,
        sha1: String::new(),
    };
    let answers = vec![
        ("smoker", Answer::Boolean(true)),
        ("smoker", Answer::Boolean(false)),
        ("weight", Answer::Decimal("72.5".into())),
        ("seen", Answer::Date(date!(2026 - 04 - 12))),
        ("colour", Answer::Choice("r".into())),
        ("colour", Answer::Choice("unlisted".into())),
        ("smoker", Answer::String("typed words".into())),
        ("smoker", Answer::Attachment(file)),
        ("smoker", Answer::Group(Answers::default())),
    ];
    (form, answers)
}
