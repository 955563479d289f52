//! The schedule sync from a file-drop folder and from a real FHIR server (HFS): new
//! appointments with the form the rules pick, reschedules, cancellations that close the link,
//! appointments that reappear, and problems staff see.

use intake::{domain::AppointmentStatus, ehr::Ehr};
use serde_json::{Value, json};
use time::OffsetDateTime;
use uuid::Uuid;

use crate::helpers::{Options, TestApp, fhir_server_url, http, page};

fn rfc3339(at: OffsetDateTime) -> String {
    at.format(&time::format_description::well_known::Rfc3339)
        .unwrap()
}

/// An Appointment for `patient` (a reference, or none), optionally with a service type code.
pub(crate) fn appointment(
    id: &str,
    version: &str,
    status: &str,
    start: OffsetDateTime,
    patient: Option<&str>,
    service: Option<&str>,
) -> Value {
    let mut resource = json!({
        "resourceType": "Appointment", "id": id, "meta": {"versionId": version},
        "status": status, "start": rfc3339(start),
        "end": rfc3339(start + time::Duration::minutes(30)),
        "appointmentType": {"text": "Follow-up"},
        "participant": [{"actor": {"reference": "Location/room-1"}, "status": "accepted"}],
    });
    if let Some(patient) = patient {
        resource["participant"]
            .as_array_mut()
            .unwrap()
            .push(json!({"actor": {"reference": patient}, "status": "accepted"}));
    }
    if let Some(code) = service {
        resource["serviceType"] =
            json!([{"coding": [{"system": "urn:clinic:service", "code": code}]}]);
    }
    resource
}

/// Writes the folder's schedule file (replacing the last one).
fn write_schedule(app: &TestApp, resources: &[Value]) {
    let entries: Vec<Value> = resources.iter().map(|r| json!({"resource": r})).collect();
    let bundle = json!({"resourceType": "Bundle", "type": "collection", "entry": entries});
    std::fs::write(app.ehr_folder.join("schedule.json"), bundle.to_string()).unwrap();
}

fn tomorrow(app: &TestApp) -> OffsetDateTime {
    (intake::clock::Clock::now(app.clock.as_ref()) + time::Duration::days(1))
        .replace_time(time::macros::time!(10:00))
}

#[tokio::test]
async fn a_synced_appointment_is_booked_once_moves_when_rescheduled_and_a_cancellation_closes_its_link()
 {
    let app = TestApp::spawn().await;
    let start = tomorrow(&app);
    let rosa = Some("Patient/rosa-delgado");
    write_schedule(
        &app,
        &[appointment("visit-1", "1", "booked", start, rosa, None)],
    );
    let report = app.services.sync_schedule().await.unwrap();
    assert_eq!(report.summary(), "1 new, 0 problems");
    let (id, state) = app
        .services
        .store
        .synced_state("visit-1")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(state.starts_at, intake::clock::millis(start));
    let listed = app
        .services
        .store
        .list_appointments(None, 1000)
        .await
        .unwrap();
    assert_eq!(listed.len(), 1);
    let details = &listed[0].appointment.details;
    assert_eq!(
        (
            details.form_id.as_str(),
            details.patient_name.as_str(),
            details.visit_type.as_str()
        ),
        ("previsit-basic", "Rosa Maria Delgado", "Follow-up")
    );
    let reach = app.services.store.appointment_reach(id).await.unwrap();
    assert_eq!(reach.mobile.unwrap().expose(), "+1-555-0101");

    // The same version again, and again: nothing doubles, nothing is rewritten.
    for _ in 0..2 {
        let again = app.services.sync_schedule().await.unwrap();
        assert_eq!(again.summary(), "1 unchanged, 0 problems");
    }
    assert_eq!(
        app.services
            .store
            .list_appointments(None, 1000)
            .await
            .unwrap()
            .len(),
        1
    );

    let token = app.services.issue_invitation(id).await.unwrap();
    let link = app.url(&format!("/i/{}", token.expose()));

    let later = start + time::Duration::hours(2);
    write_schedule(
        &app,
        &[appointment("visit-1", "2", "booked", later, rosa, None)],
    );
    assert_eq!(
        app.services.sync_schedule().await.unwrap().summary(),
        "1 moved, 0 problems"
    );
    let (_, moved) = app
        .services
        .store
        .synced_state("visit-1")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(moved.starts_at, intake::clock::millis(later));

    write_schedule(
        &app,
        &[appointment("visit-1", "3", "cancelled", later, rosa, None)],
    );
    assert_eq!(
        app.services.sync_schedule().await.unwrap().summary(),
        "1 cancelled, 0 problems"
    );
    let (_, cancelled) = app
        .services
        .store
        .synced_state("visit-1")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(cancelled.status, AppointmentStatus::Cancelled);
    let trail = app.services.store.audit_trail(id).await.unwrap();
    let actions: Vec<&str> = trail.iter().map(|(_, _, a)| a.as_str()).collect();
    assert_eq!(
        actions,
        [
            "appointment.booked",
            "appointment.moved",
            "appointment.cancelled"
        ]
    );

    let opened = app.browser().get(&link).send().await.unwrap();
    assert_eq!(opened.status(), 410);
    let body = opened.text().await.unwrap();
    assert!(body.contains("This visit was cancelled"), "{body}");
    assert!(
        !body.contains("Rosa"),
        "nothing about the patient before they prove who they are"
    );
    let spanish = app
        .browser()
        .get(&link)
        .header("accept-language", "es")
        .send()
        .await
        .unwrap();
    assert!(
        spanish
            .text()
            .await
            .unwrap()
            .contains("Esta consulta fue cancelada")
    );

    // Cancelled again by a newer version: already closed, the version is recorded.
    write_schedule(
        &app,
        &[appointment("visit-1", "4", "cancelled", later, rosa, None)],
    );
    assert_eq!(
        app.services.sync_schedule().await.unwrap().summary(),
        "1 new version, 0 problems"
    );
}

#[tokio::test]
async fn a_patient_who_opened_the_link_before_the_cancellation_is_told_the_visit_was_cancelled() {
    let app = TestApp::spawn().await;
    let start = tomorrow(&app);
    let samuel = Some("Patient/samuel-okafor");
    write_schedule(
        &app,
        &[appointment("visit-2", "1", "booked", start, samuel, None)],
    );
    app.services.sync_schedule().await.unwrap();
    let (id, _) = app
        .services
        .store
        .synced_state("visit-2")
        .await
        .unwrap()
        .unwrap();
    let token = app.services.issue_invitation(id).await.unwrap();
    let (browser, _) =
        crate::helpers::open_link(&app, &app.url(&format!("/i/{}", token.expose()))).await;
    write_schedule(
        &app,
        &[appointment(
            "visit-2",
            "2",
            "cancelled",
            start,
            samuel,
            None,
        )],
    );
    app.services.sync_schedule().await.unwrap();
    let response = browser.get(app.url("/intake")).send().await.unwrap();
    assert_eq!(response.status(), 410);
    assert!(
        response
            .text()
            .await
            .unwrap()
            .contains("This visit was cancelled")
    );
}

#[tokio::test]
async fn problems_are_kept_per_ehr_appointment_with_a_specific_message_and_shown_to_staff() {
    let app = TestApp::spawn().await;
    let start = tomorrow(&app);
    let no_birth_date = json!({"resourceType": "Bundle", "type": "collection", "entry": [{"resource": {
        "resourceType": "Patient", "id": "no-dob", "name": [{"family": "Nodob", "given": ["Zed"]}]}}]});
    std::fs::write(
        app.ehr_folder.join("no-dob.json"),
        no_birth_date.to_string(),
    )
    .unwrap();
    write_schedule(
        &app,
        &[
            appointment("p-1", "1", "booked", start, None, None),
            appointment("p-2", "1", "booked", start, Some("Patient/nobody"), None),
            appointment("p-3", "1", "pending", start, Some("Patient/no-dob"), None),
            appointment(
                "p-4",
                "1",
                "arrived",
                start,
                Some("Patient/samuel-okafor"),
                Some("mental-health"),
            ),
        ],
    );
    let report = app.services.sync_schedule().await.unwrap();
    assert_eq!(report.summary(), "1 new, 3 problems");
    let problems = app.services.schedule_problems(None, 10).await.unwrap();
    let messages: Vec<(&str, &str)> = problems
        .iter()
        .map(|p| (p.ehr_appointment_id.as_str(), p.message.as_str()))
        .collect();
    assert_eq!(
        messages,
        [
            (
                "p-1",
                "has no Patient participant, so there is no one to invite"
            ),
            ("p-2", "its patient (Patient/nobody) is not on the chart"),
            (
                "p-3",
                "its patient (Patient/no-dob) has no date of birth on the chart, which the patient needs to open the link"
            ),
        ]
    );
    // The mental-health visit of an adult gets the form with the PHQ-9.
    let listed = app
        .services
        .store
        .list_appointments(None, 1000)
        .await
        .unwrap();
    assert_eq!(
        listed[0].appointment.details.form_id.as_str(),
        "adult-previsit"
    );

    let staff = app.signed_in("frontdesk").await;
    let schedule = page(&staff, &app.url("/staff/schedule")).await;
    assert!(schedule.contains("Appointment/p-2"), "{schedule}");
    assert!(schedule.contains("is not on the chart"));
    assert!(schedule.contains("1 new, 3 problems"));
    assert!(!schedule.contains("Zed"), "no patient data in problems");
    assert!(
        page(&staff, &app.url("/staff"))
            .await
            .contains("href=\"/staff/schedule\"")
    );

    // The next sync replaces the problems: fixed ones go.
    write_schedule(
        &app,
        &[appointment(
            "p-4",
            "1",
            "arrived",
            start,
            Some("Patient/samuel-okafor"),
            Some("mental-health"),
        )],
    );
    app.services.sync_schedule().await.unwrap();
    assert!(
        app.services
            .schedule_problems(None, 10)
            .await
            .unwrap()
            .is_empty()
    );
}

/// Puts a resource on the FHIR server and returns its id.
pub(crate) async fn create(base: &str, resource: &Value) -> String {
    let response = http()
        .post(format!(
            "{base}/{}",
            resource["resourceType"].as_str().unwrap()
        ))
        .header("content-type", "application/fhir+json")
        .json(resource)
        .send()
        .await
        .unwrap();
    assert_eq!(
        response.status(),
        201,
        "{}",
        response.text().await.unwrap_or_default()
    );
    let created: Value = response.json().await.unwrap();
    created["id"].as_str().unwrap().to_owned()
}

#[tokio::test]
async fn a_sync_from_the_fhir_server_books_the_patient_with_their_contact_and_language_and_closes_a_cancelled_visit()
 {
    let base = fhir_server_url();
    let app = TestApp::spawn_with(Options {
        fhir_url: Some(base.clone()),
        ..Options::default()
    })
    .await;
    let patient_id = create(&base, &json!({
        "resourceType": "Patient",
        "identifier": [{"system": "urn:oid:2.16.840.1.113883.19.5", "value": format!("S-{}", Uuid::new_v4())}],
        "name": [{"family": "Synthetic", "given": ["Marta"]}],
        "gender": "female", "birthDate": "1983-02-03",
        "telecom": [{"system": "phone", "value": "+1-555-0177", "use": "home"},
                    {"system": "email", "value": "marta@example.org"},
                    {"system": "phone", "value": "+1-555-0178", "use": "mobile"}],
        "communication": [{"language": {"coding": [{"system": "urn:ietf:bcp:47", "code": "es"}]}, "preferred": true}]
    }))
    .await;
    let start = tomorrow(&app);
    let mut resource = appointment(
        "x",
        "1",
        "booked",
        start,
        Some(&format!("Patient/{patient_id}")),
        Some("mental-health"),
    );
    resource.as_object_mut().unwrap().remove("id");
    resource.as_object_mut().unwrap().remove("meta");
    let appointment_id = create(&base, &resource).await;

    let report = app.services.sync_schedule().await.unwrap();
    assert!(
        report.counts.get("new").copied().unwrap_or(0) >= 1,
        "{report:?}"
    );
    let (id, state) = app
        .services
        .store
        .synced_state(&appointment_id)
        .await
        .unwrap()
        .expect("the HFS appointment came in");
    assert_eq!(state.starts_at, intake::clock::millis(start));
    let reach = app.services.store.appointment_reach(id).await.unwrap();
    assert_eq!(
        (
            reach.mobile.unwrap().expose(),
            reach.email.unwrap().expose(),
            reach.language.as_str()
        ),
        ("+1-555-0178", "marta@example.org", "es")
    );
    let overview = app
        .services
        .store
        .list_appointments(None, 1000)
        .await
        .unwrap();
    let booked = overview.iter().find(|o| o.appointment.id == id).unwrap();
    assert_eq!(
        booked.appointment.details.form_id.as_str(),
        "adult-previsit"
    );

    // The EHR cancels it (a new version).
    resource["id"] = json!(appointment_id);
    resource["status"] = json!("cancelled");
    let updated = http()
        .put(format!("{base}/Appointment/{appointment_id}"))
        .header("content-type", "application/fhir+json")
        .json(&resource)
        .send()
        .await
        .unwrap();
    assert!(
        updated.status().is_success(),
        "{}",
        updated.text().await.unwrap_or_default()
    );
    app.services.sync_schedule().await.unwrap();
    let (_, state) = app
        .services
        .store
        .synced_state(&appointment_id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(state.status, AppointmentStatus::Cancelled);
}

#[tokio::test]
async fn the_fhir_connector_follows_next_links_through_every_page_of_appointments() {
    let base = fhir_server_url();
    // A window of its own, far ahead, so other tests' appointments stay out of it.
    let offset = i64::try_from(Uuid::new_v4().as_u128() % 10_000_000).unwrap();
    let from = time::macros::datetime!(2080-01-01 00:00 UTC) + time::Duration::minutes(offset * 10);
    let to = from + time::Duration::minutes(5);
    let patient = format!("Patient/{}", create(&base, &json!({"resourceType": "Patient", "name": [{"family": "Paging"}], "birthDate": "1970-01-01"})).await);
    let entries: Vec<Value> = (0..103)
        .map(|n| {
            let mut resource = appointment(
                "x",
                "1",
                "booked",
                from + time::Duration::seconds(n),
                Some(&patient),
                None,
            );
            resource.as_object_mut().unwrap().remove("id");
            resource.as_object_mut().unwrap().remove("meta");
            json!({"resource": resource, "request": {"method": "POST", "url": "Appointment"}})
        })
        .collect();
    let response = http()
        .post(&base)
        .header("content-type", "application/fhir+json")
        .json(&json!({"resourceType": "Bundle", "type": "transaction", "entry": entries}))
        .send()
        .await
        .unwrap();
    assert!(
        response.status().is_success(),
        "{}",
        response.text().await.unwrap_or_default()
    );
    let rest = intake::ehr::FhirRest::new(&base, std::time::Duration::from_secs(20)).unwrap();
    let first = rest.appointments(from, to, None).await.unwrap();
    assert_eq!(first.appointments.len(), 100, "a page of 100");
    let next = first.next.expect("a next page");
    let second = rest.appointments(from, to, Some(&next)).await.unwrap();
    assert_eq!(second.appointments.len(), 3);
    assert!(second.next.is_none(), "and no more");
    let found: Vec<_> = first
        .appointments
        .iter()
        .chain(&second.appointments)
        .collect();
    let mut ids: Vec<&str> = found.iter().map(|r| r["id"].as_str().unwrap()).collect();
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(ids.len(), 103, "no page read twice");
}
