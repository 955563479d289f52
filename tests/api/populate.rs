//! `intake populate` running the form's own queries against a chart: a file-drop folder and a
//! real FHIR server (HFS). Both must give the smart-forms BMI gold response, which upstream
//! produced from the same resources resolved by hand.

use std::{path::PathBuf, process::Command};

use serde_json::{Value, json};

use crate::helpers::{fhir_server_url, http};

fn fixtures() -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/fixtures/populate");
    assert!(
        dir.is_dir(),
        "{} is missing (shared fixtures)",
        dir.display()
    );
    dir
}

fn read(path: PathBuf) -> Value {
    serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap()
}

/// The patient and the latest height and weight the BMI form's queries look for, plus older
/// and other patients' observations the queries must not pick.
fn chart() -> Vec<Value> {
    let dir = fixtures();
    let patient =
        read(dir.join("aboriginal-torres-strait-islander-health-check/patient-pat-repop.json"));
    let mut resources = vec![patient];
    for file in [
        "context-ObsBodyHeight-bundle.json",
        "context-ObsBodyWeight-bundle.json",
    ] {
        let bundle = read(dir.join("bmi-calculator-prepop").join(file));
        for entry in bundle["entry"].as_array().unwrap() {
            let latest = entry["resource"].clone();
            let mut older = latest.clone();
            older["id"] = json!(format!("{}-older", latest["id"].as_str().unwrap()));
            older["effectiveDateTime"] = json!("2001-01-01");
            older["valueQuantity"]["value"] = json!(1);
            let mut someone_else = latest.clone();
            someone_else["id"] = json!(format!("{}-other", latest["id"].as_str().unwrap()));
            someone_else["subject"] = json!({"reference": "Patient/someone-else"});
            someone_else["effectiveDateTime"] = json!("2099-01-01");
            resources.extend([latest, older, someone_else]);
        }
    }
    resources
}

fn populate_with(ehr: &str) -> Value {
    let dir = fixtures();
    let output = Command::new(env!("CARGO_BIN_EXE_intake"))
        .args(["populate", "--form"])
        .arg(dir.join("bmi-calculator-prepop/questionnaire.json"))
        .arg("--context")
        .arg(format!(
            "patient={}",
            dir.join("aboriginal-torres-strait-islander-health-check/patient-pat-repop.json")
                .display()
        ))
        .args(["--ehr", ehr, "--now", "2025-08-07T07:38:03.107Z"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(0), "{stderr}");
    assert!(stderr.is_empty(), "no query or expression fails: {stderr}");
    serde_json::from_slice(&output.stdout).unwrap()
}

fn gold() -> Value {
    let mut want =
        read(fixtures().join("bmi-calculator-prepop/expected-questionnaire-response.json"));
    // Upstream's own site marker.
    want.as_object_mut().unwrap().remove("meta");
    want
}

#[test]
fn populate_runs_the_forms_queries_on_a_file_drop_folder() {
    let dir = tempfile::tempdir().unwrap();
    let entries: Vec<Value> = chart()
        .into_iter()
        .map(|r| json!({"resource": r}))
        .collect();
    let bundle = json!({"resourceType": "Bundle", "type": "collection", "entry": entries});
    std::fs::write(dir.path().join("chart.json"), bundle.to_string()).unwrap();
    assert_eq!(populate_with(dir.path().to_str().unwrap()), gold());
}

#[tokio::test]
async fn populate_runs_the_forms_queries_on_a_fhir_server() {
    let base = fhir_server_url();
    let client = http();
    // Fresh ids so earlier runs on the same server cannot interfere.
    let run = uuid::Uuid::new_v4().simple().to_string();
    let mut resources = chart();
    for resource in &mut resources {
        let id = resource["id"]
            .as_str()
            .unwrap()
            .replace("pat-repop", &format!("pat-{run}"));
        resource["id"] = json!(format!("{id}-{run}").chars().take(64).collect::<String>());
        if resource["subject"]["reference"] == "Patient/pat-repop" {
            resource["subject"]["reference"] = json!(format!("Patient/pat-{run}"));
        }
    }
    resources[0]["id"] = json!(format!("pat-{run}"));
    for resource in &resources {
        let url = format!(
            "{base}/{}/{}",
            resource["resourceType"].as_str().unwrap(),
            resource["id"].as_str().unwrap()
        );
        let response = client
            .put(url)
            .header("Content-Type", "application/fhir+json")
            .json(resource)
            .send()
            .await
            .unwrap();
        let status = response.status();
        assert!(
            status.is_success(),
            "{status}: {}",
            response.text().await.unwrap()
        );
    }
    let dir = tempfile::tempdir().unwrap();
    let patient_file = dir.path().join("patient.json");
    std::fs::write(&patient_file, resources[0].to_string()).unwrap();
    let output = Command::new(env!("CARGO_BIN_EXE_intake"))
        .args(["populate", "--form"])
        .arg(fixtures().join("bmi-calculator-prepop/questionnaire.json"))
        .arg("--context")
        .arg(format!("patient={}", patient_file.display()))
        .args(["--ehr", &base, "--now", "2025-08-07T07:38:03.107Z"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.is_empty(), "no query or expression fails: {stderr}");
    let got: Value = serde_json::from_slice(&output.stdout).unwrap();
    let mut want = gold();
    want["subject"]["reference"] = json!(format!("Patient/pat-{run}"));
    assert_eq!(got, want);
}

#[test]
fn populate_refuses_a_questionnaire_the_importer_refuses_naming_the_item_and_the_feature() {
    let questionnaire =
        fixtures().join("aboriginal-torres-strait-islander-health-check/questionnaire.json");
    let output = Command::new(env!("CARGO_BIN_EXE_intake"))
        .args(["populate", "--form"])
        .arg(&questionnaire)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(output.stdout.is_empty());
    assert_eq!(
        stderr.trim_end(),
        format!(
            "intake: {}: item `fd5af92e-c248-497a-8007-ee0952ccd4d9`: variable \
             `QuestionnaireResponseLatestCompleted` in application/x-fhir-query is not supported",
            questionnaire.display()
        )
    );
}
