//! The command-line contract other tools rely on: exit codes and where messages go.

use std::{process::Command, time::Duration};

fn intake() -> Command {
    Command::new(env!("CARGO_BIN_EXE_intake"))
}

#[test]
fn version_prints_the_version_and_exits_zero() {
    let output = intake().arg("--version").output().unwrap();
    assert_eq!(output.status.code(), Some(0));
    assert_eq!(
        String::from_utf8(output.stdout).unwrap().trim(),
        concat!("intake ", env!("CARGO_PKG_VERSION"))
    );
}

#[test]
fn bad_usage_exits_two_with_the_reason_on_stderr() {
    for args in [&["serve", "--bogus"][..], &[][..], &["launch"][..]] {
        let output = intake().args(args).output().unwrap();
        assert_eq!(output.status.code(), Some(2), "{args:?}");
        assert!(output.stdout.is_empty(), "{args:?}");
        assert!(!output.stderr.is_empty(), "{args:?}");
    }
}

#[test]
fn a_bad_setting_exits_two_naming_the_variable() {
    let output = intake()
        .args(["serve"])
        .env("INTAKE_ADDR", "not-an-address")
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("INTAKE_ADDR"));
}

#[test]
fn a_broken_form_stops_start_up_naming_file_line_and_column() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("broken.yaml"),
        "id: broken\nversion: '1'\ntitle: T\nsectons: []\n",
    )
    .unwrap();
    let output = intake()
        .args([
            "serve",
            "--database",
            &format!("sqlite:{}/db", dir.path().display()),
        ])
        .env("INTAKE_FORMS_DIR", dir.path())
        .env("INTAKE_DATA_DIR", dir.path())
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("broken.yaml:4:1: error:"), "{stderr}");
}

#[tokio::test]
async fn serve_demo_prints_links_and_stops_cleanly_on_sigterm() {
    let dir = tempfile::tempdir().unwrap();
    let port = crate::helpers::free_port();
    let mut child = tokio::process::Command::new(env!("CARGO_BIN_EXE_intake"))
        .args(["serve", "--demo", "--addr", &format!("127.0.0.1:{port}")])
        .env("INTAKE_DATA_DIR", dir.path())
        .env(
            "INTAKE_FORMS_DIR",
            concat!(env!("CARGO_MANIFEST_DIR"), "/forms"),
        )
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let base = format!("http://127.0.0.1:{port}");
    crate::helpers::wait_until_up(&base).await;
    let pid = child.id().unwrap().to_string();
    assert!(
        Command::new("kill")
            .args(["-TERM", &pid])
            .status()
            .unwrap()
            .success()
    );
    let status = tokio::time::timeout(Duration::from_secs(10), child.wait())
        .await
        .expect("stops within 10 s")
        .unwrap();
    assert_eq!(status.code(), Some(0));
    let mut stdout = String::new();
    tokio::io::AsyncReadExt::read_to_string(&mut child.stdout.take().unwrap(), &mut stdout)
        .await
        .unwrap();
    assert!(
        stdout.contains("frontdesk") && stdout.contains("clinician"),
        "{stdout}"
    );
    assert_eq!(
        stdout.matches(&format!("{base}/i/")).count(),
        3,
        "one link per demo appointment: {stdout}"
    );
    assert!(stdout.contains("Rosa Maria Delgado (born 1958-04-12)"));
}

#[tokio::test]
async fn the_log_never_holds_names_birth_dates_answers_tokens_or_passwords() {
    crate::helpers::http();
    let dir = tempfile::tempdir().unwrap();
    let port = crate::helpers::free_port();
    let log = dir.path().join("stderr.log");
    let mut child = tokio::process::Command::new(env!("CARGO_BIN_EXE_intake"))
        .args(["serve", "--demo", "--addr", &format!("127.0.0.1:{port}")])
        .env("INTAKE_DATA_DIR", dir.path())
        .env(
            "INTAKE_FORMS_DIR",
            concat!(env!("CARGO_MANIFEST_DIR"), "/forms"),
        )
        .env("INTAKE_LOG", "debug")
        .env("INTAKE_WORKER_POLL_MS", "50")
        .stdout(std::process::Stdio::piped())
        .stderr(std::fs::File::create(&log).unwrap())
        .spawn()
        .unwrap();
    let mut stdout = tokio::io::BufReader::new(child.stdout.take().unwrap());
    let mut printed = String::new();
    while !printed.matches("/i/").count().eq(&3) {
        let read = tokio::io::AsyncBufReadExt::read_line(&mut stdout, &mut printed)
            .await
            .unwrap();
        assert!(read > 0, "the demo printed its links: {printed}");
    }
    let link = printed
        .lines()
        .find(|l| l.contains("/i/"))
        .unwrap()
        .trim()
        .to_owned();
    let password = printed
        .lines()
        .find(|l| l.contains("frontdesk"))
        .unwrap()
        .split_whitespace()
        .nth(1)
        .unwrap()
        .to_owned();

    // A whole intake with canary answers, a wrong date of birth first.
    let browser = crate::helpers::cookie_browser();
    let base = format!("http://127.0.0.1:{port}");
    let start = crate::helpers::page(&browser, &link).await;
    let token = crate::helpers::csrf(&start);
    for birth_date in ["1958-04-13", "1958-04-12"] {
        browser
            .post(format!("{base}/intake/verify"))
            .form(&[("csrf", token.as_str()), ("birth_date", birth_date)])
            .send()
            .await
            .unwrap();
    }
    let pages: [&[(&str, &str)]; 3] = [
        &[
            ("a.reason", "ZZQ-CANARY-REASON"),
            ("a.pain_level", "ZZQ-CANARY-NOT-A-NUMBER"),
        ],
        &[("a.new_allergies", "ZZQ-CANARY-ALLERGY")],
        &[("a.tobacco", "266919005")],
    ];
    for (index, answers) in pages.iter().enumerate() {
        let shown = crate::helpers::page(&browser, &format!("{base}/intake/page/{index}")).await;
        let confirmed = crate::helpers::confirm_on_file(&shown);
        let mut form = vec![("csrf", token.as_str())];
        form.extend_from_slice(answers);
        form.extend(confirmed.iter().map(|(k, v)| (k.as_str(), v.as_str())));
        browser
            .post(format!("{base}/intake/page/{index}"))
            .form(&form)
            .send()
            .await
            .unwrap();
    }
    browser
        .post(format!("{base}/intake/page/0"))
        .form(&[("csrf", token.as_str()), ("a.reason", "ZZQ-CANARY-REASON")])
        .send()
        .await
        .unwrap();
    let done = browser
        .post(format!("{base}/intake/submit"))
        .form(&[("csrf", token.as_str())])
        .send()
        .await
        .unwrap();
    assert!(
        done.text()
            .await
            .unwrap()
            .contains("your answers were sent")
    );
    let staff = crate::helpers::cookie_browser();
    let login = crate::helpers::page(&staff, &format!("{base}/staff/login")).await;
    let form = [
        ("csrf", crate::helpers::csrf(&login)),
        ("username", "frontdesk".into()),
        ("password", password.clone()),
    ];
    assert!(
        staff
            .post(format!("{base}/staff/login"))
            .form(&form)
            .send()
            .await
            .unwrap()
            .status()
            .is_success()
    );
    tokio::time::sleep(Duration::from_millis(300)).await;
    Command::new("kill")
        .args(["-TERM", &child.id().unwrap().to_string()])
        .status()
        .unwrap();
    child.wait().await.unwrap();

    let logged = std::fs::read_to_string(&log).unwrap();
    assert!(
        logged.contains("/i/{token}") && logged.contains("posted to the EHR"),
        "the log has content to check: {logged}"
    );
    let link_token = link.rsplit('/').next().unwrap();
    for secret in [
        "ZZQ-CANARY",
        "Rosa",
        "Delgado",
        "Okafor",
        "Becker",
        "1958-04-12",
        "1958-04-13",
        "MRN-100",
        link_token,
        &password,
    ] {
        assert!(!logged.contains(secret), "the log holds `{secret}`");
    }
}

const FHIRPATH_INPUT: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../shared/fixtures/fhirpath/fhir-test-cases-r4/input/"
);

#[test]
fn fhirpath_prints_the_result_collection_as_a_json_array() {
    let patient = format!("{FHIRPATH_INPUT}patient-example.json");
    let output = intake()
        .args([
            "fhirpath",
            "name.where(use = 'official').given",
            "--input",
            &patient,
        ])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0));
    let printed: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(printed, serde_json::json!(["Peter", "James"]));

    let output = intake()
        .args([
            "fhirpath",
            "%p.birthDate + 1 year",
            "--var",
            &format!("p={patient}"),
            "--now",
            "2026-11-22T10:00:00Z",
        ])
        .output()
        .unwrap();
    assert_eq!(
        serde_json::from_slice::<serde_json::Value>(&output.stdout).unwrap(),
        serde_json::json!(["1975-12-25"])
    );
    let output = intake()
        .args(["fhirpath", "today()", "--now", "2026-11-22T10:00:00Z"])
        .output()
        .unwrap();
    assert_eq!(
        serde_json::from_slice::<serde_json::Value>(&output.stdout).unwrap(),
        serde_json::json!(["2026-11-22"])
    );
}

#[test]
fn fhirpath_takes_an_expression_starting_with_a_minus() {
    let patient = format!("{FHIRPATH_INPUT}patient-example.json");
    for (args, printed) in [
        (vec!["-3 != 3"], serde_json::json!([true])),
        // After `--` everything is the expression, as shells and scripts write it.
        (vec!["--", "-3 != 3"], serde_json::json!([true])),
        (vec!["--strict", "-3 != 3"], serde_json::json!([true])),
        (vec!["--strict", "--", "-3 != 3"], serde_json::json!([true])),
        (vec!["-3 != 3", "--strict"], serde_json::json!([true])),
        (vec!["-5"], serde_json::json!([-5])),
        (
            vec!["-1.5", "--now", "2026-01-01T00:00:00Z"],
            serde_json::json!([-1.5]),
        ),
        (
            vec!["--input", &patient, "-(birthDate.toString().length())"],
            serde_json::json!([-10]),
        ),
    ] {
        let output = intake().arg("fhirpath").args(&args).output().unwrap();
        assert_eq!(
            output.status.code(),
            Some(0),
            "{args:?}: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        assert_eq!(
            serde_json::from_slice::<serde_json::Value>(&output.stdout).unwrap(),
            printed,
            "{args:?}"
        );
    }
}

#[test]
fn fhirpath_strict_makes_an_unknown_element_an_error() {
    let patient = format!("{FHIRPATH_INPUT}patient-example.json");
    let lenient = intake()
        .args(["fhirpath", "name.nickname", "--input", &patient])
        .output()
        .unwrap();
    assert_eq!(lenient.status.code(), Some(0));
    assert_eq!(
        serde_json::from_slice::<serde_json::Value>(&lenient.stdout).unwrap(),
        serde_json::json!([])
    );
    let strict = intake()
        .args(["fhirpath", "name.nickname", "--input", &patient, "--strict"])
        .output()
        .unwrap();
    assert_eq!(strict.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&strict.stderr).contains("nickname"));
}

#[test]
fn fhirpath_exits_two_with_the_position_of_a_syntax_error() {
    let output = intake()
        .args(["fhirpath", "name.where(use = )"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(output.stdout.is_empty());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("syntax error at line 1, column 18"),
        "{stderr}"
    );
}

#[test]
fn fhirpath_exits_two_on_an_evaluation_error_and_on_an_unreadable_input() {
    let output = intake()
        .args(["fhirpath", "(1 | 2).single()"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("evaluation error"));
    let output = intake()
        .args(["fhirpath", "name", "--input", "/nonexistent.json"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("/nonexistent.json"));
}

/// A file holding `value` as JSON, in `dir`.
fn json_file(dir: &std::path::Path, name: &str, value: &serde_json::Value) -> String {
    let path = dir.join(name);
    std::fs::write(&path, value.to_string()).unwrap();
    path.display().to_string()
}

#[test]
fn extract_for_posting_proposes_only_what_the_chart_lacks_with_its_provenance() {
    let dir = tempfile::tempdir().unwrap();
    let response = serde_json::json!({"resourceType": "QuestionnaireResponse", "status": "completed",
        "subject": {"reference": "Patient/p1"}, "authored": "2026-11-22T09:00:00Z",
        "item": [
            {"linkId": "visit", "item": [{"linkId": "reason", "answer": [{"valueString": "Check-up"}]}]},
            {"linkId": "history", "item": [{"linkId": "new_allergies",
                "answer": [{"valueString": "penicillin"}, {"valueString": "Latex"}]}]},
            {"linkId": "habits", "item": [{"linkId": "tobacco", "answer": [{"valueCoding": {"code": "266919005"}}]}]}]});
    let on_file = serde_json::json!({"resourceType": "Bundle", "type": "searchset", "entry": [{"resource": {
        "resourceType": "AllergyIntolerance", "id": "a1", "patient": {"reference": "Patient/p1"},
        "clinicalStatus": {"coding": [{"code": "active"}]}, "code": {"text": "Penicillin"}}}]});
    let output = intake()
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args([
            "extract",
            "--form",
            "previsit-basic",
            "--for-posting",
            "--now",
            "2026-11-22T09:00:00Z",
        ])
        .args(["--response", &json_file(dir.path(), "qr.json", &response)])
        .arg("--context")
        .arg(format!(
            "AllergyIntolerance={}",
            json_file(dir.path(), "a.json", &on_file)
        ))
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(0), "{stderr}");
    assert!(
        stderr.contains("1 reported item(s) already on the chart"),
        "{stderr}"
    );
    let bundle: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    let entries = bundle["entry"].as_array().unwrap();
    let kinds: Vec<&str> = entries
        .iter()
        .map(|e| e["resource"]["resourceType"].as_str().unwrap())
        .collect();
    assert_eq!(
        kinds,
        ["QuestionnaireResponse", "AllergyIntolerance", "Provenance"]
    );
    let allergy = &entries[1]["resource"];
    assert_eq!(allergy["code"]["text"], "Latex");
    assert_eq!(
        allergy["verificationStatus"]["coding"][0]["code"],
        "unconfirmed"
    );
    assert!(
        entries[1]["request"]["ifNoneExist"]
            .as_str()
            .unwrap()
            .starts_with("identifier=urn:ietf:rfc:3986|urn:uuid:")
    );
    let provenance = &entries[2];
    assert_eq!(provenance["request"]["method"], "PUT");
    assert_eq!(
        provenance["resource"]["agent"][0]["who"]["reference"],
        "Patient/p1"
    );
    assert_eq!(
        provenance["resource"]["target"].as_array().unwrap().len(),
        2
    );

    // Run again: the same identifiers, so posting twice cannot create twice.
    let again = intake()
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args([
            "extract",
            "--form",
            "previsit-basic",
            "--for-posting",
            "--now",
            "2026-11-23T09:00:00Z",
        ])
        .args(["--response", &json_file(dir.path(), "qr.json", &response)])
        .output()
        .unwrap();
    let again: serde_json::Value = serde_json::from_slice(&again.stdout).unwrap();
    assert_eq!(again["entry"][0]["fullUrl"], bundle["entry"][0]["fullUrl"]);
}

#[test]
fn a_posting_policy_mistake_stops_start_up_naming_file_line_and_column() {
    let dir = tempfile::tempdir().unwrap();
    let policy = dir.path().join("policy.yaml");
    std::fs::write(&policy, "default:\n  Observation: post\n  Patient: post\n").unwrap();
    let output = intake()
        .args([
            "serve",
            "--database",
            &format!("sqlite:{}/db", dir.path().display()),
        ])
        .env(
            "INTAKE_FORMS_DIR",
            concat!(env!("CARGO_MANIFEST_DIR"), "/forms"),
        )
        .env("INTAKE_DATA_DIR", dir.path())
        .env("INTAKE_POSTING_POLICY", &policy)
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("policy.yaml:3:3: error:"), "{stderr}");
    assert!(stderr.contains("can only be `review`"), "{stderr}");
}
