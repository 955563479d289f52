//! `intake forms which`, `intake appointments sync`, and a malformed rules file at start-up.

use std::process::Command;

use serde_json::json;

fn intake() -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_intake"));
    command
        .env(
            "INTAKE_FORMS_DIR",
            concat!(env!("CARGO_MANIFEST_DIR"), "/forms"),
        )
        .env("INTAKE_LOG", "warn");
    command
}

#[test]
fn forms_which_prints_the_form_a_rule_picks_and_why() {
    let dir = tempfile::tempdir().unwrap();
    let appointment = dir.path().join("appointment.json");
    let patient = dir.path().join("patient.json");
    std::fs::write(&appointment, json!({
        "resourceType": "Appointment", "id": "a1", "status": "booked", "start": "2026-11-23T09:00:00Z",
        "serviceType": [{"coding": [{"system": "urn:clinic:service", "code": "mental-health"}]}],
        "participant": [{"actor": {"reference": "Patient/p1"}}]
    }).to_string()).unwrap();
    std::fs::write(&patient, json!({
        "resourceType": "Patient", "id": "p1", "name": [{"family": "Example", "given": ["Ada"]}],
        "birthDate": "1984-05-06", "gender": "female"
    }).to_string()).unwrap();
    let output = intake()
        .args(["forms", "which", "--appointment"])
        .arg(&appointment)
        .arg("--patient")
        .arg(&patient)
        .output()
        .unwrap();
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert_eq!(
        String::from_utf8_lossy(&output.stdout),
        "adult-previsit\n  rule 2 (adults with a mental-health visit): serviceType urn:clinic:service|mental-health and age 42 ≥ 18\n"
    );

    // A child with the same visit: rule 1.
    std::fs::write(
        &patient,
        json!({
            "resourceType": "Patient", "id": "p1", "name": [{"family": "Example", "given": ["Bo"]}],
            "birthDate": "2019-05-06"
        })
        .to_string(),
    )
    .unwrap();
    let child = intake()
        .args(["forms", "which", "--appointment"])
        .arg(&appointment)
        .arg("--patient")
        .arg(&patient)
        .output()
        .unwrap();
    assert_eq!(
        String::from_utf8_lossy(&child.stdout),
        "pediatric-sick-visit\n  rule 1 (children): age 7 < 18\n"
    );
}

#[test]
fn a_malformed_rules_file_stops_start_up_naming_file_line_and_column() {
    let dir = tempfile::tempdir().unwrap();
    let rules = dir.path().join("rules.yaml");
    std::fs::write(
        &rules,
        "default: previsit-basic\nrules:\n  - name: x\n    form: no-such-form\n",
    )
    .unwrap();
    let output = intake()
        .args(["appointments", "sync"])
        .env("INTAKE_DATA_DIR", dir.path())
        .env("INTAKE_FORM_RULES", &rules)
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains(&format!(
            "{}:4:11: error: `no-such-form` is not among the forms in service",
            rules.display()
        )),
        "{stderr}"
    );
    std::fs::write(
        &rules,
        "rules:\n  - name: x\n    form: previsit-basic\n    when: {age_over: 3}\n",
    )
    .unwrap();
    let output = intake()
        .args([
            "forms",
            "which",
            "--appointment",
            "a.json",
            "--patient",
            "p.json",
        ])
        .env("INTAKE_FORM_RULES", &rules)
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains(&format!("{}:4:", rules.display())),
        "{stderr}"
    );
    assert!(stderr.contains("age_over"), "{stderr}");
}

#[test]
fn appointments_sync_prints_its_counts_and_each_problem() {
    let dir = tempfile::tempdir().unwrap();
    let folder = dir.path().join("ehr");
    std::fs::create_dir_all(&folder).unwrap();
    let start = (time::OffsetDateTime::now_utc() + time::Duration::days(2))
        .replace_time(time::macros::time!(9:00))
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap();
    let bundle = json!({"resourceType": "Bundle", "type": "collection", "entry": [
        {"resource": {"resourceType": "Patient", "id": "p1", "name": [{"family": "Example", "given": ["Ada"]}], "birthDate": "1970-01-02"}},
        {"resource": {"resourceType": "Appointment", "id": "ok-1", "status": "booked", "start": start,
            "participant": [{"actor": {"reference": "Patient/p1"}}]}},
        {"resource": {"resourceType": "Appointment", "id": "lonely-2", "status": "booked", "start": start,
            "participant": [{"actor": {"reference": "Location/room"}}]}}
    ]});
    std::fs::write(folder.join("schedule.json"), bundle.to_string()).unwrap();
    let run = || {
        intake()
            .args(["appointments", "sync"])
            .env("INTAKE_DATA_DIR", dir.path())
            .env("INTAKE_EHR_FOLDER", &folder)
            .output()
            .unwrap()
    };
    let output = run();
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let stdout = String::from_utf8_lossy(&output.stdout);
    let mut lines = stdout.lines();
    assert_eq!(lines.next(), Some("schedule sync: 1 new, 1 problem"));
    let problem = lines.next().unwrap();
    assert!(problem.starts_with("  Appointment/lonely-2 ("), "{problem}");
    assert!(
        problem.ends_with("): has no Patient participant, so there is no one to invite"),
        "{problem}"
    );
    assert!(!stdout.contains("Ada"), "no patient data: {stdout}");
    let again = run();
    assert!(
        String::from_utf8_lossy(&again.stdout).starts_with("schedule sync: 1 unchanged, 1 problem")
    );
}
