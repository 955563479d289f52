//! A clinic in New York (`INTAKE_TIMEZONE=America/New_York`): every time people read is on its
//! clocks (the worklist, the appointment page, the patient's page, the invitation text), the
//! worklist's day runs from its midnight to its midnight, and a time typed at the desk is read
//! on its clocks, summer or winter. Stored times stay UTC.

use std::time::Duration;

use intake::clock::{Clock, millis};
use time::{Date, Month, OffsetDateTime};

use crate::{
    helpers::{Options, TestApp, csrf, location, page, verified},
    worklist::{appointment_at, link_for},
};

async fn new_york_clinic() -> TestApp {
    TestApp::spawn_with(Options {
        worker: false,
        env: vec![("INTAKE_TIMEZONE", "America/New_York".to_owned())],
        ..Options::default()
    })
    .await
}

/// `month`'s 15th next year: always ahead of the clock, in winter (EST, UTC-5) for January
/// and in summer (EDT, UTC-4) for July.
fn next_year(app: &TestApp, month: Month) -> Date {
    Date::from_calendar_date(app.clock.now().year() + 1, month, 15).unwrap()
}

fn utc(day: Date, hour: u8, minute: u8) -> OffsetDateTime {
    day.with_hms(hour, minute, 0).unwrap().assume_utc()
}

/// Moves the app's clock forward to `at`.
fn set_clock(app: &TestApp, at: OffsetDateTime) {
    let ahead = at - app.clock.now();
    app.clock.advance(Duration::from_millis(
        ahead.whole_milliseconds().try_into().unwrap(),
    ));
}

#[tokio::test]
async fn a_new_york_clinic_sees_a_1430z_visit_at_0930_on_the_worklist_the_appointment_the_patients_page_and_the_text()
 {
    let app = new_york_clinic().await;
    let day = next_year(&app, Month::January);
    // 02:00Z on the 15th is still the 14th in New York (21:00): the clinic's today.
    set_clock(&app, utc(day, 2, 0));
    let morning = appointment_at(&app, "MRN-1001", millis(utc(day, 14, 30))).await;
    // 23:30 in New York is 04:30Z the next day: it belongs to the 15th.
    appointment_at(
        &app,
        "MRN-1002",
        millis(utc(day.next_day().unwrap(), 4, 30)),
    )
    .await;
    // 04:59Z on the 15th is 23:59 on the 14th in New York: the day before's.
    appointment_at(&app, "MRN-1003", millis(utc(day, 4, 59))).await;

    let staff = app.signed_in("frontdesk").await;
    let list = page(&staff, &app.url(&format!("/staff?day={day}"))).await;
    assert!(list.contains(">09:30<"), "{list}");
    assert!(!list.contains(">14:30<"), "{list}");
    assert!(
        list.contains(">23:30<"),
        "the late visit is on its own day: {list}"
    );
    assert!(list.contains("Okafor"), "{list}");
    assert!(
        !list.contains("Becker"),
        "23:59 on the 14th is not the 15th: {list}"
    );
    assert!(list.contains("<strong>2</strong> in all"), "{list}");
    let before = page(
        &staff,
        &app.url(&format!("/staff?day={}", day.previous_day().unwrap())),
    )
    .await;
    assert!(
        before.contains("Becker") && before.contains(">23:59<"),
        "{before}"
    );
    assert!(!before.contains("Okafor"), "{before}");
    let today = page(&staff, &app.url("/staff")).await;
    assert!(
        today.contains(&format!("14 {} {}", Month::January, day.year())),
        "the clinic's today is still the 14th: {today}"
    );
    assert!(today.contains("Becker"), "{today}");

    let appointment = page(&staff, &app.url(&format!("/staff/appointments/{morning}"))).await;
    assert!(
        appointment.contains(&format!("15 Jan {}, 09:30", day.year())),
        "{appointment}"
    );
    assert!(
        appointment.contains(&format!("/staff?day={day}")),
        "back to the visit's own day: {appointment}"
    );

    let link = link_for(&app, morning).await;
    let (patient, _) = verified(&app, &link, "1958-04-12").await;
    let first = page(&patient, &app.url("/intake/page/0")).await;
    assert!(
        first.contains(&format!("Your visit: 15 January {}, 09:30", day.year())),
        "{first}"
    );

    app.services
        .send_invitation(morning, "staff:test")
        .await
        .unwrap();
    let text = app
        .services
        .store
        .claim_next_message(app.clock.now_millis(), 60_000)
        .await
        .unwrap()
        .expect("the invitation is queued");
    let body = text.body.unwrap();
    assert!(body.contains(" 15 Jan at 9:30: "), "{body}");
    assert!(!body.contains("UTC") && !body.contains("14:30"), "{body}");
    app.stop().await;
}

#[tokio::test]
async fn a_visit_typed_at_0930_at_the_desk_is_stored_as_1430z_in_winter_and_1330z_in_summer() {
    let app = new_york_clinic().await;
    let staff = app.signed_in("frontdesk").await;
    let form = page(&staff, &app.url("/staff/appointments/new")).await;
    assert!(
        form.contains("Visit date and time (America/New_York)"),
        "{form}"
    );
    for (month, hour_utc) in [(Month::January, 14), (Month::July, 13)] {
        let day = next_year(&app, month);
        let typed = format!("{day}T09:30");
        let found = staff
            .post(app.url("/staff/appointments/new"))
            .form(&[
                ("csrf", csrf(&form).as_str()),
                ("step", "find"),
                ("mrn", "MRN-1002"),
                ("visit_time", &typed),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(found.status(), 200);
        let confirm = found.text().await.unwrap();
        assert!(
            confirm.contains(&format!(
                "15 {} {}, 09:30 (America/New_York)",
                &month.to_string()[..3],
                day.year()
            )),
            "{confirm}"
        );
        let patient_ref =
            crate::helpers::attribute_after(&confirm, "name=\"patient_ref\" value=\"");
        let created = staff
            .post(app.url("/staff/appointments/new"))
            .form(&[
                ("csrf", csrf(&confirm).as_str()),
                ("step", "confirm"),
                ("patient_ref", &patient_ref),
                ("visit_time", &typed),
                ("form", "previsit-basic"),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(created.status(), 303);
        let id = location(&created)
            .rsplit('/')
            .next()
            .unwrap()
            .parse::<uuid::Uuid>()
            .unwrap();
        let stored = app
            .services
            .store
            .list_appointments(None, 1000)
            .await
            .unwrap()
            .into_iter()
            .find(|a| a.appointment.id == id)
            .unwrap();
        assert_eq!(
            stored.appointment.details.starts_at,
            millis(utc(day, hour_utc, 30)),
            "{month}"
        );
    }
    app.stop().await;
}
