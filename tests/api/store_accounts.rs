//! The store contract of staff accounts and the staff audit, on SQLite and on Postgres.

use intake::{
    domain::{SecretToken, StaffRole},
    store::{AccountChange, AuditQuery, NewStaffUser, StaffAudit, Store, StoreError, Viewed},
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
    account_changes_end_sessions_and_are_audited_in_the_same_transaction,
    a_totp_step_and_a_recovery_code_are_each_spent_once,
    failed_sign_ins_count_per_username_until_a_success_clears_them,
    audit_pages_run_newest_first_by_key_and_stay_put_under_inserts,
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

fn event(at: i64, actor: &str, action: &'static str) -> StaffAudit {
    StaffAudit {
        at,
        actor: actor.into(),
        action,
        subject_kind: "staff_user",
        subject_id: Uuid::nil(),
        detail: serde_json::json!({}),
        source: Some("192.0.2.7".into()),
    }
}

pub(crate) async fn new_user(store: &Store, username: &str, role: StaffRole) -> Uuid {
    let new = NewStaffUser {
        username: username.into(),
        display_name: username.into(),
        role,
        password_hash: "$argon2id$not-a-real-hash".into(),
    };
    store
        .create_staff_user(&new, &event(NOW, "cli", "staff.account_added"))
        .await
        .unwrap()
}

async fn session(store: &Store, user: Uuid) -> SecretToken {
    let token = SecretToken::generate();
    store
        .create_staff_session(&token.hash(), user, "csrf", NOW)
        .await
        .unwrap();
    token
}

async fn account_changes_end_sessions_and_are_audited_in_the_same_transaction(store: Store) {
    let ada = new_user(&store, "ada", StaffRole::Admin).await;
    let duplicate = NewStaffUser {
        username: "ada".into(),
        display_name: "Other".into(),
        role: StaffRole::Clinician,
        password_hash: "x".into(),
    };
    assert!(matches!(
        store
            .create_staff_user(&duplicate, &event(NOW, "cli", "staff.account_added"))
            .await,
        Err(StoreError::Conflict(_))
    ));
    let user = store.find_staff_user("ada").await.unwrap().unwrap();
    assert_eq!(
        (user.role, user.must_change_password, user.totp_enrolled),
        (StaffRole::Admin, true, false)
    );

    // A password change keeps the session that made it and ends the others.
    let (kept, other) = (session(&store, ada).await, session(&store, ada).await);
    let change = AccountChange::Password {
        hash: "new".into(),
        must_change: false,
        keep: Some(kept.hash()),
    };
    store
        .change_staff_user(
            ada,
            &change,
            &event(NOW + 1, "staff:x", "staff.password_changed"),
        )
        .await
        .unwrap();
    assert!(
        store
            .find_staff_session(&kept.hash(), NOW + 2)
            .await
            .unwrap()
            .is_some()
    );
    assert!(
        store
            .find_staff_session(&other.hash(), NOW + 2)
            .await
            .unwrap()
            .is_none()
    );
    assert!(
        !store
            .find_staff_user("ada")
            .await
            .unwrap()
            .unwrap()
            .must_change_password
    );

    // Role and disable end every session; a disabled account has no session at all.
    store
        .change_staff_user(
            ada,
            &AccountChange::Role(StaffRole::Clinician),
            &event(NOW + 3, "cli", "staff.role_changed"),
        )
        .await
        .unwrap();
    assert!(
        store
            .find_staff_session(&kept.hash(), NOW + 4)
            .await
            .unwrap()
            .is_none()
    );
    let late = session(&store, ada).await;
    store
        .change_staff_user(
            ada,
            &AccountChange::Disable,
            &event(NOW + 5, "cli", "staff.account_disabled"),
        )
        .await
        .unwrap();
    assert!(
        store
            .find_staff_session(&late.hash(), NOW + 6)
            .await
            .unwrap()
            .is_none()
    );
    assert_eq!(
        store
            .find_staff_user("ada")
            .await
            .unwrap()
            .unwrap()
            .disabled_at,
        Some(NOW + 5)
    );
    assert!(matches!(
        store
            .change_staff_user(
                Uuid::now_v7(),
                &AccountChange::Disable,
                &event(NOW, "cli", "staff.account_disabled")
            )
            .await,
        Err(StoreError::NotFound)
    ));
    let page = store
        .audit_page(&AuditQuery {
            limit: 10,
            ..AuditQuery::default()
        })
        .await
        .unwrap();
    let actions: Vec<&str> = page.iter().map(|e| e.action.as_str()).collect();
    assert_eq!(
        actions,
        [
            "staff.account_disabled",
            "staff.role_changed",
            "staff.password_changed",
            "staff.account_added"
        ],
        "the refused changes wrote no event"
    );
    assert_eq!(page[0].source.as_deref(), Some("192.0.2.7"));
}

async fn a_totp_step_and_a_recovery_code_are_each_spent_once(store: Store) {
    let ada = new_user(&store, "ada", StaffRole::Admin).await;
    let token = session(&store, ada).await;
    store.offer_totp(ada, "JBSWY3DPEHPK3PXP").await.unwrap();
    let hashes = vec!["h1".to_owned(), "h2".to_owned()];
    let enrolled = event(NOW, "staff:x", "staff.second_factor_enrolled");
    assert!(matches!(
        store
            .enrol_totp(ada, "SOMETHINGELSE", 10, &hashes, &token.hash(), &enrolled)
            .await,
        Err(StoreError::Conflict(_))
    ));
    store
        .enrol_totp(
            ada,
            "JBSWY3DPEHPK3PXP",
            10,
            &hashes,
            &token.hash(),
            &enrolled,
        )
        .await
        .unwrap();
    let (secret, offered, last) = store.totp_secrets(ada).await.unwrap();
    assert_eq!(
        (secret.as_deref(), offered, last),
        (Some("JBSWY3DPEHPK3PXP"), None, Some(10))
    );
    assert!(
        store
            .find_staff_session(&token.hash(), NOW)
            .await
            .unwrap()
            .unwrap()
            .second_factor_at
            .is_some()
    );
    let used = event(NOW, "staff:x", "staff.second_factor_used");
    assert!(
        !store
            .spend_totp_step(ada, 10, &token.hash(), &used)
            .await
            .unwrap(),
        "the enrolment's step is spent"
    );
    assert!(
        store
            .spend_totp_step(ada, 11, &token.hash(), &used)
            .await
            .unwrap()
    );
    assert!(
        !store
            .spend_totp_step(ada, 11, &token.hash(), &used)
            .await
            .unwrap()
    );
    let recovery = event(NOW, "staff:x", "staff.recovery_code_used");
    assert!(
        store
            .spend_recovery_code(ada, "h2", &token.hash(), &recovery)
            .await
            .unwrap()
    );
    assert!(
        !store
            .spend_recovery_code(ada, "h2", &token.hash(), &recovery)
            .await
            .unwrap()
    );
    assert!(
        !store
            .spend_recovery_code(ada, "h3", &token.hash(), &recovery)
            .await
            .unwrap()
    );
    assert_eq!(store.unused_recovery_codes(ada).await.unwrap(), 1);
}

async fn failed_sign_ins_count_per_username_until_a_success_clears_them(store: Store) {
    for at in [NOW, NOW + 10, NOW + 20] {
        store
            .record_sign_in_failure("ada", &event(at, "anonymous", "staff.sign_in_failed"))
            .await
            .unwrap();
    }
    assert_eq!(store.sign_in_failures("ada").await.unwrap(), (3, NOW + 20));
    assert_eq!(store.sign_in_failures("bo").await.unwrap(), (0, 0));
    // A day later, old names are forgotten on the next failure of any name.
    store
        .record_sign_in_failure(
            "bo",
            &event(NOW + 86_400_021, "anonymous", "staff.sign_in_failed"),
        )
        .await
        .unwrap();
    assert_eq!(store.sign_in_failures("ada").await.unwrap(), (0, 0));
    store.clear_sign_in_failures("bo").await.unwrap();
    assert_eq!(store.sign_in_failures("bo").await.unwrap(), (0, 0));
}

async fn audit_pages_run_newest_first_by_key_and_stay_put_under_inserts(store: Store) {
    // 120 events by three actors, several sharing a millisecond.
    for i in 0..120_i64 {
        let actor = ["staff:a", "staff:b", "cli"][usize::try_from(i % 3).unwrap()];
        let action = if i % 2 == 0 {
            "staff.signed_in"
        } else {
            "staff.signed_out"
        };
        store
            .record_staff_audit(&event(NOW + i / 4, actor, action))
            .await
            .unwrap();
    }
    let mut query = AuditQuery {
        actor: Some("staff:a".into()),
        limit: 15,
        ..AuditQuery::default()
    };
    let mut seen = Vec::new();
    loop {
        let page = store.audit_page(&query).await.unwrap();
        // Inserts at the head never move the pages after it.
        store
            .record_staff_audit(&event(NOW + 1_000, "staff:a", "staff.signed_in"))
            .await
            .unwrap();
        let Some(last) = page.last() else { break };
        query.before = Some((last.at, last.id));
        seen.extend(page.into_iter().map(|e| (e.at, e.id)));
    }
    assert_eq!(seen.len(), 40, "every event of staff:a once");
    assert!(
        seen.windows(2).all(|w| w[0] > w[1]),
        "newest first, strictly"
    );
    let ranged = store
        .audit_page(&AuditQuery {
            action: Some("staff.signed_out".into()),
            from: Some(NOW + 10),
            until: Some(NOW + 20),
            limit: 100,
            ..AuditQuery::default()
        })
        .await
        .unwrap();
    assert_eq!(ranged.len(), 20);
    assert!(
        ranged
            .iter()
            .all(|e| (NOW + 10..NOW + 20).contains(&e.at) && e.action == "staff.signed_out")
    );
    // Views name their patient only when there is one.
    store
        .record_view(
            &event(NOW, "staff:a", "patient_data.viewed"),
            Viewed::Submission(Uuid::now_v7()),
        )
        .await
        .unwrap();
    let view = &store
        .audit_page(&AuditQuery {
            action: Some("patient_data.viewed".into()),
            limit: 1,
            ..AuditQuery::default()
        })
        .await
        .unwrap()[0];
    assert_eq!(
        (view.subject_kind.as_str(), view.patient.as_deref()),
        ("submission", None)
    );
    // On SQLite, every filter reads its index in order: no sort of the whole table.
    for query in [
        AuditQuery {
            limit: 50,
            ..AuditQuery::default()
        },
        AuditQuery {
            actor: Some("staff:a".into()),
            before: Some((NOW, Uuid::nil())),
            limit: 50,
            ..AuditQuery::default()
        },
        AuditQuery {
            action: Some("staff.signed_in".into()),
            from: Some(NOW),
            limit: 50,
            ..AuditQuery::default()
        },
        AuditQuery {
            patient: Some("MRN-1".into()),
            until: Some(NOW),
            limit: 50,
            ..AuditQuery::default()
        },
    ] {
        if let Some(plan) = store.explain_audit_page(&query).await.unwrap() {
            let plan = plan.join(" | ");
            assert!(
                plan.contains("USING INDEX audit_events_")
                    || plan.contains("USING COVERING INDEX audit_events_"),
                "{plan}"
            );
            assert!(!plan.contains("TEMP B-TREE"), "{plan}");
        }
    }
}
