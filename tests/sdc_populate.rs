//! SDC `$populate` gold cases: the smart-forms `sdc-populate` fixtures in
//! ../shared/fixtures/populate/, compared as upstream compares them (strict deep equality of the
//! QuestionnaireResponse, clock frozen at 2025-08-07T07:38:03.107Z, terminology lookups empty).
//!
//! Two differences are deliberate, and checked rather than ignored:
//! - upstream stamps `meta.source` with its own site, which is not ours;
//! - fhirpath.js's `toDate()` gives nothing for a dateTime with a time of day, where FHIRPath
//!   (and our engine, which passes the official suite) gives its date, so Intake prefills four
//!   onset/abatement dates that upstream leaves empty.
//!
//! Upstream filled displays for codes without one from a live terminology server; the fixture
//! does not carry those answers, so [`upstream_terminology`] holds the four SNOMED CT displays it
//! received (the rest come from the questionnaire itself).

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "in tests, a panic is how a failed precondition fails the test"
)]

use std::path::{Path, PathBuf};

use intake::{
    fhirpath::Clock,
    forms::sdc::{ResponseIssue, ShapeError, validate_response},
    populate::{Displays, Variables, populate},
};
use serde_json::{Value as Json, json};

fn fixtures() -> PathBuf {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/fixtures/populate");
    assert!(
        dir.is_dir(),
        "{} is missing: the populate gold cases live in the shared fixtures (see README)",
        dir.display()
    );
    dir
}

fn read(path: &Path) -> Json {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn upstream_clock() -> Clock {
    Clock::parse("2025-08-07T07:38:03.107Z").unwrap()
}

/// The first place two JSON values differ, as a path with both sides.
fn first_difference(path: &str, got: &Json, want: &Json) -> Option<String> {
    match (got, want) {
        (Json::Object(g), Json::Object(w)) => {
            let mut keys: Vec<&String> = g.keys().chain(w.keys()).collect();
            keys.sort();
            keys.dedup();
            keys.into_iter().find_map(|k| {
                let (a, b) = (
                    g.get(k).unwrap_or(&Json::Null),
                    w.get(k).unwrap_or(&Json::Null),
                );
                first_difference(&format!("{path}.{k}"), a, b)
            })
        }
        (Json::Array(g), Json::Array(w)) => {
            let shared = g
                .iter()
                .zip(w)
                .enumerate()
                .find_map(|(i, (a, b))| first_difference(&format!("{path}[{i}]"), a, b));
            shared.or_else(|| {
                (g.len() != w.len()).then(|| {
                    format!(
                        "{path}: {} entries, expected {}; first extra: {}",
                        g.len(),
                        w.len(),
                        g.get(w.len()).or(w.get(g.len())).unwrap_or(&Json::Null)
                    )
                })
            })
        }
        _ if got == want => None,
        _ => Some(format!("{path}: got {got}, expected {want}")),
    }
}

/// The questionnaire's own displays plus what upstream's terminology server answered.
fn upstream_terminology(questionnaire: &Json) -> Displays {
    let mut displays = Displays::from_questionnaire(questionnaire);
    for (code, display) in [
        ("38268001", "Ibuprofen"),
        ("271807003", "Rash"),
        ("128350005", "Bacterial conjunctivitis"),
        ("38341003", "Hypertension"),
    ] {
        displays.insert("http://snomed.info/sct", code, display);
    }
    displays
}

/// Removes the items with these linkIds everywhere, giving their answers in document order.
fn take_items(items: &mut Json, link_ids: &[&str]) -> Vec<Json> {
    let mut taken = Vec::new();
    if let Some(list) = items.as_array_mut() {
        for item in list.iter_mut() {
            taken.extend(take_items(&mut item["item"], link_ids));
        }
        list.retain(|item| {
            let hit = link_ids.iter().any(|id| item["linkId"] == *id);
            if hit {
                taken.extend(item["answer"].as_array().cloned().unwrap_or_default());
            }
            !hit
        });
    }
    taken
}

fn assert_same_response(case: &str, got: &Json, mut want: Json) {
    want.as_object_mut().unwrap().remove("meta");
    if let Some(difference) = first_difference("QuestionnaireResponse", got, &want) {
        panic!("{case}: {difference}");
    }
}

#[test]
fn bmi_calculator_prefill_matches_upstream() {
    let dir = fixtures();
    let case = dir.join("bmi-calculator-prepop");
    let mut variables = Variables::default();
    variables.insert(
        "patient",
        read(&dir.join("aboriginal-torres-strait-islander-health-check/patient-pat-repop.json")),
    );
    variables.insert(
        "ObsBodyHeight",
        read(&case.join("context-ObsBodyHeight-bundle.json")),
    );
    variables.insert(
        "ObsBodyWeight",
        read(&case.join("context-ObsBodyWeight-bundle.json")),
    );
    variables.insert("height", json!([]));
    variables.insert("weight", json!([]));
    let questionnaire = read(&case.join("questionnaire.json"));
    let populated = populate(
        &questionnaire,
        &variables,
        upstream_clock(),
        &Displays::default(),
    );
    assert_eq!(
        populated.issues,
        Vec::<String>::new(),
        "no expression fails"
    );
    assert_same_response(
        "bmi-calculator-prepop",
        &populated.response,
        read(&case.join("expected-questionnaire-response.json")),
    );
}

#[test]
fn aboriginal_and_torres_strait_islander_health_check_prefill_matches_upstream() {
    let case = fixtures().join("aboriginal-torres-strait-islander-health-check");
    let context = read(&case.join("fhirpath-context.json"));
    let variables = Variables::from_object(context.as_object().unwrap());
    let questionnaire = read(&case.join("questionnaire.json"));
    let terminology = upstream_terminology(&questionnaire);
    let mut got = populate(&questionnaire, &variables, upstream_clock(), &terminology).response;
    let mut want = read(&case.join("expected-questionnaire-response.json"));

    let dates = [
        "6ae641ad-95bb-4cdc-8910-5a52077e492c",
        "e4524654-f6de-4717-b288-34919394d46b",
    ];
    let mut our_dates = take_items(&mut got["item"], &dates);
    let mut upstream_dates = take_items(&mut want["item"], &dates);
    // The conditions' dateTimes with a time of day: onsets 2015-02-12T12:00 (twice) and
    // 2015-02-11T00:00, abatement 2015-02-14T00:00.
    for date in ["2015-02-12", "2015-02-12", "2015-02-11", "2015-02-14"] {
        upstream_dates.push(json!({"valueDate": date}));
    }
    let key = |a: &Json| a.to_string();
    our_dates.sort_by_key(key);
    upstream_dates.sort_by_key(key);
    assert_eq!(our_dates, upstream_dates, "onset and abatement dates");

    assert_same_response("aboriginal-torres-strait-islander-health-check", &got, want);
}

/// What `$populate` gives has its Questionnaire's structure, as `sdc::validate_response` checks
/// it (a response in progress: required items are the patient's to answer). Like upstream's,
/// it lists every top-level item, answered or not: FHIR allows an item with nothing in it, and
/// that is the one thing allowed here.
#[test]
fn populated_responses_have_their_questionnaires_structure() {
    let dir = fixtures();
    for case in [
        "bmi-calculator-prepop",
        "aboriginal-torres-strait-islander-health-check",
    ] {
        let questionnaire = read(&dir.join(case).join("questionnaire.json"));
        let context = dir.join(case).join("fhirpath-context.json");
        let variables = if context.is_file() {
            Variables::from_object(read(&context).as_object().unwrap())
        } else {
            Variables::default()
        };
        let populated = populate(
            &questionnaire,
            &variables,
            upstream_clock(),
            &upstream_terminology(&questionnaire),
        );
        let issues = |response: &Json| -> Vec<ResponseIssue> {
            validate_response(&questionnaire, response, &|_| true)
                .into_iter()
                .filter(|i| !matches!(i.problem, ShapeError::Empty(_) if !i.at.contains('.')))
                .collect()
        };
        assert_eq!(issues(&populated.response), vec![], "{case}");
        let upstream = read(&dir.join(case).join("expected-questionnaire-response.json"));
        assert_eq!(issues(&upstream), vec![], "{case}: upstream's own response");
    }
}
