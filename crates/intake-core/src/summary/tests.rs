//! Snapshots of the summary the adult pre-visit form gives: what the clinician reads, in order.

use std::{collections::BTreeMap, fmt::Write};

use super::{PreVisitSummary, StaffNote, staff_notes, summarize};
use crate::{
    engine::{Answer, Answers, LaunchContext, evaluate},
    forms::{Form, load_form, load_value_set},
};

fn adult_form() -> Form {
    let mut sets = BTreeMap::new();
    for (file, source) in [
        (
            "phq-frequency.yaml",
            include_str!("../../../../forms/valuesets/phq-frequency.yaml"),
        ),
        (
            "hunger-vital-sign.yaml",
            include_str!("../../../../forms/valuesets/hunger-vital-sign.yaml"),
        ),
    ] {
        let set = load_value_set(file, source).unwrap();
        sets.insert(set.id.clone(), set);
    }
    load_form(
        "adult-previsit.yaml",
        include_str!("../../../../forms/adult-previsit.yaml"),
        &sets,
    )
    .unwrap()
}

/// A 45-year-old with a positive PHQ-2 and moderate anxiety, who wants a call before the visit.
fn typical_visit() -> Answers {
    let choice = |code: &str| vec![Answer::Choice(code.into())];
    let mut answers = Answers::default();
    answers.set("phone", vec![Answer::String("(555) 010-0101".into())]);
    answers.set("details_correct", vec![Answer::Boolean(true)]);
    answers.set("call_before_visit", vec![Answer::Boolean(true)]);
    answers.set("interpreter_wanted", vec![Answer::Boolean(false)]);
    answers.set("meds_taking_all", vec![Answer::Boolean(true)]);
    answers.set("meds_new_any", vec![Answer::Boolean(false)]);
    answers.set("allergies_new_any", vec![Answer::Boolean(false)]);
    answers.set("phq9_1", choice("LA6570-1"));
    answers.set("phq9_2", choice("LA6569-3"));
    for (item, code) in [
        ("phq9_3", "LA6570-1"),
        ("phq9_4", "LA6571-9"),
        ("phq9_5", "LA6568-5"),
        ("phq9_6", "LA6569-3"),
        ("phq9_7", "LA6568-5"),
        ("phq9_8", "LA6568-5"),
        ("phq9_9", "LA6568-5"),
        ("phq9_difficulty", "LA6573-5"),
    ] {
        answers.set(item, choice(code));
    }
    for (item, code) in [
        ("gad7_1", "LA6571-9"),
        ("gad7_2", "LA6571-9"),
        ("gad7_3", "LA6570-1"),
        ("gad7_4", "LA6570-1"),
        ("gad7_5", "LA6568-5"),
        ("gad7_6", "LA6568-5"),
        ("gad7_7", "LA6568-5"),
    ] {
        answers.set(item, choice(code));
    }
    answers.set("auditc_1", choice("LA18926-8"));
    answers.set("auditc_2", choice("LA15694-5"));
    answers.set("auditc_3", choice("LA6270-8"));
    answers.set("tobacco", choice("266919005"));
    answers.set("hvs_1", choice("LA28398-8"));
    answers.set("hvs_2", choice("LA28398-8"));
    answers
}

/// The answers as submitted: evaluated, so scores are written in and disabled items dropped.
fn submitted(form: &Form, answers: &Answers) -> Answers {
    let launch = LaunchContext {
        patient: Some(std::sync::Arc::new(serde_json::json!({
            "resourceType": "Patient", "gender": "female", "birthDate": "1980-05-10",
        }))),
        appointment: None,
        today: time::macros::date!(2026 - 01 - 01),
        now_millis: 0,
        utc_offset: time::UtcOffset::UTC,
        variables: BTreeMap::new(),
    };
    evaluate(form, &launch, answers).answers
}

fn render(summary: &PreVisitSummary, notes: &[StaffNote]) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "# {}", summary.form_title);
    let _ = writeln!(out, "interpreter: {:?}", summary.interpreter);
    let _ = writeln!(out, "\n## Scores");
    for score in &summary.scores {
        let _ = writeln!(
            out,
            "{}: {} / {} — {} ({})",
            score.name,
            score.value,
            score.out_of.as_deref().unwrap_or("?"),
            score.band.as_deref().unwrap_or("no band"),
            score.meaning.as_deref().unwrap_or("")
        );
    }
    for (title, sections) in [
        ("Positive answers", &summary.notable),
        (
            "Negative, normal and other answers (collapsed)",
            &summary.other,
        ),
    ] {
        let _ = writeln!(out, "\n## {title}");
        for section in sections {
            let _ = writeln!(out, "### {}", section.title);
            for answer in &section.answers {
                let _ = writeln!(out, "- {}: {}", answer.question, answer.answers.join(", "));
            }
        }
    }
    let _ = writeln!(out, "\n## For the front desk");
    for note in notes {
        let _ = writeln!(out, "- {}: {}", note.marker, note.answers.join("; "));
    }
    out
}

#[test]
fn a_typical_adult_visit_reads_scores_with_bands_then_positive_answers_then_the_rest() {
    let form = adult_form();
    let answers = submitted(&form, &typical_visit());
    let summary = summarize(&form, &answers, crate::domain::Ids::ENGLISH);
    insta::assert_snapshot!(render(
        &summary,
        &staff_notes(&form, &answers, crate::domain::Ids::ENGLISH)
    ));
}

#[test]
fn an_all_negative_visit_has_scores_in_their_lowest_band_and_nothing_positive() {
    let form = adult_form();
    let mut answers = Answers::default();
    for item in [
        "phq9_1", "phq9_2", "gad7_1", "gad7_2", "gad7_3", "gad7_4", "gad7_5", "gad7_6", "gad7_7",
    ] {
        answers.set(item, vec![Answer::Choice("LA6568-5".into())]);
    }
    answers.set("auditc_1", vec![Answer::Choice("LA6270-8".into())]);
    answers.set("meds_new_any", vec![Answer::Boolean(false)]);
    let answers = submitted(&form, &answers);
    let summary = summarize(&form, &answers, &crate::domain::Ids("es"));
    insta::assert_snapshot!(render(
        &summary,
        &staff_notes(&form, &answers, crate::domain::Ids::ENGLISH)
    ));
}
