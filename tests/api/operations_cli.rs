//! The operator's commands through the binary: `migrate`, `check-config`, `backup`, `purge`.

use std::process::Command;

/// `intake` with a clean environment pointing at `dir`, forms from the repository.
fn intake(dir: &std::path::Path) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_intake"));
    command
        .env_clear()
        .env("INTAKE_DATA_DIR", dir)
        .env(
            "INTAKE_FORMS_DIR",
            concat!(env!("CARGO_MANIFEST_DIR"), "/forms"),
        )
        .env("INTAKE_LOG", "warn");
    command
}

fn run(command: &mut Command) -> (Option<i32>, String, String) {
    let output = command.output().unwrap();
    (
        output.status.code(),
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

#[test]
fn migrate_brings_a_fresh_database_to_the_newest_migration_and_then_serving_may_skip_it() {
    let dir = tempfile::tempdir().unwrap();
    let db = format!("sqlite:{}/intake.db", dir.path().display());
    // A process that may not migrate refuses a database that is behind, naming the fix.
    let (code, _, stderr) = run(intake(dir.path())
        .args(["staff", "list", "--database", &db])
        .env("INTAKE_MIGRATE_ON_START", "false"));
    assert_ne!(code, Some(0), "{stderr}");
    assert!(stderr.contains("run `intake migrate`"), "{stderr}");
    let (code, stdout, stderr) = run(intake(dir.path()).args(["migrate", "--database", &db]));
    assert_eq!(code, Some(0), "{stderr}");
    assert!(
        stdout.contains("database migrated (sqlite): at migration 0"),
        "{stdout}"
    );
    let (code, _, stderr) = run(intake(dir.path())
        .args(["staff", "list", "--database", &db])
        .env("INTAKE_MIGRATE_ON_START", "false"));
    assert_eq!(code, Some(0), "{stderr}");
}

#[test]
fn check_config_prints_what_would_run_with_secrets_masked() {
    let dir = tempfile::tempdir().unwrap();
    let (code, stdout, stderr) = run(intake(dir.path())
        .arg("check-config")
        .env(
            "DATABASE_URL",
            "postgres://intake:hunter2-secret@db.clinic:5432/intake",
        )
        .env("INTAKE_SMTP_URL", "smtp://mail:mail-secret@mail.clinic:587")
        .env("INTAKE_MAIL_FROM", "Clinic <intake@clinic.example>")
        .env("INTAKE_METRICS_ADDR", "127.0.0.1:9090")
        .env("INTAKE_DATA_KEY_FILE", crate::helpers::data_key_file()));
    assert_eq!(code, Some(0), "{stderr}");
    assert!(
        stdout.contains("postgres://intake:****@db.clinic:5432/intake"),
        "{stdout}"
    );
    assert!(
        stdout.contains("smtp://mail:****@mail.clinic:587"),
        "{stdout}"
    );
    assert!(
        stdout.contains("127.0.0.1:9090/metrics (separate listener)"),
        "{stdout}"
    );
    assert!(stdout.contains("configuration OK"), "{stdout}");
    for secret in ["hunter2", "mail-secret"] {
        assert!(
            !stdout.contains(secret) && !stderr.contains(secret),
            "{secret} shown"
        );
    }
}

#[test]
fn check_config_exits_two_naming_the_variable_or_the_file_line_and_column() {
    let dir = tempfile::tempdir().unwrap();
    let (code, _, stderr) = run(intake(dir.path())
        .arg("check-config")
        .env("INTAKE_RETAIN_DRAFTS_DAYS", "soon"));
    assert_eq!(code, Some(2));
    assert!(stderr.contains("INTAKE_RETAIN_DRAFTS_DAYS"), "{stderr}");
    let policy = dir.path().join("policy.yaml");
    std::fs::write(&policy, "default:\n  Observation: post\n  Bogus: hold\n").unwrap();
    let (code, _, stderr) = run(intake(dir.path())
        .arg("check-config")
        .env("INTAKE_POSTING_POLICY", &policy));
    assert_eq!(code, Some(2));
    assert!(
        stderr.contains(&format!("{}:3:", policy.display())),
        "names file and line: {stderr}"
    );
}

#[test]
fn backup_writes_a_consistent_copy_of_sqlite_and_points_postgres_to_pg_dump() {
    let dir = tempfile::tempdir().unwrap();
    let db = format!("sqlite:{}/intake.db", dir.path().display());
    let (code, _, stderr) = run(intake(dir.path()).args([
        "staff",
        "add",
        "admin1",
        "--role",
        "admin",
        "--database",
        &db,
    ]));
    assert_eq!(code, Some(0), "{stderr}");
    let copy = dir.path().join("copy.db");
    let (code, stdout, stderr) =
        run(intake(dir.path()).args(["backup", "--to", copy.to_str().unwrap(), "--database", &db]));
    assert_eq!(code, Some(0), "{stderr}");
    assert!(stdout.contains("backed up to"), "{stdout}");
    assert!(
        stdout.contains("opens only with the key file"),
        "says which key the copy needs: {stdout}"
    );
    // The copy is a database in its own right, opened with the original's key file: the
    // account is in it.
    let (code, stdout, _) = run(intake(dir.path())
        .args([
            "staff",
            "list",
            "--database",
            &format!("sqlite:{}", copy.display()),
        ])
        .env("INTAKE_DATA_KEY_FILE", dir.path().join("intake.db.key")));
    assert_eq!(code, Some(0));
    assert!(stdout.contains("admin1"), "{stdout}");
    // Never over an existing file.
    let (code, _, stderr) =
        run(intake(dir.path()).args(["backup", "--to", copy.to_str().unwrap(), "--database", &db]));
    assert_eq!(code, Some(2));
    assert!(stderr.contains("already exists"), "{stderr}");
    let (code, _, stderr) = run(intake(dir.path())
        .args([
            "backup",
            "--to",
            "x.dump",
            "--database",
            "postgres://intake@127.0.0.1:1/intake",
        ])
        .env("INTAKE_DATA_KEY_FILE", crate::helpers::data_key_file()));
    assert_eq!(code, Some(2));
    assert!(stderr.contains("pg_dump"), "{stderr}");
}

#[test]
fn purge_prints_counts_only() {
    let dir = tempfile::tempdir().unwrap();
    let db = format!("sqlite:{}/intake.db", dir.path().display());
    let (code, stdout, stderr) = run(intake(dir.path()).args(["purge", "--database", &db]));
    assert_eq!(code, Some(0), "{stderr}");
    for kind in [
        "draft: 0",
        "submission_answers: 0",
        "one_time_code: 0",
        "staff_session: 0",
    ] {
        assert!(stdout.contains(kind), "{kind} not in {stdout}");
    }
}

/// `check-config` loads the forms as `intake serve` does: a `value_set` naming a site's value
/// set resolves with `INTAKE_VALUESETS_DIR`, and without it the form's line and column are named.
#[test]
fn check_config_resolves_a_forms_value_set_urls_with_the_sites_terminology() {
    let dir = tempfile::tempdir().unwrap();
    let forms = dir.path().join("forms");
    let site = dir.path().join("valuesets");
    std::fs::create_dir_all(&forms).unwrap();
    std::fs::create_dir_all(&site).unwrap();
    let url = "http://clinic.example/fhir/ValueSet/visit-reasons";
    std::fs::write(
        forms.join("reasons.yaml"),
        format!(
            "id: reasons\nversion: \"1\"\ntitle: Reasons\nsections:\n  - id: visit\n    title: Visit\n    items:\n      - id: reason\n        type: choice\n        text: Why are you coming in?\n        value_set: {url}\n"
        ),
    )
    .unwrap();
    std::fs::write(
        site.join("reasons.json"),
        serde_json::json!({"resourceType": "ValueSet", "url": url, "status": "active",
            "compose": {"include": [{"system": "http://clinic.example/reasons",
                "concept": [{"code": "checkup", "display": "Check-up"}]}]}})
        .to_string(),
    )
    .unwrap();
    let configured = |with_site: bool| {
        let mut command = intake(dir.path());
        command
            .arg("check-config")
            .env("INTAKE_FORMS_DIR", &forms)
            .env("INTAKE_DATA_KEY_FILE", crate::helpers::data_key_file());
        if with_site {
            command.env("INTAKE_VALUESETS_DIR", &site);
        }
        run(&mut command)
    };
    let (code, stdout, stderr) = configured(true);
    assert_eq!(code, Some(0), "{stdout}{stderr}");
    let (code, _, stderr) = configured(false);
    assert_eq!(code, Some(2), "{stderr}");
    assert!(
        stderr.contains(&format!(
            "reasons.yaml:11:20: error: the value set {url} gives no answer list"
        )),
        "{stderr}"
    );
}
