//! The front desk's worklist and appointment page over HTTP: states and counts for a day,
//! search, the htmx fragment, a fresh link with its QR code, unlock and cancel, who may do what;
//! the patient side of it (the clinic on every page, the visit time, "already sent", a locked
//! link with the clinic's number); and rate limits that count only failures.

use intake::{clock::Clock, domain::PatientIdentifier, intake::ScheduleRequest};
use uuid::Uuid;

use crate::helpers::{
    Options, TestApp, attribute_after, complete_intake, csrf, location, open_link, page, verified,
};

pub(crate) const HOUR: i64 = 3_600_000;

fn mrn(value: &str) -> PatientIdentifier {
    PatientIdentifier {
        system: "urn:oid:2.16.840.1.113883.19.5".into(),
        value: value.into(),
    }
}

/// Today's date as the worklist's `day` takes it, and its first millisecond.
pub(crate) fn today(app: &TestApp) -> (String, i64) {
    let day = app.clock.now().date();
    let start = intake::clock::millis(day.midnight().assume_utc());
    (
        format!(
            "{:04}-{:02}-{:02}",
            day.year(),
            u8::from(day.month()),
            day.day()
        ),
        start,
    )
}

/// An appointment for a demo patient at `at` (epoch milliseconds); its id.
pub(crate) async fn appointment_at(app: &TestApp, record: &str, at: i64) -> Uuid {
    let request = ScheduleRequest {
        patient: mrn(record),
        starts_at: at,
        visit_type: "Follow-up".into(),
        form_id: intake::forms::FormId::parse("previsit-basic").unwrap(),
    };
    app.services.schedule_appointment(request).await.unwrap().0
}

/// A fresh link for an appointment, as the front desk's services make one.
pub(crate) async fn link_for(app: &TestApp, appointment: Uuid) -> String {
    let token = app.services.issue_invitation(appointment).await.unwrap();
    app.url(&format!("/i/{}", token.expose()))
}

/// Five wrong dates of birth: the link locks.
pub(crate) async fn lock(app: &TestApp, link: &str) {
    let (patient, token) = open_link(app, link).await;
    for _ in 0..5 {
        patient
            .post(app.url("/intake/verify"))
            .form(&[("csrf", token.as_str()), ("birth_date", "2001-01-01")])
            .send()
            .await
            .unwrap();
    }
}

/// The worklist of `day` as the front desk sees it.
pub(crate) async fn worklist(app: &TestApp, staff: &reqwest::Client, query: &str) -> String {
    let response = staff
        .get(app.url(&format!("/staff?{query}")))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200, "the worklist answers");
    response.text().await.unwrap()
}

#[tokio::test]
async fn the_worklist_shows_each_appointment_of_the_day_with_its_intake_state_and_the_days_counts()
{
    // No worker: its planner would invite Becker on its own (before 09:00 UTC her visit is
    // still ahead), and she must read "Not sent".
    let app = TestApp::spawn_with(Options {
        worker: false,
        ..Options::default()
    })
    .await;
    let (day, midnight) = today(&app);
    let delgado = appointment_at(&app, "MRN-1001", midnight + 9 * HOUR).await;
    let okafor = appointment_at(&app, "MRN-1002", midnight + 10 * HOUR).await;
    appointment_at(&app, "MRN-1003", midnight + 11 * HOUR).await;
    appointment_at(&app, "MRN-1001", midnight + 24 * HOUR + 9 * HOUR).await;

    // Delgado answers the first page; Okafor's link locks; Becker has no link yet.
    let link = link_for(&app, delgado).await;
    let (patient, token) = verified(&app, &link, "1958-04-12").await;
    let saved = patient
        .post(app.url("/intake/page/0"))
        .form(&[("csrf", token.as_str()), ("a.reason", "Cough")])
        .send()
        .await
        .unwrap();
    assert_eq!(saved.status(), 303);
    lock(&app, &link_for(&app, okafor).await).await;

    let staff = app.signed_in("frontdesk").await;
    let list = worklist(&app, &staff, &format!("day={day}")).await;
    let delgado_at = list.find("Delgado").expect("Delgado is listed");
    let okafor_at = list.find("Okafor").expect("Okafor is listed");
    let becker_at = list.find("Becker").expect("Becker is listed");
    assert!(
        delgado_at < okafor_at && okafor_at < becker_at,
        "in time order"
    );
    assert!(list.contains("In progress (page 1 of 3)"), "{list}");
    assert!(list.contains(">Locked<"), "{list}");
    assert!(list.contains(">Not sent<"), "{list}");
    assert!(
        list.contains("<strong>3</strong> in all"),
        "tomorrow's is not counted: {list}"
    );
    for count in [
        "<strong>1</strong> Not sent",
        "<strong>1</strong> In progress",
        "<strong>1</strong> Locked",
    ] {
        assert!(list.contains(count), "{count}: {list}");
    }
    assert!(list.contains("Unlock<"), "a locked link offers unlocking");

    // Search by a word of a name (names are sealed: whole words only), or by record number.
    let found = worklist(&app, &staff, &format!("day={day}&q=OKAFOR")).await;
    assert!(found.contains("Okafor") && !found.contains("Delgado") && !found.contains("Becker"));
    let found = worklist(&app, &staff, &format!("day={day}&q=MRN-1003")).await;
    assert!(found.contains("Becker") && !found.contains("Okafor"));

    // The next day has the other appointment; a day that is not a date says so.
    let next = worklist(&app, &staff, "day=2999-01-01").await;
    assert!(next.contains("No appointments this day."), "{next}");
    let wrong = worklist(&app, &staff, "day=31%2F12").await;
    assert!(wrong.contains("is not a date like"), "{wrong}");
    assert!(wrong.contains("Delgado"), "today's list instead");

    // Fifteen days on, the open links have expired; the locked one stays locked.
    app.clock
        .advance(std::time::Duration::from_secs(15 * 86_400));
    let staff = app.signed_in("frontdesk").await;
    let later = worklist(&app, &staff, &format!("day={day}")).await;
    assert!(
        later.contains(">Expired<") && later.contains(">Locked<"),
        "{later}"
    );

    // Each view is audited with who looked.
    let user = app
        .services
        .store
        .find_staff_user("frontdesk")
        .await
        .unwrap()
        .unwrap();
    let views = app
        .services
        .store
        .audit_page(&intake::store::AuditQuery {
            action: Some("patient_data.viewed".into()),
            limit: 100,
            ..intake::store::AuditQuery::default()
        })
        .await
        .unwrap();
    assert!(
        views
            .iter()
            .filter(
                |e| e.subject_kind == "appointment_list" && e.actor == format!("staff:{}", user.id)
            )
            .count()
            >= 5,
        "{views:?}"
    );
    app.stop().await;
}

#[tokio::test]
async fn the_worklist_pages_by_fifty_with_earlier_and_later_links() {
    let app = TestApp::spawn().await;
    let (day, midnight) = today(&app);
    for minute in 0..52 {
        appointment_at(&app, "MRN-1002", midnight + 8 * HOUR + minute * 60_000).await;
    }
    let staff = app.signed_in("frontdesk").await;
    let first = worklist(&app, &staff, &format!("day={day}")).await;
    assert_eq!(
        first.matches("<tr>").count(),
        50 + 1,
        "fifty rows and the heading"
    );
    assert!(first.contains("<strong>52</strong> in all"));
    assert!(!first.contains("Earlier appointments"));
    let at = first
        .find("\">Later appointments")
        .expect("a link to later rows");
    let start = first[..at].rfind("href=\"/staff?").expect("its address") + "href=\"/staff?".len();
    let later = first[start..at].replace("&#38;", "&").replace("&amp;", "&");
    assert!(later.contains("after="), "{later}");
    let second = worklist(&app, &staff, &later).await;
    assert_eq!(second.matches("<tr>").count(), 2 + 1, "{later}");
    assert!(second.contains("08:50") && second.contains("08:51") && !second.contains("08:49"));
    assert!(second.contains("Earlier appointments") && !second.contains("Later appointments"));
    app.stop().await;
}

#[tokio::test]
async fn the_rows_fragment_answers_htmx_requests_only() {
    let app = TestApp::spawn().await;
    let (day, midnight) = today(&app);
    appointment_at(&app, "MRN-1001", midnight + 9 * HOUR).await;
    let staff = app.signed_in("frontdesk").await;
    let url = app.url(&format!("/staff/worklist/rows?day={day}&q="));
    assert_eq!(staff.get(&url).send().await.unwrap().status(), 404);
    let fragment = staff
        .get(&url)
        .header("HX-Request", "true")
        .send()
        .await
        .unwrap();
    assert_eq!(fragment.status(), 200);
    let fragment = fragment.text().await.unwrap();
    assert!(fragment.starts_with("<div id=\"worklist\""), "{fragment}");
    assert!(fragment.contains("hx-trigger=\"every 30s\""));
    assert!(fragment.contains("Delgado") && !fragment.contains("<html"));
    app.stop().await;
}

#[tokio::test]
async fn a_fresh_link_shows_as_text_and_a_qr_code_and_the_old_link_stops_working() {
    let app = TestApp::spawn().await;
    let (_, midnight) = today(&app);
    let id = appointment_at(&app, "MRN-1001", midnight + 9 * HOUR).await;
    let old = link_for(&app, id).await;
    let staff = app.signed_in("frontdesk").await;
    let shown = page(&staff, &app.url(&format!("/staff/appointments/{id}"))).await;
    assert!(
        shown.contains("Delgado") && shown.contains("12 April 1958") && shown.contains("MRN-1001")
    );
    assert!(shown.contains("No message has been sent"), "{shown}");
    let made = staff
        .post(app.url(&format!("/staff/appointments/{id}/link")))
        .form(&[("csrf", csrf(&shown).as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(made.status(), 200);
    let made = made.text().await.unwrap();
    assert!(
        made.contains("<svg role=\"img\" aria-label=\"QR code of the link\""),
        "{made}"
    );
    let shown_link = attribute_after(&made, "id=\"fresh-link\" value=\"");
    // The link starts with INTAKE_PUBLIC_URL (here the configured address, port 0).
    let (public, path) = shown_link.split_once("/i/").expect("a link");
    assert_eq!(public, "http://127.0.0.1:0");
    let fresh = app.url(&format!("/i/{path}"));
    assert!(
        made.contains("data-copy=\"fresh-link\""),
        "a copy button for scripts to show"
    );

    let gone = app.browser().get(&old).send().await.unwrap();
    assert_eq!(gone.status(), 404, "the old link stops working");
    verified(&app, &fresh, "1958-04-12").await;

    let trail = app.services.store.audit_trail(id).await.unwrap();
    assert!(
        trail.iter().any(
            |(_, actor, action)| actor.starts_with("staff:") && action == "patient_data.viewed"
        )
    );
    app.stop().await;
}

#[tokio::test]
async fn unlock_gives_a_locked_link_back_and_cancel_stops_it_each_landing_on_the_same_page() {
    let app = TestApp::spawn().await;
    let (day, midnight) = today(&app);
    let id = appointment_at(&app, "MRN-1002", midnight + 10 * HOUR).await;
    let link = link_for(&app, id).await;
    lock(&app, &link).await;
    let staff = app.signed_in("frontdesk").await;
    let list = worklist(&app, &staff, &format!("day={day}")).await;
    let back = format!("/staff?day={day}");
    let unlocked = staff
        .post(app.url(&format!("/staff/appointments/{id}/unlock")))
        .form(&[("csrf", csrf(&list).as_str()), ("back", back.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(location(&unlocked), format!("{back}&done=unlocked"));
    let list = page(&staff, &app.url(&location(&unlocked))).await;
    assert!(list.contains("The link is unlocked"), "{list}");
    verified(&app, &link, "1984-09-30").await;

    let again = staff
        .post(app.url(&format!("/staff/appointments/{id}/unlock")))
        .form(&[("csrf", csrf(&list).as_str()), ("back", back.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(location(&again), format!("{back}&done=not-locked"));

    let cancelled = staff
        .post(app.url(&format!("/staff/appointments/{id}/cancel")))
        .form(&[("csrf", csrf(&list).as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(
        location(&cancelled),
        format!("/staff/appointments/{id}?done=cancelled"),
        "without a page to come back to, the appointment's own"
    );
    assert_eq!(app.browser().get(&link).send().await.unwrap().status(), 404);
    let list = worklist(&app, &staff, &format!("day={day}")).await;
    assert!(list.contains(">Cancelled<"), "{list}");

    let forged = staff
        .post(app.url(&format!("/staff/appointments/{id}/cancel")))
        .form(&[("csrf", "not-the-token")])
        .send()
        .await
        .unwrap();
    assert_eq!(forged.status(), 403);
    app.stop().await;
}

#[tokio::test]
async fn a_clinician_may_read_an_appointment_but_only_the_front_desk_acts_on_it() {
    let app = TestApp::spawn().await;
    let (_, midnight) = today(&app);
    let id = appointment_at(&app, "MRN-1001", midnight + 9 * HOUR).await;
    link_for(&app, id).await;
    let clinician = app.signed_in("clinician").await;
    let shown = clinician
        .get(app.url(&format!("/staff/appointments/{id}")))
        .send()
        .await
        .unwrap();
    assert_eq!(shown.status(), 200);
    let shown = shown.text().await.unwrap();
    assert!(
        shown.contains("Delgado") && !shown.contains("Cancel the link"),
        "{shown}"
    );
    let token = csrf(&shown);
    for action in ["link", "unlock", "cancel"] {
        let response = clinician
            .post(app.url(&format!("/staff/appointments/{id}/{action}")))
            .form(&[("csrf", token.as_str())])
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 403, "a clinician may not {action}");
    }
    let anonymous = app.browser();
    let response = anonymous
        .get(app.url(&format!("/staff/appointments/{id}")))
        .send()
        .await
        .unwrap();
    assert_eq!(location(&response), "/staff/login");
    let unknown = app.signed_in("frontdesk").await;
    let missing = unknown
        .get(app.url(&format!("/staff/appointments/{}", Uuid::now_v7())))
        .send()
        .await
        .unwrap();
    assert_eq!(missing.status(), 404);
    app.stop().await;
}

/// An app whose clinic has a name, a number and a logo.
async fn clinic_app(dir: &std::path::Path, extra: &[(&'static str, &str)]) -> TestApp {
    let logo = dir.join("logo.svg");
    std::fs::write(
        &logo,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"10\" height=\"10\"/>",
    )
    .unwrap();
    let mut env = vec![
        ("INTAKE_CLINIC_NAME", "Riverside Family Practice".to_owned()),
        ("INTAKE_CLINIC_PHONE", "(555) 010-2000".to_owned()),
        ("INTAKE_CLINIC_LOGO", logo.display().to_string()),
    ];
    env.extend(extra.iter().map(|(k, v)| (*k, (*v).to_owned())));
    TestApp::spawn_with(Options {
        env,
        ..Options::default()
    })
    .await
}

#[tokio::test]
async fn patient_pages_name_the_clinic_and_the_first_page_gives_the_visit_time() {
    let dir = tempfile::tempdir().unwrap();
    let app = clinic_app(dir.path(), &[]).await;
    let (_, midnight) = today(&app);
    let id = appointment_at(&app, "MRN-1001", midnight + 9 * HOUR + 30 * 60_000).await;
    let link = link_for(&app, id).await;
    let (patient, _) = open_link(&app, &link).await;
    let check = page(&patient, &app.url("/intake")).await;
    assert!(check.contains("Riverside Family Practice"), "{check}");
    assert!(
        check.contains("href=\"tel:5550102000\">(555) 010-2000</a>"),
        "{check}"
    );
    assert!(check.contains("src=\"/clinic/logo\""));
    assert!(
        !check.contains("Your visit"),
        "nothing about the visit before verification"
    );

    let (patient, _) = verified(&app, &link, "1958-04-12").await;
    let first = page(&patient, &app.url("/intake/page/0")).await;
    let day = app.clock.now().date();
    let expected = format!(
        "Your visit: {} {} {}, 09:30",
        day.day(),
        day.month(),
        day.year()
    );
    assert!(first.contains(&expected), "{expected} in {first}");
    let second = page(&patient, &app.url("/intake/page/1")).await;
    assert!(!second.contains("Your visit"), "only the first page");
    let spanish = patient
        .get(app.url("/intake/page/0"))
        .header("Accept-Language", "es")
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        spanish.contains(", 09:30") && spanish.contains("Su visita: "),
        "{spanish}"
    );
    assert!(spanish.contains("Teléfono"), "{spanish}");

    let logo = app
        .browser()
        .get(app.url("/clinic/logo"))
        .send()
        .await
        .unwrap();
    assert_eq!(logo.status(), 200);
    assert_eq!(logo.headers()["content-type"], "image/svg+xml");
    assert_eq!(logo.headers()["cache-control"], "public, max-age=86400");
    app.stop().await;
}

#[tokio::test]
async fn a_used_link_says_you_already_sent_your_answers_and_a_locked_one_gives_the_clinics_number()
{
    let dir = tempfile::tempdir().unwrap();
    let app = clinic_app(dir.path(), &[]).await;
    let (_, midnight) = today(&app);
    let used = link_for(
        &app,
        appointment_at(&app, "MRN-1001", midnight + 9 * HOUR).await,
    )
    .await;
    complete_intake(&app, &used, "1958-04-12", "").await;
    let again = app.browser().get(&used).send().await.unwrap();
    assert_eq!(again.status(), 410);
    let again = again.text().await.unwrap();
    assert!(again.contains("You already sent your answers"), "{again}");
    assert!(!again.contains("cannot be used"));
    let spanish = app
        .browser()
        .get(&used)
        .header("Accept-Language", "es")
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(spanish.contains("Ya envió sus respuestas"), "{spanish}");

    let locked = link_for(
        &app,
        appointment_at(&app, "MRN-1002", midnight + 10 * HOUR).await,
    )
    .await;
    lock(&app, &locked).await;
    let reopened = app.browser().get(&locked).send().await.unwrap();
    assert_eq!(reopened.status(), 403);
    let reopened = reopened.text().await.unwrap();
    assert!(
        reopened.contains("call the clinic at (555) 010-2000"),
        "{reopened}"
    );
    let spanish = app
        .browser()
        .get(&locked)
        .header("Accept-Language", "es")
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        spanish.contains("Llame a la clínica al (555) 010-2000"),
        "{spanish}"
    );
    app.stop().await;
}

#[tokio::test]
async fn right_answers_never_count_against_an_address_and_wrong_ones_do() {
    let app = TestApp::spawn_with(Options {
        env: vec![("INTAKE_RATE_LIMIT", "2".to_owned())],
        ..Options::default()
    })
    .await;
    let (_, midnight) = today(&app);
    // Five patients on the clinic's one network, each right the first time.
    for hour in 8..13 {
        let link = link_for(
            &app,
            appointment_at(&app, "MRN-1001", midnight + hour * HOUR).await,
        )
        .await;
        verified(&app, &link, "1958-04-12").await;
    }
    // Signing in right, again and again, counts nothing either.
    for _ in 0..4 {
        app.signed_in("frontdesk").await;
    }
    // Two wrong dates of birth use up the address's allowance.
    let link = link_for(
        &app,
        appointment_at(&app, "MRN-1002", midnight + 14 * HOUR).await,
    )
    .await;
    let (patient, token) = open_link(&app, &link).await;
    let mut statuses = Vec::new();
    for _ in 0..3 {
        let response = patient
            .post(app.url("/intake/verify"))
            .form(&[("csrf", token.as_str()), ("birth_date", "2001-01-01")])
            .send()
            .await
            .unwrap();
        statuses.push(response.status().as_u16());
    }
    assert_eq!(statuses, [422, 422, 429]);
    app.stop().await;
}

#[tokio::test]
async fn a_trusted_network_is_never_limited_but_the_link_still_locks() {
    let app = TestApp::spawn_with(Options {
        env: vec![
            ("INTAKE_RATE_LIMIT", "1".to_owned()),
            ("INTAKE_TRUSTED_NETWORKS", "127.0.0.0/8".to_owned()),
        ],
        ..Options::default()
    })
    .await;
    let (_, midnight) = today(&app);
    let mut statuses = Vec::new();
    for hour in 8..10 {
        let link = link_for(
            &app,
            appointment_at(&app, "MRN-1002", midnight + hour * HOUR).await,
        )
        .await;
        let (patient, token) = open_link(&app, &link).await;
        for _ in 0..5 {
            let response = patient
                .post(app.url("/intake/verify"))
                .form(&[("csrf", token.as_str()), ("birth_date", "2001-01-01")])
                .send()
                .await
                .unwrap();
            statuses.push(response.status().as_u16());
        }
    }
    assert!(!statuses.contains(&429), "{statuses:?}");
    assert_eq!(
        statuses.iter().filter(|s| **s == 403).count(),
        2,
        "each link locked at its fifth"
    );
    // Unknown links from a trusted address are not limited either.
    for _ in 0..5 {
        let response = app
            .browser()
            .get(app.url("/i/not-a-real-link"))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 404);
    }
    app.stop().await;
}

#[tokio::test]
async fn send_now_puts_a_fresh_link_in_the_outbox_and_the_old_link_stops_working() {
    let app = TestApp::spawn_with(Options {
        worker: false,
        ..Options::default()
    })
    .await;
    // An hour from now (the day it falls on), so the visit is never over when the test runs.
    let at = app.clock.now_millis() + HOUR;
    let date = time::OffsetDateTime::from_unix_timestamp_nanos(i128::from(at) * 1_000_000)
        .unwrap()
        .date();
    let day = format!(
        "{:04}-{:02}-{:02}",
        date.year(),
        u8::from(date.month()),
        date.day()
    );
    let id = appointment_at(&app, "MRN-1001", at).await;
    let old = link_for(&app, id).await;
    let staff = app.signed_in("frontdesk").await;
    let list = worklist(&app, &staff, &format!("day={day}")).await;
    assert!(list.contains(">Send now<"), "{list}");
    let back = format!("/staff?day={day}");
    let sent = staff
        .post(app.url(&format!("/staff/appointments/{id}/send")))
        .form(&[("csrf", csrf(&list).as_str()), ("back", back.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(location(&sent), format!("{back}&done=sent"));
    assert_eq!(app.browser().get(&old).send().await.unwrap().status(), 404);
    let list = worklist(&app, &staff, &format!("day={day}&done=sent")).await;
    assert!(list.contains("A fresh link is on its way"), "{list}");
    assert!(
        list.contains(">Waiting to send<") && list.contains(">Re-send<"),
        "{list}"
    );
    let shown = page(&staff, &app.url(&format!("/staff/appointments/{id}"))).await;
    assert!(
        shown.contains("Invitation") && shown.contains("Waiting to send"),
        "{shown}"
    );
    app.stop().await;
}
