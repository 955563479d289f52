//! Invitations, reminders and one-time codes out: email to the real SMTP server `scripts/test`
//! starts (aiosmtpd, writing each message as a file), texts to a stub gateway that records what
//! it got and answers as told (a stub is right for a paid gateway), the planner, and the outbox's
//! exactly-once under retries and racing senders.

use std::{
    collections::VecDeque,
    sync::{Arc, Mutex},
    time::Duration,
};

use axum::{Router, extract::State, http::HeaderMap, routing::post};
use intake::{
    clock::Clock,
    domain::{MessageState, PatientIdentifier, Purpose},
    intake::{ScheduleRequest, ServiceError},
    notify::{MessageOutcome, OutboxSettings, send_next_message},
};
use uuid::Uuid;

use crate::helpers::{Options, TestApp, location, page};

/// What the stub gateway received: the basic-auth header and the form's fields.
#[derive(Debug, Clone)]
struct Received {
    authorization: Option<String>,
    to: String,
    from: String,
    body: String,
}

/// A text message gateway of the Twilio shape that records each request and answers with the
/// next scripted status and text (201 when the script is done).
#[derive(Debug, Clone, Default)]
struct Gateway {
    received: Arc<Mutex<Vec<Received>>>,
    script: Arc<Mutex<VecDeque<(u16, &'static str)>>>,
}

impl Gateway {
    async fn start(script: &[(u16, &'static str)]) -> (Self, String) {
        let gateway = Self::default();
        gateway
            .script
            .lock()
            .unwrap()
            .extend(script.iter().copied());
        let app = Router::new()
            .route("/Accounts/AC1/Messages.json", post(receive))
            .with_state(gateway.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!(
            "http://AC1:gateway-secret@{}/Accounts/AC1/Messages.json",
            listener.local_addr().unwrap()
        );
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        (gateway, url)
    }

    fn received(&self) -> Vec<Received> {
        self.received.lock().unwrap().clone()
    }
}

async fn receive(
    State(gateway): State<Gateway>,
    headers: HeaderMap,
    axum::Form(form): axum::Form<std::collections::HashMap<String, String>>,
) -> (axum::http::StatusCode, String) {
    gateway.received.lock().unwrap().push(Received {
        authorization: headers
            .get("authorization")
            .map(|v| v.to_str().unwrap().to_owned()),
        to: form.get("To").cloned().unwrap_or_default(),
        from: form.get("From").cloned().unwrap_or_default(),
        body: form.get("Body").cloned().unwrap_or_default(),
    });
    let (status, text) = gateway
        .script
        .lock()
        .unwrap()
        .pop_front()
        .unwrap_or((201, r#"{"sid": "SM1", "status": "queued"}"#));
    (
        axum::http::StatusCode::from_u16(status).unwrap(),
        text.to_owned(),
    )
}

/// The real SMTP server's port and the folder it writes messages to.
pub(crate) fn smtp_server() -> (String, std::path::PathBuf) {
    let port = std::env::var("INTAKE_TEST_SMTP_PORT").unwrap_or_else(|_| {
        panic!("INTAKE_TEST_SMTP_PORT is not set: these tests need the real SMTP server that scripts/test starts (scripts/smtp.sh)")
    });
    let dir = std::env::var("INTAKE_TEST_SMTP_DIR")
        .expect("INTAKE_TEST_SMTP_DIR with INTAKE_TEST_SMTP_PORT");
    (port, dir.into())
}

/// The emails the SMTP server accepted for `to`, as Python's email package reads them.
pub(crate) fn emails_to(to: &str) -> Vec<serde_json::Value> {
    let (_, dir) = smtp_server();
    let mut names: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    names.sort();
    names
        .into_iter()
        .map(|p| {
            serde_json::from_str::<serde_json::Value>(&std::fs::read_to_string(p).unwrap()).unwrap()
        })
        .filter(|m| m["envelope_to"].as_array().unwrap().iter().any(|t| t == to))
        .collect()
}

/// An app with the real SMTP server and, when given, the stub gateway; senders driven by hand.
async fn app_with(sms_url: Option<&str>, backend: crate::helpers::Backend) -> TestApp {
    let (port, _) = smtp_server();
    let mut env = vec![
        ("INTAKE_SMTP_URL", format!("smtp://127.0.0.1:{port}")),
        (
            "INTAKE_MAIL_FROM",
            "Riverside Family Practice <intake@riverside.example>".to_owned(),
        ),
        ("INTAKE_CLINIC_NAME", "Riverside Family Practice".to_owned()),
        ("INTAKE_CLINIC_PHONE", "(555) 010-2000".to_owned()),
        ("INTAKE_MESSAGE_PLAN_SECS", "3600".to_owned()),
        ("INTAKE_WORKER_BACKOFF_MS", "10".to_owned()),
    ];
    if let Some(url) = sms_url {
        env.push(("INTAKE_SMS_URL", url.to_owned()));
        env.push(("INTAKE_SMS_FROM", "+15550102000".to_owned()));
    }
    TestApp::spawn_with(Options {
        backend,
        worker: false,
        env,
        ..Options::default()
    })
    .await
}

fn settings() -> OutboxSettings {
    OutboxSettings {
        poll: Duration::from_millis(25),
        backoff_base: Duration::from_millis(10),
        send_timeout: Duration::from_secs(10),
    }
}

/// Sends what is due until nothing is, and returns what each round did.
async fn drain(app: &TestApp) -> Vec<MessageOutcome> {
    let mut outcomes = Vec::new();
    loop {
        match send_next_message(&app.services, &settings()).await.unwrap() {
            MessageOutcome::Idle => return outcomes,
            outcome => outcomes.push(outcome),
        }
    }
}

/// A patient on the file-drop EHR with this telecom and communication; returns the identifier.
fn patient(
    app: &TestApp,
    telecom: serde_json::Value,
    communication: serde_json::Value,
) -> PatientIdentifier {
    let mrn = format!("MRN-{}", Uuid::new_v4().simple());
    let bundle = serde_json::json!({
        "resourceType": "Bundle",
        "type": "collection",
        "entry": [{"resource": {
            "resourceType": "Patient",
            "id": mrn.to_lowercase(),
            "identifier": [{"system": "urn:oid:2.16.840.1.113883.19.5", "value": mrn}],
            "name": [{"family": "López", "given": ["María"]}],
            "telecom": telecom,
            "communication": communication,
            "birthDate": "1990-05-17"
        }}]
    });
    std::fs::write(
        app.ehr_folder.join(format!("{mrn}.json")),
        bundle.to_string(),
    )
    .unwrap();
    PatientIdentifier {
        system: "urn:oid:2.16.840.1.113883.19.5".into(),
        value: mrn,
    }
}

/// An appointment for `patient` starting `hours` from now; returns its id.
async fn appointment(app: &TestApp, patient: PatientIdentifier, hours: i64) -> Uuid {
    let (id, _) = app
        .services
        .schedule_appointment(ScheduleRequest {
            patient,
            starts_at: app.clock.now_millis() + hours * 3_600_000,
            visit_type: "Follow-up".into(),
            form_id: intake::forms::FormId::parse("previsit-basic").unwrap(),
        })
        .await
        .unwrap();
    id
}

fn unique_email(prefix: &str) -> String {
    format!("{prefix}{}@patients.example", Uuid::new_v4().simple())
}

#[tokio::test]
async fn an_invitation_email_reaches_the_smtp_server_with_the_clinic_the_visit_and_a_link_that_works()
 {
    let app = app_with(None, crate::helpers::Backend::Sqlite).await;
    let address = unique_email("maria-");
    let who = patient(
        &app,
        serde_json::json!([{"system": "email", "value": address}]),
        serde_json::json!([]),
    );
    let appointment_id = appointment(&app, who, 48).await;
    let sent = app
        .services
        .send_invitation(appointment_id, "staff:test")
        .await
        .unwrap();
    assert_eq!(sent.channel, intake::domain::Channel::Email);
    assert!(sent.reminder, "a visit two days away gets a reminder");
    assert_eq!(drain(&app).await, [MessageOutcome::Sent]);

    let emails = emails_to(&address);
    assert_eq!(emails.len(), 1, "one email, not two");
    let email = &emails[0];
    assert_eq!(
        email["from"],
        "Riverside Family Practice <intake@riverside.example>"
    );
    assert_eq!(email["to"], address.as_str());
    let subject = email["subject"].as_str().unwrap();
    assert!(
        subject.starts_with("Riverside Family Practice: a few questions before your visit on "),
        "{subject}"
    );
    let body = email["body"].as_str().unwrap();
    // The test app's public address is its configured one (port 0); the path is the link's.
    let path = format!("/i/{}", sent.token.expose());
    assert!(
        body.contains(&format!("http://127.0.0.1:0{path}\r\n")),
        "{body}"
    );
    let link = app.url(&path);
    assert!(
        body.contains("Call Riverside Family Practice at (555) 010-2000"),
        "{body}"
    );
    assert!(
        !body.to_lowercase().contains("allerg") && !body.contains("Follow-up"),
        "nothing clinical: {body}"
    );
    assert!(
        email["message_id"]
            .as_str()
            .unwrap()
            .contains("@riverside.example")
    );

    // The link in the email opens the form.
    let opened = app.browser().get(&link).send().await.unwrap();
    assert_eq!(location(&opened), "/intake");
    // The worklist's state: sent.
    let statuses = app
        .services
        .message_statuses(&[appointment_id])
        .await
        .unwrap();
    assert_eq!(statuses[&appointment_id].state, MessageState::Sent);
    app.stop().await;
}

#[tokio::test]
async fn a_spanish_speaking_patient_gets_the_email_in_spanish_in_utf8() {
    let app = app_with(None, crate::helpers::Backend::Sqlite).await;
    let address = unique_email("ana-");
    let who = patient(
        &app,
        serde_json::json!([{"system": "email", "value": address}]),
        serde_json::json!([{"language": {"coding": [{"system": "urn:ietf:bcp:47", "code": "es"}]}, "preferred": true}]),
    );
    let appointment_id = appointment(&app, who, 10).await;
    let sent = app
        .services
        .send_invitation(appointment_id, "staff:test")
        .await
        .unwrap();
    assert!(
        !sent.reminder,
        "a visit within a day gets no reminder behind the invitation"
    );
    drain(&app).await;
    let emails = emails_to(&address);
    assert_eq!(emails.len(), 1);
    assert_eq!(emails[0]["charset"], "utf-8");
    let subject = emails[0]["subject"].as_str().unwrap();
    assert!(
        subject.contains("unas preguntas antes de su cita del"),
        "{subject}"
    );
    let body = emails[0]["body"].as_str().unwrap();
    assert!(
        body.contains("Toma unos minutos y ahorra tiempo en la recepción."),
        "{body}"
    );
    assert!(
        body.contains("¿Preguntas? Llame a Riverside Family Practice al (555) 010-2000."),
        "{body}"
    );
    app.stop().await;
}

#[tokio::test]
async fn an_smtp_refusal_fails_the_email_in_the_servers_words_and_a_busy_server_is_tried_again() {
    let app = app_with(None, crate::helpers::Backend::Sqlite).await;
    let refused = unique_email("refuse-");
    let who = patient(
        &app,
        serde_json::json!([{"system": "email", "value": refused}]),
        serde_json::json!([]),
    );
    let refused_appointment = appointment(&app, who, 48).await;
    app.services
        .send_invitation(refused_appointment, "staff:test")
        .await
        .unwrap();
    assert_eq!(drain(&app).await, [MessageOutcome::Failed]);
    let status = &app
        .services
        .message_statuses(&[refused_appointment])
        .await
        .unwrap()[&refused_appointment];
    assert_eq!(status.state, MessageState::Failed);
    let words = status.words.clone().unwrap();
    assert!(
        words.contains("550") && words.contains("Recipient address rejected"),
        "{words}"
    );

    let busy = unique_email("busy-");
    let who = patient(
        &app,
        serde_json::json!([{"system": "email", "value": busy}]),
        serde_json::json!([]),
    );
    let busy_appointment = appointment(&app, who, 48).await;
    app.services
        .send_invitation(busy_appointment, "staff:test")
        .await
        .unwrap();
    assert_eq!(drain(&app).await, [MessageOutcome::Retrying]);
    tokio::time::sleep(Duration::from_millis(50)).await;
    app.clock.advance(Duration::from_secs(1));
    assert_eq!(drain(&app).await, [MessageOutcome::Sent]);
    assert_eq!(emails_to(&busy).len(), 1);
    // The metrics count the refused email and the one sent on its second try, by channel.
    let metrics = page(&app.browser(), &app.url("/metrics")).await;
    for line in [
        "intake_messages_failed_total{channel=\"email\"} 1",
        "intake_messages_sent_total{channel=\"email\"} 1",
    ] {
        assert!(metrics.contains(line), "{line} not in {metrics}");
    }
    app.stop().await;
}

#[tokio::test]
async fn a_text_goes_to_the_gateway_as_a_form_post_with_basic_auth_and_a_500_is_retried_once_sent()
{
    let (gateway, url) = Gateway::start(&[(500, "Internal Server Error")]).await;
    let app = app_with(Some(&url), crate::helpers::Backend::Sqlite).await;
    let who = patient(
        &app,
        serde_json::json!([
            {"system": "phone", "value": "+1-555-0142", "use": "mobile"},
            {"system": "email", "value": unique_email("both-")}
        ]),
        serde_json::json!([]),
    );
    let appointment_id = appointment(&app, who, 30).await;
    let sent = app
        .services
        .send_invitation(appointment_id, "staff:test")
        .await
        .unwrap();
    assert_eq!(
        sent.channel,
        intake::domain::Channel::Sms,
        "a mobile number gets a text"
    );
    assert_eq!(drain(&app).await, [MessageOutcome::Retrying]);
    let status = &app
        .services
        .message_statuses(&[appointment_id])
        .await
        .unwrap()[&appointment_id];
    assert_eq!(status.state, MessageState::Queued);
    assert_eq!(
        status.words.as_deref(),
        Some("HTTP 500: Internal Server Error")
    );
    app.clock.advance(Duration::from_secs(1));
    assert_eq!(drain(&app).await, [MessageOutcome::Sent]);
    assert_eq!(drain(&app).await, []);

    let received = gateway.received();
    assert_eq!(received.len(), 2, "the 500, then the one that went");
    let text = &received[1];
    assert_eq!(text.to, "+1-555-0142");
    assert_eq!(text.from, "+15550102000");
    use base64::Engine as _;
    let expected = base64::engine::general_purpose::STANDARD.encode("AC1:gateway-secret");
    assert_eq!(
        text.authorization.as_deref(),
        Some(format!("Basic {expected}").as_str())
    );
    assert!(
        text.body.starts_with(
            "Riverside Family Practice: please answer a few questions before your visit on "
        ),
        "{}",
        text.body
    );
    assert!(
        text.body.ends_with(&format!("/i/{}", sent.token.expose())),
        "{}",
        text.body
    );
    let status = &app
        .services
        .message_statuses(&[appointment_id])
        .await
        .unwrap()[&appointment_id];
    assert_eq!(
        (status.state, status.words.clone()),
        (MessageState::Sent, None)
    );
    app.stop().await;
}

#[tokio::test]
async fn a_gateway_refusing_the_number_fails_the_text_at_once_in_its_own_words() {
    let refusal =
        r#"{"code": 21614, "message": "'To' number is not a valid mobile number", "status": 400}"#;
    let (gateway, url) = Gateway::start(&[(400, refusal)]).await;
    let app = app_with(Some(&url), crate::helpers::Backend::Sqlite).await;
    let who = patient(
        &app,
        serde_json::json!([{"system": "sms", "value": "+1-555-0143"}]),
        serde_json::json!([]),
    );
    let appointment_id = appointment(&app, who, 48).await;
    app.services
        .send_invitation(appointment_id, "staff:test")
        .await
        .unwrap();
    assert_eq!(drain(&app).await, [MessageOutcome::Failed]);
    app.clock.advance(Duration::from_secs(3600));
    assert_eq!(drain(&app).await, [], "a refusal is not retried");
    assert_eq!(gateway.received().len(), 1);
    let status = &app
        .services
        .message_statuses(&[appointment_id])
        .await
        .unwrap()[&appointment_id];
    assert_eq!(status.state, MessageState::Failed);
    assert_eq!(
        status.words.as_deref(),
        Some("HTTP 400: 'To' number is not a valid mobile number")
    );
    app.stop().await;
}

#[tokio::test]
async fn a_patient_with_no_mobile_and_no_email_gets_a_clear_error_that_the_worklist_shows() {
    let app = app_with(None, crate::helpers::Backend::Sqlite).await;
    let who = patient(
        &app,
        serde_json::json!([{"system": "phone", "value": "+1-555-0150", "use": "home"}]),
        serde_json::json!([]),
    );
    let appointment_id = appointment(&app, who, 48).await;
    let error = app
        .services
        .send_invitation(appointment_id, "staff:test")
        .await
        .unwrap_err();
    assert!(matches!(error, ServiceError::Unreachable(_)), "{error:?}");
    assert_eq!(error.to_string(), "no mobile number or email on the chart");
    let status = &app
        .services
        .message_statuses(&[appointment_id])
        .await
        .unwrap()[&appointment_id];
    assert_eq!(status.state, MessageState::Failed);
    assert_eq!(
        status.words.as_deref(),
        Some("no mobile number or email on the chart")
    );
    // The front desk sees it on the day's worklist, and the reason on the appointment's page.
    let staff = app.signed_in("frontdesk").await;
    let day = time::OffsetDateTime::from_unix_timestamp_nanos(
        i128::from(app.clock.now_millis() + 48 * 3_600_000) * 1_000_000,
    )
    .unwrap()
    .date();
    let list = crate::worklist::worklist(&app, &staff, &format!("day={day}")).await;
    assert!(list.contains(">Failed to send<"), "{list}");
    let detail = crate::helpers::page(
        &staff,
        &app.url(&format!("/staff/appointments/{appointment_id}")),
    )
    .await;
    assert!(
        detail.contains("no mobile number or email on the chart"),
        "{detail}"
    );
    app.stop().await;
}

#[tokio::test]
async fn the_planner_invites_what_is_due_once_even_when_two_run_at_the_same_moment() {
    let (gateway, url) = Gateway::start(&[]).await;
    let app = app_with(Some(&url), crate::helpers::Backend::Postgres).await;
    let mobile = |n: u32| serde_json::json!([{"system": "phone", "value": format!("+1-555-02{n:02}"), "use": "mobile"}]);
    let due = appointment(&app, patient(&app, mobile(1), serde_json::json!([])), 48).await;
    let soon = appointment(&app, patient(&app, mobile(2), serde_json::json!([])), 2).await;
    let later = appointment(
        &app,
        patient(&app, mobile(3), serde_json::json!([])),
        24 * 5,
    )
    .await;
    let (a, b) = tokio::join!(app.services.plan_messages(), app.services.plan_messages());
    assert_eq!(
        a.unwrap().invited + b.unwrap().invited,
        2,
        "each due appointment once"
    );
    assert_eq!(app.services.plan_messages().await.unwrap().invited, 0);
    // Two senders race over the outbox.
    let (x, y) = tokio::join!(drain(&app), drain(&app));
    assert_eq!(x.len() + y.len(), 2);
    let mut to: Vec<String> = gateway.received().into_iter().map(|r| r.to).collect();
    to.sort();
    assert_eq!(to, ["+1-555-0201", "+1-555-0202"]);
    let statuses = app
        .services
        .message_statuses(&[due, soon, later])
        .await
        .unwrap();
    assert_eq!(statuses[&due].purpose, Purpose::Invitation);
    assert!(!statuses.contains_key(&later), "five days ahead: not yet");

    // A day on, the reminder for the two-day visit is due; the form is not in.
    app.clock.advance(Duration::from_secs(24 * 3600 + 60));
    assert_eq!(app.services.plan_messages().await.unwrap().invited, 0);
    assert_eq!(drain(&app).await, [MessageOutcome::Sent]);
    let last = gateway.received().pop().unwrap();
    assert_eq!(last.to, "+1-555-0201");
    assert!(last.body.contains("a reminder to answer"), "{}", last.body);
    assert_eq!(
        app.services.message_statuses(&[due]).await.unwrap()[&due].purpose,
        Purpose::Reminder
    );
    app.stop().await;
}

#[tokio::test]
async fn a_submitted_form_gets_no_reminder() {
    let (gateway, url) = Gateway::start(&[]).await;
    let app = app_with(Some(&url), crate::helpers::Backend::Sqlite).await;
    // Samuel Okafor (a demo patient) has a mobile number on the chart.
    let who = PatientIdentifier {
        system: "urn:oid:2.16.840.1.113883.19.5".into(),
        value: "MRN-1002".into(),
    };
    let appointment_id = appointment(&app, who, 48).await;
    let sent = app
        .services
        .send_invitation(appointment_id, "staff:test")
        .await
        .unwrap();
    drain(&app).await;
    crate::helpers::complete_intake(
        &app,
        &app.url(&format!("/i/{}", sent.token.expose())),
        "1984-09-30",
        "",
    )
    .await;
    app.clock.advance(Duration::from_secs(25 * 3600));
    assert_eq!(drain(&app).await, [MessageOutcome::NotSent]);
    assert_eq!(gateway.received().len(), 1, "the invitation only");
    let ids = app
        .services
        .store
        .messages_of_invitation(sent.invitation_id)
        .await
        .unwrap();
    let reminder = app.services.store.message_record(ids[1].0).await.unwrap();
    assert_eq!(reminder.state, MessageState::Cancelled);
    assert_eq!(
        reminder.last_error.as_deref(),
        Some("the form was already submitted")
    );
    assert!(!reminder.body_kept);
    app.stop().await;
}

#[tokio::test]
async fn a_one_time_code_by_email_arrives_at_the_smtp_server_and_opens_the_form() {
    let (port, _) = smtp_server();
    let app = TestApp::spawn_with(Options {
        worker: true,
        verify_code: Some("email"),
        outbox_codes: true,
        env: vec![
            ("INTAKE_SMTP_URL", format!("smtp://127.0.0.1:{port}")),
            ("INTAKE_MAIL_FROM", "intake@riverside.example".to_owned()),
            ("INTAKE_CLINIC_NAME", "Riverside Family Practice".to_owned()),
            ("INTAKE_MESSAGE_PLAN_SECS", "3600".to_owned()),
        ],
        ..Options::default()
    })
    .await;
    let address = unique_email("code-");
    let who = patient(
        &app,
        serde_json::json!([{"system": "email", "value": address}]),
        serde_json::json!([]),
    );
    let link = app.invite_patient(who).await;
    let (browser, csrf) = crate::helpers::open_link(&app, &link).await;
    let response = browser
        .post(app.url("/intake/verify"))
        .form(&[("csrf", csrf.as_str()), ("birth_date", "1990-05-17")])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let mut code = None;
    for _ in 0..200 {
        if let Some(email) = emails_to(&address).first() {
            code = Some(email["body"].as_str().unwrap().to_owned());
            break;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    let body = code.expect("the code's email arrived");
    let digits: String = body
        .split("is ")
        .nth(1)
        .unwrap()
        .chars()
        .take_while(char::is_ascii_digit)
        .collect();
    assert_eq!(digits.len(), 6, "{body}");
    assert!(
        app.codes.sent().is_empty(),
        "the outbox sent it, not the recording sender"
    );
    let entered = browser
        .post(app.url("/intake/code"))
        .form(&[("csrf", csrf.as_str()), ("code", digits.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(location(&entered), "/intake/page/0");
    let first_page = page(&browser, &app.url("/intake/page/0")).await;
    assert!(!first_page.contains(&digits));
    app.stop().await;
}

#[tokio::test]
async fn metrics_count_messages_by_purpose_and_state() {
    let app = app_with(None, crate::helpers::Backend::Sqlite).await;
    let who = patient(&app, serde_json::json!([]), serde_json::json!([]));
    let appointment_id = appointment(&app, who, 48).await;
    app.services
        .send_invitation(appointment_id, "staff:test")
        .await
        .unwrap_err();
    let metrics = page(&app.browser(), &app.url("/metrics")).await;
    assert!(
        metrics.contains("intake_messages{purpose=\"invitation\",state=\"failed\"} 1"),
        "{metrics}"
    );
    app.stop().await;
}
