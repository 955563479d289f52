//! The front desk adds an appointment: find the patient on the EHR, confirm with the form the
//! rules suggest, and land on the appointment's page. Plus the schedule's storage contract on
//! both databases, and the `intake forms which` and `intake appointments sync` commands.

use intake::{
    domain::{AppointmentStatus, BirthDate, PatientIdentifier, PatientName},
    forms::FormId,
    store::{Booking, EhrVersion, NewAppointment, ScheduleProblem, Store},
};
use serde_json::json;

use crate::helpers::{Backend, TestApp, csrf, fresh_database, location, page};

/// Tomorrow at 10:00 as `<input type=datetime-local>` sends it.
fn visit_time(app: &TestApp) -> String {
    let at = intake::clock::Clock::now(app.clock.as_ref()) + time::Duration::days(1);
    format!("{}T10:00", at.date())
}

async fn find(
    app: &TestApp,
    staff: &reqwest::Client,
    fields: &[(&str, &str)],
) -> reqwest::Response {
    let form = page(staff, &app.url("/staff/appointments/new")).await;
    let token = csrf(&form);
    let mut posted = vec![("csrf", token.as_str()), ("step", "find")];
    posted.extend_from_slice(fields);
    staff
        .post(app.url("/staff/appointments/new"))
        .form(&posted)
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn the_front_desk_finds_a_patient_by_record_number_and_books_with_the_suggested_form() {
    let app = TestApp::spawn().await;
    let staff = app.signed_in("frontdesk").await;
    let when = visit_time(&app);
    let found = find(
        &app,
        &staff,
        &[
            ("mrn", "MRN-1002"),
            ("visit_time", &when),
            ("visit_code", "mental-health"),
        ],
    )
    .await;
    assert_eq!(found.status(), 200);
    let confirm = found.text().await.unwrap();
    assert!(confirm.contains("Samuel Okafor"), "{confirm}");
    assert!(
        confirm.contains("<option value=\"adult-previsit\" selected>"),
        "{confirm}"
    );
    assert!(
        confirm.contains("Suggested by rule 2 (adults with a mental-health visit)"),
        "{confirm}"
    );
    let patient_ref = crate::helpers::attribute_after(&confirm, "name=\"patient_ref\" value=\"");
    let created = staff
        .post(app.url("/staff/appointments/new"))
        .form(&[
            ("csrf", csrf(&confirm).as_str()),
            ("step", "confirm"),
            ("patient_ref", &patient_ref),
            ("visit_time", &when),
            ("visit_code", "mental-health"),
            ("form", "adult-previsit"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(created.status(), 303);
    let listed = app
        .services
        .store
        .list_appointments(None, 1000)
        .await
        .unwrap();
    assert_eq!(listed.len(), 1);
    assert_eq!(
        location(&created),
        format!("/staff/appointments/{}", listed[0].appointment.id)
    );
    let details = &listed[0].appointment.details;
    assert_eq!(
        (
            details.patient.value.as_str(),
            details.form_id.as_str(),
            details.visit_type.as_str()
        ),
        ("MRN-1002", "adult-previsit", "Mental health")
    );
    let trail = app
        .services
        .store
        .audit_trail(listed[0].appointment.id)
        .await
        .unwrap();
    assert!(trail[0].1.starts_with("staff:"), "{trail:?}");
}

#[tokio::test]
async fn the_front_desk_finds_a_patient_by_name_and_date_of_birth() {
    let app = TestApp::spawn().await;
    let staff = app.signed_in("frontdesk").await;
    let when = visit_time(&app);
    let found = find(
        &app,
        &staff,
        &[
            ("family", "delgado"),
            ("given", "Rosa"),
            ("birth_date", "1958-04-12"),
            ("visit_time", &when),
        ],
    )
    .await;
    assert_eq!(found.status(), 200);
    let confirm = found.text().await.unwrap();
    assert!(confirm.contains("Rosa Maria Delgado"));
    assert!(confirm.contains("MRN-1001"));
    assert!(
        confirm.contains("<option value=\"previsit-basic\" selected>"),
        "the default form: {confirm}"
    );
}

#[tokio::test]
async fn a_patient_not_found_or_a_bad_date_is_said_next_to_its_field() {
    let app = TestApp::spawn().await;
    let staff = app.signed_in("frontdesk").await;
    let when = visit_time(&app);
    let missing = find(&app, &staff, &[("mrn", "MRN-9999"), ("visit_time", &when)]).await;
    assert_eq!(missing.status(), 422);
    let body = missing.text().await.unwrap();
    assert!(
        body.contains(
            "id=\"mrn-error\" role=\"alert\">No patient on the chart has this record number."
        ),
        "{body}"
    );
    assert!(body.contains("value=\"MRN-9999\""), "what was typed stays");

    let nobody = find(
        &app,
        &staff,
        &[
            ("family", "Delgado"),
            ("given", "Rosa"),
            ("birth_date", "1958-04-13"),
            ("visit_time", &when),
        ],
    )
    .await;
    assert!(
        nobody
            .text()
            .await
            .unwrap()
            .contains("No patient on the chart has this name and date of birth.")
    );

    let bad_time = find(
        &app,
        &staff,
        &[("mrn", "MRN-1001"), ("visit_time", "next tuesday")],
    )
    .await;
    assert_eq!(bad_time.status(), 422);
    assert!(
        bad_time.text().await.unwrap().contains(
            "id=\"visit_time-error\" role=\"alert\">Enter the visit&#39;s date and time."
        )
    );

    let bad_birth = find(
        &app,
        &staff,
        &[
            ("family", "Delgado"),
            ("given", "Rosa"),
            ("birth_date", "1958-02-30"),
            ("visit_time", &when),
        ],
    )
    .await;
    assert!(
        bad_birth
            .text()
            .await
            .unwrap()
            .contains("id=\"birth_date-error\"")
    );

    // Two patients with one name and birth date: a guess could invite the wrong one.
    let twin = json!({"resourceType": "Bundle", "type": "collection", "entry": [{"resource": {
        "resourceType": "Patient", "id": "rosa-two", "name": [{"family": "Delgado", "given": ["Rosa"]}],
        "birthDate": "1958-04-12"}}]});
    std::fs::write(app.ehr_folder.join("twin.json"), twin.to_string()).unwrap();
    let two = find(
        &app,
        &staff,
        &[
            ("family", "Delgado"),
            ("given", "Rosa"),
            ("birth_date", "1958-04-12"),
            ("visit_time", &when),
        ],
    )
    .await;
    assert!(
        two.text()
            .await
            .unwrap()
            .contains("2 patients on the chart match")
    );
    assert!(
        app.services
            .store
            .list_appointments(None, 1000)
            .await
            .unwrap()
            .is_empty()
    );
}

/// Runs a schedule storage contract on both backends, each with a fresh database.
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
    an_ehr_appointment_is_booked_once_and_cancelling_it_revokes_its_open_link,
    each_sync_replaces_the_problems_and_they_page_by_key,
);

async fn store(backend: Backend) -> (Store, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let url = fresh_database(backend, dir.path()).await;
    (
        Store::connect(&url).await.expect("connect and migrate"),
        dir,
    )
}

fn booking(ehr_id: &str) -> Booking {
    Booking {
        appointment: NewAppointment {
            patient: PatientIdentifier {
                system: "urn:mrn".into(),
                value: "42".into(),
            },
            patient_name: PatientName::new("Ada Example"),
            patient_birth_date: BirthDate::from_chart("1970-01-02").unwrap(),
            patient_ref: "Patient/p1".into(),
            starts_at: 1_795_300_000_000,
            visit_type: "Follow-up".into(),
            form_id: FormId::parse("previsit-basic").unwrap(),
        },
        ehr: Some(EhrVersion {
            id: ehr_id.into(),
            version: "1".into(),
        }),
        mobile: intake::domain::Contact::phone("+1-555-0100"),
        email: None,
        language: "es",
    }
}

async fn an_ehr_appointment_is_booked_once_and_cancelling_it_revokes_its_open_link(store: Store) {
    let now = 1_795_000_000_000;
    let id = store
        .insert_booking(&booking("e-1"), "system", now)
        .await
        .unwrap()
        .expect("booked");
    assert_eq!(
        store
            .insert_booking(&booking("e-1"), "system", now)
            .await
            .unwrap(),
        None,
        "never twice"
    );
    let (found, state) = store.synced_state("e-1").await.unwrap().unwrap();
    assert_eq!(
        (found, state.version.as_deref(), state.status),
        (id, Some("1"), AppointmentStatus::Booked)
    );
    let reach = store.appointment_reach(id).await.unwrap();
    assert_eq!(
        (reach.mobile.unwrap().expose(), reach.language.as_str()),
        ("+1-555-0100", "es")
    );

    let link = intake::domain::SecretToken::generate().hash();
    store
        .issue_invitation(id, &link, now + 1_000_000, now)
        .await
        .unwrap();
    assert!(!store.link_cancelled(&link).await.unwrap());
    store
        .move_appointment(id, 1_795_400_000_000, "2", false, now)
        .await
        .unwrap();
    assert_eq!(
        store
            .synced_state("e-1")
            .await
            .unwrap()
            .unwrap()
            .1
            .starts_at,
        1_795_400_000_000
    );
    assert!(
        store
            .cancel_appointment(id, Some("3"), "system", now)
            .await
            .unwrap()
    );
    assert!(
        !store
            .cancel_appointment(id, Some("3"), "system", now)
            .await
            .unwrap(),
        "once"
    );
    assert!(store.link_cancelled(&link).await.unwrap());
    assert_eq!(
        store.appointment_status(id).await.unwrap(),
        AppointmentStatus::Cancelled
    );
    let actions: Vec<String> = store
        .audit_trail(id)
        .await
        .unwrap()
        .into_iter()
        .map(|(_, _, a)| a)
        .collect();
    assert_eq!(
        actions,
        [
            "appointment.booked",
            "appointment.moved",
            "appointment.cancelled"
        ]
        .map(String::from)
        .to_vec()
    );
    // Desk bookings have no EHR id, and any number of them may exist.
    let mut desk = booking("unused");
    desk.ehr = None;
    assert!(
        store
            .insert_booking(&desk, "staff:x", now)
            .await
            .unwrap()
            .is_some()
    );
    assert!(
        store
            .insert_booking(&desk, "staff:x", now)
            .await
            .unwrap()
            .is_some()
    );
}

async fn each_sync_replaces_the_problems_and_they_page_by_key(store: Store) {
    let problem = |id: &str| ScheduleProblem {
        ehr_appointment_id: id.into(),
        starts_at: Some(1),
        message: "has no start time".into(),
    };
    store
        .replace_schedule_problems(
            &[problem("b"), problem("a"), problem("c")],
            "3 problems",
            10,
        )
        .await
        .unwrap();
    let first = store.schedule_problems(None, 2).await.unwrap();
    assert_eq!(
        first
            .iter()
            .map(|p| p.ehr_appointment_id.as_str())
            .collect::<Vec<_>>(),
        ["a", "b"]
    );
    let rest = store.schedule_problems(Some("b"), 2).await.unwrap();
    assert_eq!(
        rest.iter()
            .map(|p| p.ehr_appointment_id.as_str())
            .collect::<Vec<_>>(),
        ["c"]
    );
    store
        .replace_schedule_problems(&[problem("d")], "1 problem", 20)
        .await
        .unwrap();
    assert_eq!(store.schedule_problems(None, 10).await.unwrap().len(), 1);
    let last = store.last_schedule_sync().await.unwrap().unwrap();
    assert_eq!((last.finished_at, last.summary.as_str()), (20, "1 problem"));
}
