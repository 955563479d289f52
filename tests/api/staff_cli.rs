//! `intake staff …`: accounts from the command line on a fresh database, as the first admin is
//! made. Runs the binary.

use std::{io::Write, process::Command, process::Stdio};

fn staff(database: &str, args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_intake"))
        .arg("staff")
        .args(args)
        .args(["--database", database])
        .env("INTAKE_LOG", "warn")
        .output()
        .unwrap()
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// The one-time password a command printed.
fn printed_password(stdout: &str) -> String {
    stdout
        .lines()
        .find_map(|l| l.strip_prefix("One-time password: "))
        .expect("a one-time password is printed")
        .to_owned()
}

#[tokio::test]
async fn the_first_admin_is_made_on_a_fresh_database_and_accounts_are_listed_disabled_and_reset() {
    let dir = tempfile::tempdir().unwrap();
    // A database file in a folder that does not exist yet: created and migrated as `serve` does.
    let database = format!("sqlite:{}/data/intake.db", dir.path().display());
    let added = staff(
        &database,
        &["add", "ada", "--role", "admin", "--name", "Ada Admin"],
    );
    assert_eq!(added.status.code(), Some(0), "{}", text(&added.stderr));
    let stdout = text(&added.stdout);
    assert!(stdout.contains("Added admin account `ada`"), "{stdout}");
    let initial = printed_password(&stdout);
    assert!(initial.len() >= 12);

    let store = intake::store::Store::connect(&database).await.unwrap();
    let ada = store.find_staff_user("ada").await.unwrap().unwrap();
    assert_eq!(ada.role, intake::domain::StaffRole::Admin);
    assert!(ada.must_change_password);
    assert!(intake::auth::verify_password(
        &initial,
        Some(&ada.password_hash)
    ));

    let desk = staff(&database, &["add", "bo", "--role", "front_desk"]);
    assert_eq!(desk.status.code(), Some(0));
    let listed = text(&staff(&database, &["list"]).stdout);
    let rows: Vec<&str> = listed.lines().skip(1).collect();
    assert_eq!(rows.len(), 2, "{listed}");
    assert!(rows[0].starts_with("ada") && rows[0].contains("admin") && rows[0].contains("active"));
    assert!(rows[1].starts_with("bo") && rows[1].contains("front_desk"));

    let disabled = staff(&database, &["disable", "bo"]);
    assert_eq!(
        disabled.status.code(),
        Some(0),
        "{}",
        text(&disabled.stderr)
    );
    assert!(
        text(&staff(&database, &["list"]).stdout)
            .lines()
            .any(|l| l.starts_with("bo") && l.contains("disabled"))
    );

    let reset = staff(&database, &["reset-password", "ada"]);
    assert_eq!(reset.status.code(), Some(0));
    let fresh = printed_password(&text(&reset.stdout));
    assert_ne!(fresh, initial);
    let ada = store.find_staff_user("ada").await.unwrap().unwrap();
    assert!(intake::auth::verify_password(
        &fresh,
        Some(&ada.password_hash)
    ));
    assert!(!intake::auth::verify_password(
        &initial,
        Some(&ada.password_hash)
    ));

    let forgot = staff(&database, &["reset-authenticator", "ada"]);
    assert_eq!(forgot.status.code(), Some(0), "{}", text(&forgot.stderr));
    assert!(text(&forgot.stdout).contains("Forgot the authenticator"));

    // Each change is audited as done from the command line.
    let events = store
        .audit_page(&intake::store::AuditQuery {
            actor: Some("cli".into()),
            limit: 10,
            ..Default::default()
        })
        .await
        .unwrap();
    let actions: Vec<&str> = events.iter().rev().map(|e| e.action.as_str()).collect();
    assert_eq!(
        actions,
        [
            "staff.account_added",
            "staff.account_added",
            "staff.account_disabled",
            "staff.password_reset",
            "staff.second_factor_reset"
        ]
    );
}

#[test]
fn refusals_exit_two_with_the_reason_and_change_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let database = format!("sqlite:{}/intake.db", dir.path().display());
    assert_eq!(
        staff(&database, &["add", "ada", "--role", "admin"])
            .status
            .code(),
        Some(0)
    );
    for (args, reason) in [
        (
            &["add", "ada", "--role", "clinician"][..],
            "the username `ada` is taken",
        ),
        (
            &["add", "Bad Name", "--role", "clinician"][..],
            "a username is 1 to 64 lower-case",
        ),
        (
            &["add", "cy", "--role", "superuser"][..],
            "`superuser` is not a role",
        ),
        (
            &["disable", "nobody"][..],
            "no account has the username `nobody`",
        ),
        (
            &["reset-password", "nobody"][..],
            "no account has the username `nobody`",
        ),
    ] {
        let output = staff(&database, args);
        assert_eq!(output.status.code(), Some(2), "{args:?}");
        assert!(
            text(&output.stderr).contains(reason),
            "{args:?}: {}",
            text(&output.stderr)
        );
        assert!(output.stdout.is_empty(), "{args:?}");
    }
    let listed = text(&staff(&database, &["list"]).stdout);
    assert_eq!(listed.lines().count(), 2, "{listed}");
}

#[test]
fn a_password_from_stdin_must_be_long_and_uncommon() {
    let dir = tempfile::tempdir().unwrap();
    let database = format!("sqlite:{}/intake.db", dir.path().display());
    let add = |password: &str| {
        let mut child = Command::new(env!("CARGO_BIN_EXE_intake"))
            .args([
                "staff",
                "add",
                "cy",
                "--role",
                "clinician",
                "--password-stdin",
                "--database",
                &database,
            ])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        child
            .stdin
            .take()
            .unwrap()
            .write_all(format!("{password}\n").as_bytes())
            .unwrap();
        child.wait_with_output().unwrap()
    };
    let short = add("short pw");
    assert_eq!(short.status.code(), Some(2));
    assert!(text(&short.stderr).contains("at least 12 characters"));
    let common = add("1qaz2wsx3edc");
    assert_eq!(common.status.code(), Some(2));
    assert!(text(&common.stderr).contains("one of the most common passwords"));
    let good = add("orchid sparrow tunnel 9");
    assert_eq!(good.status.code(), Some(0), "{}", text(&good.stderr));
    assert!(
        !text(&good.stdout).contains("One-time password"),
        "the given password is not printed"
    );
}
