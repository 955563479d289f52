//! What keeps a staff list or a claim costing the same however much the database holds, on
//! SQLite and on Postgres: the write-back claim reads the outbox in order and stops (two merged
//! ordered reads, migration 0023's index), the clinician's list starts its read at its key, and
//! the queue's count stops at its cap. `scripts/scale.sh` measures the cost; these check that
//! the faster reads still return exactly what the slower ones did.

use intake::{
    intake::QUEUE_COUNT_SHOWN,
    store::{QueueCursor, QueueFilter, Store},
};
use uuid::Uuid;

use crate::{
    helpers::{Backend, TestApp, page},
    queue_pages::waiting,
    store_contract::{NOW, invitation_at, store, submission_at},
};

/// Runs a contract on both backends, each with a fresh database.
macro_rules! on_both_backends {
    ($($contract:ident),* $(,)?) => {$(
        mod $contract {
            use super::*;
            #[tokio::test]
            async fn on_sqlite() { super::$contract(&store(Backend::Sqlite).await.0).await }
            #[tokio::test]
            async fn on_postgres() { super::$contract(&store(Backend::Postgres).await.0).await }
        }
    )*};
}

on_both_backends!(
    claims_take_the_change_due_longest_whether_queued_or_left_by_a_dead_worker,
    the_clinicians_list_pages_forward_and_back_through_equal_visit_times_from_its_key,
);

const LEASE: i64 = 60_000;

/// A submission at `at` whose one change (its QuestionnaireResponse) is due then.
async fn submitted(store: &Store, at: i64) -> Uuid {
    let invitation = invitation_at(store, "Test Patient", NOW).await;
    let new = submission_at(invitation, &[], at);
    store.submit(&new).await.unwrap();
    new.id
}

async fn claims_take_the_change_due_longest_whether_queued_or_left_by_a_dead_worker(store: &Store) {
    // Ten submissions, stored out of the order they fell due in.
    let mut by_due = Vec::new();
    for n in [4, 9, 0, 7, 2, 5, 8, 1, 6, 3] {
        by_due.push((n, submitted(store, NOW - 10_000 + n * 1000).await));
    }
    by_due.sort_unstable();
    let by_due: Vec<Uuid> = by_due.into_iter().map(|(_, id)| id).collect();

    // Two workers take the two oldest, then die.
    for expected in &by_due[..2] {
        let claim = store.claim_next_change(NOW, LEASE).await.unwrap().unwrap();
        assert_eq!(&claim.submission_id, expected);
    }
    // Once their leases lapse the two come first again (they fell due first), each a second
    // attempt, and the rest follow in the order they fell due.
    let later = NOW + LEASE + 1;
    let mut order = Vec::new();
    while let Some(claim) = store.claim_next_change(later, LEASE).await.unwrap() {
        let first_two = by_due[..2].contains(&claim.submission_id);
        assert_eq!(claim.attempts, if first_two { 2 } else { 1 });
        order.push(claim.submission_id);
    }
    assert_eq!(order, by_due, "every change once, oldest due first");
}

async fn the_clinicians_list_pages_forward_and_back_through_equal_visit_times_from_its_key(
    store: &Store,
) {
    // Twelve visits at four times, three at each: pages of five split the ties.
    for n in 0..12 {
        let invitation = invitation_at(store, "Test Patient", NOW + (n % 4) * 3_600_000).await;
        store
            .submit(&submission_at(invitation, &[], NOW))
            .await
            .unwrap();
    }
    let all: Vec<Uuid> = store
        .list_submissions()
        .await
        .unwrap()
        .iter()
        .map(|s| s.id)
        .collect();
    assert_eq!(all.len(), 12);
    let ids = |rows: Vec<intake::store::SubmissionOverview>| -> Vec<Uuid> {
        rows.iter().map(|s| s.id).collect()
    };
    let mut forward = Vec::new();
    let mut from = None;
    loop {
        let mut page = ids(store.submissions_page(from, 5).await.unwrap());
        let more = page.len() > 5;
        page.truncate(5);
        from = page.last().copied().map(QueueCursor::After);
        forward.extend(page);
        if !more {
            break;
        }
    }
    assert_eq!(
        forward, all,
        "forward, neither repeating nor skipping a row"
    );
    // Back from the last row: the five before it in the list's order, with the one before
    // them that says there is an earlier page.
    let back = ids(store
        .submissions_page(Some(QueueCursor::Before(all[11])), 5)
        .await
        .unwrap());
    assert_eq!(back, all[5..11]);
    let back = ids(store
        .submissions_page(Some(QueueCursor::Before(all[3])), 5)
        .await
        .unwrap());
    assert_eq!(back, all[..3], "the first rows, and no more");
}

#[tokio::test]
async fn the_queue_and_the_worklist_count_waiting_changes_to_a_hundred_then_say_more() {
    let app = TestApp::spawn_with(crate::helpers::Options {
        worker: false,
        ..crate::helpers::Options::default()
    })
    .await;
    // 51 submissions of two held allergies: 102 waiting, one past the cap.
    waiting(&app, 51, 2).await;
    let cap = usize::try_from(QUEUE_COUNT_SHOWN).unwrap();
    let counted = app
        .services
        .store
        .count_exceptions_capped(&QueueFilter::default(), QUEUE_COUNT_SHOWN)
        .await
        .unwrap();
    assert_eq!(counted, QUEUE_COUNT_SHOWN + 1, "it stops one past the cap");
    let clinician = app.signed_in("clinician").await;
    let queue = page(&clinician, &app.url("/staff/exceptions")).await;
    assert!(
        queue.contains(&format!("<strong>{cap}+ waiting</strong>")),
        "{queue}"
    );
    // The allergies are the clinician's: the front desk's worklist counts none of them.
    let desk = app.signed_in("frontdesk").await;
    let worklist = page(&desk, &app.url("/staff")).await;
    assert!(
        worklist.contains("Exception queue: 0 waiting"),
        "{worklist}"
    );
    app.stop().await;
}
