//! One store contract, run on SQLite and on Postgres.

use std::collections::HashSet;

use intake::{
    domain::{BirthDate, OneTimeCode, PatientIdentifier, PatientName, Phrase, SecretToken},
    engine::{Answer, Answers},
    forms::{ContentHash, FormId},
    mapping::{
        ChangeSummary, ChartSnapshot, EntryKind, ExtractContext, HoldReason, PostingPolicy,
        ResourceType, Reviewer, Route, extract,
    },
    store::{
        AttemptOutcome, ChangeState, CodeIssue, CodeRules, NewAppointment, NewSubmission,
        QueueCursor, QueueFilter, QueueSort, Store, StoreError,
    },
};
use uuid::Uuid;

use crate::helpers::{Backend, fresh_database, in_english};

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
    concurrent_workers_keep_one_send_in_flight_per_submission,
    five_failed_verifications_lock_an_invitation_for_good,
    a_resolved_exception_cannot_be_resolved_again,
    a_failed_change_retried_by_staff_goes_back_to_the_outbox_and_every_send_is_kept,
    an_edited_change_replaces_the_proposal_and_keeps_what_was_extracted,
    the_queue_filters_by_reason_type_and_state_and_sorts_by_age_or_groups_by_patient,
    the_queue_pages_by_key_in_every_order_without_repeats_or_gaps_while_changes_arrive,
    a_submission_history_holds_the_chart_read_every_send_and_every_event,
    a_one_time_code_is_kept_hashed_used_once_until_it_expires_and_counts_toward_the_lock,
    parallel_requests_for_a_new_code_send_only_one,
    a_submission_keeps_its_language_and_staff_notes_and_each_clinicians_review_mark_once,
    an_expired_code_is_purged_only_once_its_link_cannot_be_used,
    appointments_list_by_start_a_page_at_a_time_without_repeats_or_gaps,
);

/// A change's summary is stored as message ids with the patient's words, and reads back as
/// the same English; a row stored as English text before reads as that text, and one naming a
/// message this version lacks reads as its words: neither is an error.
mod a_summary_reads_back_in_the_same_words_whatever_version_stored_it {
    use super::*;
    #[tokio::test]
    async fn on_sqlite() {
        super::stored_summaries(Backend::Sqlite).await
    }
    #[tokio::test]
    async fn on_postgres() {
        super::stored_summaries(Backend::Postgres).await
    }
}

async fn stored_summaries(backend: Backend) {
    let dir = tempfile::tempdir().unwrap();
    let url = fresh_database(backend, dir.path()).await;
    let store = Store::connect(&url).await.expect("connect and migrate");
    let new = submission(invitation(&store).await, &["Latex"]);
    store.submit(&new).await.unwrap();
    let latex = new.changes[1].change.identifier.0;
    assert_eq!(in_english(&new.changes[1].change.summary), "Allergy: Latex");
    let change = store.find_change(latex).await.unwrap();
    assert_eq!(change.summary, new.changes[1].change.summary);
    assert_eq!(in_english(&change.summary), "Allergy: Latex");
    let aad = intake::crypt::aad("proposed_changes.summary", latex);
    let column = || async {
        let sealed: String = match backend {
            Backend::Sqlite => {
                let pool = sqlx::SqlitePool::connect(&url).await.unwrap();
                sqlx::query_scalar("SELECT summary FROM proposed_changes WHERE id = $1")
                    .bind(latex)
                    .fetch_one(&pool)
                    .await
                    .unwrap()
            }
            Backend::Postgres => {
                let pool = sqlx::PgPool::connect(&url).await.unwrap();
                sqlx::query_scalar("SELECT summary FROM proposed_changes WHERE id = $1")
                    .bind(latex)
                    .fetch_one(&pool)
                    .await
                    .unwrap()
            }
        };
        store.sealer().open_text(&sealed, &aad).unwrap()
    };
    let stored = column().await;
    assert!(
        stored.starts_with('{') && !stored.contains("Allergy"),
        "message ids, not English: {stored}"
    );

    let write = |plain: &'static str| {
        let sealed = store.sealer().seal_text(plain, &aad).unwrap();
        let url = url.clone();
        async move {
            let update = "UPDATE proposed_changes SET summary = $2 WHERE id = $1";
            match backend {
                Backend::Sqlite => {
                    let pool = sqlx::SqlitePool::connect(&url).await.unwrap();
                    sqlx::query(update)
                        .bind(latex)
                        .bind(sealed)
                        .execute(&pool)
                        .await
                        .unwrap();
                }
                Backend::Postgres => {
                    let pool = sqlx::PgPool::connect(&url).await.unwrap();
                    sqlx::query(update)
                        .bind(latex)
                        .bind(sealed)
                        .execute(&pool)
                        .await
                        .unwrap();
                }
            }
        }
    };
    let summaries = || async {
        let queue = store
            .find_exceptions(&QueueFilter::default())
            .await
            .unwrap();
        queue
            .iter()
            .map(|e| in_english(&e.change.summary))
            .collect::<Vec<_>>()
    };
    write("Allergy: Latex (stored as text)").await;
    assert_eq!(
        in_english(&store.find_change(latex).await.unwrap().summary),
        "Allergy: Latex (stored as text)"
    );
    assert_eq!(summaries().await, ["Allergy: Latex (stored as text)"]);
    write(r#"{"composed":{"id":"change-summary-from-a-later-version","parts":[["value",{"verbatim":"Latex"}]]}}"#).await;
    assert_eq!(summaries().await, ["Latex"]);
    write(r#"{"composed":{"id":"change-summary-allergy","parts":[["renamed",{"verbatim":"Latex"}]]}}"#).await;
    assert_eq!(summaries().await, ["Latex"]);
}

pub(crate) async fn store(backend: Backend) -> (Store, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let url = fresh_database(backend, dir.path()).await;
    (
        Store::connect(&url).await.expect("connect and migrate"),
        dir,
    )
}

pub(crate) const NOW: i64 = 1_795_300_000_000;
const LEASE: i64 = 60_000;

/// An appointment and an open invitation; returns the invitation id.
async fn invitation(store: &Store) -> Uuid {
    invitation_for(store, "Test Patient").await
}

/// An appointment for the patient `name` and an open invitation; returns the invitation id.
pub(crate) async fn invitation_for(store: &Store, name: &str) -> Uuid {
    invitation_at(store, name, NOW).await
}

/// An appointment for the patient `name` starting at `starts_at`, and an open invitation;
/// returns the invitation id.
pub(crate) async fn invitation_at(store: &Store, name: &str, starts_at: i64) -> Uuid {
    let appointment = NewAppointment {
        patient: PatientIdentifier {
            system: "urn:mrn".into(),
            value: Uuid::new_v4().to_string(),
        },
        patient_name: PatientName::new(name),
        patient_birth_date: BirthDate::from_chart("1970-01-01").unwrap(),
        patient_ref: "Patient/t".into(),
        starts_at,
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
    submission_at(invitation_id, allergies, NOW)
}

/// [`submission`], submitted at `at`.
pub(crate) fn submission_at(invitation_id: Uuid, allergies: &[&str], at: i64) -> NewSubmission {
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
        words: intake::i18n::Language::english(),
        submission_id: id,
        patient_reference: "Patient/t",
        authored: "2026-11-22T10:00:00Z",
    };
    let policy = PostingPolicy::default();
    let changes = extract(&form, &answers, &context)
        .into_iter()
        .map(|c| policy.decide(c, "previsit-basic"))
        .collect();
    NewSubmission {
        id,
        invitation_id,
        form_id: form.id.clone(),
        form_hash: ContentHash::from_stored(form.content_hash.as_str().to_owned()),
        answers,
        patient_ref: "Patient/t".into(),
        submitted_at: at,
        changes,
        consents: vec![intake::summary::ConsentRecord {
            title: "I agree to be treated".into(),
            version: "2026-01".into(),
            agreed: true,
            signed_name: Some("Test Patient".into()),
            drawn: Some(intake::engine::FileRef {
                id: Uuid::from_u128(0x51),
                content_type: "image/png".into(),
                size: 1234,
                sha1: "c2lnbmF0dXJl".into(),
            }),
            recorded_at: at,
        }],
        language: "en".into(),
        staff_notes: Vec::new(),
        flags: vec![intake::engine::RaisedFlag {
            id: "bp_severe".into(),
            item_id: "bp_readings".into(),
            severity: intake::forms::Severity::Urgent,
            message: intake::forms::Text::english("Contact the patient today."),
            audience: vec![intake::forms::Audience::Clinician],
        }],
    }
}

async fn a_submission_stores_its_changes_as_the_policy_routed_them_and_only_once(store: Store) {
    let invitation_id = invitation(&store).await;
    let new = submission(invitation_id, &["Latex", "Peanuts"]);
    assert!(matches!(
        new.changes[1].route,
        Route::Hold(HoldReason::PatientReportedNeedsReview)
    ));
    store.submit(&new).await.unwrap();
    let found = store.find_submission(new.id).await.unwrap();
    assert_eq!(
        found.consents, new.consents,
        "the consent is kept as recorded"
    );
    assert_eq!(found.flags, new.flags, "and so are the flags");
    let appointments = store.list_appointments(None, 1000).await.unwrap();
    assert_eq!(
        appointments[0].flags, new.flags,
        "the appointment shows its submission's flags"
    );
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
        .approve_change(new.changes[1].change.identifier.0, "staff:test", NOW)
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
        [
            "change.held",
            "change.approved",
            "change.retry_scheduled",
            "change.failed"
        ]
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

async fn concurrent_workers_keep_one_send_in_flight_per_submission(store: Store) {
    // Two submissions whose every change posts on its own: four changes each.
    for _ in 0..2 {
        let mut new = submission(
            invitation(&store).await,
            &["Latex", "Penicillin", "Shellfish"],
        );
        for routed in &mut new.changes {
            routed.route = Route::Post;
        }
        store.submit(&new).await.unwrap();
    }
    // Eight workers claim at once and hold what they claimed.
    let claims = (0..8).map(|_| {
        let store = store.clone();
        tokio::spawn(async move { store.claim_next_change(NOW, LEASE).await.unwrap() })
    });
    let mut in_flight = Vec::new();
    for claim in claims {
        in_flight.extend(claim.await.unwrap().map(|c| c.submission_id));
    }
    let submissions: HashSet<_> = in_flight.iter().collect();
    assert_eq!(
        (in_flight.len(), submissions.len()),
        (2, 2),
        "one send in flight per submission, and both submissions served"
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
    let allergy = new.changes[1].change.identifier.0;
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

/// Sends every due change: `failing` is refused by the EHR with `words`, the others post.
async fn send_all(store: &Store, failing: Uuid, words: &str, now: i64) {
    while let Some(claim) = store.claim_next_change(now, LEASE).await.unwrap() {
        if claim.identifier.0 == failing {
            assert!(
                store
                    .mark_failed(&claim, HoldReason::RejectedByEhr, words, now)
                    .await
                    .unwrap()
            );
        } else {
            let id = format!("ehr-{}", claim.identifier.0);
            assert!(store.mark_posted(&claim, &id, now).await.unwrap());
        }
    }
}

async fn a_failed_change_retried_by_staff_goes_back_to_the_outbox_and_every_send_is_kept(
    store: Store,
) {
    let new = submission(invitation(&store).await, &["Latex", "Peanuts"]);
    store.submit(&new).await.unwrap();
    let (latex, peanuts) = (
        new.changes[1].change.identifier.0,
        new.changes[2].change.identifier.0,
    );
    assert!(
        matches!(
            store
                .retry_change(latex, "staff:a", serde_json::json!({}), NOW)
                .await,
            Err(StoreError::Conflict(_))
        ),
        "a held change is accepted, not retried"
    );
    store.approve_change(latex, "staff:a", NOW).await.unwrap();
    send_all(&store, latex, "HTTP 422: unknown code", NOW + 1).await;
    let failed = store.find_change(latex).await.unwrap();
    assert_eq!(failed.state, ChangeState::Failed);

    store
        .retry_change(latex, "staff:b", serde_json::json!({}), NOW + 2)
        .await
        .unwrap();
    assert_eq!(
        store.find_change(latex).await.unwrap().state,
        ChangeState::Queued
    );
    send_all(&store, Uuid::nil(), "", NOW + 3).await;
    assert_eq!(
        store.find_change(latex).await.unwrap().state,
        ChangeState::Posted
    );

    let attempts = store.attempts_of(latex).await.unwrap();
    let seen: Vec<_> = attempts
        .iter()
        .map(|a| {
            (
                a.number,
                a.started_at,
                a.finished_at,
                a.outcome,
                a.ehr_words.as_deref(),
            )
        })
        .collect();
    assert_eq!(
        seen,
        [
            (
                1,
                NOW + 1,
                Some(NOW + 1),
                Some(AttemptOutcome::Failed),
                Some("HTTP 422: unknown code")
            ),
            (
                2,
                NOW + 3,
                Some(NOW + 3),
                Some(AttemptOutcome::Posted),
                None
            ),
        ]
    );
    assert_eq!(attempts[1].ehr_resource_id, Some(format!("ehr-{latex}")));
    let events: Vec<(String, String)> = store
        .audit_events(latex)
        .await
        .unwrap()
        .into_iter()
        .map(|e| (e.actor, e.action))
        .collect();
    assert!(
        events.contains(&("staff:b".into(), "change.retried".into())),
        "{events:?}"
    );
    assert!(
        matches!(
            store
                .retry_change(latex, "staff:b", serde_json::json!({}), NOW + 4)
                .await,
            Err(StoreError::Conflict(_))
        ),
        "a posted change is not retried"
    );
    assert!(
        store.attempts_of(peanuts).await.unwrap().is_empty(),
        "a held change was never sent"
    );
}

async fn an_edited_change_replaces_the_proposal_and_keeps_what_was_extracted(store: Store) {
    let new = submission(invitation(&store).await, &["Latex"]);
    store.submit(&new).await.unwrap();
    let latex = new.changes[1].change.identifier.0;
    let extracted = store.find_change(latex).await.unwrap().resource;
    let mut edited = extracted.clone();
    edited["code"] = serde_json::json!({ "text": "Latex gloves" });
    store
        .edit_change(
            latex,
            "staff:a",
            (
                edited.clone(),
                ChangeSummary::entry(EntryKind::Allergy, Phrase::verbatim("Latex gloves")),
            ),
            &["code.text"],
            NOW + 1,
        )
        .await
        .unwrap();
    let change = store.find_change(latex).await.unwrap();
    assert_eq!(
        change.state,
        ChangeState::Queued,
        "an edit accepts the change"
    );
    assert_eq!(change.resource, edited);
    assert_eq!(in_english(&change.summary), "Allergy: Latex gloves");
    assert_eq!(change.original_resource, Some(extracted));
    let edit = store.audit_events(latex).await.unwrap().pop().unwrap();
    assert_eq!(
        (edit.actor.as_str(), edit.action.as_str(), &edit.detail),
        (
            "staff:a",
            "change.edited",
            &serde_json::json!({ "fields": ["code.text"] })
        )
    );
    assert!(matches!(
        store
            .edit_change(
                latex,
                "staff:a",
                (edited, ChangeSummary::verbatim("")),
                &[],
                NOW + 2
            )
            .await,
        Err(StoreError::Conflict(_))
    ));
    let claimed = store
        .claim_next_change(NOW + 3, LEASE)
        .await
        .unwrap()
        .unwrap();
    store.mark_posted(&claimed, "qr", NOW + 3).await.unwrap();
    let claimed = store
        .claim_next_change(NOW + 3, LEASE)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        claimed.resource["code"]["text"], "Latex gloves",
        "the edit is what is sent"
    );
}

async fn the_queue_filters_by_reason_type_and_state_and_sorts_by_age_or_groups_by_patient(
    store: Store,
) {
    let minute = 60_000;
    let bob = submission_at(
        invitation_for(&store, "Bob Young").await,
        &["Dust", "Pollen"],
        NOW,
    );
    let adam = submission_at(
        invitation_for(&store, "adam Zane").await,
        &["Latex"],
        NOW + minute,
    );
    let carl = submission_at(
        invitation_for(&store, "Carl Ray").await,
        &["Mold"],
        NOW + 2 * minute,
    );
    for new in [&bob, &adam, &carl] {
        store.submit(new).await.unwrap();
    }
    let dust = bob.changes[1].change.identifier.0;
    store
        .approve_change(dust, "staff:a", NOW + 3 * minute)
        .await
        .unwrap();
    send_all(&store, dust, "HTTP 400", NOW + 3 * minute).await;

    let list = |filter: QueueFilter| {
        let store = store.clone();
        async move {
            store
                .find_exceptions(&filter)
                .await
                .unwrap()
                .into_iter()
                .map(|e| in_english(&e.change.summary).replace("Allergy: ", ""))
                .collect::<Vec<_>>()
        }
    };
    let all = QueueFilter::default();
    assert_eq!(
        list(all).await,
        ["Dust", "Pollen", "Latex", "Mold"],
        "oldest first"
    );
    assert_eq!(
        list(QueueFilter {
            sort: QueueSort::NewestFirst,
            ..all
        })
        .await,
        ["Mold", "Latex", "Pollen", "Dust"],
        "newest first is oldest first reversed, to the change within a submission"
    );
    // Names are sealed, so "by patient" groups each patient's changes together (in the order
    // of their names' keyed hashes, not of the names), oldest first within a patient.
    let by_patient = list(QueueFilter {
        sort: QueueSort::Patient,
        ..all
    })
    .await;
    let mut groups: Vec<Vec<&str>> = Vec::new();
    for summary in &by_patient {
        let group = if ["Dust", "Pollen"].contains(&summary.as_str()) {
            "bob"
        } else {
            summary.as_str()
        };
        match groups.last_mut() {
            Some(last) if last[0] == group => last.push(summary.as_str()),
            _ => groups.push(vec![group, summary.as_str()]),
        }
    }
    assert_eq!(by_patient.len(), 4, "{by_patient:?}");
    assert_eq!(
        groups.len(),
        3,
        "each patient's changes together: {by_patient:?}"
    );
    assert!(
        groups.contains(&vec!["bob", "Dust", "Pollen"]),
        "{by_patient:?}"
    );
    assert_eq!(
        list(QueueFilter {
            state: Some(ChangeState::Failed),
            ..all
        })
        .await,
        ["Dust"]
    );
    assert_eq!(
        list(QueueFilter {
            reason: Some(HoldReason::RejectedByEhr),
            ..all
        })
        .await,
        ["Dust"]
    );
    assert!(
        list(QueueFilter {
            resource_type: Some(ResourceType::Condition),
            ..all
        })
        .await
        .is_empty()
    );
    assert_eq!(
        list(QueueFilter {
            reason: Some(HoldReason::PatientReportedNeedsReview),
            resource_type: Some(ResourceType::AllergyIntolerance),
            state: Some(ChangeState::Held),
            reviewer: Some(Reviewer::Clinician),
            sort: QueueSort::NewestFirst,
        })
        .await,
        ["Mold", "Latex", "Pollen"]
    );
    // Reported allergies are a clinician's to decide: none waits for the front desk.
    assert!(
        list(QueueFilter {
            reviewer: Some(Reviewer::FrontDesk),
            resource_type: Some(ResourceType::AllergyIntolerance),
            ..all
        })
        .await
        .is_empty()
    );
}

async fn a_submission_history_holds_the_chart_read_every_send_and_every_event(store: Store) {
    let invitation_id = invitation(&store).await;
    store
        .save_chart_read(invitation_id, &ChartSnapshot::default(), NOW - 5_000)
        .await
        .unwrap();
    let new = submission(invitation_id, &["Latex", "Dust"]);
    store.submit(&new).await.unwrap();
    let (latex, dust) = (
        new.changes[1].change.identifier.0,
        new.changes[2].change.identifier.0,
    );
    store
        .approve_change(latex, "staff:a", NOW + 1)
        .await
        .unwrap();
    store
        .reject_change(dust, "staff:a", "duplicate", NOW + 1)
        .await
        .unwrap();
    send_all(&store, Uuid::nil(), "", NOW + 2).await;

    let history = store.submission_history(new.id).await.unwrap();
    assert_eq!(history.chart_read_at, Some(NOW - 5_000));
    assert_eq!(history.submitted_at, NOW);
    assert_eq!(history.form_id, "previsit-basic");
    assert_eq!(history.changes.len(), new.changes.len());
    let sent: HashSet<Uuid> = history.attempts.iter().map(|a| a.change_id).collect();
    assert!(
        sent.contains(&latex) && !sent.contains(&dust),
        "the rejected change was never sent"
    );
    let actions: Vec<&str> = history.events.iter().map(|e| e.action.as_str()).collect();
    assert_eq!(actions[0], "submission.received");
    for expected in [
        "change.queued",
        "change.held",
        "change.approved",
        "change.rejected",
        "change.posted",
    ] {
        assert!(actions.contains(&expected), "{expected} in {actions:?}");
    }
    assert!(
        history.events.windows(2).all(|w| w[0].at <= w[1].at),
        "oldest first"
    );
    assert!(matches!(
        store.submission_history(Uuid::new_v4()).await,
        Err(StoreError::NotFound)
    ));
}

/// An open invitation and a patient session on it: `(invitation id, session token)`.
pub(crate) async fn patient_session(store: &Store) -> (Uuid, SecretToken) {
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
    let link = SecretToken::generate();
    let invitation_id = store
        .issue_invitation(appointment_id, &link.hash(), NOW + 86_400_000, NOW)
        .await
        .unwrap();
    let session = SecretToken::generate();
    let opened = store
        .open_invitation(&link.hash(), &session.hash(), "csrf", NOW)
        .await
        .unwrap();
    assert_eq!(opened, Some(invitation_id));
    (invitation_id, session)
}

const CODE_RULES: CodeRules = CodeRules {
    min_interval: 60_000,
    max_sends: 3,
};
const CODE_LIFETIME: i64 = 600_000;

async fn a_one_time_code_is_kept_hashed_used_once_until_it_expires_and_counts_toward_the_lock(
    store: Store,
) {
    let (invitation_id, session) = patient_session(&store).await;
    let code = OneTimeCode::parse("123456").unwrap();
    let hash = code.hash(invitation_id);
    let issued = store
        .issue_code(invitation_id, &hash, NOW, NOW + CODE_LIFETIME, CODE_RULES)
        .await
        .unwrap();
    assert_eq!(issued, CodeIssue::Issued { sends: 1 });
    let stored = store.load_code(invitation_id).await.unwrap().unwrap();
    assert!(stored.hash.matches(&hash) && !stored.hash.as_str().contains("123456"));
    assert!(stored.is_live(NOW) && !stored.is_live(NOW + CODE_LIFETIME));

    assert!(
        !store
            .redeem_code(&session.hash(), invitation_id, &hash, NOW + 1)
            .await
            .unwrap(),
        "the date of birth comes first"
    );
    assert!(!store.load_code(invitation_id).await.unwrap().unwrap().used);
    assert!(
        store
            .mark_birth_date_proven(&session.hash(), invitation_id, NOW)
            .await
            .unwrap()
    );
    let other = OneTimeCode::parse("654321").unwrap().hash(invitation_id);
    assert!(
        !store
            .redeem_code(&session.hash(), invitation_id, &other, NOW + 1)
            .await
            .unwrap(),
        "only the code sent"
    );
    assert!(
        !store
            .redeem_code(&session.hash(), invitation_id, &hash, NOW + CODE_LIFETIME)
            .await
            .unwrap(),
        "not once expired"
    );
    assert!(
        store
            .redeem_code(&session.hash(), invitation_id, &hash, NOW + 1)
            .await
            .unwrap()
    );
    let found = store
        .find_patient_session(&session.hash(), NOW + 2)
        .await
        .unwrap()
        .unwrap();
    assert!(found.verified && found.birth_date_proven);
    assert!(
        !store
            .redeem_code(&session.hash(), invitation_id, &hash, NOW + 3)
            .await
            .unwrap(),
        "once only"
    );

    // A used code is replaced at once; a live one not within the interval; none past the cap.
    let next = |at: i64| {
        let store = store.clone();
        async move {
            let hash = OneTimeCode::generate().hash(invitation_id);
            store
                .issue_code(invitation_id, &hash, at, at + CODE_LIFETIME, CODE_RULES)
                .await
                .unwrap()
        }
    };
    assert_eq!(next(NOW + 10_000).await, CodeIssue::Issued { sends: 2 });
    assert_eq!(
        next(NOW + 20_000).await,
        CodeIssue::TooSoon {
            next_at: NOW + 70_000
        }
    );
    assert_eq!(next(NOW + 70_000).await, CodeIssue::Issued { sends: 3 });
    assert_eq!(next(NOW + 200_000).await, CodeIssue::NoMoreCodes);

    // Wrong codes count with wrong dates of birth: at the lock, the right code opens nothing.
    let (locked_id, locked_session) = patient_session(&store).await;
    let right = OneTimeCode::parse("000001").unwrap().hash(locked_id);
    store
        .issue_code(locked_id, &right, NOW, NOW + CODE_LIFETIME, CODE_RULES)
        .await
        .unwrap();
    assert!(
        store
            .mark_birth_date_proven(&locked_session.hash(), locked_id, NOW)
            .await
            .unwrap()
    );
    for attempt in 1..=5 {
        let failed = store
            .record_failed_verification(locked_id, NOW)
            .await
            .unwrap();
        assert_eq!((failed.attempts, failed.locked), (attempt, attempt == 5));
    }
    assert!(
        !store
            .redeem_code(&locked_session.hash(), locked_id, &right, NOW + 1)
            .await
            .unwrap()
    );
    assert!(!store.load_code(locked_id).await.unwrap().unwrap().used);
}

async fn parallel_requests_for_a_new_code_send_only_one(store: Store) {
    let (invitation_id, _) = patient_session(&store).await;
    let first = OneTimeCode::generate().hash(invitation_id);
    store
        .issue_code(invitation_id, &first, NOW, NOW + CODE_LIFETIME, CODE_RULES)
        .await
        .unwrap();
    let at = NOW + 61_000;
    let requests: Vec<_> = (0..6)
        .map(|_| {
            let store = store.clone();
            tokio::spawn(async move {
                let hash = OneTimeCode::generate().hash(invitation_id);
                store
                    .issue_code(invitation_id, &hash, at, at + CODE_LIFETIME, CODE_RULES)
                    .await
                    .unwrap()
            })
        })
        .collect();
    let mut issued = 0;
    for request in requests {
        issued += usize::from(matches!(request.await.unwrap(), CodeIssue::Issued { .. }));
    }
    assert_eq!(issued, 1, "one new code, however many clicks");
}

/// Cutoffs that delete nothing but what `now` makes expired.
fn cutoffs_at(now: i64) -> intake::store::RetentionCutoffs {
    intake::store::RetentionCutoffs {
        now,
        drafts_visit_before: 0,
        answers_submitted_before: 0,
        staff_seen_before: 0,
        staff_created_before: 0,
        patient_seen_before: 0,
    }
}

async fn an_expired_code_is_purged_only_once_its_link_cannot_be_used(store: Store) {
    let invitation_id = invitation(&store).await;
    let hash = OneTimeCode::parse("123456").unwrap().hash(invitation_id);
    store
        .issue_code(invitation_id, &hash, NOW, NOW + CODE_LIFETIME, CODE_RULES)
        .await
        .unwrap();
    // Expired, but the link still works: the row keeps counting the codes sent to it.
    let early = store.purge(&cutoffs_at(NOW + 3_600_000)).await.unwrap();
    assert_eq!(early.one_time_codes, 0);
    assert!(store.load_code(invitation_id).await.unwrap().is_some());
    // The link expired a day after it was issued: the code goes.
    let late = store
        .purge(&cutoffs_at(NOW + 2 * 86_400_000))
        .await
        .unwrap();
    assert_eq!(late.one_time_codes, 1);
    assert!(store.load_code(invitation_id).await.unwrap().is_none());
    assert_eq!(late.drafts + late.answers + late.staff_sessions, 0);
}

/// Every page of the queue in `filter`'s order, `size` rows at a time, following the "next"
/// cursor; `between` runs before each page after the first (changes arriving meanwhile).
async fn every_page<F, Fut>(
    store: &Store,
    filter: &QueueFilter,
    size: i64,
    mut between: F,
) -> Vec<Vec<Uuid>>
where
    F: FnMut(usize) -> Fut,
    Fut: std::future::Future<Output = ()>,
{
    let mut pages = Vec::new();
    let mut from = None;
    loop {
        if !pages.is_empty() {
            between(pages.len()).await;
        }
        let mut rows: Vec<Uuid> = store
            .exceptions_page(filter, from, size)
            .await
            .unwrap()
            .into_iter()
            .map(|item| item.change.identifier.0)
            .collect();
        let more = rows.len() > usize::try_from(size).unwrap();
        rows.truncate(usize::try_from(size).unwrap());
        from = rows.last().map(|id| QueueCursor::After(*id));
        pages.push(rows);
        if !more {
            return pages;
        }
    }
}

async fn the_queue_pages_by_key_in_every_order_without_repeats_or_gaps_while_changes_arrive(
    store: Store,
) {
    let minute = 60_000;
    // Ties on purpose: two submissions at the same time, and several changes per submission.
    let names = [
        "Mia Stone",
        "ana Berg",
        "Zoe Park",
        "Ana Berg",
        "Leo Quist",
        "Ida Moss",
    ];
    for (n, name) in names.iter().enumerate() {
        let at = NOW + i64::try_from(n / 2).unwrap() * minute;
        let new = submission_at(invitation_for(&store, name).await, &["Dust", "Pollen"], at);
        store.submit(&new).await.unwrap();
    }
    let arrived = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    for sort in [
        QueueSort::OldestFirst,
        QueueSort::NewestFirst,
        QueueSort::Patient,
    ] {
        let filter = QueueFilter {
            sort,
            reviewer: Some(Reviewer::Clinician),
            ..QueueFilter::default()
        };
        let before: Vec<Uuid> = store
            .find_exceptions(&filter)
            .await
            .unwrap()
            .into_iter()
            .map(|item| item.change.identifier.0)
            .collect();
        assert_eq!(before.len(), 12 + arrived.lock().unwrap().len());
        let pages = every_page(&store, &filter, 5, |page| {
            let (store, arrived) = (store.clone(), arrived.clone());
            async move {
                // A new submission arrives between pages: the newest of all, by a patient whose
                // name sorts first.
                let at = NOW + 100 * minute + i64::try_from(page).unwrap();
                let new = submission_at(
                    invitation_for(&store, "Aaron Able").await,
                    &["Mold", "Latex"],
                    at,
                );
                store.submit(&new).await.unwrap();
                arrived.lock().unwrap().extend(
                    new.changes
                        .iter()
                        .filter(|c| matches!(c.route, Route::Hold(_)))
                        .map(|c| c.change.identifier.0),
                );
            }
        })
        .await;
        let seen: Vec<Uuid> = pages.concat();
        let unique: HashSet<&Uuid> = seen.iter().collect();
        assert_eq!(unique.len(), seen.len(), "{sort:?}: no row on two pages");
        let kept: Vec<Uuid> = seen
            .iter()
            .copied()
            .filter(|id| before.contains(id))
            .collect();
        assert_eq!(
            kept, before,
            "{sort:?}: every row that was waiting, once, in order"
        );

        // Back from the last page, page by page, the same pages come again.
        let last = pages.last().unwrap();
        let mut cursor = last.first().copied();
        let mut back = Vec::new();
        while let Some(id) = cursor {
            let mut rows: Vec<Uuid> = store
                .exceptions_page(&filter, Some(QueueCursor::Before(id)), 5)
                .await
                .unwrap()
                .into_iter()
                .map(|item| item.change.identifier.0)
                .collect();
            if rows.len() > 5 {
                rows.remove(0);
            }
            cursor = rows.first().copied();
            back.splice(0..0, rows);
        }
        let forward: Vec<Uuid> = store
            .find_exceptions(&filter)
            .await
            .unwrap()
            .into_iter()
            .map(|item| item.change.identifier.0)
            .take_while(|id| Some(id) != last.first())
            .collect();
        assert_eq!(back, forward, "{sort:?}: previous pages read the list back");
    }

    let clinical = QueueFilter {
        reviewer: Some(Reviewer::Clinician),
        ..QueueFilter::default()
    };
    let waiting = i64::try_from(store.find_exceptions(&clinical).await.unwrap().len()).unwrap();
    assert_eq!(
        store
            .count_exceptions_capped(&clinical, 1000)
            .await
            .unwrap(),
        waiting
    );
    assert_eq!(
        store.count_exceptions_capped(&clinical, 5).await.unwrap(),
        6,
        "the count stops one past its cap"
    );
    let front_desk = QueueFilter {
        reviewer: Some(Reviewer::FrontDesk),
        ..QueueFilter::default()
    };
    assert_eq!(
        store
            .count_exceptions_capped(&front_desk, 1000)
            .await
            .unwrap(),
        0
    );
    // A cursor naming no change reads as the first page.
    let first = store.exceptions_page(&clinical, None, 5).await.unwrap();
    let unknown = store
        .exceptions_page(&clinical, Some(QueueCursor::After(Uuid::new_v4())), 5)
        .await
        .unwrap();
    let ids = |items: &[intake::store::ExceptionItem]| {
        items
            .iter()
            .map(|i| i.change.identifier.0)
            .collect::<Vec<_>>()
    };
    assert_eq!(ids(&unknown), ids(&first));
}

async fn a_submission_keeps_its_language_and_staff_notes_and_each_clinicians_review_mark_once(
    store: Store,
) {
    let mut new = submission(invitation(&store).await, &["Latex"]);
    new.language = "es".into();
    new.staff_notes = vec![intake::summary::StaffNote {
        marker: "Call me before the visit".into(),
        answers: vec!["Call you first?: Yes".into()],
    }];
    store.submit(&new).await.unwrap();
    let found = store.find_submission(new.id).await.unwrap();
    assert_eq!(found.language.as_deref(), Some("es"));
    let lee =
        crate::store_accounts::new_user(&store, "lee", intake::store::StaffRole::Clinician).await;
    let ortiz =
        crate::store_accounts::new_user(&store, "ortiz", intake::store::StaffRole::Clinician).await;
    let event = |who: Uuid, at: i64| intake::store::StaffAudit {
        at,
        actor: intake::store::staff_actor(who),
        action: "submission.reviewed",
        subject_kind: "submission",
        subject_id: new.id,
        detail: serde_json::json!({}),
        source: None,
    };
    assert!(
        store
            .mark_reviewed(new.id, lee, &event(lee, NOW))
            .await
            .unwrap()
    );
    assert!(
        !store
            .mark_reviewed(new.id, lee, &event(lee, NOW + 1))
            .await
            .unwrap(),
        "a second mark by the same clinician changes nothing"
    );
    assert!(
        store
            .mark_reviewed(new.id, ortiz, &event(ortiz, NOW + 2))
            .await
            .unwrap()
    );
    let marks = store.review_marks(new.id).await.unwrap();
    let seen: Vec<(&str, i64)> = marks
        .iter()
        .map(|m| (m.staff_name.as_str(), m.reviewed_at))
        .collect();
    assert_eq!(seen, [("lee", NOW), ("ortiz", NOW + 2)]);
    assert_eq!(
        store.list_submissions().await.unwrap()[0].reviewed_by,
        ["lee", "ortiz"]
    );
    assert!(matches!(
        store
            .mark_reviewed(Uuid::new_v4(), lee, &event(lee, NOW))
            .await,
        Err(StoreError::NotFound)
    ));
    let audited = store
        .audit_page(&intake::store::AuditQuery {
            action: Some("submission.reviewed".into()),
            limit: 10,
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(audited.len(), 2, "one audit event per new mark");
}

async fn appointments_list_by_start_a_page_at_a_time_without_repeats_or_gaps(store: Store) {
    // Two at each start, so a page boundary falls between equal starts and the id decides.
    let mut made = Vec::new();
    for n in 0..7 {
        invitation_at(&store, "Paged Patient", NOW + (n / 2) * 60_000).await;
        made.push(NOW + (n / 2) * 60_000);
    }
    let mut seen = Vec::new();
    let mut after = None;
    loop {
        let page = store.list_appointments(after, 3).await.unwrap();
        assert!(page.len() <= 3);
        let Some(last) = page.last() else { break };
        after = Some(last.appointment.key());
        seen.extend(page.iter().map(|o| o.appointment.key()));
    }
    assert_eq!(seen.len(), 7, "every appointment once");
    assert!(
        seen.windows(2)
            .all(|w| (w[0].starts_at, w[0].id) < (w[1].starts_at, w[1].id))
    );
    let starts: Vec<i64> = seen.iter().map(|k| k.starts_at).collect();
    assert_eq!(starts, made);
}
