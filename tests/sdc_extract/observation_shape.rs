//! Observation-based extraction against the US Core examples (`extract/observation-based/us-core-*`,
//! with their Questionnaire and response in `questionnaires/instruments/`). The examples are hand
//! written, so this compares shape, not bytes: the same number of item Observations, with the
//! same codes, value types and values, and the same panels.
//!
//! The US Core Questionnaires carry `item.code` but not the SDC `observationExtract` marker; the
//! test adds it at the root, as the SDC Observation-extract profile would. Three differences are
//! the examples', not SDC's, and are listed in [`DIVERGENT`]: they still must hold the same number.
//! The examples' root panel (coded by `Questionnaire.code`, which SDC's extraction does not use)
//! and Observations not derived from the response are left out of the comparison.

use serde_json::{Value as Json, json};

use crate::{entries, fixtures, read, run};

/// (instrument, Questionnaire, response) under `questionnaires/instruments/`.
const INSTRUMENTS: [(&str, &str, &str); 5] = [
    (
        "audit-c",
        "audit-c/us-core-Questionnaire-AUDIT-C.json",
        "audit-c/us-core-QuestionnaireResponse-AUDIT-C.json",
    ),
    (
        "hunger-vital-sign",
        "sdoh-hunger-vital-sign/us-core-Questionnaire-hunger-vital-sign-example.json",
        "sdoh-hunger-vital-sign/us-core-QuestionnaireResponse-hunger-vital-sign-example.json",
    ),
    (
        "phq-9",
        "phq-9/us-core-Questionnaire-phq-9-example.json",
        "phq-9/us-core-QuestionnaireResponse-phq-9-example.json",
    ),
    (
        "prapare",
        "sdoh-prapare/us-core-Questionnaire-prapare-example.json",
        "sdoh-prapare/us-core-QuestionnaireResponse-PRAPARE-example.json",
    ),
    (
        "taps",
        "taps/us-core-Questionnaire-TAPS.json",
        "taps/us-core-QuestionnaireResponse-TAPS.json",
    ),
];

/// (LOINC code, the example's value type, ours): numeric answers the examples record another way.
/// SDC maps a decimal answer to `valueQuantity` (R4 Observation has no `valueDecimal`) and an
/// integer to `valueInteger`.
const DIVERGENT: [(&str, &str, &str); 3] = [
    ("44261-6", "valueString", "valueQuantity"),
    ("63586-2", "valueString", "valueQuantity"),
    ("63512-8", "valueQuantity", "valueInteger"),
];

#[test]
fn observation_extraction_matches_the_shape_of_the_us_core_examples() {
    let fixtures = fixtures();
    let mut report = Vec::new();
    for (name, questionnaire, response) in INSTRUMENTS {
        let instruments = fixtures.join("questionnaires/instruments");
        let mut questionnaire = read(&instruments.join(questionnaire));
        let response = read(&instruments.join(response));
        mark_for_extraction(&mut questionnaire);
        let extracted = run(&questionnaire, &response);
        let ours: Vec<Json> = entries(&extracted.bundle)
            .iter()
            .map(|e| e["resource"].clone())
            .collect();
        let dir = fixtures.join(format!(
            "extract/observation-based/us-core-{name}/expected-observations"
        ));
        let expected = expected_observations(&dir, &questionnaire);
        let (ours_items, ours_panels) = summarize(&ours);
        let (wanted_items, wanted_panels) = summarize(&expected);
        if ours_items != wanted_items || ours_panels != wanted_panels {
            report.push(format!(
                "{name}:\n  expected items {wanted_items:?}\n  got      items {ours_items:?}\n  \
                 expected panels {wanted_panels:?}\n  got      panels {ours_panels:?}"
            ));
        }
        for observation in &ours {
            for key in ["status", "subject", "effectiveDateTime", "derivedFrom"] {
                if observation.get(key).is_none() {
                    report.push(format!("{name}: an Observation has no `{key}`"));
                }
            }
        }
    }
    assert!(report.is_empty(), "{}", report.join("\n"));
}

fn mark_for_extraction(questionnaire: &mut Json) {
    let marker = json!({
        "url": "http://hl7.org/fhir/uv/sdc/StructureDefinition/sdc-questionnaire-observationExtract",
        "valueBoolean": true
    });
    match questionnaire["extension"].as_array_mut() {
        Some(list) => list.push(marker),
        None => questionnaire["extension"] = json!([marker]),
    }
}

/// The example Observations derived from the response, without the root panel.
fn expected_observations(dir: &std::path::Path, questionnaire: &Json) -> Vec<Json> {
    let root_codes: Vec<&Json> = questionnaire["code"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|c| &c["code"])
        .collect();
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|f| f.unwrap().path())
        .collect();
    files.sort();
    files
        .iter()
        .map(|f| read(f))
        .filter(|o| {
            o["derivedFrom"].as_array().into_iter().flatten().any(|d| {
                d["reference"]
                    .as_str()
                    .is_some_and(|r| r.starts_with("QuestionnaireResponse/"))
            })
        })
        .filter(|o| !root_codes.contains(&&o["code"]["coding"][0]["code"]))
        .collect()
}

/// Item Observations as sorted (code, value type, value) and panels as sorted codes.
fn summarize(observations: &[Json]) -> (Vec<(String, String, String)>, Vec<String>) {
    let mut items = Vec::new();
    let mut panels = Vec::new();
    for observation in observations {
        let code = observation["code"]["coding"][0]["code"]
            .as_str()
            .unwrap_or_default()
            .to_owned();
        if observation.get("hasMember").is_some() {
            panels.push(code);
            continue;
        }
        let Some((key, value)) = observation
            .as_object()
            .into_iter()
            .flatten()
            .find(|(k, _)| k.starts_with("value"))
        else {
            items.push((code, "(none)".into(), String::new()));
            continue;
        };
        let mut key = key.clone();
        if let Some((_, _, ours)) = DIVERGENT
            .iter()
            .find(|(c, theirs, _)| *c == code && *theirs == key)
        {
            key = (*ours).to_owned();
        }
        items.push((code, key, value_text(value)));
    }
    items.sort();
    panels.sort();
    (items, panels)
}

/// A value as comparable text: a coding's system|code, a number (from a quantity or a numeric
/// string too), or the string.
fn value_text(value: &Json) -> String {
    let number = |v: &Json| -> Option<f64> {
        v.as_f64()
            .or_else(|| v.as_str().and_then(|s| s.parse().ok()))
    };
    if let Some(coding) = value.pointer("/coding/0") {
        return format!(
            "{}|{}",
            coding["system"].as_str().unwrap_or_default(),
            coding["code"].as_str().unwrap_or_default()
        );
    }
    if let Some(n) = value
        .get("value")
        .and_then(number)
        .or_else(|| number(value))
    {
        return n.to_string();
    }
    value.to_string()
}
