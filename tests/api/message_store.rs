//! The message outbox's store contract, on SQLite and on Postgres: one message per invitation
//! and purpose, one sender per message, bodies kept only until a message is finished.

use std::collections::HashSet;

use intake::{
    domain::{
        BirthDate, Channel, MessageState, PatientIdentifier, PatientName, Purpose, SecretToken,
    },
    forms::FormId,
    store::{ABANDONED, InvitationMessages, MessageEnding, NewAppointment, NewMessage, Store},
};
use uuid::Uuid;

use crate::helpers::{Backend, fresh_database};

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
    the_planner_invites_an_appointment_once_and_staff_replace_the_link_cancelling_its_queued_messages,
    concurrent_senders_never_claim_the_same_message,
    a_message_whose_sender_stopped_mid_send_is_failed_and_never_sent_again,
    a_retry_keeps_the_body_and_a_sent_message_keeps_none,
    code_messages_are_numbered_and_a_failed_one_ends_its_code,
    queued_messages_of_a_replaced_link_or_a_visit_begun_are_cancelled_by_the_tidy_round,
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
const HOUR: i64 = 3_600_000;
const LEASE: i64 = 60_000;

async fn appointment(store: &Store, starts_at: i64) -> Uuid {
    let appointment = NewAppointment {
        patient: PatientIdentifier {
            system: "urn:mrn".into(),
            value: Uuid::new_v4().to_string(),
        },
        patient_name: PatientName::new("Test Patient"),
        patient_birth_date: BirthDate::from_chart("1970-01-01").unwrap(),
        patient_ref: "Patient/t".into(),
        starts_at,
        visit_type: "Follow-up".into(),
        form_id: FormId::parse("previsit-basic").unwrap(),
    };
    store.insert_appointment(&appointment, NOW).await.unwrap()
}

fn message(invitation_id: Uuid, appointment_id: Uuid, purpose: Purpose, due_at: i64) -> NewMessage {
    NewMessage {
        id: Uuid::now_v7(),
        invitation_id: Some(invitation_id),
        appointment_id: Some(appointment_id),
        purpose,
        channel: Channel::Sms,
        recipient: "+15550100".into(),
        language: "en".into(),
        subject: "subject".into(),
        body: "Clinic: https://intake.example/i/token".into(),
        due_at,
    }
}

/// Invites `appointment_id` (as the planner when `planner`), with its reminder; returns the
/// invitation id, or `None` when the planner found it invited already.
async fn invite(store: &Store, appointment_id: Uuid, planner: bool, now: i64) -> Option<Uuid> {
    let invitation_id = Uuid::now_v7();
    let stored = store
        .queue_invitation(
            &InvitationMessages {
                invitation_id,
                appointment_id,
                token: SecretToken::generate().hash(),
                expires_at: now + 14 * 24 * HOUR,
                messages: vec![
                    message(invitation_id, appointment_id, Purpose::Invitation, now),
                    message(
                        invitation_id,
                        appointment_id,
                        Purpose::Reminder,
                        now + 24 * HOUR,
                    ),
                ],
                actor: if planner {
                    "system".into()
                } else {
                    "staff:x".into()
                },
                only_if_uninvited: planner,
            },
            now,
        )
        .await
        .unwrap();
    stored.then_some(invitation_id)
}

async fn the_planner_invites_an_appointment_once_and_staff_replace_the_link_cancelling_its_queued_messages(
    store: Store,
) {
    let appointment_id = appointment(&store, NOW + 48 * HOUR).await;
    assert!(
        !store
            .message_target(appointment_id)
            .await
            .unwrap()
            .invited_before
    );
    let first = invite(&store, appointment_id, true, NOW)
        .await
        .expect("invited");
    assert!(
        invite(&store, appointment_id, true, NOW).await.is_none(),
        "the planner invites once"
    );
    assert!(
        store
            .message_target(appointment_id)
            .await
            .unwrap()
            .invited_before
    );
    assert!(
        store
            .appointments_to_invite(NOW, NOW + 72 * HOUR, 10)
            .await
            .unwrap()
            .is_empty()
    );

    let second = invite(&store, appointment_id, false, NOW + 1)
        .await
        .expect("staff re-send");
    for (id, _) in store.messages_of_invitation(first).await.unwrap() {
        let record = store.message_record(id).await.unwrap();
        assert_eq!(record.state, MessageState::Cancelled);
        assert!(!record.body_kept, "a cancelled message keeps no link");
    }
    let fresh: Vec<Purpose> = store
        .messages_of_invitation(second)
        .await
        .unwrap()
        .into_iter()
        .map(|(_, purpose)| purpose)
        .collect();
    assert_eq!(fresh, [Purpose::Invitation, Purpose::Reminder]);
}

async fn concurrent_senders_never_claim_the_same_message(store: Store) {
    for _ in 0..12 {
        let appointment_id = appointment(&store, NOW + 48 * HOUR).await;
        invite(&store, appointment_id, true, NOW).await.unwrap();
    }
    let mut tasks = Vec::new();
    for _ in 0..6 {
        let store = store.clone();
        tasks.push(tokio::spawn(async move {
            let mut claimed = Vec::new();
            while let Some(claim) = store.claim_next_message(NOW, LEASE).await.unwrap() {
                claimed.push(claim.id);
            }
            claimed
        }));
    }
    let mut all = Vec::new();
    for task in tasks {
        all.extend(task.await.unwrap());
    }
    let unique: HashSet<Uuid> = all.iter().copied().collect();
    // Twelve invitations are due now; their reminders are not.
    assert_eq!((all.len(), unique.len()), (12, 12));
}

async fn a_message_whose_sender_stopped_mid_send_is_failed_and_never_sent_again(store: Store) {
    let appointment_id = appointment(&store, NOW + 48 * HOUR).await;
    let invitation_id = invite(&store, appointment_id, true, NOW).await.unwrap();
    let claim = store.claim_next_message(NOW, LEASE).await.unwrap().unwrap();
    assert_eq!(claim.invitation_id, Some(invitation_id));
    // The sender died: its lease runs out, and the next sender finds nothing to send.
    assert!(
        store
            .claim_next_message(NOW + LEASE + 1, LEASE)
            .await
            .unwrap()
            .is_none()
    );
    let record = store.message_record(claim.id).await.unwrap();
    assert_eq!(record.state, MessageState::Failed);
    assert_eq!(record.last_error.as_deref(), Some(ABANDONED));
    assert!(!record.body_kept);
    // The dead sender's late answer changes nothing.
    assert!(
        !store
            .finish_message(&claim, &MessageEnding::Sent, NOW + LEASE + 2)
            .await
            .unwrap()
    );
    assert_eq!(
        store.message_record(claim.id).await.unwrap().state,
        MessageState::Failed
    );
}

async fn a_retry_keeps_the_body_and_a_sent_message_keeps_none(store: Store) {
    let appointment_id = appointment(&store, NOW + 48 * HOUR).await;
    invite(&store, appointment_id, true, NOW).await.unwrap();
    let claim = store.claim_next_message(NOW, LEASE).await.unwrap().unwrap();
    let retry = MessageEnding::Retry {
        at: NOW + 5000,
        error: "HTTP 503: try later".into(),
    };
    assert!(
        store
            .finish_message(&claim, &retry, NOW + 10)
            .await
            .unwrap()
    );
    let record = store.message_record(claim.id).await.unwrap();
    assert_eq!(
        (record.state, record.attempts, record.body_kept),
        (MessageState::Queued, 1, true)
    );
    assert!(
        store
            .claim_next_message(NOW + 4999, LEASE)
            .await
            .unwrap()
            .is_none(),
        "not before its time"
    );
    let again = store
        .claim_next_message(NOW + 5000, LEASE)
        .await
        .unwrap()
        .unwrap();
    assert_eq!((again.id, again.attempts), (claim.id, 2));
    assert!(again.body.is_some());
    assert!(
        store
            .finish_message(&again, &MessageEnding::Sent, NOW + 5010)
            .await
            .unwrap()
    );
    let record = store.message_record(claim.id).await.unwrap();
    assert_eq!(
        (record.state, record.body_kept, record.last_error),
        (MessageState::Sent, false, None)
    );
    let statuses = store
        .messages_of_appointments(&[appointment_id])
        .await
        .unwrap();
    assert_eq!(statuses.len(), 2, "the invitation and its reminder");
    assert_eq!(statuses[0].sent_at, Some(NOW + 5010));
}

async fn code_messages_are_numbered_and_a_failed_one_ends_its_code(store: Store) {
    let appointment_id = appointment(&store, NOW + 48 * HOUR).await;
    let invitation_id = invite(&store, appointment_id, false, NOW).await.unwrap();
    // The invitation goes first, out of the way.
    let claim = store.claim_next_message(NOW, LEASE).await.unwrap().unwrap();
    store
        .finish_message(&claim, &MessageEnding::Sent, NOW)
        .await
        .unwrap();
    let rules = intake::store::CodeRules {
        min_interval: 0,
        max_sends: 5,
    };
    for n in 1..=2 {
        let code = intake::domain::OneTimeCode::generate();
        store
            .issue_code(
                invitation_id,
                &code.hash(invitation_id),
                NOW + n,
                NOW + 600_000,
                rules,
            )
            .await
            .unwrap();
        let mut queued = message(invitation_id, appointment_id, Purpose::OneTimeCode, NOW + n);
        queued.appointment_id = None;
        store.queue_code_message(&queued, NOW + n).await.unwrap();
    }
    let codes: Vec<Uuid> = store
        .messages_of_invitation(invitation_id)
        .await
        .unwrap()
        .into_iter()
        .filter(|(_, purpose)| *purpose == Purpose::OneTimeCode)
        .map(|(id, _)| id)
        .collect();
    let first = store.message_record(codes[0]).await.unwrap();
    let second = store.message_record(codes[1]).await.unwrap();
    assert_eq!(
        (first.sequence, first.state),
        (1, MessageState::Cancelled),
        "the newer code replaced it"
    );
    assert_eq!((second.sequence, second.state), (2, MessageState::Queued));
    let claim = store
        .claim_next_message(NOW + 10, LEASE)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(claim.id, codes[1]);
    assert_eq!(
        claim.appointment_id,
        Some(appointment_id),
        "taken from the invitation"
    );
    store
        .finish_message(
            &claim,
            &MessageEnding::Failed("HTTP 400: not a mobile number".into()),
            NOW + 20,
        )
        .await
        .unwrap();
    let code = store.load_code(invitation_id).await.unwrap().unwrap();
    assert!(
        !code.is_live(NOW + 20),
        "a code that never went out no longer holds back a new one"
    );
}

async fn queued_messages_of_a_replaced_link_or_a_visit_begun_are_cancelled_by_the_tidy_round(
    store: Store,
) {
    let soon = appointment(&store, NOW + 2 * HOUR).await;
    invite(&store, soon, true, NOW).await.unwrap();
    let later = appointment(&store, NOW + 48 * HOUR).await;
    let later_invitation = invite(&store, later, true, NOW).await.unwrap();
    // Two hours on, the first visit has begun; the second is still to come.
    let cancelled = store
        .tidy_queued_messages(NOW + 2 * HOUR, 24 * HOUR)
        .await
        .unwrap();
    assert_eq!(cancelled, 2, "the first visit's invitation and reminder");
    for (id, _) in store
        .messages_of_invitation(later_invitation)
        .await
        .unwrap()
    {
        assert_eq!(
            store.message_record(id).await.unwrap().state,
            MessageState::Queued
        );
    }
}
