//! The audit log's hash chains, on SQLite and Postgres: an event edited, removed or inserted
//! directly in the database is named by the walk (and by `intake audit verify`), concurrent
//! writers keep one valid chain, and events from before the chain are chained at first start.

use std::process::Command;

use intake::store::{StaffAudit, Store, Tamper};
use serde_json::json;
use uuid::Uuid;

use crate::{
    helpers::{Backend, fresh_database},
    store_contract::invitation_for,
};

/// Runs a test on both backends, each with a fresh database, given the store and its URL.
macro_rules! on_both_backends {
    ($($test:ident),* $(,)?) => {$(
        mod $test {
            #[tokio::test]
            async fn on_sqlite() { super::with(super::Backend::Sqlite, super::$test).await }
            #[tokio::test]
            async fn on_postgres() { super::with(super::Backend::Postgres, super::$test).await }
        }
    )*};
}

on_both_backends!(
    an_untouched_log_verifies_with_every_event_in_its_chain,
    an_event_edited_in_the_database_is_named_as_changed,
    an_event_whose_hash_was_recomputed_after_an_edit_is_still_named_as_changed,
    events_deleted_from_the_database_are_named_as_removed,
    events_inserted_into_the_database_are_named_as_inserted,
    many_concurrent_writers_keep_one_valid_chain,
);

async fn with<F, Fut>(backend: Backend, test: F)
where
    F: FnOnce(Store, String) -> Fut,
    Fut: Future<Output = ()>,
{
    let dir = tempfile::tempdir().unwrap();
    let url = fresh_database(backend, dir.path()).await;
    let store = Store::connect(&url).await.expect("connect and migrate");
    test(store, url).await;
}

const NOW: i64 = 1_795_300_000_000;

fn staff_event(n: i64) -> StaffAudit {
    StaffAudit {
        at: NOW + n,
        actor: format!("staff:{}", Uuid::now_v7()),
        action: "patient_data.viewed",
        subject_kind: "submission",
        subject_id: Uuid::now_v7(),
        detail: json!({ "n": n, "nested": { "b": [1, 2], "a": "x" } }),
        source: Some("203.0.113.7".into()),
    }
}

/// Five staff events, and three in `records`: a link issued, two wrong dates of birth.
async fn some_events(store: &Store) {
    for n in 1..=5 {
        store.record_staff_audit(&staff_event(n)).await.unwrap();
    }
    let invitation = invitation_for(store, "Chain Patient").await;
    for _ in 0..2 {
        store
            .record_failed_verification(invitation, NOW)
            .await
            .unwrap();
    }
}

/// Runs SQL straight on the database, behind Intake's back; `id` is bound as `$1` if given.
async fn tamper(url: &str, sql: &str, id: Option<Uuid>) {
    let sql = sqlx::AssertSqlSafe(sql.to_owned());
    if url.starts_with("sqlite:") {
        let pool = sqlx::SqlitePool::connect(url).await.unwrap();
        let mut query = sqlx::query(sql);
        if let Some(id) = id {
            query = query.bind(id);
        }
        assert_eq!(query.execute(&pool).await.unwrap().rows_affected(), 1);
        pool.close().await;
    } else {
        let pool = sqlx::PgPool::connect(url).await.unwrap();
        let mut query = sqlx::query(sql);
        if let Some(id) = id {
            query = query.bind(id);
        }
        assert_eq!(query.execute(&pool).await.unwrap().rows_affected(), 1);
        pool.close().await;
    }
}

async fn problems(store: &Store) -> Vec<Tamper> {
    store.verify_audit().await.unwrap().problems
}

async fn an_untouched_log_verifies_with_every_event_in_its_chain(store: Store, _url: String) {
    some_events(&store).await;
    let verdict = store.verify_audit().await.unwrap();
    assert_eq!(verdict.problems, vec![]);
    let lengths: Vec<(&str, i64)> = verdict
        .chains
        .iter()
        .map(|c| (c.chain.as_str(), c.events))
        .collect();
    assert_eq!(lengths, vec![("records", 3), ("staff", 5)]);
    assert!(verdict.chains.iter().all(|c| c.head.len() == 64));
}

async fn an_event_edited_in_the_database_is_named_as_changed(store: Store, url: String) {
    some_events(&store).await;
    tamper(
        &url,
        "UPDATE audit_events SET action = 'staff.signed_out' WHERE chain = 'staff' AND seq = 3",
        None,
    )
    .await;
    tamper(
        &url,
        "UPDATE audit_events SET at = at + 1 WHERE chain = 'records' AND seq = 2",
        None,
    )
    .await;
    let found = problems(&store).await;
    assert!(
        matches!(&found[..], [
            Tamper::Changed { chain: records, seq: 2, .. },
            Tamper::Changed { chain: staff, seq: 3, .. },
        ] if records == "records" && staff == "staff"),
        "{found:?}"
    );
    assert!(found[1].to_string().contains("staff #3"), "{}", found[1]);
    assert!(found[1].to_string().contains("was changed"), "{}", found[1]);
}

async fn an_event_whose_hash_was_recomputed_after_an_edit_is_still_named_as_changed(
    store: Store,
    url: String,
) {
    some_events(&store).await;
    // Someone who rewrites an event and gives it a new (well-formed) hash still breaks the link
    // the next event holds.
    let fake_hash = if url.starts_with("sqlite:") {
        "zeroblob(32)"
    } else {
        "decode(repeat('ab', 32), 'hex')"
    };
    tamper(
        &url,
        &format!(
            "UPDATE audit_events SET source = '198.51.100.1', hash = {fake_hash} \
             WHERE chain = 'staff' AND seq = 2"
        ),
        None,
    )
    .await;
    let found = problems(&store).await;
    assert!(
        matches!(&found[..], [Tamper::Changed { seq: 2, .. }]),
        "{found:?}"
    );
}

async fn events_deleted_from_the_database_are_named_as_removed(store: Store, url: String) {
    some_events(&store).await;
    tamper(
        &url,
        "DELETE FROM audit_events WHERE chain = 'staff' AND seq = 5",
        None,
    )
    .await;
    let found = problems(&store).await;
    assert!(
        matches!(
            &found[..],
            [Tamper::Removed {
                from: 5,
                to: 5,
                next: None,
                ..
            }]
        ),
        "{found:?}"
    );
    assert!(
        found[0]
            .to_string()
            .contains("the last audit events of staff"),
        "{}",
        found[0]
    );
    tamper(
        &url,
        "DELETE FROM audit_events WHERE chain = 'staff' AND seq = 2",
        None,
    )
    .await;
    let found = problems(&store).await;
    assert!(
        matches!(
            &found[..],
            [Tamper::Removed {
                from: 2,
                to: 2,
                next: Some(_),
                ..
            }]
        ),
        "{found:?}"
    );
}

async fn events_inserted_into_the_database_are_named_as_inserted(store: Store, url: String) {
    some_events(&store).await;
    let outside = Uuid::now_v7();
    let columns = "id, at, actor, action, subject_kind, subject_id, detail";
    tamper(
        &url,
        &format!(
            "INSERT INTO audit_events ({columns}) \
             SELECT $1, at - 1, actor, 'staff.signed_in', subject_kind, subject_id, detail \
             FROM audit_events WHERE chain = 'staff' AND seq = 4"
        ),
        Some(outside),
    )
    .await;
    let found = problems(&store).await;
    assert_eq!(
        found,
        vec![Tamper::Inserted {
            id: outside,
            at: NOW + 3
        }]
    );
    assert!(
        found[0].to_string().contains("was inserted"),
        "{}",
        found[0]
    );
    tamper(
        &url,
        "DELETE FROM audit_events WHERE id = $1",
        Some(outside),
    )
    .await;
    assert_eq!(problems(&store).await, vec![]);
    // Past the head, with well-formed links copied from the last event.
    let past = Uuid::now_v7();
    tamper(
        &url,
        &format!(
            "INSERT INTO audit_events ({columns}, chain, seq, prev_hash, hash) \
             SELECT $1, at + 1, actor, action, subject_kind, subject_id, detail, chain, 6, hash, hash \
             FROM audit_events WHERE chain = 'staff' AND seq = 5"
        ),
        Some(past),
    )
    .await;
    let found = problems(&store).await;
    assert!(
        matches!(&found[..], [Tamper::Inserted { id, .. }] if *id == past),
        "{found:?}"
    );
}

async fn many_concurrent_writers_keep_one_valid_chain(store: Store, _url: String) {
    let writers: Vec<_> = (0..16)
        .map(|w| {
            let store = store.clone();
            tokio::spawn(async move {
                for n in 0..20 {
                    store
                        .record_staff_audit(&staff_event(w * 100 + n))
                        .await
                        .unwrap();
                }
            })
        })
        .collect();
    for writer in writers {
        writer.await.unwrap();
    }
    let verdict = store.verify_audit().await.unwrap();
    assert_eq!(verdict.problems, vec![]);
    let staff = verdict.chains.iter().find(|c| c.chain == "staff").unwrap();
    assert_eq!(staff.events, 16 * 20);
}

/// `intake audit verify` through the binary: exit 0 and "intact", then exit 1 naming the event.
#[tokio::test]
async fn intake_audit_verify_names_the_changed_event_and_fails() {
    let dir = tempfile::tempdir().unwrap();
    let url = fresh_database(Backend::Sqlite, dir.path()).await;
    let store = Store::connect(&url).await.unwrap();
    some_events(&store).await;
    store.close().await;
    let verify = |anchor: Option<&str>| {
        let mut command = Command::new(env!("CARGO_BIN_EXE_intake"));
        command.args(["audit", "verify", "--database", &url]);
        if let Some(anchor) = anchor {
            command.args(["--anchor", anchor]);
        }
        let output = command
            .env_clear()
            .env("INTAKE_DATA_DIR", dir.path())
            .env(
                "INTAKE_FORMS_DIR",
                concat!(env!("CARGO_MANIFEST_DIR"), "/forms"),
            )
            .env("INTAKE_LOG", "warn")
            .output()
            .unwrap();
        (
            output.status.code(),
            String::from_utf8_lossy(&output.stdout).into_owned(),
            String::from_utf8_lossy(&output.stderr).into_owned(),
        )
    };
    let (code, stdout, stderr) = verify(None);
    assert_eq!(code, Some(0), "{stdout}{stderr}");
    assert!(stdout.contains("audit log intact"), "{stdout}");
    let anchor = stdout
        .lines()
        .find_map(|line| line.strip_prefix("staff: 5 events, anchor "))
        .unwrap_or_else(|| panic!("the staff chain's anchor: {stdout}"))
        .to_owned();
    let (code, _, stderr) = verify(Some(&anchor));
    assert_eq!(code, Some(0), "the anchor still holds: {stderr}");
    let rewritten = format!(
        "{}{}",
        &anchor[..anchor.len() - 1],
        if anchor.ends_with('0') { '1' } else { '0' }
    );
    let (code, _, stderr) = verify(Some(&rewritten));
    assert_eq!(code, Some(1), "{stderr}");
    assert!(
        stderr.contains("staff #5 no longer has the hash kept for it"),
        "{stderr}"
    );
    tamper(
        &url,
        "UPDATE audit_events SET detail = '{}' WHERE chain = 'staff' AND seq = 4",
        None,
    )
    .await;
    let (code, stdout, stderr) = verify(None);
    assert_eq!(code, Some(1), "{stdout}{stderr}");
    assert!(stderr.contains("(staff #4, 2026-"), "{stderr}");
    assert!(
        stderr.contains("was changed after it was written"),
        "{stderr}"
    );
    assert!(stderr.contains("tampered with"), "{stderr}");
    assert!(!stdout.contains("intact"), "{stdout}");
}

#[tokio::test]
async fn events_written_before_the_chain_are_chained_once_at_first_start_on_sqlite() {
    events_written_before_the_chain_are_chained_once_at_first_start(Backend::Sqlite).await;
}

#[tokio::test]
async fn events_written_before_the_chain_are_chained_once_at_first_start_on_postgres() {
    events_written_before_the_chain_are_chained_once_at_first_start(Backend::Postgres).await;
}

/// A database at migration 0017 with three audit events, upgraded by a start of this version.
async fn events_written_before_the_chain_are_chained_once_at_first_start(backend: Backend) {
    let dir = tempfile::tempdir().unwrap();
    let url = fresh_database(backend, dir.path()).await;
    let old = dir.path().join("old-migrations");
    std::fs::create_dir_all(&old).unwrap();
    let source = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("migrations")
        .join(if url.starts_with("sqlite:") {
            "sqlite"
        } else {
            "postgres"
        });
    for entry in std::fs::read_dir(source).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        if name.as_str() < "0018" {
            std::fs::copy(&path, old.join(&name)).unwrap();
        }
    }
    let migrator = sqlx::migrate::Migrator::new(old.as_path()).await.unwrap();
    if url.starts_with("sqlite:") {
        let options = sqlx::sqlite::SqliteConnectOptions::new()
            .filename(url.trim_start_matches("sqlite:"))
            .create_if_missing(true);
        let pool = sqlx::SqlitePool::connect_with(options).await.unwrap();
        migrator.run(&pool).await.unwrap();
        pool.close().await;
    } else {
        let pool = sqlx::PgPool::connect(&url).await.unwrap();
        migrator.run(&pool).await.unwrap();
        pool.close().await;
    }
    let insert = "INSERT INTO audit_events (id, at, actor, action, subject_kind, subject_id, detail) \
                  VALUES ($1, 1, 'system', 'change.queued', 'proposed_change', $1, '{}')";
    for _ in 0..3 {
        tamper(&url, insert, Some(Uuid::now_v7())).await;
    }
    let store = Store::connect(&url).await.unwrap();
    let verdict = store.verify_audit().await.unwrap();
    assert_eq!(verdict.problems, vec![]);
    let records = verdict
        .chains
        .iter()
        .find(|c| c.chain == "records")
        .unwrap();
    assert_eq!(records.events, 3);
    // Only once: an unchained event written later is not taken in by the next start.
    let late = Uuid::now_v7();
    tamper(&url, insert, Some(late)).await;
    store.close().await;
    let store = Store::connect(&url).await.unwrap();
    assert_eq!(
        problems(&store).await,
        vec![Tamper::Inserted { id: late, at: 1 }]
    );
}
