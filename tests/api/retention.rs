//! Retention: `Services::purge` (run daily by workers and by `intake purge`) on both backends,
//! with the clock moved instead of waiting.

use std::time::Duration;

use intake::config::Retention;

use crate::helpers::{Backend, Options, TestApp, complete_intake, eventually, page, verified};

const DAY: Duration = Duration::from_secs(86_400);

#[tokio::test]
async fn drafts_go_after_their_visit_and_settled_answers_after_90_days_on_sqlite() {
    purge_contract(Backend::Sqlite).await;
}

#[tokio::test]
async fn drafts_go_after_their_visit_and_settled_answers_after_90_days_on_postgres() {
    purge_contract(Backend::Postgres).await;
}

async fn purge_contract(backend: Backend) {
    let app = TestApp::spawn_with(Options {
        backend,
        ..Options::default()
    })
    .await;
    let store = &app.services.store;
    // An abandoned draft: the patient verified, saved the first page and never came back.
    let abandoned = app.invite("MRN-1002").await;
    let (browser, token) = verified(&app, &abandoned, "1984-09-30").await;
    let saved = browser
        .post(app.url("/intake/page/0"))
        .form(&[("csrf", token.as_str()), ("a.reason", "Cough")])
        .send()
        .await
        .unwrap();
    assert_eq!(saved.status(), 303);
    // A submission whose changes all post, and one with an allergy waiting for a clinician.
    let settled = app.invite("MRN-1002").await;
    complete_intake(&app, &settled, "1984-09-30", "").await;
    let waiting = app.invite("MRN-1002").await;
    complete_intake(&app, &waiting, "1984-09-30", "Latex").await;
    eventually("every change that may post is posted", || async {
        let counts = app.services.queue_counts().await.unwrap();
        counts
            .by_state
            .iter()
            .all(|(state, _, _)| state == "posted" || state == "held")
    })
    .await;
    let submissions = app.services.submissions().await.unwrap();
    assert_eq!(submissions.len(), 2);
    let events_before: Vec<usize> = {
        let mut counts = Vec::new();
        for submission in &submissions {
            counts.push(
                store
                    .submission_history(submission.id)
                    .await
                    .unwrap()
                    .events
                    .len(),
            );
        }
        counts
    };

    // 29 days on, the visit (a day after the invitation) is 28 days past: nothing goes but
    // the patient's ended session.
    app.clock.advance(29 * DAY);
    let early = app.services.purge(&Retention::default()).await.unwrap();
    assert_eq!((early.drafts, early.answers), (0, 0), "{early:?}");
    assert!(early.patient_sessions >= 1, "{early:?}");

    // 95 days on: the abandoned draft goes, the settled answers are emptied, the held ones stay.
    app.clock.advance(66 * DAY);
    let late = app.services.purge(&Retention::default()).await.unwrap();
    assert_eq!(late.drafts, 1, "{late:?}");
    assert_eq!(late.answers, 1, "{late:?}");
    let mut emptied = 0;
    for (submission, before) in submissions.iter().zip(events_before) {
        let record = store.find_submission(submission.id).await.unwrap();
        if record.answers.is_empty() {
            emptied += 1;
        }
        let after = store
            .submission_history(submission.id)
            .await
            .unwrap()
            .events
            .len();
        assert_eq!(after, before, "audit events are kept");
    }
    assert_eq!(
        emptied, 1,
        "only the settled submission's answers are emptied"
    );

    // Purging again finds nothing new; the counts reach /metrics, never what was deleted.
    let again = app.services.purge(&Retention::default()).await.unwrap();
    assert_eq!((again.drafts, again.answers), (0, 0));
    let metrics = page(&app.browser(), &app.url("/metrics")).await;
    for line in [
        "intake_retention_deleted_total{kind=\"draft\"} 1",
        "intake_retention_deleted_total{kind=\"submission_answers\"} 1",
    ] {
        assert!(metrics.contains(line), "{line} not in {metrics}");
    }
    app.stop().await;
}

#[tokio::test]
async fn a_shorter_draft_retention_is_honoured() {
    let app = TestApp::spawn().await;
    let link = app.invite("MRN-1002").await;
    let (browser, token) = verified(&app, &link, "1984-09-30").await;
    browser
        .post(app.url("/intake/page/0"))
        .form(&[("csrf", token.as_str()), ("a.reason", "Cough")])
        .send()
        .await
        .unwrap();
    app.clock.advance(3 * DAY);
    let retention = Retention {
        drafts: DAY,
        ..Retention::default()
    };
    assert_eq!(app.services.purge(&retention).await.unwrap().drafts, 1);
    app.stop().await;
}
