//! Answer saves kept fast without losing any: a draft is written over only at the version it
//! was read (so a draft kept in one process's memory never overwrites a save made through
//! another), and a patient session is written only when its last request is a minute old.

use intake::{
    engine::{Answer, Answers},
    forms::{ContentHash, FormId},
    store::{Draft, FormState, SESSION_TOUCH_EVERY, Store},
};

use crate::{
    helpers::{Backend, Options, TestApp, fresh_database, location, page, verified},
    store_contract::{NOW, patient_session, store},
};

macro_rules! on_both_backends {
    ($($contract:ident),* $(,)?) => {$(
        mod $contract {
            use super::*;
            #[tokio::test]
            async fn on_sqlite() { super::$contract(Backend::Sqlite).await }
            #[tokio::test]
            async fn on_postgres() { super::$contract(Backend::Postgres).await }
        }
    )*};
}

on_both_backends!(
    a_draft_is_written_over_only_at_the_version_it_was_read,
    a_patient_session_is_written_at_most_once_a_minute,
    a_save_through_one_server_keeps_what_the_patient_saved_through_another,
);

fn draft(reason: &str) -> Draft {
    let mut answers = Answers::default();
    answers.set("reason", vec![Answer::String(reason.to_owned())]);
    Draft {
        form_id: FormId::parse("previsit-basic").unwrap(),
        form_hash: ContentHash::from_stored("abc".into()),
        answers,
        form_state: FormState {
            recheck: vec!["history".to_owned()],
            ..FormState::default()
        },
        sent_at: None,
    }
}

fn reason(draft: &Draft) -> &[Answer] {
    draft.answers.get("reason")
}

async fn a_draft_is_written_over_only_at_the_version_it_was_read(backend: Backend) {
    let (store, _dir) = store(backend).await;
    let (id, _) = patient_session(&store).await;
    let save = |draft: Draft, state_changed: bool, read: Option<i64>| {
        let store: Store = store.clone();
        async move {
            store
                .save_draft_over(id, &draft, state_changed, Some(0), read, NOW)
                .await
                .unwrap()
        }
    };
    assert_eq!(save(draft("first"), false, None).await, Some(1));
    assert_eq!(
        save(draft("second tab"), false, None).await,
        None,
        "a new draft is not written over one stored meanwhile"
    );
    let mut changed = draft("second");
    changed.form_state.recheck.clear();
    assert_eq!(save(changed, false, Some(1)).await, Some(2));
    assert_eq!(
        save(draft("stale"), true, Some(1)).await,
        None,
        "a save over a version no longer stored writes nothing"
    );
    let (stored, version) = store.load_draft_version(id).await.unwrap().unwrap();
    assert_eq!(version, 2);
    assert_eq!(reason(&stored), [Answer::String("second".to_owned())]);
    assert_eq!(
        stored.form_state.recheck,
        ["history"],
        "the form state is written only when it changed"
    );

    // A save that does not check the version still counts it up, so kept copies go stale.
    store.save_draft(id, &draft("migrated"), NOW).await.unwrap();
    assert_eq!(save(draft("kept"), false, Some(2)).await, None);
    let (stored, version) = store.load_draft_version(id).await.unwrap().unwrap();
    assert_eq!(version, 3);
    assert_eq!(reason(&stored), [Answer::String("migrated".to_owned())]);
}

async fn a_patient_session_is_written_at_most_once_a_minute(backend: Backend) {
    let (store, _dir) = store(backend).await;
    let (_, session) = patient_session(&store).await;
    let seen = |at: i64| {
        let store = store.clone();
        let hash = session.hash();
        async move {
            store
                .find_patient_session(&hash, at)
                .await
                .unwrap()
                .unwrap()
                .last_seen_at
        }
    };
    assert_eq!(seen(NOW + 1_000).await, NOW);
    assert_eq!(
        seen(NOW + 2_000).await,
        NOW,
        "a request within the minute writes nothing"
    );
    assert_eq!(seen(NOW + SESSION_TOUCH_EVERY).await, NOW);
    assert_eq!(
        seen(NOW + SESSION_TOUCH_EVERY + 1).await,
        NOW + SESSION_TOUCH_EVERY,
        "a request a minute on is recorded"
    );
}

/// The phone's server keeps the draft it saved in memory; the laptop's saves another page
/// through another server; the phone's next save must not write its stale copy over it.
async fn a_save_through_one_server_keeps_what_the_patient_saved_through_another(backend: Backend) {
    let dir = tempfile::tempdir().unwrap();
    let database = fresh_database(backend, dir.path()).await;
    let shared = || Options {
        backend,
        worker: false,
        database: Some(database.clone()),
        ..Options::default()
    };
    let first = TestApp::spawn_with(shared()).await;
    let second = TestApp::spawn_with(shared()).await;
    let link = first.invite("MRN-1001").await;
    let save = |app: &TestApp, browser: &reqwest::Client, token: &str, page: u8, field, value| {
        let request = browser
            .post(app.url(&format!("/intake/page/{page}")))
            .form(&[("csrf", token), ("nav", "back"), (field, value)]);
        async move { request.send().await.unwrap() }
    };

    let (phone, phone_token) = verified(&first, &link, "1958-04-12").await;
    let saved = save(&first, &phone, &phone_token, 0, "a.reason", "Dizzy spells").await;
    assert_eq!(location(&saved), "/intake/page/0");
    let (laptop, laptop_token) = verified(&second, &link, "1958-04-12").await;
    let saved = save(
        &second,
        &laptop,
        &laptop_token,
        1,
        "a.new_allergies",
        "Kiwi fruit",
    )
    .await;
    assert_eq!(location(&saved), "/intake/page/0");
    let saved = save(
        &first,
        &phone,
        &phone_token,
        0,
        "a.reason",
        "Dizzy at night",
    )
    .await;
    assert_eq!(location(&saved), "/intake/page/0");

    let history = page(&laptop, &second.url("/intake/page/1")).await;
    assert!(
        history.contains("Kiwi fruit"),
        "the laptop's page is still saved"
    );
    let visit = page(&laptop, &second.url("/intake/page/0")).await;
    assert!(
        visit.contains("Dizzy at night"),
        "and the phone's last save"
    );
    first.stop().await;
    second.stop().await;
}
