//! SDC `$populate` gold cases: the smart-forms `sdc-populate` fixtures in
//! ../shared/fixtures/populate/, run the way `intake populate` runs them (the Questionnaire
//! imported as the form the patient pages run, `engine::initial_answers`, the response built
//! like a patient's) and compared as upstream compares them (strict deep equality of the
//! QuestionnaireResponse, clock frozen at 2025-08-07T07:38:03.107Z, terminology lookups empty).
//!
//! Two differences are deliberate, and checked rather than ignored:
//! - upstream stamps `meta.source` with its own site, which is not ours;
//! - fhirpath.js's `toDate()` gives nothing for a dateTime with a time of day, where FHIRPath
//!   (and our engine, which passes the official suite) gives its date, so Intake prefills four
//!   onset/abatement dates that upstream leaves empty.
//!
//! The Aboriginal and Torres Strait Islander health check does not import yet (see
//! [`the_health_check_is_refused_naming_the_item_and_the_feature`]); its gold comparison is
//! kept, ignored, for the day it does.
//!
//! Upstream filled displays for codes without one from a live terminology server; the fixture
//! does not carry those answers, so [`upstream_terminology`] holds the four SNOMED CT displays it
//! received (the rest come from the form itself).

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "in tests, a panic is how a failed precondition fails the test"
)]

use std::path::{Path, PathBuf};

use std::{collections::BTreeMap, sync::Arc};

use intake::{
    engine::LaunchContext,
    forms::{
        Coding, Form,
        sdc::{
            ImportError, ResponseIssue, ValueSetError, ValueSetFailure, ValueSetSource,
            import_with, validate_response,
        },
    },
    populate::{Displays, populate},
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

/// The launch context upstream ran with: its frozen clock, and these %-variables (`patient`
/// as the patient, the rest as named).
fn upstream_launch(mut variables: BTreeMap<String, Json>) -> LaunchContext {
    let now = time::macros::datetime!(2025-08-07 07:38:03.107 UTC);
    LaunchContext {
        patient: variables.remove("patient").map(Arc::new),
        appointment: None,
        today: now.date(),
        now_millis: i64::try_from(now.unix_timestamp_nanos() / 1_000_000).unwrap(),
        utc_offset: time::UtcOffset::UTC,
        variables: variables
            .into_iter()
            .map(|(name, value)| (name, Arc::new(value)))
            .collect(),
    }
}

/// The value sets the health check names outside itself: SNOMED CT value sets only a
/// terminology server expands, as a site with one configured has them.
struct TerminologyServer;

impl ValueSetSource for TerminologyServer {
    fn expand(&self, url: &str) -> Result<Vec<Coding>, ValueSetError> {
        Err(ValueSetError {
            failure: ValueSetFailure::SearchedOnServer,
            reason: format!("{url} is searched on the terminology server"),
        })
    }

    fn expand_definition(&self, _value_set: &Json) -> Result<Vec<Coding>, ValueSetError> {
        Err(ValueSetError {
            failure: ValueSetFailure::SearchedOnServer,
            reason: "searched on the terminology server".to_owned(),
        })
    }
}

fn import(questionnaire: &Json) -> Result<Form, ImportError> {
    import_with(questionnaire, &TerminologyServer)
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

/// The form's own displays plus what upstream's terminology server answered.
fn upstream_terminology(form: &Form) -> Displays {
    let mut displays = Displays::for_form(form);
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

fn bmi_variables() -> BTreeMap<String, Json> {
    let dir = fixtures();
    let case = dir.join("bmi-calculator-prepop");
    BTreeMap::from([
        (
            "patient".to_owned(),
            read(
                &dir.join("aboriginal-torres-strait-islander-health-check/patient-pat-repop.json"),
            ),
        ),
        (
            "ObsBodyHeight".to_owned(),
            read(&case.join("context-ObsBodyHeight-bundle.json")),
        ),
        (
            "ObsBodyWeight".to_owned(),
            read(&case.join("context-ObsBodyWeight-bundle.json")),
        ),
    ])
}

#[test]
fn bmi_calculator_prefill_matches_upstream() {
    let case = fixtures().join("bmi-calculator-prepop");
    let form = import(&read(&case.join("questionnaire.json"))).unwrap();
    let response = populate(
        &form,
        &upstream_launch(bmi_variables()),
        &Displays::default(),
    );
    assert_same_response(
        "bmi-calculator-prepop",
        &response,
        read(&case.join("expected-questionnaire-response.json")),
    );
}

#[test]
fn the_health_check_is_refused_naming_the_item_and_the_feature() {
    let case = fixtures().join("aboriginal-torres-strait-islander-health-check");
    let refused = import(&read(&case.join("questionnaire.json"))).unwrap_err();
    assert_eq!(
        refused.to_string(),
        "item `fd5af92e-c248-497a-8007-ee0952ccd4d9`: variable `QuestionnaireResponseLatestCompleted` \
         in application/x-fhir-query is not supported",
        "when the importer takes this Questionnaire, run its gold comparison (ignored below)"
    );
}

/// The variables upstream resolved for the health check, by name.
fn health_check_variables() -> BTreeMap<String, Json> {
    let case = fixtures().join("aboriginal-torres-strait-islander-health-check");
    let context = read(&case.join("fhirpath-context.json"));
    context.as_object().unwrap().clone().into_iter().collect()
}

#[test]
#[ignore = "the importer refuses this Questionnaire: an item-level x-fhir-query variable, \
            templateExtract, and value sets defined by filters (docs/chart.md, `$populate`)"]
fn aboriginal_and_torres_strait_islander_health_check_prefill_matches_upstream() {
    let case = fixtures().join("aboriginal-torres-strait-islander-health-check");
    let form = import(&read(&case.join("questionnaire.json"))).unwrap();
    let terminology = upstream_terminology(&form);
    let mut got = populate(
        &form,
        &upstream_launch(health_check_variables()),
        &terminology,
    );
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
/// it (a response in progress: required items are the patient's to answer), and so has
/// upstream's own response.
#[test]
fn populated_responses_have_their_questionnaires_structure() {
    let dir = fixtures();
    let issues = |questionnaire: &Json, response: &Json| -> Vec<ResponseIssue> {
        validate_response(questionnaire, response, &|_| true)
    };
    let bmi = read(&dir.join("bmi-calculator-prepop/questionnaire.json"));
    let form = import(&bmi).unwrap();
    let response = populate(
        &form,
        &upstream_launch(bmi_variables()),
        &Displays::default(),
    );
    assert_eq!(issues(&bmi, &response), vec![]);
    for case in [
        "bmi-calculator-prepop",
        "aboriginal-torres-strait-islander-health-check",
    ] {
        let questionnaire = read(&dir.join(case).join("questionnaire.json"));
        let upstream = read(&dir.join(case).join("expected-questionnaire-response.json"));
        assert_eq!(
            issues(&questionnaire, &upstream),
            vec![],
            "{case}: upstream's own response"
        );
    }
}
