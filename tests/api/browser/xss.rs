//! Stored XSS, in real Chromium with JavaScript on: classic and context-breaking payloads typed
//! into every free-text field patients and staff fill (the patient's name and visit type from
//! the EHR, free-text answers, allergies and medicines, a reviewer's edit and reject reason, an
//! urgent flag's note, staff names), then every staff, clinician and admin page that shows them
//! viewed. Every payload calls `__xss(N)`, which a watcher put in each page before its own
//! scripts defines; the watcher also records every `securitypolicyviolation` event. The test
//! asserts no payload ran, no CSP violation, and no payload left markup behind (an inline
//! handler, a `javascript:` URL, a script, frame or object), and reports payloads x pages.

use intake::{
    auth::TotpSecret,
    clock::Clock,
    domain::{PatientIdentifier, StaffRole},
    intake::{Actor, ScheduleRequest},
};
use serde_json::json;
use uuid::Uuid;

use super::{
    phone::Phone,
    sign_in,
    xss_watch::{Tally, WATCH, assert_the_watcher_catches_a_planted_payload},
};
use crate::helpers::{TestApp, answer_and_submit, csrf, page, verified};

/// Each calls `__xss(N)` with its own index N if it ever runs.
pub const PAYLOADS: [&str; 22] = [
    "<script>__xss(0)</script>",
    "\"><img src=x onerror=__xss(1)>",
    "'><img src=x onerror=__xss(2)>",
    "<svg onload=__xss(3)>",
    "<svg><script>__xss(4)</script></svg>",
    "javascript:__xss(5)",
    "<a href=\"javascript:__xss(6)\">open</a>",
    "\" onmouseover=\"__xss(7)\" autofocus onfocus=\"__xss(7)",
    "' onfocus='__xss(8)' autofocus='",
    "</textarea><script>__xss(9)</script>",
    "</title><script>__xss(10)</script>",
    "<iframe srcdoc=\"<script>parent.__xss(11)</script>\"></iframe>",
    "<details open ontoggle=__xss(12)>",
    "<body onload=__xss(13)>",
    "<math><mtext><table><mglyph><style><img src=x onerror=__xss(14)>",
    "<input autofocus onfocus=__xss(15)>",
    "<object data=\"javascript:__xss(16)\"></object>",
    "<base href=\"javascript:__xss(17)//\">",
    "{{__xss(18)}} ${__xss(18)} {% raw %}__xss(18)",
    "<div hx-get=\"/staff\" hx-trigger=\"load\" hx-on::load=\"__xss(19)\">x</div>",
    "<form><button formaction=\"javascript:__xss(20)\">go</button></form>",
    "</script><script src=\"data:text/javascript,__xss(21)\"></script>",
];

const BORN: &str = "1980-01-01";

/// A patient in the file-drop EHR whose names are `payload`.
fn patient_named(app: &TestApp, n: usize, payload: &str) -> PatientIdentifier {
    let mrn = format!("MRN-XSS-{n}");
    let bundle = json!({
        "resourceType": "Bundle",
        "type": "collection",
        "entry": [{"resource": {
            "resourceType": "Patient",
            "id": format!("xss-{n}"),
            "identifier": [{"system": "urn:oid:2.16.840.1.113883.19.5", "value": mrn}],
            "name": [{"family": payload, "given": [payload]}],
            "birthDate": BORN
        }}]
    });
    std::fs::write(
        app.ehr_folder.join(format!("xss-{n}.json")),
        bundle.to_string(),
    )
    .unwrap();
    PatientIdentifier {
        system: "urn:oid:2.16.840.1.113883.19.5".into(),
        value: mrn,
    }
}

/// A staff account named `display` (free text) with a known password, signed in over HTTP.
async fn staff(
    app: &TestApp,
    username: &str,
    display: &str,
    role: StaffRole,
) -> (reqwest::Client, String) {
    let password = intake::auth::generate_password();
    let hash = intake::auth::hash_password(&password).unwrap();
    app.services
        .store
        .upsert_staff_user(username, display, role, &hash, 0)
        .await
        .unwrap();
    let browser = app.browser();
    let form = page(&browser, &app.url("/staff/login")).await;
    let response = browser
        .post(app.url("/staff/login"))
        .form(&[
            ("csrf", csrf(&form).as_str()),
            ("username", username),
            ("password", &password),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 303, "{username} signs in");
    (browser, password)
}

/// Posts a staff form found on `at`, with its CSRF token; expects a redirect.
async fn post_from(
    app: &TestApp,
    browser: &reqwest::Client,
    at: &str,
    action: &str,
    fields: &[(&str, &str)],
) {
    let html = page(browser, &app.url(at)).await;
    let token = csrf(&html);
    let mut form = vec![("csrf", token.as_str())];
    form.extend_from_slice(fields);
    let response = browser
        .post(app.url(action))
        .form(&form)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 303, "{action} is done");
}

/// The admin's browser session: first sign-in, new password, authenticator, recovery codes.
async fn admin_in_browser(app: &TestApp, phone: &Phone, display: &str) {
    app.services
        .accounts()
        .add(
            "ada",
            Some(display),
            StaffRole::Admin,
            Some("copper lantern meadow 7"),
            &Actor::command_line(),
        )
        .await
        .unwrap();
    phone.goto("/staff/login").await;
    sign_in(phone, "ada", "copper lantern meadow 7").await;
    phone
        .type_into("#password", "violet harbour engine 42")
        .await;
    phone.type_into("#again", "violet harbour engine 42").await;
    phone
        .click("form[action='/staff/sign-in/password'] button")
        .await;
    let secret = phone
        .attribute("input[name=secret]", "value")
        .await
        .unwrap();
    let code = TotpSecret::from_base32(&secret)
        .unwrap()
        .code_at(app.clock.now_millis() / 1000);
    phone.type_into("#code", &code).await;
    phone
        .click("form[action='/staff/sign-in/authenticator'] button")
        .await;
    phone.click("main a.button").await;
    assert_eq!(phone.path().await, "/staff/admin/accounts");
}

#[tokio::test]
async fn no_stored_payload_runs_a_script_or_breaks_the_csp_on_any_staff_or_clinician_page() {
    let app = TestApp::spawn().await;
    let (desk, desk_password) = staff(&app, "frontdesk", PAYLOADS[6], StaffRole::FrontDesk).await;
    let (clinician, clinician_password) =
        staff(&app, "clinician", PAYLOADS[1], StaffRole::Clinician).await;

    // Patients whose names, visit types and answers are the payloads.
    let mut appointments = Vec::new();
    for (n, payload) in PAYLOADS.iter().enumerate() {
        let patient = patient_named(&app, n, payload);
        let (appointment, _) = app
            .services
            .schedule_appointment(ScheduleRequest {
                patient,
                starts_at: app.clock.now_millis() + 86_400_000,
                visit_type: (*payload).to_owned(),
                form_id: intake::forms::FormId::parse("previsit-basic").unwrap(),
            })
            .await
            .unwrap();
        let token = app.services.issue_invitation(appointment).await.unwrap();
        let (browser, csrf_token) =
            verified(&app, &app.url(&format!("/i/{}", token.expose())), BORN).await;
        let lines = format!("{payload}\nLatex");
        let pages: [&[(&str, &str)]; 3] = [
            &[
                ("a.reason", payload),
                ("a.pain_level", "9"),
                ("a.symptom_start", "2026-11-01"),
            ],
            &[("a.new_allergies", &lines), ("a.new_medications", payload)],
            &[("a.tobacco", "266919005"), ("a.wants_callback", "no")],
        ];
        answer_and_submit(&app, &browser, &csrf_token, &pages).await;
        appointments.push(appointment);
    }

    // The clinician edits one held change of each submission to a payload and rejects another
    // with a payload for its reason.
    let submissions: Vec<Uuid> = app
        .services
        .submissions()
        .await
        .unwrap()
        .into_iter()
        .map(|s| s.id)
        .collect();
    assert_eq!(submissions.len(), PAYLOADS.len());
    let mut changes = Vec::new();
    for (n, submission) in submissions.iter().enumerate() {
        let payload = PAYLOADS[n];
        let held: Vec<Uuid> = app
            .services
            .store
            .changes_for_submission(*submission)
            .await
            .unwrap()
            .into_iter()
            .inspect(|c| changes.push(c.identifier.0))
            .filter(|c| c.state == intake::store::ChangeState::Held)
            .map(|c| c.identifier.0)
            .collect();
        assert!(
            held.len() >= 2,
            "allergies and medicines wait for a clinician"
        );
        let detail = format!("/staff/exceptions/{}", held[0]);
        post_from(
            &app,
            &clinician,
            &detail,
            &format!("{detail}/edit"),
            &[("text", payload)],
        )
        .await;
        let detail = format!("/staff/exceptions/{}", held[1]);
        post_from(
            &app,
            &clinician,
            &detail,
            &format!("{detail}/reject"),
            &[("reason", payload)],
        )
        .await;
    }
    // An urgent flag (the adult form's item 9), acknowledged with a payload for its note.
    crate::urgent_flags::submit_item_9_positive(&app).await;
    let flagged = app
        .services
        .submissions()
        .await
        .unwrap()
        .into_iter()
        .map(|s| s.id)
        .find(|id| !submissions.contains(id))
        .expect("the adult form's submission");
    let list = page(&clinician, &app.url("/clinician")).await;
    let flag =
        regex_lite::Regex::new(r#"action="(/clinician/flags/[0-9a-f-]+/acknowledge)""#).unwrap();
    let acknowledge: Vec<String> = flag.captures_iter(&list).map(|c| c[1].to_owned()).collect();
    assert_eq!(acknowledge.len(), 1, "one urgent flag to acknowledge");
    post_from(
        &app,
        &desk,
        "/staff",
        &acknowledge[0],
        &[("note", PAYLOADS[0])],
    )
    .await;

    let mut tally = Tally::default();
    let phone = Phone::open(&app, true).await;
    phone.watch(WATCH).await;

    phone.goto("/staff/login").await;
    sign_in(&phone, "clinician", &clinician_password).await;
    tally.view_and_keep(&phone, "/clinician", "summaries").await;
    assert_the_watcher_catches_a_planted_payload(&phone).await;
    for submission in submissions.iter().chain([&flagged]) {
        tally
            .view(&phone, &format!("/clinician/submissions/{submission}"))
            .await;
        tally
            .view(&phone, &format!("/staff/submissions/{submission}/trail"))
            .await;
    }
    for query in [
        "",
        "?state=held",
        "?state=rejected",
        "?state=posted",
        "?sort=patient",
    ] {
        tally
            .view(&phone, &format!("/staff/exceptions{query}"))
            .await;
    }
    for change in &changes {
        tally
            .view(&phone, &format!("/staff/exceptions/{change}"))
            .await;
    }
    let summary = format!("/clinician/submissions/{}", submissions[1]);
    tally.view_and_keep(&phone, &summary, "summary").await;
    let trail = format!("/staff/submissions/{}/trail", submissions[2]);
    tally.view_and_keep(&phone, &trail, "trail").await;
    let detail = format!("/staff/exceptions/{}", changes[3]);
    tally.view_and_keep(&phone, &detail, "exception").await;
    phone.click("header form button").await;

    sign_in(&phone, "frontdesk", &desk_password).await;
    tally.view(&phone, "/staff").await;
    // The visits are tomorrow: that day's list, whatever the clinic's time zone makes of it.
    let visit = time::OffsetDateTime::now_utc() + time::Duration::days(1);
    for day in [visit.date(), visit.date().previous_day().unwrap()] {
        tally.view(&phone, &format!("/staff?day={day}")).await;
    }
    phone.goto(&format!("/staff?day={}", visit.date())).await;
    phone.screenshots("xss appointments").await;
    for appointment in &appointments {
        tally
            .view(&phone, &format!("/staff/appointments/{appointment}"))
            .await;
    }
    tally.view(&phone, "/staff/exceptions").await;
    tally.view(&phone, "/staff/schedule").await;
    phone.click("header form button").await;

    admin_in_browser(&app, &phone, PAYLOADS[3]).await;
    tally.view(&phone, "/staff/admin/accounts").await;
    tally
        .view_and_keep(&phone, "/staff/admin/audit", "audit log")
        .await;
    for action in ["change.rejected", "change.edited", "patient_data.viewed"] {
        tally
            .view(&phone, &format!("/staff/admin/audit?action={action}"))
            .await;
    }

    eprintln!(
        "stored XSS: {} payloads, {} pages viewed, {} payload sightings (payload x page), {} scripts run, {} problems",
        PAYLOADS.len(),
        tally.pages,
        tally.sightings,
        tally
            .problems
            .iter()
            .filter(|p| p.contains(": ran: "))
            .count(),
        tally.problems.len()
    );
    eprintln!("pages that showed no payload: {:?}", tally.bare);
    assert!(tally.problems.is_empty(), "{}", tally.problems.join("\n"));
    let unseen: Vec<usize> = (0..PAYLOADS.len())
        .filter(|n| !tally.seen.contains(n))
        .collect();
    assert!(
        unseen.is_empty(),
        "payloads never shown on any page, so not tested: {unseen:?}"
    );
    phone.quit().await;
    app.stop().await;
}
