//! The front door end to end, with every real component: an Appointment booked on the FHIR
//! server (HFS) comes in by the schedule sync, the planner invites the patient by email through
//! the real SMTP server, the patient follows the emailed link with a cookie jar, proves who they
//! are and submits, a clinician accepts what waits for review, the write-back worker posts to
//! HFS, and the front desk's worklist says "Posted".

use intake::domain::{MessageState, Purpose};
use serde_json::{Value, json};
use uuid::Uuid;

use crate::{
    helpers::{
        Backend, Options, TestApp, accept_first_exception, complete_intake, eventually,
        fhir_server_url, free_port, http,
    },
    messages::{emails_to, smtp_server},
    schedule::{appointment, create},
    worklist::worklist,
};

const CLINIC: &str = "Riverside Family Practice";

/// The resources of `resource_type` on the FHIR server that search `parameter=value` finds.
async fn search(base: &str, resource_type: &str, parameter: &str, value: &str) -> Vec<Value> {
    let bundle: Value = http()
        .get(format!("{base}/{resource_type}"))
        .query(&[(parameter, value)])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    bundle["entry"].as_array().map_or_else(Vec::new, |entries| {
        entries
            .iter()
            .filter(|e| e["search"]["mode"] != "outcome")
            .map(|e| e["resource"].clone())
            .collect()
    })
}

/// The worklist row (a `<tr>`) that names `record_number`, searched for on `day`.
async fn worklist_row(
    app: &TestApp,
    staff: &reqwest::Client,
    day: &str,
    record_number: &str,
) -> String {
    let list = worklist(app, staff, &format!("day={day}&q={record_number}")).await;
    let at = list
        .find(&format!("MRN {record_number}"))
        .unwrap_or_else(|| panic!("the appointment is on the worklist of {day}: {list}"));
    let start = list[..at].rfind("<tr>").unwrap();
    let end = at + list[at..].find("</tr>").unwrap();
    list[start..end].to_owned()
}

#[tokio::test]
async fn an_appointment_booked_on_the_ehr_is_emailed_answered_reviewed_and_posted_back_as_the_worklist_shows()
 {
    walk_through_the_front_door(Backend::Sqlite).await;
}

#[tokio::test]
async fn the_same_day_goes_the_same_way_on_postgres() {
    walk_through_the_front_door(Backend::Postgres).await;
}

/// The whole path, on one database backend.
async fn walk_through_the_front_door(backend: Backend) {
    let base = fhir_server_url();
    let (smtp_port, _) = smtp_server();
    // Every app on the shared FHIR server syncs every appointment in its window, so another
    // test's app may invite this patient too: this app's emails are the ones from its sender.
    let sender = format!("intake-{}@riverside.example", Uuid::new_v4().simple());
    let from_this_app = |to: &str| -> Vec<Value> {
        emails_to(to)
            .into_iter()
            .filter(|m| m["envelope_from"] == sender.as_str())
            .collect()
    };
    // The app's own port in its public address, so the emailed link is one a browser can follow.
    let port = free_port();
    let app = TestApp::spawn_with(Options {
        backend,
        fhir_url: Some(base.clone()),
        worker: true,
        env: vec![
            ("INTAKE_ADDR", format!("127.0.0.1:{port}")),
            ("INTAKE_PUBLIC_URL", format!("http://127.0.0.1:{port}")),
            ("INTAKE_SMTP_URL", format!("smtp://127.0.0.1:{smtp_port}")),
            ("INTAKE_MAIL_FROM", format!("{CLINIC} <{sender}>")),
            ("INTAKE_CLINIC_NAME", CLINIC.to_owned()),
            ("INTAKE_CLINIC_PHONE", "(555) 010-2000".to_owned()),
            // The test plans when it means to; the sender and the write-back worker run on.
            ("INTAKE_MESSAGE_PLAN_SECS", "3600".to_owned()),
            ("INTAKE_WORKER_BACKOFF_MS", "10".to_owned()),
        ],
        ..Options::default()
    })
    .await;

    // A synthetic patient on the EHR, reachable by email only (a home phone is no way to text), and a visit three hours on.
    let record_number = format!("E2E-{}", Uuid::new_v4().simple());
    let address = format!("lena-{}@patients.example", Uuid::new_v4().simple());
    let patient_id = create(
        &base,
        &json!({
            "resourceType": "Patient",
            "identifier": [{"system": "urn:oid:2.16.840.1.113883.19.5", "value": record_number}],
            "name": [{"family": "Frontdoor", "given": ["Lena"]}],
            "gender": "female", "birthDate": "1979-08-14",
            "telecom": [{"system": "phone", "value": "+1-555-0190", "use": "home"},
                        {"system": "email", "value": address}],
        }),
    )
    .await;
    let patient = format!("Patient/{patient_id}");
    let start = (intake::clock::Clock::now(app.clock.as_ref()) + time::Duration::hours(3))
        .replace_second(0)
        .unwrap()
        .replace_nanosecond(0)
        .unwrap();
    let mut booked = appointment("x", "1", "booked", start, Some(&patient), None);
    booked.as_object_mut().unwrap().remove("id");
    booked.as_object_mut().unwrap().remove("meta");
    let ehr_appointment = create(&base, &booked).await;

    // The sync brings it in (other tests' appointments on the shared server may come too).
    let report = app.services.sync_schedule().await.unwrap();
    assert!(
        !report
            .problems
            .iter()
            .any(|p| p.ehr_appointment_id == ehr_appointment),
        "{report:?}"
    );
    let (appointment_id, state) = app
        .services
        .store
        .synced_state(&ehr_appointment)
        .await
        .unwrap()
        .expect("the Appointment on the EHR came in");
    assert_eq!(state.starts_at, intake::clock::millis(start));

    // The visit is sooner than the invitation days: the planner invites at once (this pass, or
    // the app's own planner if it came first), and the running sender emails it.
    app.services.plan_messages().await.unwrap();
    eventually("the invitation reaches the SMTP server", || async {
        !from_this_app(&address).is_empty()
    })
    .await;
    let emails = from_this_app(&address);
    assert_eq!(emails.len(), 1, "one email, not two");
    let email = &emails[0];
    assert_eq!(email["to"], address.as_str());
    assert_eq!(
        email["envelope_to"],
        json!([address]),
        "to the patient alone"
    );
    let when = start
        .format(time::macros::format_description!(
            "[weekday repr:short] [day padding:none] [month repr:short] at [hour padding:none]:[minute]"
        ))
        .unwrap();
    assert_eq!(
        email["subject"],
        // The clinic set no time zone: the time says it is UTC.
        format!("{CLINIC}: a few questions before your visit on {when} UTC").as_str()
    );
    let body = email["body"].as_str().unwrap();
    assert!(
        !body.contains("Frontdoor") && !body.contains("1979"),
        "nothing about the patient beyond the address: {body}"
    );
    let links: Vec<&str> = body
        .split_whitespace()
        .filter(|word| word.starts_with("http"))
        .collect();
    assert_eq!(links.len(), 1, "one link: {body}");
    let link = links[0];
    assert!(
        link.starts_with(&format!("http://127.0.0.1:{port}/i/")),
        "{link}"
    );

    // The server has the email a moment before the sender records it as sent.
    eventually("the outbox records the invitation as sent", || async {
        let statuses = app
            .services
            .message_statuses(&[appointment_id])
            .await
            .unwrap();
        let status = &statuses[&appointment_id];
        assert_eq!(status.purpose, Purpose::Invitation);
        status.state == MessageState::Sent
    })
    .await;

    let front_desk = app.signed_in("frontdesk").await;
    let day = start
        .format(time::macros::format_description!("[year]-[month]-[day]"))
        .unwrap();
    let row = worklist_row(&app, &front_desk, &day, &record_number).await;
    assert!(
        row.contains("Lena Frontdoor") && row.contains(">Sent<"),
        "{row}"
    );

    // A link one character off opens nothing; the emailed one opens the form.
    let mut wrong = link.to_owned();
    let last = wrong.pop().unwrap();
    wrong.push(if last == 'A' { 'B' } else { 'A' });
    let refused = app.browser().get(&wrong).send().await.unwrap();
    assert!(
        refused.headers().get("location").is_none(),
        "a wrong link does not open the form"
    );

    // The patient verifies with the date of birth on the chart, answers (a new allergy, which
    // a clinician decides) and submits.
    complete_intake(&app, link, "1979-08-14", "Latex").await;
    let row = worklist_row(&app, &front_desk, &day, &record_number).await;
    assert!(row.contains(">Waiting for review<"), "{row}");
    let again = app.browser().get(link).send().await.unwrap();
    assert_eq!(again.status(), 410, "the link is used up");
    assert!(
        again
            .text()
            .await
            .unwrap()
            .contains("You already sent your answers")
    );

    let clinician = app.signed_in("clinician").await;
    accept_first_exception(&app, &clinician).await;

    let submission = app.services.submissions().await.unwrap()[0].id;
    eventually("the write-back worker posts every change", || async {
        let changes = app
            .services
            .store
            .changes_for_submission(submission)
            .await
            .unwrap();
        !changes.is_empty() && changes.iter().all(|c| c.ehr_resource_id.is_some())
    })
    .await;

    // On the EHR: the answers and the allergy, each once, for this patient.
    let allergies = search(&base, "AllergyIntolerance", "patient", &patient).await;
    assert_eq!(allergies.len(), 1, "{allergies:?}");
    assert!(
        allergies[0].to_string().contains("Latex"),
        "{}",
        allergies[0]
    );
    let responses = search(&base, "QuestionnaireResponse", "subject", &patient).await;
    assert_eq!(responses.len(), 1, "{responses:?}");
    assert_eq!(responses[0]["status"], "completed");
    assert!(
        responses[0].to_string().contains("Cough for two weeks"),
        "{}",
        responses[0]
    );
    let changes = app
        .services
        .store
        .changes_for_submission(submission)
        .await
        .unwrap();
    for change in &changes {
        let id = change.ehr_resource_id.as_deref().unwrap();
        let on_server = http()
            .get(format!("{base}/{}/{id}", change.resource_type))
            .send()
            .await
            .unwrap();
        assert_eq!(
            on_server.status(),
            200,
            "{} {id} is on the EHR",
            change.resource_type
        );
    }

    // The front desk sees it done; and nothing more goes to the patient.
    let row = worklist_row(&app, &front_desk, &day, &record_number).await;
    assert!(row.contains(">Posted<"), "{row}");
    app.services.plan_messages().await.unwrap();
    tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    assert_eq!(from_this_app(&address).len(), 1, "no second email");
    app.stop().await;
}
