//! One store contract, run on SQLite and on Postgres.

use std::collections::HashSet;

use intake::{
    domain::{BirthDate, PatientIdentifier, PatientName, SecretToken},
    engine::{Answer, Answers},
    forms::{ContentHash, FormId},
    mapping::{ExtractContext, HoldReason, PostingPolicy, Route, extract},
    store::{ChangeState, NewAppointment, NewSubmission, Store, StoreError},
};
use uuid::Uuid;

use crate::helpers::{Backend, fresh_database};

/// Runs a contract on both backends, each with a fresh database.
macro_rules! on_both_backends {
    ($($contract:ident),* $(,)?) => {$(
        mod $contract {
            use super::*;
            #[tokio::test]
            async fn on_sqlite() { super::$contract(store(Backend::Sqlite).await.0).await }
            #[tokio::test]
            async fn on_postgres() { super::$contract(store(Backend::Postgres).await.0).await }
        }
    )*};
}

on_both_backends!(
    a_submission_stores_its_changes_as_the_policy_routed_them_and_only_once,
    the_outbox_leases_a_change_to_one_worker_and_keeps_one_in_flight_per_submission,
    concurrent_workers_never_claim_the_same_change,
    five_failed_verifications_lock_an_invitation_for_good,
    a_resolved_exception_cannot_be_resolved_again,
);

async fn store(backend: Backend) -> (Store, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let url = fresh_database(backend, dir.path()).await;
    (
        Store::connect(&url).await.expect("connect and migrate"),
        dir,
    )
}

const NOW: i64 = 1_795_300_000_000;
const LEASE: i64 = 60_000;

/// An appointment and an open invitation; returns the invitation id.
async fn invitation(store: &Store) -> Uuid {
    let appointment = NewAppointment {
        patient: PatientIdentifier {
            system: "urn:mrn".into(),
            value: Uuid::new_v4().to_string(),
        },
        patient_name: PatientName::new("Test Patient"),
        patient_birth_date: BirthDate::from_chart("1970-01-01").unwrap(),
        patient_ref: "Patient/t".into(),
        starts_at: NOW,
        visit_type: "Follow-up".into(),
        form_id: FormId::parse("previsit-basic").unwrap(),
    };
    let appointment_id = store.insert_appointment(&appointment, NOW).await.unwrap();
    store
        .issue_invitation(
            appointment_id,
            &SecretToken::generate().hash(),
            NOW + 86_400_000,
            NOW,
        )
        .await
        .unwrap()
}

/// A submission with one QuestionnaireResponse (queued) and `allergies` held allergies.
fn submission(invitation_id: Uuid, allergies: &[&str]) -> NewSubmission {
    let form = intake::app::load_forms(concat!(env!("CARGO_MANIFEST_DIR"), "/forms").as_ref())
        .unwrap()
        .get(&FormId::parse("previsit-basic").unwrap())
        .unwrap();
    let mut answers = Answers::default();
    answers.set("reason", vec![Answer::String("Check-up".into())]);
    answers.set(
        "new_allergies",
        allergies
            .iter()
            .map(|a| Answer::String((*a).into()))
            .collect(),
    );
    let id = Uuid::now_v7();
    let context = ExtractContext {
        submission_id: id,
        patient_reference: "Patient/t",
        authored: "2026-11-22T10:00:00Z",
    };
    let policy = PostingPolicy::default();
    let changes = extract(&form, &answers, &context)
        .into_iter()
        .map(|c| {
            let r = policy.route(&c, "previsit-basic");
            (c, r)
        })
        .collect();
    NewSubmission {
        id,
        invitation_id,
        form_id: form.id.clone(),
        form_hash: ContentHash::from_stored(form.content_hash.as_str().to_owned()),
        answers,
        patient_ref: "Patient/t".into(),
        submitted_at: NOW,
        changes,
    }
}

async fn a_submission_stores_its_changes_as_the_policy_routed_them_and_only_once(store: Store) {
    let invitation_id = invitation(&store).await;
    let new = submission(invitation_id, &["Latex", "Peanuts"]);
    assert!(matches!(
        new.changes[1].1,
        Route::Hold(HoldReason::PatientReportedNeedsReview)
    ));
    store.submit(&new).await.unwrap();
    let changes = store.changes_for_submission(new.id).await.unwrap();
    let states: Vec<_> = changes.iter().map(|c| c.state).collect();
    assert_eq!(
        states,
        [ChangeState::Queued, ChangeState::Held, ChangeState::Held]
    );
    assert_eq!(store.list_exceptions().await.unwrap().len(), 2);
    let again = submission(invitation_id, &["Latex"]);
    assert!(matches!(
        store.submit(&again).await,
        Err(StoreError::Conflict(_))
    ));
    assert_eq!(
        store.list_submissions().await.unwrap().len(),
        1,
        "the refused submission left nothing behind"
    );
    assert_eq!(store.list_exceptions().await.unwrap().len(), 2);
}

async fn the_outbox_leases_a_change_to_one_worker_and_keeps_one_in_flight_per_submission(
    store: Store,
) {
    let new = submission(invitation(&store).await, &["Latex"]);
    store.submit(&new).await.unwrap();
    store
        .approve_change(new.changes[1].0.identifier.0, "staff:test", NOW)
        .await
        .unwrap();

    let first = store
        .claim_next_change(NOW, LEASE)
        .await
        .unwrap()
        .expect("a due change");
    assert_eq!(first.attempts, 1);
    assert!(
        store.claim_next_change(NOW, LEASE).await.unwrap().is_none(),
        "one request in flight per submission"
    );

    // The worker died: once its lease runs out another worker takes the change over.
    let taken_over = store
        .claim_next_change(NOW + LEASE + 1, LEASE)
        .await
        .unwrap()
        .expect("lease expired");
    assert_eq!(
        (taken_over.identifier, taken_over.attempts),
        (first.identifier, 2)
    );

    // The first worker wakes up late: its outcome no longer applies, and nothing is audited for it.
    assert!(
        !store
            .mark_failed(
                &first,
                HoldReason::RejectedByEhr,
                "timed out",
                NOW + LEASE + 2
            )
            .await
            .unwrap()
    );
    assert_eq!(
        store.find_change(first.identifier.0).await.unwrap().state,
        ChangeState::Sending
    );
    assert!(
        store
            .mark_posted(&taken_over, "ehr-1", NOW + LEASE + 2)
            .await
            .unwrap()
    );
    assert_eq!(
        store.find_change(first.identifier.0).await.unwrap().state,
        ChangeState::Posted
    );
    let second = store
        .claim_next_change(NOW + LEASE + 3, LEASE)
        .await
        .unwrap()
        .expect("the next change");
    assert_ne!(second.identifier, first.identifier);
    store
        .reschedule_change(&second, NOW + 10 * LEASE, "HTTP 503", NOW + LEASE + 4)
        .await
        .unwrap();
    assert!(
        store
            .claim_next_change(NOW + 5 * LEASE, LEASE)
            .await
            .unwrap()
            .is_none(),
        "not before the retry time"
    );
    let retried = store
        .claim_next_change(NOW + 10 * LEASE, LEASE)
        .await
        .unwrap()
        .expect("due again");
    store
        .mark_failed(
            &retried,
            HoldReason::RejectedByEhr,
            "error: invalid code",
            NOW + 10 * LEASE,
        )
        .await
        .unwrap();
    let failed = store.find_change(second.identifier.0).await.unwrap();
    assert_eq!(failed.state, ChangeState::Failed);
    assert_eq!(failed.last_error.as_deref(), Some("error: invalid code"));
    assert_eq!(failed.hold_reason, Some(HoldReason::RejectedByEhr));
    let trail: Vec<String> = store
        .audit_trail(second.identifier.0)
        .await
        .unwrap()
        .into_iter()
        .map(|(_, _, a)| a)
        .collect();
    assert_eq!(
        trail,
        ["change.approved", "change.retry_scheduled", "change.failed"]
    );
}

async fn concurrent_workers_never_claim_the_same_change(store: Store) {
    for _ in 0..12 {
        store
            .submit(&submission(invitation(&store).await, &[]))
            .await
            .unwrap();
    }
    let workers = (0..6).map(|_| {
        let store = store.clone();
        tokio::spawn(async move {
            let mut claimed = Vec::new();
            while let Some(change) = store.claim_next_change(NOW, LEASE).await.unwrap() {
                claimed.push(change.identifier);
            }
            claimed
        })
    });
    let mut all = Vec::new();
    for worker in workers {
        all.extend(worker.await.unwrap());
    }
    let distinct: HashSet<_> = all.iter().collect();
    assert_eq!(
        (all.len(), distinct.len()),
        (12, 12),
        "every change claimed exactly once"
    );
}

async fn five_failed_verifications_lock_an_invitation_for_good(store: Store) {
    let invitation_id = invitation(&store).await;
    let guesses: Vec<_> = (0..7)
        .map(|_| {
            let store = store.clone();
            tokio::spawn(async move {
                store
                    .record_failed_verification(invitation_id, NOW)
                    .await
                    .unwrap()
            })
        })
        .collect();
    let mut locked = 0;
    for guess in guesses {
        locked += usize::from(guess.await.unwrap().locked);
    }
    assert_eq!(
        locked, 1,
        "exactly one of seven parallel guesses locks the link"
    );
    let link = SecretToken::generate();
    assert!(
        store
            .open_invitation(&link.hash(), &SecretToken::generate().hash(), "c", NOW)
            .await
            .unwrap()
            .is_none()
    );
}

async fn a_resolved_exception_cannot_be_resolved_again(store: Store) {
    let new = submission(invitation(&store).await, &["Latex"]);
    store.submit(&new).await.unwrap();
    let allergy = new.changes[1].0.identifier.0;
    store
        .reject_change(allergy, "staff:test", "duplicate of chart entry", NOW)
        .await
        .unwrap();
    assert!(matches!(
        store.approve_change(allergy, "staff:test", NOW).await,
        Err(StoreError::Conflict(_))
    ));
    assert!(matches!(
        store
            .approve_change(Uuid::new_v4(), "staff:test", NOW)
            .await,
        Err(StoreError::NotFound)
    ));
    assert_eq!(
        store.find_change(allergy).await.unwrap().state,
        ChangeState::Rejected
    );
}
