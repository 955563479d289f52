//! The six template-based gold cases from `@aehrc/sdc-template-extract`
//! (`extract/template-based/<case>/`). Upstream deep-compares `entry[i].resource` in order; this
//! test compares whole entries (`fullUrl`, `resource`, `request`) in order, with every UUID
//! masked by order of first appearance so generated ids must be used the same way the expected
//! bundle uses them (the Patient's allocated id as its `id`, `fullUrl`, request url and in every
//! reference to it). As upstream does, RegularMedications' `dateAsserted` (from `now()`) is
//! removed from both sides.

use serde_json::Value as Json;

use crate::{
    compare::{first_difference, mask_uuids},
    entries, fixtures, read, run,
};

const CASES: [&str; 6] = [
    "AllergiesAdverseReactions",
    "ComplexTemplateExtract",
    "Immunisation",
    "MedicalHistoryCurrentProblems",
    "RegularMedications",
    "SepsisRisk",
];

#[test]
fn template_extraction_reproduces_every_gold_bundle() {
    let dir = fixtures().join("extract/template-based");
    let mut report = Vec::new();
    let mut passed = 0;
    for case in CASES {
        match check(&dir.join(case), case) {
            Ok(()) => {
                passed += 1;
                report.push(format!("  {case}: pass"));
            }
            Err(why) => report.push(format!("  {case}: FAIL\n    {why}")),
        }
    }
    assert_eq!(
        passed,
        CASES.len(),
        "template-based $extract: {passed} of {} gold cases pass\n{}",
        CASES.len(),
        report.join("\n")
    );
}

fn check(dir: &std::path::Path, case: &str) -> Result<(), String> {
    let questionnaire = read(&dir.join("questionnaire.json"));
    let response = read(&dir.join("questionnaire-response.json"));
    let expected = read(&dir.join("expected-extract-bundle.json"));
    let extracted = run(&questionnaire, &response);
    if !extracted.issues.is_empty() {
        let issues: Vec<String> = extracted.issues.iter().map(ToString::to_string).collect();
        return Err(format!("issues: {}", issues.join("; ")));
    }
    compare_bundles(case, &expected, &extracted.bundle)
}

/// Compares an extracted Bundle with the expected one, the way the module comment describes.
pub fn compare_bundles(case: &str, expected: &Json, bundle: &Json) -> Result<(), String> {
    if bundle["type"] != "transaction" {
        return Err(format!("bundle type {}", bundle["type"]));
    }
    let mut actual = Json::from(entries(bundle).to_vec());
    let mut wanted = Json::from(entries(expected).to_vec());
    for entry in actual.as_array().into_iter().flatten() {
        let full_url = entry["fullUrl"].as_str().unwrap_or_default();
        if !full_url.starts_with("urn:uuid:") {
            return Err(format!("fullUrl `{full_url}` is not a urn:uuid"));
        }
    }
    if case == "RegularMedications" {
        for list in [&mut actual, &mut wanted] {
            for entry in list.as_array_mut().into_iter().flatten() {
                if let Some(resource) = entry["resource"].as_object_mut() {
                    resource.remove("dateAsserted");
                    resource.remove("_dateAsserted");
                }
            }
        }
    }
    mask_uuids(&mut actual);
    mask_uuids(&mut wanted);
    match first_difference("entry", &wanted, &actual) {
        None => Ok(()),
        Some(difference) => Err(difference),
    }
}
