//! The worklist's store contract, on SQLite and on Postgres: a day at a time, by key, stable
//! under inserts, searched by whole name, word of a name or record number, each row with its newest link's facts; the
//! staff actions on a link.

use intake::{
    domain::{BirthDate, LinkMessage, LinkStatus, PatientIdentifier, PatientName, SecretToken},
    engine::Answers,
    forms::{ContentHash, FormId},
    store::{
        Draft, FormState, NewAppointment, PageDirection, Store, StoreError, WorklistKey,
        WorklistQuery, WorklistRow,
    },
};
use uuid::Uuid;

use crate::helpers::{Backend, fresh_database};

macro_rules! on_both_backends {
    ($($contract:ident),* $(,)?) => {$(
        mod $contract {
            use super::*;
            #[tokio::test]
            async fn on_sqlite() { let (store, url, _dir) = store(Backend::Sqlite).await; super::$contract(store, url).await }
            #[tokio::test]
            async fn on_postgres() { let (store, url, _dir) = store(Backend::Postgres).await; super::$contract(store, url).await }
        }
    )*};
}

on_both_backends!(
    a_day_holds_only_its_appointments_in_time_order_a_page_at_a_time,
    paging_by_key_neither_repeats_nor_skips_rows_when_appointments_are_added,
    search_matches_a_whole_name_or_one_of_its_words_in_any_case_or_a_whole_record_number,
    each_row_carries_the_facts_of_its_newest_link,
    staff_unlock_a_locked_link_and_cancel_an_open_one_with_an_audit_event_each,
);

async fn store(backend: Backend) -> (Store, String, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let url = fresh_database(backend, dir.path()).await;
    let store = Store::connect(&url).await.expect("connect and migrate");
    (store, url, dir)
}

/// 2026-12-04T00:00:00Z.
const DAY: i64 = 1_764_806_400_000;
const HOUR: i64 = 3_600_000;
const NOW: i64 = DAY - 2 * 86_400_000;

async fn appointment(store: &Store, name: &str, mrn: &str, starts_at: i64) -> Uuid {
    let new = NewAppointment {
        patient: PatientIdentifier {
            system: "urn:mrn".into(),
            value: mrn.into(),
        },
        patient_name: PatientName::new(name),
        patient_birth_date: BirthDate::from_chart("1970-01-01").unwrap(),
        patient_ref: "Patient/t".into(),
        starts_at,
        visit_type: "Follow-up".into(),
        form_id: FormId::parse("previsit-basic").unwrap(),
    };
    store.insert_appointment(&new, NOW).await.unwrap()
}

fn day_query(limit: i64) -> WorklistQuery {
    WorklistQuery {
        day_start: DAY,
        day_end: DAY + 86_400_000,
        search: None,
        from: None,
        limit,
    }
}

fn names(rows: &[WorklistRow]) -> Vec<String> {
    rows.iter()
        .map(|r| r.appointment.details.patient_name.as_str().to_owned())
        .collect()
}

fn key(row: &WorklistRow) -> WorklistKey {
    WorklistKey {
        starts_at: row.appointment.details.starts_at,
        id: row.appointment.id,
    }
}

async fn a_day_holds_only_its_appointments_in_time_order_a_page_at_a_time(
    store: Store,
    _url: String,
) {
    appointment(&store, "Yesterday Late", "y", DAY - 1).await;
    appointment(&store, "Tomorrow Early", "t", DAY + 86_400_000).await;
    // Two at 09:00: the id breaks the tie, the same way every time.
    for (name, hour) in [("C", 10), ("A", 9), ("B", 9), ("D", 11), ("E", 12)] {
        appointment(&store, name, name, DAY + hour * HOUR).await;
    }
    let whole = store.worklist_day(DAY, DAY + 86_400_000).await.unwrap();
    assert_eq!(
        names(&whole),
        ["A", "B", "C", "D", "E"],
        "the day only, by time"
    );

    let first = store.worklist_page(&day_query(2)).await.unwrap();
    assert_eq!(
        names(&first),
        ["A", "B", "C"],
        "a page and one row to say there is more"
    );
    let second = store
        .worklist_page(&WorklistQuery {
            from: Some(PageDirection::After(key(&first[1]))),
            ..day_query(2)
        })
        .await
        .unwrap();
    assert_eq!(names(&second), ["C", "D", "E"]);
    let last = store
        .worklist_page(&WorklistQuery {
            from: Some(PageDirection::After(key(&second[1]))),
            ..day_query(2)
        })
        .await
        .unwrap();
    assert_eq!(names(&last), ["E"], "no row past the day's last");
    let back = store
        .worklist_page(&WorklistQuery {
            from: Some(PageDirection::Before(key(&second[0]))),
            ..day_query(2)
        })
        .await
        .unwrap();
    assert_eq!(
        names(&back),
        ["A", "B"],
        "paging back gives the rows before, in time order"
    );
}

async fn paging_by_key_neither_repeats_nor_skips_rows_when_appointments_are_added(
    store: Store,
    _url: String,
) {
    for (name, hour) in [("A", 8), ("B", 9), ("C", 10), ("D", 11)] {
        appointment(&store, name, name, DAY + hour * HOUR).await;
    }
    let first = store.worklist_page(&day_query(2)).await.unwrap();
    assert_eq!(names(&first[..2]), ["A", "B"]);
    // Added while staff read page one: one before it, one inside the next page.
    appointment(&store, "Early", "early", DAY + 7 * HOUR).await;
    appointment(&store, "Between", "between", DAY + 10 * HOUR + 1).await;
    let second = store
        .worklist_page(&WorklistQuery {
            from: Some(PageDirection::After(key(&first[1]))),
            ..day_query(2)
        })
        .await
        .unwrap();
    assert_eq!(names(&second), ["C", "Between", "D"]);
}

async fn search_matches_a_whole_name_or_one_of_its_words_in_any_case_or_a_whole_record_number(
    store: Store,
    _url: String,
) {
    appointment(&store, "Maria Garcia", "MRN-100", DAY + 9 * HOUR).await;
    appointment(&store, "Mario Rossi", "MRN-200", DAY + 10 * HOUR).await;
    appointment(&store, "Ana 100% Sure", "MRN-300", DAY + 11 * HOUR).await;
    let search = |text: &str| WorklistQuery {
        search: Some(text.into()),
        ..day_query(50)
    };
    let found = |rows: Vec<WorklistRow>| names(&rows);
    assert_eq!(
        found(
            store
                .worklist_page(&search("  maria   GARCIA "))
                .await
                .unwrap()
        ),
        ["Maria Garcia"],
        "a whole name, whatever its case and spacing"
    );
    assert_eq!(
        found(store.worklist_page(&search("garcia")).await.unwrap()),
        ["Maria Garcia"],
        "one word of a name"
    );
    assert!(
        store
            .worklist_page(&search("MARI"))
            .await
            .unwrap()
            .is_empty(),
        "names are sealed: part of a word finds nothing"
    );
    assert_eq!(
        found(store.worklist_page(&search("mrn-200")).await.unwrap()),
        ["Mario Rossi"]
    );
    assert!(
        store
            .worklist_page(&search("MRN-2"))
            .await
            .unwrap()
            .is_empty(),
        "a record number matches whole"
    );
    assert_eq!(
        found(store.worklist_page(&search("100%")).await.unwrap()),
        ["Ana 100% Sure"],
        "a % is a character, not a wildcard"
    );
}

async fn each_row_carries_the_facts_of_its_newest_link(store: Store, url: String) {
    let none = appointment(&store, "No Link", "n", DAY + 8 * HOUR).await;
    let id = appointment(&store, "Has Links", "h", DAY + 9 * HOUR).await;
    let old = SecretToken::generate();
    store
        .issue_invitation(id, &old.hash(), NOW + 86_400_000, NOW)
        .await
        .unwrap();
    let link = SecretToken::generate();
    let newest = store
        .issue_invitation_by(id, &link.hash(), NOW + 86_400_000, NOW + 1, "staff:x")
        .await
        .unwrap();
    let row = store.worklist_entry(none).await.unwrap();
    assert!(row.link.is_none() && !row.cancelled);
    let fresh = store.worklist_entry(id).await.unwrap().link.unwrap();
    assert_eq!(fresh.invitation_id, newest, "the newest link");
    assert_eq!(fresh.status, LinkStatus::Open);
    assert_eq!((fresh.opened_at, fresh.verified_at), (None, None));
    assert_eq!(
        store.link_status(&old.hash()).await.unwrap(),
        Some(LinkStatus::Revoked)
    );

    // Opened twice: the first time is kept. Verified: recorded in the same transaction.
    let session = SecretToken::generate();
    store
        .open_invitation(&link.hash(), &session.hash(), "csrf", NOW + 10)
        .await
        .unwrap()
        .unwrap();
    store
        .open_invitation(&link.hash(), &SecretToken::generate().hash(), "c", NOW + 20)
        .await
        .unwrap()
        .unwrap();
    assert!(
        store
            .mark_verified(&session.hash(), newest, NOW + 30)
            .await
            .unwrap()
    );
    let draft = Draft {
        form_id: FormId::parse("previsit-basic").unwrap(),
        form_hash: ContentHash::from_stored("abc".into()),
        answers: Answers::default(),
        form_state: FormState::default(),
        sent_at: None,
    };
    store
        .save_draft_at(newest, &draft, Some(1), NOW + 40)
        .await
        .unwrap();
    // A save that names no page (a form version change) keeps the page.
    store.save_draft(newest, &draft, NOW + 50).await.unwrap();
    insert_message(&url, newest, id, "invitation", "failed", NOW + 5).await;
    insert_message(&url, newest, id, "reminder", "sent", NOW + 60).await;

    let link_now = store.worklist_entry(id).await.unwrap().link.unwrap();
    assert_eq!(link_now.opened_at, Some(NOW + 10));
    assert_eq!(link_now.verified_at, Some(NOW + 30));
    assert_eq!(link_now.draft, Some(Some(1)));
    assert_eq!(
        link_now.message,
        Some(LinkMessage::Sent),
        "the newest message"
    );
    assert!(link_now.submission.is_none());
    let messages = store.appointment_messages(id).await.unwrap();
    assert_eq!(
        messages
            .iter()
            .map(|m| m.purpose.as_str())
            .collect::<Vec<_>>(),
        ["reminder", "invitation"],
        "newest first"
    );
    assert_eq!(
        messages[1].last_error.as_deref(),
        Some("550 mailbox unavailable")
    );

    // The day's counts read the same facts, a day at a time, as the rows carry.
    let day = store
        .worklist_day_facts(DAY, DAY + 86_400_000)
        .await
        .unwrap();
    assert_eq!(day.len(), 2, "both of the day's appointments");
    for intake in day {
        let row = store.worklist_entry(intake.appointment_id).await.unwrap();
        assert_eq!(intake.link, row.link, "the same newest link and facts");
        assert_eq!(intake.cancelled, row.cancelled);
        assert_eq!(intake.form_id, row.appointment.details.form_id);
    }
}

/// A message as the outbox records one (the messages module writes these; this test only needs
/// rows to read).
async fn insert_message(
    url: &str,
    invitation: Uuid,
    appointment: Uuid,
    purpose: &str,
    state: &str,
    at: i64,
) {
    let sql = "INSERT INTO messages (id, invitation_id, appointment_id, purpose, channel, recipient, \
               language, subject, state, attempts, next_attempt_at, last_error, created_at, updated_at) \
               VALUES ($1, $2, $3, $4, 'email', 'x@example.org', 'en', 's', $5, 1, $6, $7, $6, $6)";
    let error = (state == "failed").then_some("550 mailbox unavailable");
    if url.starts_with("sqlite:") {
        let pool = sqlx::SqlitePool::connect(url).await.unwrap();
        sqlx::query(sql)
            .bind(Uuid::now_v7())
            .bind(invitation)
            .bind(appointment)
            .bind(purpose)
            .bind(state)
            .bind(at)
            .bind(error)
            .execute(&pool)
            .await
            .unwrap();
    } else {
        let pool = sqlx::PgPool::connect(url).await.unwrap();
        sqlx::query(sql)
            .bind(Uuid::now_v7())
            .bind(invitation)
            .bind(appointment)
            .bind(purpose)
            .bind(state)
            .bind(at)
            .bind(error)
            .execute(&pool)
            .await
            .unwrap();
    }
}

async fn staff_unlock_a_locked_link_and_cancel_an_open_one_with_an_audit_event_each(
    store: Store,
    _url: String,
) {
    let id = appointment(&store, "Locked Out", "l", DAY + 9 * HOUR).await;
    assert!(
        matches!(
            store.unlock_invitation(id, "staff:x", NOW).await,
            Err(StoreError::Conflict(_))
        ),
        "no link yet: nothing to unlock"
    );
    let link = SecretToken::generate();
    let invitation = store
        .issue_invitation(id, &link.hash(), NOW + 86_400_000, NOW)
        .await
        .unwrap();
    assert!(
        matches!(
            store.unlock_invitation(id, "staff:x", NOW).await,
            Err(StoreError::Conflict(_))
        ),
        "an open link is not locked"
    );
    for _ in 0..5 {
        store
            .record_failed_verification(invitation, NOW)
            .await
            .unwrap();
    }
    assert_eq!(
        store.link_status(&link.hash()).await.unwrap(),
        Some(LinkStatus::Locked)
    );
    store
        .unlock_invitation(id, "staff:x", NOW + 1)
        .await
        .unwrap();
    assert_eq!(
        store.link_status(&link.hash()).await.unwrap(),
        Some(LinkStatus::Open)
    );
    // Unlocked means five fresh tries, not one.
    let failed = store
        .record_failed_verification(invitation, NOW + 2)
        .await
        .unwrap();
    assert_eq!((failed.attempts, failed.locked), (1, false));

    store
        .cancel_invitation(id, "staff:y", NOW + 3)
        .await
        .unwrap();
    assert_eq!(
        store.link_status(&link.hash()).await.unwrap(),
        Some(LinkStatus::Revoked)
    );
    assert!(
        matches!(
            store.cancel_invitation(id, "staff:y", NOW + 4).await,
            Err(StoreError::Conflict(_))
        ),
        "nothing left to cancel"
    );
    let trail = store.audit_trail(invitation).await.unwrap();
    let staff_actions: Vec<(&str, &str)> = trail
        .iter()
        .filter(|(_, actor, _)| actor.starts_with("staff:"))
        .map(|(_, actor, action)| (actor.as_str(), action.as_str()))
        .collect();
    assert_eq!(
        staff_actions,
        [
            ("staff:x", "invitation.unlocked"),
            ("staff:y", "invitation.cancelled")
        ]
    );
}
