//! `intake extract`: the Bundle on stdout, warnings on stderr, exit 2 naming a bad input.

use std::process::{Command, Output};

use serde_json::{Value as Json, json};

use crate::{fixtures, read, template_gold::compare_bundles};

fn intake(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_intake"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .unwrap()
}

fn stdout_json(output: &Output) -> Json {
    serde_json::from_slice(&output.stdout).unwrap_or_else(|e| {
        panic!(
            "stdout is not JSON ({e}); stderr: {}",
            String::from_utf8_lossy(&output.stderr)
        )
    })
}

#[test]
fn extract_prints_the_gold_bundle_for_a_questionnaire_file_and_is_repeatable() {
    let dir = fixtures().join("extract/template-based/ComplexTemplateExtract");
    let (q, r) = (
        dir.join("questionnaire.json"),
        dir.join("questionnaire-response.json"),
    );
    let args = [
        "extract",
        "--form",
        q.to_str().unwrap(),
        "--response",
        r.to_str().unwrap(),
        "--now",
        "2025-05-28T06:30:00Z",
    ];
    let output = intake(&args);
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(
        output.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let bundle = stdout_json(&output);
    assert_eq!(bundle["timestamp"], "2025-05-28T06:30:00.000+00:00");
    let expected = read(&dir.join("expected-extract-bundle.json"));
    if let Err(difference) = compare_bundles("ComplexTemplateExtract", &expected, &bundle) {
        panic!("{difference}");
    }
    assert_eq!(
        intake(&args).stdout,
        output.stdout,
        "the same input gives the same output"
    );
}

#[test]
fn extract_runs_observation_extraction_on_a_yaml_form_by_id() {
    let dir = tempfile::tempdir().unwrap();
    let reading = |date: &str, systolic: i64, diastolic: i64| {
        json!({"linkId": "bp_readings", "item": [
            {"linkId": "reading_date", "answer": [{"valueDate": date}]},
            {"linkId": "systolic", "answer": [{"valueInteger": systolic}]},
            {"linkId": "diastolic", "answer": [{"valueInteger": diastolic}]}
        ]})
    };
    let response = json!({
        "resourceType": "QuestionnaireResponse", "id": "r1", "status": "completed",
        "subject": {"reference": "Patient/p1"}, "authored": "2026-11-22T10:00:00Z",
        "item": [{"linkId": "readings", "item": [
            reading("2026-11-20", 150, 95), reading("2026-11-21", 142, 90)
        ]}]
    });
    let file = dir.path().join("qr.json");
    std::fs::write(&file, response.to_string()).unwrap();
    let output = intake(&[
        "extract",
        "--form",
        "hypertension-followup",
        "--response",
        file.to_str().unwrap(),
        "--now",
        "2026-11-22T10:00:00Z",
    ]);
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let bundle = stdout_json(&output);
    let values: Vec<(String, i64)> = bundle["entry"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            let o = &e["resource"];
            (
                o["code"]["coding"][0]["code"].as_str().unwrap().to_owned(),
                o["valueInteger"].as_i64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        values,
        [
            ("8480-6".to_owned(), 150),
            ("8462-4".to_owned(), 95),
            ("8480-6".to_owned(), 142),
            ("8462-4".to_owned(), 90)
        ]
    );
}

#[test]
fn extract_warns_about_yaml_hooks_the_sdc_export_cannot_express() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("qr.json");
    std::fs::write(
        &file,
        r#"{"resourceType": "QuestionnaireResponse", "status": "completed", "item": []}"#,
    )
    .unwrap();
    let output = intake(&[
        "extract",
        "--form",
        "previsit-basic",
        "--response",
        file.to_str().unwrap(),
    ]);
    assert_eq!(output.status.code(), Some(0));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("(extract: allergy-intolerance)"),
        "{stderr}"
    );
    assert_eq!(stdout_json(&output)["entry"], json!([]));
}

#[test]
fn extract_exits_two_naming_the_file_that_cannot_be_used() {
    let dir = fixtures().join("extract/template-based/SepsisRisk");
    let q = dir.join("questionnaire.json");
    let r = dir.join("questionnaire-response.json");
    let cases = [
        (
            vec!["--form", q.to_str().unwrap(), "--response", "missing.json"],
            "missing.json",
        ),
        (
            vec![
                "--form",
                r.to_str().unwrap(),
                "--response",
                r.to_str().unwrap(),
            ],
            "not a Questionnaire",
        ),
        (
            vec![
                "--form",
                q.to_str().unwrap(),
                "--response",
                q.to_str().unwrap(),
            ],
            "not a QuestionnaireResponse",
        ),
        (
            vec!["--form", "no-such-form", "--response", r.to_str().unwrap()],
            "no-such-form",
        ),
        (
            vec![
                "--form",
                q.to_str().unwrap(),
                "--response",
                r.to_str().unwrap(),
                "--context",
                "patient",
            ],
            "expected NAME=FILE.json",
        ),
    ];
    for (args, named) in cases {
        let output = intake(&[&["extract"][..], &args].concat());
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(2), "{args:?}: {stderr}");
        assert!(output.stdout.is_empty(), "{args:?}");
        assert!(stderr.contains(named), "{args:?}: {stderr}");
    }
}
