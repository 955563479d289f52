use serde_json::{Value, json};

use super::*;
use crate::{
    domain::Arg,
    mapping::describe::examples::{examples, penicillin},
};

/// A phrase by its ids: `{id}` for a message, `"…"` for text as written, `{id: name=…}` for a
/// message of parts, `[…; …]` for a list, `lower(…)` for the in-sentence form.
pub(crate) fn shape(phrase: &Phrase) -> String {
    match phrase {
        Phrase::Verbatim(text) => format!("{text:?}"),
        Phrase::Said(message) if message.args.is_empty() => format!("{{{}}}", message.id),
        Phrase::Said(message) => {
            let args: Vec<String> = message
                .args
                .iter()
                .map(|(name, arg)| match arg {
                    Arg::Number(n) => format!("{name}={n}"),
                    Arg::Text(text) | Arg::Decimal(text) => format!("{name}={text:?}"),
                    Arg::Date(date) => format!("{name}={date}"),
                })
                .collect();
            format!("{{{}: {}}}", message.id, args.join(", "))
        }
        Phrase::Composed { id, parts } => {
            let parts: Vec<String> = parts
                .iter()
                .map(|(name, part)| format!("{name}={}", shape(part)))
                .collect();
            format!("{{{id}: {}}}", parts.join(", "))
        }
        Phrase::Joined { items, by } => {
            let items: Vec<String> = items.iter().map(shape).collect();
            format!("[{:?}: {}]", by, items.join(", "))
        }
        Phrase::InSentence(inner) => format!("lower({})", shape(inner)),
    }
}

/// The comparison by its ids: the headline, then each fact, chart first, marked `*` where it
/// differs. The staff pages' English rendering of the same examples is pinned in
/// `web::staff_texts::tests`.
fn render(proposed: &Value, on_file: Option<&Value>) -> String {
    let compared = compare(proposed, on_file);
    let mut out = format!("{}\n", shape(&compared.headline));
    for row in &compared.rows {
        let side = |value: &Option<Phrase>| value.as_ref().map_or_else(|| "—".to_owned(), shape);
        out.push_str(&format!(
            "{} {}: {} | {}\n",
            if row.differs { "*" } else { " " },
            shape(&row.label),
            side(&row.on_file),
            side(&row.proposed),
        ));
    }
    out
}

/// The example `name`, compared.
fn compared(name: &str) -> ChangeComparison {
    let example = examples().into_iter().find(|e| e.name == name).unwrap();
    compare(&example.proposed, example.on_file.as_ref())
}

/// The example `name`, by its ids.
fn rendered(name: &str) -> String {
    let example = examples().into_iter().find(|e| e.name == name).unwrap();
    render(&example.proposed, example.on_file.as_ref())
}

fn said(id: &'static str) -> Phrase {
    Phrase::said(id)
}

#[test]
fn an_allergy_the_patient_no_longer_has_reads_as_active_to_resolved_with_their_words() {
    let name = "an_allergy_the_patient_no_longer_has_reads_as_active_to_resolved_with_their_words";
    insta::assert_snapshot!(rendered(name));
    let Phrase::Composed { id, parts } = compared(name).headline else {
        panic!("a headline of parts");
    };
    assert_eq!(id, "describe-headline-said");
    assert_eq!(
        parts[1].1,
        Phrase::composed(
            "describe-moved",
            vec![
                ("from", said("fhir-code-active").in_sentence()),
                ("to", said("fhir-code-resolved").in_sentence()),
            ],
        )
    );
    assert_eq!(parts[2].1, Phrase::verbatim("Stopped reacting in 2019"));
}

#[test]
fn a_new_medicine_reads_as_new_and_says_when_it_is_not_coded() {
    let name = "a_new_medicine_reads_as_new_and_says_when_it_is_not_coded";
    insta::assert_snapshot!(rendered(name));
    let compared = compared(name);
    assert!(!compared.on_file);
    assert!(compared.rows.iter().all(|r| !r.differs));
    assert_eq!(compared.rows[1].proposed, Some(said("describe-not-coded")));
}

#[test]
fn a_stopped_medicine_shows_the_status_change_and_keeps_the_charts_notes_out_of_the_headline() {
    let name =
        "a_stopped_medicine_shows_the_status_change_and_keeps_the_charts_notes_out_of_the_headline";
    insta::assert_snapshot!(rendered(name));
    let Phrase::Composed { parts, .. } = compared(name).headline else {
        panic!("a headline of parts");
    };
    assert_eq!(parts[2].1, Phrase::verbatim("Stopped in October: cough"));
}

#[test]
fn the_patients_words_come_apart_from_the_heading_without_the_time_intake_writes_before_them() {
    // As `on_file` writes the patient's words into the note the chart keeps.
    let note = "Patient reports (2026-11-22T10:00:00.000Z): Stopped reacting in 2019";
    let compared = super::compare(
        &penicillin("resolved", Some(note)),
        Some(&penicillin("active", None)),
    );
    let said = compared.patient_says.as_ref().unwrap();
    assert_eq!(said.words, "Stopped reacting in 2019");
    assert_eq!(said.at.as_deref(), Some("2026-11-22T10:00:00.000Z"));
    let Phrase::Composed { parts, .. } = &compared.headline else {
        panic!("a headline of parts");
    };
    assert_eq!(parts[2].1, Phrase::verbatim("Stopped reacting in 2019"));
    let Phrase::Composed { id, parts } = &compared.heading else {
        panic!("a heading of parts");
    };
    assert_eq!(
        (*id, parts.len()),
        ("describe-headline", 2),
        "no words, no time"
    );
    // A note Intake did not write is the patient's words as they stand, with no time.
    let other = super::compare(
        &penicillin("resolved", Some("Stopped reacting in 2019")),
        Some(&penicillin("active", None)),
    );
    assert_eq!(other.patient_says.unwrap().at, None);
    let unchanged = super::compare(
        &penicillin("active", None),
        Some(&penicillin("active", None)),
    );
    assert_eq!(unchanged.patient_says, None);
    assert_eq!(unchanged.heading, unchanged.headline);
}

#[test]
fn a_condition_reads_with_its_clinical_status_and_code() {
    insta::assert_snapshot!(rendered(
        "a_condition_reads_with_its_clinical_status_and_code"
    ));
}

#[test]
fn an_observation_reads_as_its_value_with_unit_or_answer() {
    insta::assert_snapshot!(rendered(
        "an_observation_reads_as_its_value_with_unit_or_answer"
    ));
    let smoker = json!({
        "resourceType": "Observation",
        "status": "preliminary",
        "code": { "text": "Do you smoke?" },
        "valueBoolean": false,
    });
    assert_eq!(describe(&smoker).rows[0].value, said("describe-no"));
}

#[test]
fn a_patient_update_marks_only_the_details_that_changed() {
    let name = "a_patient_update_marks_only_the_details_that_changed";
    insta::assert_snapshot!(rendered(name));
    let compared = compared(name);
    let changed: Vec<&Phrase> = compared
        .rows
        .iter()
        .filter(|r| r.differs)
        .map(|r| &r.label)
        .collect();
    assert_eq!(changed, [&said("fact-mobile")]);
}

#[test]
fn a_questionnaire_response_lists_its_answers_in_order_with_groups_opened() {
    insta::assert_snapshot!(rendered(
        "a_questionnaire_response_lists_its_answers_in_order_with_groups_opened"
    ));
}

#[test]
fn nothing_unchanged_is_marked_and_the_headline_says_so() {
    let compared = compared("nothing_unchanged_is_marked_and_the_headline_says_so");
    assert!(compared.rows.iter().all(|r| !r.differs));
    assert_eq!(
        shape(&compared.headline),
        "{describe-headline: title={describe-title-allergy: subject=\"Penicillin\"}, what={describe-no-change}}"
    );
}

#[test]
fn a_resource_of_another_type_is_named_without_failing() {
    let view = describe(&json!({ "resourceType": "Provenance" }));
    assert_eq!(
        (view.kind, view.subject),
        (Kind::Entry, Phrase::verbatim("Provenance"))
    );
    assert_eq!(
        describe(&json!("not even an object")).subject,
        Phrase::verbatim("?")
    );
}

#[test]
fn dates_read_as_people_write_them() {
    let date = |text| shape(&words::date(text));
    assert_eq!(
        date("2019-03-04"),
        "{describe-date-day: day=\"4\", month={month-short-3}, year=\"2019\"}"
    );
    assert_eq!(
        date("2019-03"),
        "{describe-date-month: month={month-short-3}, year=\"2019\"}"
    );
    assert_eq!(date("2019"), "\"2019\"");
    assert_eq!(
        date("2026-11-23T09:05:00Z"),
        "{describe-date-day: day=\"23\", month={month-short-11}, year=\"2026\"}"
    );
    assert_eq!(date("2019-13-01"), "\"2019\"");
}

#[test]
fn every_code_and_fact_is_listed_once() {
    let ids = message_ids();
    let mut unique = ids.clone();
    unique.sort_unstable();
    unique.dedup();
    assert_eq!(unique.len(), ids.len());
    assert_eq!(
        words::code_in_words("some-new-code"),
        Phrase::verbatim("Some new code")
    );
}
