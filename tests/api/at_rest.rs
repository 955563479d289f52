//! Patient data at rest (issue 16, point 6): canary values written through a whole intake are
//! in no byte of the SQLite files (WAL included) nor of a `pg_dump`; the data key re-wraps
//! under a new key file; a database from before sealing is sealed on its first start.

use intake::{crypt::KeyEncryptionKey, domain::PatientIdentifier, store::Store};

use crate::helpers::{Backend, Options, TestApp, answer_and_submit, fresh_database, verified};

/// The canaries: each a value a patient, the chart or the front desk put in, unlikely anywhere
/// else.
const CANARIES: &[(&str, &str)] = &[
    ("given name (chart)", "Zzqgiven"),
    ("family name (chart)", "Zzqfamily"),
    ("record number", "ZZQMRN4417"),
    ("date of birth", "1961-07-23"),
    ("mobile number", "555-0199"),
    ("mobile number, digits", "5550199"),
    ("allergy on the chart (chart read)", "Zzqchartallergy"),
    ("answer: first name", "Zzqanswerfirst"),
    ("answer: address", "Zzqanswerstreet"),
    ("answer: emergency contact", "Zzqemergency"),
    ("consent signature", "Zzqsignature"),
];

/// A patient on the file-drop EHR whose every identifying value is a canary.
fn canary_patient(app: &TestApp) -> PatientIdentifier {
    let source = concat!(env!("CARGO_MANIFEST_DIR"), "/demo/ehr/rosa-delgado.json");
    let text = std::fs::read_to_string(source)
        .unwrap()
        .replace("rosa-delgado", "zzq-canary")
        .replace("MRN-1001", "ZZQMRN4417")
        .replace("Delgado", "Zzqfamily")
        .replace("Rosa", "Zzqgiven")
        .replace("+1-555-0101", "+1-555-0199")
        .replace("1958-04-12", "1961-07-23")
        .replace("Penicillin", "Zzqchartallergy");
    std::fs::write(app.ehr_folder.join("zzq-canary.json"), text).unwrap();
    PatientIdentifier {
        system: "urn:oid:2.16.840.1.113883.19.5".into(),
        value: "ZZQMRN4417".into(),
    }
}

/// Invites the canary patient by text message, and walks the registration form to a
/// submission with canary answers and a canary consent signature.
async fn canary_intake(app: &TestApp) {
    let patient = canary_patient(app);
    let (_, appointment) = app
        .invite_to_form(patient, "new-patient-registration")
        .await;
    // A sent invitation: the message with the contact and the link goes through the outbox.
    let sent = app
        .services
        .send_invitation(appointment, "staff:test")
        .await
        .expect("the chart's mobile number takes an invitation");
    let link = app.url(&format!("/i/{}", sent.token.expose()));
    let (browser, csrf) = verified(app, &link, "1961-07-23").await;
    let pages: [&[(&str, &str)]; 5] = [
        &[
            ("a.legal_first_name", "Zzqanswerfirst"),
            ("a.legal_last_name", "Zzqfamily"),
            ("a.dob", "1961-07-23"),
            ("a.sex_at_birth", "LA3-6"),
            ("a.preferred_language", "en"),
        ],
        &[
            ("a.phone", "555-010-0199"),
            ("a.address_line1", "1 Zzqanswerstreet Road"),
            ("a.city", "Springfield"),
            ("a.state", "IL"),
            ("a.postal_code", "62701"),
        ],
        &[("a.has_insurance", "no")],
        &[
            ("a.ec_name", "Zzqemergency Contact"),
            ("a.ec_relationship", "SPS"),
            ("a.ec_phone", "555-010-4455"),
        ],
        &[
            ("a.consent_agree", "yes"),
            ("a.consent_signature", "Zzqsignature Zzqfamily"),
        ],
    ];
    answer_and_submit(app, &browser, &csrf, &pages).await;
}

/// Which canaries `bytes` holds, by name.
fn hits(bytes: &[u8]) -> Vec<&'static str> {
    CANARIES
        .iter()
        .filter(|(_, canary)| {
            bytes
                .windows(canary.len())
                .any(|w| w.eq_ignore_ascii_case(canary.as_bytes()))
        })
        .map(|(name, _)| *name)
        .collect()
}

/// Every byte of the SQLite database: the file, its WAL and shared memory.
fn sqlite_bytes(dir: &std::path::Path) -> Vec<u8> {
    let mut bytes = Vec::new();
    for name in ["intake.db", "intake.db-wal", "intake.db-shm"] {
        if let Ok(file) = std::fs::read(dir.join(name)) {
            bytes.extend(file);
        }
    }
    bytes
}

/// A plain `pg_dump` of the database (what a backup holds).
fn pg_dump(url: &str) -> Vec<u8> {
    let output = std::process::Command::new("pg_dump")
        .args(["--no-owner", "--dbname", url])
        .output()
        .expect("pg_dump runs (it is on the machine with Postgres)");
    assert!(
        output.status.success(),
        "pg_dump failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    output.stdout
}

async fn canaries_written_through_a_whole_intake_are_in_no_byte_at_rest(backend: Backend) {
    let dir = tempfile::tempdir().unwrap();
    let database = fresh_database(backend, dir.path()).await;
    let app = TestApp::spawn_with(Options {
        backend,
        database: Some(database.clone()),
        ..Options::default()
    })
    .await;
    canary_intake(&app).await;

    // The data went in, and reads back where staff look.
    let staff = app.signed_in("frontdesk").await;
    let queue = crate::helpers::page(&staff, &app.url("/staff/exceptions")).await;
    assert!(
        queue.contains("Zzqgiven") && queue.contains("Zzqanswerfirst"),
        "the queue shows the chart's name and the patient's answer: {queue}"
    );
    let found = crate::helpers::page(
        &staff,
        &app.url(&format!(
            "/staff?day={}&q=zzqmrn4417",
            time::OffsetDateTime::now_utc().date() + time::Duration::days(1)
        )),
    )
    .await;
    assert!(
        found.contains("Zzqfamily"),
        "the worklist finds the patient by record number: {found}"
    );
    app.stop().await;

    let bytes = match backend {
        Backend::Sqlite => sqlite_bytes(dir.path()),
        Backend::Postgres => pg_dump(&database),
    };
    assert!(bytes.len() > 10_000, "the database was read");
    let found = hits(&bytes);
    eprintln!(
        "canary hits at rest ({backend:?}): {} of {} canaries",
        found.len(),
        CANARIES.len()
    );
    assert!(found.is_empty(), "readable at rest: {found:?}");
}

mod canaries_written_through_a_whole_intake_are_in_no_byte_at_rest {
    use super::*;
    #[tokio::test]
    async fn on_sqlite() {
        super::canaries_written_through_a_whole_intake_are_in_no_byte_at_rest(Backend::Sqlite).await
    }
    #[tokio::test]
    async fn on_postgres() {
        super::canaries_written_through_a_whole_intake_are_in_no_byte_at_rest(Backend::Postgres)
            .await
    }
}

/// An appointment with a canary name, through the store.
async fn canary_appointment(store: &Store) -> uuid::Uuid {
    store
        .insert_appointment(
            &intake::store::NewAppointment {
                patient: PatientIdentifier {
                    system: "urn:mrn".into(),
                    value: "ZZQMRN4417".into(),
                },
                patient_name: intake::domain::PatientName::new("Zzqgiven Zzqfamily"),
                patient_birth_date: intake::domain::BirthDate::from_chart("1961-07-23").unwrap(),
                patient_ref: "Patient/zzq".into(),
                starts_at: 1_764_806_400_000,
                visit_type: "Follow-up".into(),
                form_id: intake::forms::FormId::parse("previsit-basic").unwrap(),
            },
            1,
        )
        .await
        .unwrap()
}

async fn a_rotated_key_opens_the_data_and_the_old_key_no_longer_does(backend: Backend) {
    let dir = tempfile::tempdir().unwrap();
    let url = fresh_database(backend, dir.path()).await;
    let old = KeyEncryptionKey::generate().unwrap();
    let new = KeyEncryptionKey::generate().unwrap();
    let store = Store::open(&url, true, &old).await.unwrap();
    canary_appointment(&store).await;
    assert_eq!(store.rotate_key(&old, &new, 2).await.unwrap(), 1);
    store.close().await;

    let store = Store::open(&url, true, &new)
        .await
        .expect("the new key opens");
    let listed = store.list_appointments(None, 1000).await.unwrap();
    assert_eq!(
        listed[0].appointment.details.patient_name.as_str(),
        "Zzqgiven Zzqfamily"
    );
    store.close().await;
    let refused = Store::open(&url, true, &old).await.unwrap_err();
    assert!(
        refused.to_string().contains("INTAKE_DATA_KEY_FILE"),
        "{refused}"
    );
    let stranger = KeyEncryptionKey::generate().unwrap();
    let store = Store::open(&url, true, &new).await.unwrap();
    assert!(
        store.rotate_key(&stranger, &old, 3).await.is_err(),
        "only the key in use can rotate"
    );
}

mod a_rotated_key_opens_the_data_and_the_old_key_no_longer_does {
    use super::*;
    #[tokio::test]
    async fn on_sqlite() {
        super::a_rotated_key_opens_the_data_and_the_old_key_no_longer_does(Backend::Sqlite).await
    }
    #[tokio::test]
    async fn on_postgres() {
        super::a_rotated_key_opens_the_data_and_the_old_key_no_longer_does(Backend::Postgres).await
    }
}

#[test]
fn intake_rotate_key_makes_a_new_key_file_and_says_what_to_do_next() {
    let dir = tempfile::tempdir().unwrap();
    let db = format!("sqlite:{}/intake.db", dir.path().display());
    let old = dir.path().join("old.key");
    KeyEncryptionKey::generate()
        .unwrap()
        .write_new(&old)
        .unwrap();
    let intake = |args: &[&str]| {
        let output = std::process::Command::new(env!("CARGO_BIN_EXE_intake"))
            .args(args)
            .current_dir(dir.path())
            .env_clear()
            .env("INTAKE_DATA_KEY_FILE", &old)
            .env(
                "INTAKE_FORMS_DIR",
                concat!(env!("CARGO_MANIFEST_DIR"), "/forms"),
            )
            .output()
            .unwrap();
        (
            output.status.code(),
            String::from_utf8_lossy(&output.stdout).into_owned(),
            String::from_utf8_lossy(&output.stderr).into_owned(),
        )
    };
    let (code, _, stderr) = intake(&["migrate", "--database", &db]);
    assert_eq!(code, Some(0), "{stderr}");
    let new = dir.path().join("new.key");
    let new_arg = new.display().to_string();
    let (code, stdout, stderr) =
        intake(&["rotate-key", "--new-key-file", &new_arg, "--database", &db]);
    assert_eq!(code, Some(0), "{stderr}");
    assert!(stdout.contains("1 data key(s) re-wrapped"), "{stdout}");
    assert!(stdout.contains("INTAKE_DATA_KEY_FILE="), "{stdout}");
    assert!(new.exists());
    // The old key no longer opens the database.
    let (code, _, stderr) = intake(&["rotate-key", "--new-key-file", &new_arg, "--database", &db]);
    assert_eq!(code, Some(2));
    assert!(stderr.contains("does not open"), "{stderr}");
}

#[test]
fn check_config_refuses_postgres_without_a_data_key_file() {
    let dir = tempfile::tempdir().unwrap();
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_intake"))
        .arg("check-config")
        .current_dir(dir.path())
        .env_clear()
        .env("DATABASE_URL", "postgres://intake@db.clinic:5432/intake")
        .env(
            "INTAKE_FORMS_DIR",
            concat!(env!("CARGO_MANIFEST_DIR"), "/forms"),
        )
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("INTAKE_DATA_KEY_FILE: required with a Postgres database"),
        "{stderr}"
    );
}

/// A database at migration 0017 (before sealing) holding one patient's appointment, link,
/// draft and an audit event naming their record number, all in plain text.
async fn database_before_sealing(url: &str, dir: &std::path::Path) -> (uuid::Uuid, uuid::Uuid) {
    let old = dir.join("old-migrations");
    std::fs::create_dir_all(&old).unwrap();
    let postgres = url.starts_with("postgres");
    let source = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("migrations")
        .join(if postgres { "postgres" } else { "sqlite" });
    for entry in std::fs::read_dir(source).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        if name.as_str() < "0019" {
            std::fs::copy(&path, old.join(&name)).unwrap();
        }
    }
    let migrator = sqlx::migrate::Migrator::new(old.as_path()).await.unwrap();
    let (appointment, invitation) = (uuid::Uuid::now_v7(), uuid::Uuid::now_v7());
    let json = if postgres { "CAST($2 AS JSONB)" } else { "$2" };
    let appointment_sql = "INSERT INTO appointments (id, patient_system, patient_value, patient_name, \
         patient_birth_date, patient_ref, starts_at, visit_type, form_id, created_at, patient_mobile) \
         VALUES ($1, 'urn:mrn', 'ZZQMRN4417', 'Zzqgiven Zzqfamily', '1961-07-23', 'Patient/zzq', \
         1764806400000, 'Follow-up', 'previsit-basic', 1, '+1-555-0199')";
    let invitation_sql = "INSERT INTO invitations (id, appointment_id, token_hash, status, expires_at, created_at) \
         VALUES ($1, $2, 'hash', 'open', 9999999999999, 1)";
    let draft_sql = format!(
        "INSERT INTO drafts (invitation_id, form_id, form_hash, answers, updated_at) \
         VALUES ($1, 'previsit-basic', 'h', {json}, 1)"
    );
    let audit_sql = "INSERT INTO audit_events (id, at, actor, action, subject_kind, subject_id, detail, patient) \
         VALUES ($1, 1, 'staff:x', 'patient_data.viewed', 'appointment', $2, '{}', 'ZZQMRN4417')";
    let answers = r#"{"reason":[{"type":"string","value":"Zzqanswerfirst"}]}"#;
    macro_rules! run {
        ($pool:expr) => {{
            migrator.run(&$pool).await.unwrap();
            sqlx::query(appointment_sql)
                .bind(appointment)
                .execute(&$pool)
                .await
                .unwrap();
            sqlx::query(invitation_sql)
                .bind(invitation)
                .bind(appointment)
                .execute(&$pool)
                .await
                .unwrap();
            sqlx::query(sqlx::AssertSqlSafe(draft_sql.clone()))
                .bind(invitation)
                .bind(answers)
                .execute(&$pool)
                .await
                .unwrap();
            sqlx::query(audit_sql)
                .bind(uuid::Uuid::now_v7())
                .bind(appointment)
                .execute(&$pool)
                .await
                .unwrap();
            $pool.close().await;
        }};
    }
    if postgres {
        let pool = sqlx::PgPool::connect(url).await.unwrap();
        run!(pool);
    } else {
        let options = sqlx::sqlite::SqliteConnectOptions::new()
            .filename(url.trim_start_matches("sqlite:"))
            .create_if_missing(true)
            .journal_mode(sqlx::sqlite::SqliteJournalMode::Wal)
            .foreign_keys(true);
        let pool = sqlx::SqlitePool::connect_with(options).await.unwrap();
        run!(pool);
    }
    (appointment, invitation)
}

async fn a_database_from_before_sealing_is_sealed_on_its_first_start_and_reads_the_same(
    backend: Backend,
) {
    let dir = tempfile::tempdir().unwrap();
    let url = fresh_database(backend, dir.path()).await;
    let (appointment, invitation) = database_before_sealing(&url, dir.path()).await;
    let store = Store::connect(&url).await.expect("seals on first start");
    let listed = store.list_appointments(None, 1000).await.unwrap();
    let details = &listed[0].appointment.details;
    assert_eq!(listed[0].appointment.id, appointment);
    assert_eq!(
        (
            details.patient_name.as_str(),
            details.patient.value.as_str()
        ),
        ("Zzqgiven Zzqfamily", "ZZQMRN4417")
    );
    assert_eq!(details.patient_birth_date.to_fhir(), "1961-07-23");
    let draft = store.load_draft(invitation).await.unwrap().unwrap();
    assert_eq!(draft.answers.len(), 1);
    let audit = store
        .audit_page(&intake::store::AuditQuery {
            patient: Some("ZZQMRN4417".into()),
            limit: 50,
            ..intake::store::AuditQuery::default()
        })
        .await
        .unwrap();
    assert_eq!(
        audit.len(),
        1,
        "the audit still finds the patient by record number"
    );
    // A second start finds the key and seals nothing twice.
    store.close().await;
    let again = Store::connect(&url).await.unwrap();
    assert_eq!(again.list_appointments(None, 1000).await.unwrap().len(), 1);
    again.close().await;
    let bytes = match backend {
        Backend::Sqlite => sqlite_bytes(dir.path()),
        Backend::Postgres => pg_dump(&url),
    };
    let found = hits(&bytes);
    assert!(
        found.is_empty(),
        "still readable after the upgrade: {found:?}"
    );
}

mod a_database_from_before_sealing_is_sealed_on_its_first_start_and_reads_the_same {
    use super::*;
    #[tokio::test]
    async fn on_sqlite() {
        super::a_database_from_before_sealing_is_sealed_on_its_first_start_and_reads_the_same(
            Backend::Sqlite,
        )
        .await
    }
    #[tokio::test]
    async fn on_postgres() {
        super::a_database_from_before_sealing_is_sealed_on_its_first_start_and_reads_the_same(
            Backend::Postgres,
        )
        .await
    }
}
