//! Urgent flags reach a person (issue 13 point 4): a PHQ-9 with item 9 positive, submitted over
//! HTTP, emails the urgent contact at the real SMTP server within a minute with no clinical
//! detail; staff acknowledge it with a note, which the summary, the list and the audit show;
//! unacknowledged, it is escalated once (to a webhook here) however many workers race; and the
//! patient is shown the form's crisis text.

use std::{
    sync::{Arc, Mutex},
    time::{Duration, Instant},
};

use axum::{Router, extract::State, routing::post};
use intake::{
    domain::{Channel, MessageState},
    notify::{MessageOutcome, OutboxSettings, send_next_message},
    store::AuditQuery,
};
use uuid::Uuid;

use crate::{
    helpers::{
        Backend, Options, TestApp, answering, confirm_on_file, csrf, eventually, location, page,
        posted,
    },
    messages::{emails_to, smtp_server},
};

/// Every answer of the adult form for a 42-year-old with PHQ-9 item 9 "several days" (1) and
/// a low total: the scenario of `forms/adult-previsit.test.yaml`.
const ANSWERS: &[(&str, &str)] = &[
    ("a.details_correct", "yes"),
    ("a.meds_taking_all", "yes"),
    ("a.meds_new_any", "no"),
    ("a.allergies_new_any", "no"),
    ("a.phq9_1", "LA6570-1"),
    ("a.phq9_2", "LA6569-3"),
    ("a.phq9_3", "LA6568-5"),
    ("a.phq9_4", "LA6568-5"),
    ("a.phq9_5", "LA6568-5"),
    ("a.phq9_6", "LA6568-5"),
    ("a.phq9_7", "LA6568-5"),
    ("a.phq9_8", "LA6568-5"),
    ("a.phq9_9", "LA6569-3"),
    ("a.gad7_1", "LA6568-5"),
    ("a.gad7_2", "LA6568-5"),
    ("a.gad7_3", "LA6568-5"),
    ("a.gad7_4", "LA6568-5"),
    ("a.gad7_5", "LA6568-5"),
    ("a.gad7_6", "LA6568-5"),
    ("a.gad7_7", "LA6568-5"),
    ("a.auditc_1", "LA6270-8"),
    ("a.tobacco", "266919005"),
    ("a.hvs_1", "LA28398-8"),
    ("a.hvs_2", "LA28398-8"),
];

/// Samuel Okafor (MRN-1002) answers the adult form over HTTP, item 9 positive, and submits.
/// Returns the patient's browser (on the confirmation page) and the submission's id.
pub(crate) async fn submit_item_9_positive(app: &TestApp) -> (reqwest::Client, Uuid) {
    let (browser, token) = answering(app, "MRN-1002", "1984-09-30", "adult-previsit").await;
    for index in 0.. {
        let shown = browser
            .get(app.url(&format!("/intake/page/{index}")))
            .send()
            .await
            .unwrap();
        if shown.status() != 200 {
            break;
        }
        let confirmed = confirm_on_file(&shown.text().await.unwrap());
        let mut form = vec![("csrf", token.as_str())];
        form.extend_from_slice(ANSWERS);
        form.extend(confirmed.iter().map(|(k, v)| (k.as_str(), v.as_str())));
        let saved = browser
            .post(app.url(&format!("/intake/page/{index}")))
            .form(&form)
            .send()
            .await
            .unwrap();
        assert_eq!(saved.status(), 303, "page {index} saves");
    }
    let submitted = browser
        .post(app.url("/intake/submit"))
        .form(&[("csrf", token.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(location(&submitted), "/intake/done", "the intake submits");
    let id = app.services.submissions().await.unwrap().remove(0).id;
    (browser, id)
}

fn smtp_env(contact: &str) -> Vec<(&'static str, String)> {
    let (port, _) = smtp_server();
    vec![
        ("INTAKE_SMTP_URL", format!("smtp://127.0.0.1:{port}")),
        (
            "INTAKE_MAIL_FROM",
            "Riverside Family Practice <intake@riverside.example>".to_owned(),
        ),
        ("INTAKE_CLINIC_NAME", "Riverside Family Practice".to_owned()),
        ("INTAKE_URGENT_CONTACT", contact.to_owned()),
    ]
}

#[tokio::test]
async fn a_phq9_with_item_9_positive_emails_the_urgent_contact_within_a_minute_and_the_acknowledgement_shows_on_the_summary()
 {
    let contact = format!("oncall-{}@riverside.example", Uuid::new_v4().simple());
    let app = TestApp::spawn_with(Options {
        env: smtp_env(&contact),
        ..Options::default()
    })
    .await;
    let started = Instant::now();
    let (patient, submission_id) = submit_item_9_positive(&app).await;

    // The worker sends it: well under a minute.
    let email = loop {
        if let Some(email) = emails_to(&contact).pop() {
            break email;
        }
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "no urgent email within 60 s"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    assert!(
        started.elapsed() < Duration::from_secs(30),
        "took {:?}",
        started.elapsed()
    );
    assert_eq!(
        email["subject"],
        "Riverside Family Practice: an urgent answer needs review"
    );
    let body = email["body"].as_str().unwrap();
    assert!(
        body.contains(&format!("/clinician/submissions/{submission_id}")),
        "a staff link to the summary: {body}"
    );
    for clinical in [
        "Okafor",
        "Samuel",
        "MRN",
        "PHQ",
        "item 9",
        "self-harm",
        "death",
        "hurting",
        "1984",
        "Follow-up",
    ] {
        assert!(
            !body.contains(clinical),
            "no PHI or clinical detail ({clinical}): {body}"
        );
    }
    assert_eq!(emails_to(&contact).len(), 1, "one email, not two");

    // The patient, at home, is shown the form's crisis text, never "tell a staff member".
    let done = page(&patient, &app.url("/intake/done")).await;
    assert!(done.contains("call or text 988"), "{done}");
    assert!(done.contains("call 911"), "{done}");
    assert!(!done.to_lowercase().contains("staff member"), "{done}");
    let switched = patient
        .get(app.url("/language/es?back=/intake/done"))
        .send()
        .await
        .unwrap();
    assert_eq!(location(&switched), "/intake/done");
    let hecho = page(&patient, &app.url("/intake/done")).await;
    assert!(
        hecho.contains("llame o envíe un mensaje de texto al 988")
            && hecho.contains("llame al 911"),
        "in Spanish too: {hecho}"
    );
    assert!(!hecho.contains("personal"), "{hecho}");

    // The clinician's list leads with it, unacknowledged.
    let clinician = app.signed_in("clinician").await;
    let list = page(&clinician, &app.url("/clinician")).await;
    let top = list
        .find("Urgent flags nobody has acknowledged: 1")
        .expect(&list);
    assert!(top < list.find("<table").unwrap(), "at the top");
    assert!(list.contains("not acknowledged"), "{list}");

    // Acknowledged from the summary with a note, by a plain form POST.
    let summary_url = app.url(&format!("/clinician/submissions/{submission_id}"));
    let summary = page(&clinician, &summary_url).await;
    let action = regex_lite::Regex::new(r#"action="(/clinician/flags/[0-9a-f-]+/acknowledge)""#)
        .unwrap()
        .captures(&summary)
        .expect("an acknowledge form on the summary")[1]
        .to_owned();
    let acknowledged = clinician
        .post(app.url(&action))
        .form(&[
            ("csrf", csrf(&summary).as_str()),
            ("note", "Called the patient; safety plan in place"),
            ("back", &submission_id.to_string()),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(
        location(&acknowledged),
        format!("/clinician/submissions/{submission_id}")
    );
    let summary = page(&clinician, &summary_url).await;
    assert!(
        summary.contains("Acknowledged by clinician at "),
        "{summary}"
    );
    assert!(
        summary.contains(": Called the patient; safety plan in place"),
        "{summary}"
    );
    assert!(
        !summary.contains(">Acknowledge</button>"),
        "nothing left to acknowledge"
    );
    let list = page(&clinician, &app.url("/clinician")).await;
    assert!(
        !list.contains("Urgent flags nobody has acknowledged"),
        "{list}"
    );
    assert!(
        list.contains(r#"<span class="badge posted">acknowledged</span>"#),
        "{list}"
    );

    // A second acknowledgement (another tab) changes nothing.
    let again = clinician
        .post(app.url(&action))
        .form(&[("csrf", csrf(&summary).as_str()), ("note", "again")])
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), 303);
    assert!(!page(&clinician, &summary_url).await.contains(": again"));

    // The audit has it: who, from where, naming the patient; the note stays out of it.
    let audit = app
        .services
        .store
        .audit_page(&AuditQuery {
            action: Some("urgent_flag.acknowledged".into()),
            limit: 10,
            ..AuditQuery::default()
        })
        .await
        .unwrap();
    assert_eq!(audit.len(), 1, "{audit:?}");
    assert!(audit[0].actor.starts_with("staff:"));
    // Named by the keyed hash of the record number (the number itself is sealed).
    assert_eq!(
        audit[0].patient.as_deref(),
        Some(app.services.store.record_lookup("MRN-1002").as_str())
    );
    assert!(audit[0].source.is_some());
    assert!(!audit[0].detail.0.to_string().contains("safety plan"));
    app.stop().await;
}

/// A webhook receiver that records each JSON body.
#[derive(Clone, Default)]
struct Hook(Arc<Mutex<Vec<serde_json::Value>>>);

async fn hook(State(hook): State<Hook>, body: String) -> axum::http::StatusCode {
    hook.0
        .lock()
        .unwrap()
        .push(serde_json::from_str(&body).unwrap());
    axum::http::StatusCode::NO_CONTENT
}

async fn start_hook() -> (Hook, String) {
    let received = Hook::default();
    let app = Router::new()
        .route("/urgent", post(hook))
        .with_state(received.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/urgent", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (received, url)
}

async fn drain(app: &TestApp) {
    let settings = OutboxSettings {
        poll: Duration::from_millis(25),
        backoff_base: Duration::from_millis(10),
        send_timeout: Duration::from_secs(10),
    };
    while send_next_message(&app.services, &settings).await.unwrap() != MessageOutcome::Idle {}
}

async fn escalation_runs_once_after_the_minutes_to_the_escalation_webhook(backend: Backend) {
    let (hook, url) = start_hook().await;
    let contact = format!("oncall-{}@riverside.example", Uuid::new_v4().simple());
    let mut env = smtp_env(&contact);
    env.push(("INTAKE_FLAG_ESCALATE_MINUTES", "15".to_owned()));
    env.push(("INTAKE_FLAG_ESCALATION_CONTACT", url.clone()));
    let app = TestApp::spawn_with(Options {
        backend,
        worker: false,
        env,
        ..Options::default()
    })
    .await;
    let (_, submission_id) = submit_item_9_positive(&app).await;
    let flags = app
        .services
        .urgent_flags_of(&[submission_id])
        .await
        .unwrap();
    assert_eq!(
        flags.len(),
        1,
        "one urgent flag recorded with the submission"
    );
    let flag = flags[0].clone();
    assert_eq!(flag.flag_id, "phq9_self_harm");
    let (open, total) = app.services.open_urgent_flags().await.unwrap();
    assert_eq!((open.len(), total), (1, 1));

    // Not before its time.
    assert_eq!(app.services.escalate_urgent_flags().await.unwrap(), 0);
    app.clock.advance(Duration::from_secs(14 * 60));
    assert_eq!(app.services.escalate_urgent_flags().await.unwrap(), 0);

    // Past it, three workers race: one escalates.
    app.clock.advance(Duration::from_secs(2 * 60));
    let (a, b, c) = tokio::join!(
        app.services.escalate_urgent_flags(),
        app.services.escalate_urgent_flags(),
        app.services.escalate_urgent_flags()
    );
    assert_eq!(
        a.unwrap() + b.unwrap() + c.unwrap(),
        1,
        "escalated exactly once"
    );
    assert_eq!(app.services.escalate_urgent_flags().await.unwrap(), 0);

    let alerts = app.services.store.urgent_alerts(flag.id).await.unwrap();
    let summary: Vec<(Channel, &str, i64)> = alerts
        .iter()
        .map(|a| (a.channel, a.recipient.as_str(), a.round))
        .collect();
    assert_eq!(
        summary,
        [
            (Channel::Email, contact.as_str(), 0),
            (Channel::Webhook, url.as_str(), 1)
        ]
    );
    drain(&app).await;
    let alerts = app.services.store.urgent_alerts(flag.id).await.unwrap();
    assert!(
        alerts.iter().all(|a| a.state == MessageState::Sent),
        "{alerts:?}"
    );
    let received = hook.0.lock().unwrap().clone();
    assert_eq!(received.len(), 1, "{received:?}");
    assert_eq!(received[0]["alert"], flag.id.to_string());
    assert_eq!(received[0]["event"], "urgent_flag.escalated");
    assert_eq!(
        received[0]["text"],
        "An urgent answer still needs review. Nobody has acknowledged it in 15 minutes."
    );
    assert!(
        received[0]["link"]
            .as_str()
            .unwrap()
            .ends_with(&format!("/clinician/submissions/{submission_id}"))
    );
    let text = received[0].to_string();
    assert!(!text.contains("Okafor") && !text.contains("PHQ"), "{text}");
    let record = app
        .services
        .urgent_flags_of(&[submission_id])
        .await
        .unwrap();
    assert!(record[0].escalated_at.is_some());
    app.stop().await;
}

#[tokio::test]
async fn an_unacknowledged_urgent_flag_is_escalated_once_after_the_minutes_on_sqlite() {
    escalation_runs_once_after_the_minutes_to_the_escalation_webhook(Backend::Sqlite).await;
}

#[tokio::test]
async fn an_unacknowledged_urgent_flag_is_escalated_once_after_the_minutes_on_postgres() {
    escalation_runs_once_after_the_minutes_to_the_escalation_webhook(Backend::Postgres).await;
}

async fn an_acknowledged_flag_is_not_escalated_and_is_acknowledged_once(backend: Backend) {
    let contact = format!("oncall-{}@riverside.example", Uuid::new_v4().simple());
    let app = TestApp::spawn_with(Options {
        backend,
        worker: false,
        env: smtp_env(&contact),
        ..Options::default()
    })
    .await;
    let (_, submission_id) = submit_item_9_positive(&app).await;
    let flag = app
        .services
        .urgent_flags_of(&[submission_id])
        .await
        .unwrap()
        .remove(0);
    let clinician = app.signed_in("clinician").await;
    drop(clinician);
    let user = app
        .services
        .store
        .find_staff_user("clinician")
        .await
        .unwrap()
        .unwrap();
    let event = |at| intake::store::StaffAudit {
        at,
        actor: intake::store::staff_actor(user.id),
        action: "urgent_flag.acknowledged",
        subject_kind: "urgent_flag",
        subject_id: flag.id,
        detail: serde_json::json!({}),
        source: Some("127.0.0.1".into()),
    };
    let now = intake::clock::Clock::now_millis(app.clock.as_ref());
    app.services
        .store
        .acknowledge_urgent_flag(flag.id, user.id, "seen", &event(now))
        .await
        .unwrap();
    let second = app
        .services
        .store
        .acknowledge_urgent_flag(flag.id, user.id, "again", &event(now + 1))
        .await;
    assert!(
        matches!(second, Err(intake::store::StoreError::Conflict(_))),
        "{second:?}"
    );
    let missing = app
        .services
        .store
        .acknowledge_urgent_flag(Uuid::now_v7(), user.id, "x", &event(now))
        .await;
    assert!(
        matches!(missing, Err(intake::store::StoreError::NotFound)),
        "{missing:?}"
    );
    let stored = app
        .services
        .urgent_flags_of(&[submission_id])
        .await
        .unwrap()
        .remove(0);
    let ack = stored.acknowledgement.expect("acknowledged");
    assert_eq!((ack.by, ack.at, ack.note.as_str()), (user.id, now, "seen"));
    assert_eq!(ack.by_name, "clinician");
    assert_eq!(app.services.open_urgent_flags().await.unwrap().1, 0);

    app.clock.advance(Duration::from_secs(60 * 60));
    assert_eq!(
        app.services.escalate_urgent_flags().await.unwrap(),
        0,
        "acknowledged: no escalation"
    );
    app.stop().await;
}

#[tokio::test]
async fn an_acknowledged_flag_is_not_escalated_and_is_acknowledged_once_on_sqlite() {
    an_acknowledged_flag_is_not_escalated_and_is_acknowledged_once(Backend::Sqlite).await;
}

#[tokio::test]
async fn an_acknowledged_flag_is_not_escalated_and_is_acknowledged_once_on_postgres() {
    an_acknowledged_flag_is_not_escalated_and_is_acknowledged_once(Backend::Postgres).await;
}

const CHECKED: &str = r#"id: f
version: "1"
title: { en: F, es: F }
languages: [en, es]
notify: [oncall@clinic.example]
sections:
  - id: s
    title: { en: S, es: S }
    items:
      - id: q
        type: boolean
        text: { en: Q, es: Q }
        flags:
          - id: urgent_q
            severity: urgent
            when: "%q = true"
            message: { en: M, es: M }
            notify: ["+15550102000"]
"#;

#[test]
fn forms_check_places_a_bad_contact_a_patient_flag_without_crisis_text_and_a_missing_translation() {
    assert!(intake::forms::load_yaml("f.yaml", CHECKED).is_ok());

    let bad_contact = CHECKED.replace("\"+15550102000\"", "\"555-0102\"");
    let error = intake::forms::load_yaml("f.yaml", &bad_contact).unwrap_err();
    assert_eq!((error.line, error.column), (18, 22), "{error}");
    assert!(
        error.to_string().starts_with(
            "f.yaml:18:22: error: `555-0102` is not an email address, a mobile number in E.164 form"
        ),
        "{error}"
    );

    let for_patient = CHECKED.replace(
        "            notify: [\"+15550102000\"]\n",
        "            for: [clinician, patient]\n",
    );
    let error = intake::forms::load_yaml("f.yaml", &for_patient).unwrap_err();
    assert_eq!((error.line, error.column), (14, 17), "{error}");
    assert!(
        error.message.contains("the form needs a `crisis:` text"),
        "{error}"
    );

    let warning_notifies = CHECKED.replace("severity: urgent", "severity: warning");
    let error = intake::forms::load_yaml("f.yaml", &warning_notifies).unwrap_err();
    assert!(
        error.message.contains("only urgent flags alert anyone"),
        "{error}"
    );

    let with_crisis = for_patient.replace(
        "sections:",
        "crisis:\n  en: \"Call or text 988, or 911.\"\nsections:",
    );
    let form = intake::forms::load_yaml("f.yaml", &with_crisis).unwrap();
    let lint = intake::forms::lint(&form, &with_crisis);
    assert_eq!(lint.len(), 1, "{lint:?}");
    assert_eq!(
        lint[0].render("f.yaml"),
        "f.yaml:7:8: error: `crisis`: \"Call or text 988, or 911.\" has no `es` translation"
    );
}

#[tokio::test]
async fn the_front_desk_may_acknowledge_too_but_not_without_the_csrf_token() {
    let app = TestApp::spawn_with(Options {
        worker: false,
        ..Options::default()
    })
    .await;
    let (_, submission_id) = submit_item_9_positive(&app).await;
    let flag = app
        .services
        .urgent_flags_of(&[submission_id])
        .await
        .unwrap()
        .remove(0);
    let desk = app.signed_in("frontdesk").await;
    let home = page(&desk, &app.url("/staff")).await;
    let url = app.url(&format!("/clinician/flags/{}/acknowledge", flag.id));
    let forged = desk
        .post(&url)
        .form(&[("csrf", "forged"), ("note", "x")])
        .send()
        .await
        .unwrap();
    assert_eq!(forged.status(), 403);
    assert!(
        app.services
            .urgent_flags_of(&[submission_id])
            .await
            .unwrap()[0]
            .acknowledgement
            .is_none()
    );
    let done = desk
        .post(&url)
        .form(&[
            ("csrf", csrf(&home).as_str()),
            ("note", "Rang the patient back"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(
        location(&done),
        "/staff",
        "back to the front desk's own page"
    );
    let ack = app
        .services
        .urgent_flags_of(&[submission_id])
        .await
        .unwrap()[0]
        .acknowledgement
        .clone()
        .expect("acknowledged by the front desk");
    assert_eq!(
        (ack.by_name.as_str(), ack.note.as_str()),
        ("frontdesk", "Rang the patient back")
    );
    app.stop().await;
}

/// With `INTAKE_URGENT_FLAG_EHR`, the urgent answer also reaches the chart through the
/// write-back outbox: a `Flag` on the patient, or a `Task` focused on the answers; exactly one
/// each, whatever else the submission posts.
#[tokio::test]
async fn an_urgent_flag_is_written_to_the_chart_as_a_flag_or_a_task_when_asked_for() {
    for (setting, resource_type) in [("flag", "Flag"), ("task", "Task")] {
        let app = TestApp::spawn_with(Options {
            env: vec![("INTAKE_URGENT_FLAG_EHR", setting.to_owned())],
            ..Options::default()
        })
        .await;
        let (_patient, _submission) = submit_item_9_positive(&app).await;
        eventually(&format!("the {resource_type} is posted"), || async {
            !posted(&app, resource_type).is_empty()
        })
        .await;
        eventually("the answers are posted", || async {
            !posted(&app, "QuestionnaireResponse").is_empty()
        })
        .await;
        let records = posted(&app, resource_type);
        assert_eq!(records.len(), 1, "{records:?}");
        let record = posted_resource(&records[0], resource_type);
        let patient = posted_resource(
            &posted(&app, "QuestionnaireResponse")[0],
            "QuestionnaireResponse",
        )["subject"]["reference"]
            .clone();
        match resource_type {
            "Flag" => {
                assert_eq!(record["status"], "active");
                assert_eq!(record["subject"]["reference"], patient);
                assert!(
                    record["code"]["text"]
                        .as_str()
                        .unwrap()
                        .starts_with("Urgent answer in the pre-visit intake: "),
                    "{record}"
                );
            }
            _ => {
                assert_eq!(record["priority"], "stat");
                assert_eq!(record["for"]["reference"], patient);
                assert_eq!(record["focus"]["type"], "QuestionnaireResponse");
            }
        }
    }
    // Off by default: the existing tests' apps post no Flag.
    let app = TestApp::spawn().await;
    submit_item_9_positive(&app).await;
    eventually("the answers are posted", || async {
        !posted(&app, "QuestionnaireResponse").is_empty()
    })
    .await;
    assert!(posted(&app, "Flag").is_empty() && posted(&app, "Task").is_empty());
}

/// The resource inside what the file-drop EHR received (a transaction Bundle of one entry, or
/// the resource itself).
fn posted_resource<'a>(file: &'a serde_json::Value, resource_type: &str) -> &'a serde_json::Value {
    let resource = file["entry"][0]["resource"]
        .as_object()
        .map_or(file, |_| &file["entry"][0]["resource"]);
    assert_eq!(resource["resourceType"], resource_type, "{file}");
    resource
}
