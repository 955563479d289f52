//! Answer saves kept fast without losing any: a draft is written over only at the version it
//! was read (so a draft kept in one process's memory never overwrites a save made through
//! another), and a patient session is written only when its last request is a minute old.

use intake::{
    clock::Clock as _,
    engine::{Answer, Answers},
    forms::{ContentHash, FormId},
    store::{Draft, FormState, SESSION_TOUCH_EVERY, Store},
};

use crate::{
    helpers::{
        Backend, Options, TestApp, complete_intake, fresh_database, location, page, verified,
    },
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
    a_save_with_a_session_kept_in_memory_writes_only_while_the_session_holds,
    a_save_with_a_session_kept_in_memory_writes_nothing_once_the_link_was_cancelled_elsewhere,
    a_save_with_a_session_kept_in_memory_saves_nothing_once_the_form_was_sent_elsewhere,
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
                .save_draft_over(id, &draft, state_changed, Some(0), read, None, NOW)
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

/// A save made with a session kept in memory (not read for the request) is one statement that
/// checks what reading the session would have: it writes while the session is proved, its
/// link open and unexpired and its appointment on the draft's form, and writes nothing else.
async fn a_save_with_a_session_kept_in_memory_writes_only_while_the_session_holds(
    backend: Backend,
) {
    let (store, _dir) = store(backend).await;
    let (id, session) = patient_session(&store).await;
    let hash = session.hash();
    let save = |draft: Draft, read: i64, now: i64| {
        let store: Store = store.clone();
        let hash = hash.clone();
        async move {
            store
                .save_draft_over(id, &draft, false, Some(0), Some(read), Some(&hash), now)
                .await
                .unwrap()
        }
    };
    let first = store
        .save_draft_over(id, &draft("first"), false, Some(0), None, None, NOW)
        .await
        .unwrap();
    assert_eq!(first, Some(1));
    assert_eq!(
        save(draft("unproved"), 1, NOW).await,
        None,
        "not before the patient proved who they are"
    );
    assert!(store.mark_verified(&hash, id, NOW).await.unwrap());
    assert_eq!(save(draft("proved"), 1, NOW).await, Some(2));
    let mut other_form = draft("other form");
    other_form.form_id = FormId::parse("registration").unwrap();
    assert_eq!(
        save(other_form, 2, NOW).await,
        None,
        "not for a form the appointment no longer asks for"
    );
    assert_eq!(
        save(draft("expired"), 2, NOW + 86_400_000).await,
        None,
        "not once the link expired"
    );
    assert_eq!(
        save(draft("stale"), 1, NOW).await,
        None,
        "not over a version no longer stored"
    );
    store.delete_patient_session(&hash).await.unwrap();
    assert_eq!(
        save(draft("signed out"), 2, NOW).await,
        None,
        "not once the session ended"
    );
    let (stored, version) = store.load_draft_version(id).await.unwrap().unwrap();
    assert_eq!(
        (reason(&stored), version),
        (&[Answer::String("proved".to_owned())][..], 2)
    );
    assert!(
        store
            .save_draft_over(id, &draft("new"), false, None, None, Some(&hash), NOW)
            .await
            .is_err(),
        "a first draft is written only with the session read"
    );
}

/// Two servers on one database, and a patient verified on the first ("the phone") who saved
/// the first page twice, so that its server keeps the session and the draft in memory.
struct KeptSession {
    first: TestApp,
    second: TestApp,
    link: String,
    appointment: uuid::Uuid,
    phone: reqwest::Client,
    phone_token: String,
}

impl KeptSession {
    async fn start(backend: Backend, dir: &std::path::Path) -> Self {
        let database = fresh_database(backend, dir).await;
        let shared = || Options {
            backend,
            worker: false,
            database: Some(database.clone()),
            ..Options::default()
        };
        let first = TestApp::spawn_with(shared()).await;
        let second = TestApp::spawn_with(shared()).await;
        let (link, appointment) = first
            .invite_with_appointment(intake::domain::PatientIdentifier {
                system: "urn:oid:2.16.840.1.113883.19.5".into(),
                value: "MRN-1001".into(),
            })
            .await;
        let (phone, phone_token) = verified(&first, &link, "1958-04-12").await;
        let kept = Self {
            first,
            second,
            link,
            appointment,
            phone,
            phone_token,
        };
        assert_eq!(location(&kept.save("Dizzy spells").await), "/intake/page/0");
        assert_eq!(
            location(&kept.save("Dizzy at night").await),
            "/intake/page/0"
        );
        assert_eq!(
            kept.first.services.sessions.len(),
            1,
            "the phone's session is kept"
        );
        kept
    }

    /// The phone saves the first page's reason for the visit.
    async fn save(&self, text: &str) -> reqwest::Response {
        self.phone
            .post(self.first.url("/intake/page/0"))
            .form(&[
                ("csrf", self.phone_token.as_str()),
                ("nav", "back"),
                ("a.reason", text),
            ])
            .send()
            .await
            .unwrap()
    }

    async fn stop(self) {
        self.first.stop().await;
        self.second.stop().await;
    }
}

/// The front desk cancels the link through the other server: the phone's next save, with the
/// draft's version unchanged, writes nothing and sends the patient to the start, as it would
/// had its server read the session.
async fn a_save_with_a_session_kept_in_memory_writes_nothing_once_the_link_was_cancelled_elsewhere(
    backend: Backend,
) {
    let dir = tempfile::tempdir().unwrap();
    let kept = KeptSession::start(backend, dir.path()).await;
    kept.second
        .services
        .store
        .cancel_invitation(kept.appointment, "desk", kept.second.clock.now_millis())
        .await
        .unwrap();
    let late = kept.save("Dizzy all day").await;
    assert_eq!(
        location(&late),
        "/intake",
        "the cancelled link answers nothing"
    );
    assert!(
        kept.first.services.sessions.is_empty(),
        "its kept session is forgotten"
    );
    kept.stop().await;
}

/// The laptop sends the form through the other server: the phone's next save writes nothing
/// and goes to the confirmation.
async fn a_save_with_a_session_kept_in_memory_saves_nothing_once_the_form_was_sent_elsewhere(
    backend: Backend,
) {
    let dir = tempfile::tempdir().unwrap();
    let kept = KeptSession::start(backend, dir.path()).await;
    let laptop = complete_intake(&kept.second, &kept.link, "1958-04-12", "").await;

    let late = kept.save("Dizzy all day").await;
    assert_eq!(
        location(&late),
        "/intake/done",
        "the phone learns the form was sent"
    );
    assert!(
        kept.first.services.sessions.is_empty(),
        "and its kept session is forgotten"
    );
    let copy = page(&laptop, &kept.second.url("/intake/copy")).await;
    assert!(copy.contains("Cough for two weeks"), "{copy}");
    assert!(
        !copy.contains("Dizzy all day"),
        "the late save wrote nothing"
    );
    kept.stop().await;
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
