//! Real Chromium on a phone-sized screen, with JavaScript and without: a complete intake, a page
//! in Spanish and the staff pages, with axe-core checking every page type against WCAG 2.2 AA.
//!
//! `scripts/test` installs Debian's chromium and chromium-driver and npm's axe-core, starts one
//! chromedriver and names it in `INTAKE_TEST_WEBDRIVER_URL`; without it these tests fail.

mod admin;
mod coding;
mod flow;
mod long_list;
mod peer_renderer;
mod phone;
mod photo;
mod server_list;
mod signature;
mod urgent;
mod webdriver;
mod xss;
mod xss_watch;

use std::time::{Duration, Instant};

use phone::Phone;

use crate::helpers::{Options, TestApp};

/// The patient's whole way through, every page type checked on the way.
async fn patient_intake(phone: &mut Phone, app: &TestApp) {
    phone.goto("/i/not-a-real-link").await;
    assert_eq!(phone.h1().await, "This link cannot be used");
    phone.check("unusable link").await;
    phone.assert_axe_catches_a_planted_violation().await;

    phone.goto(&app.invite("MRN-1002").await).await;
    assert_eq!(phone.path().await, "/intake");
    phone.assert_screen_and_scripting().await;
    phone.check("date of birth").await;

    phone.type_birth_date("birth_date", "1990-01-01").await;
    phone.click("form button[type=submit]").await;
    assert!(
        phone
            .text("#birth_date-error")
            .await
            .contains("does not match")
    );
    assert_eq!(
        phone
            .attribute("#birth_date-year", "aria-invalid")
            .await
            .as_deref(),
        Some("true")
    );
    phone.check("date of birth, wrong date").await;

    phone.type_birth_date("birth_date", "1984-09-30").await;
    phone.click("form button[type=submit]").await;
    assert_eq!(phone.path().await, "/intake/page/0");
    assert_eq!(phone.h1().await, "About this visit");
    phone.check("form page, text and numbers").await;

    phone.type_into("#f-reason", "Cough for two weeks").await;
    phone.type_into("#f-pain_level", "seven").await;
    phone.type_date("#f-symptom_start", "2026-11-01").await;
    phone.click(".actions button[value=next]").await;
    assert!(
        phone
            .text(".error-summary")
            .await
            .contains("Enter a whole number")
    );
    assert_eq!(
        phone.js("return document.activeElement.className").await,
        "error-summary",
        "the error summary takes the focus, so a screen reader starts there"
    );
    assert_eq!(
        phone
            .attribute("#f-pain_level", "aria-describedby")
            .await
            .as_deref(),
        Some("f-pain_level-error")
    );
    assert_eq!(
        phone
            .attribute("#f-pain_level", "aria-invalid")
            .await
            .as_deref(),
        Some("true")
    );
    assert_eq!(
        phone
            .attribute("#f-reason", "aria-describedby")
            .await
            .as_deref(),
        Some("f-reason-help"),
        "the help under a question is read with its field"
    );
    assert_eq!(
        phone.value("#f-reason").await,
        "Cough for two weeks",
        "what was typed stays"
    );
    phone.check("form page with an invalid answer").await;

    phone.type_into("#f-pain_level", "9").await;
    phone.click(".actions button[value=next]").await;
    assert_eq!(phone.path().await, "/intake/page/1");
    phone.check("form page, answers on file and lists").await;

    // Samuel's medicine on file: still taking it, as listed.
    phone
        .tap("label[for='f-medications_on_file-0-medications_on_file_status-taking']")
        .await;
    phone
        .type_into("#f-new_allergies", "Latex\nShellfish")
        .await;
    phone.click(".actions button[value=next]").await;
    assert_eq!(phone.path().await, "/intake/page/2");
    phone.check("form page, choices").await;

    // The language switch: a plain link on every patient page, a whole new page in Spanish.
    phone.click_full_load("nav.language a").await;
    assert_eq!(phone.path().await, "/intake/page/2");
    assert_eq!(phone.js("return document.documentElement.lang").await, "es");
    assert_eq!(phone.h1().await, "Hábitos");
    assert_eq!(phone.text("label[for='f-wants_callback-yes']").await, "Sí");
    phone.assert_screen_and_scripting().await;
    phone.check("form page in Spanish").await;
    phone.click_full_load("nav.language a").await;
    assert_eq!(phone.js("return document.documentElement.lang").await, "en");

    // Tobacco is required: left out, Next asks for it on this page (issue 17).
    phone.tap("label[for='f-wants_callback-no']").await;
    phone.click(".actions button[value=next]").await;
    assert_eq!(phone.path().await, "/intake/page/2");
    assert!(phone.text(".error-summary").await.contains("Do you smoke"));
    phone.check("form page, a required answer missing").await;

    // The review names what is missing and links to its field; the page opens focused on it and
    // Next returns to the review.
    phone.goto("/intake/review").await;
    assert!(phone.text(".error-summary").await.contains("Do you smoke"));
    phone.check("review with a missing answer").await;
    phone
        .click(".error-summary a[href^='/intake/page/2?from=review']")
        .await;
    assert_eq!(phone.path().await, "/intake/page/2");
    assert_eq!(
        phone.js("return document.activeElement.id").await,
        "f-tobacco-266919005",
        "the missing answer's field has the focus"
    );
    phone.tap("label[for='f-tobacco-266919005']").await;
    phone.click(".actions button[value=next]").await;
    assert_eq!(phone.path().await, "/intake/review");
    assert!(!phone.has(".error-summary").await);
    phone.check("review").await;

    phone.click("form[action='/intake/submit'] button").await;
    assert_eq!(phone.path().await, "/intake/done");
    phone.check("confirmation").await;

    phone.goto("/no-such-page").await;
    phone.check("error").await;
}

/// Signs in through the form, as staff do.
pub(super) async fn sign_in(phone: &Phone, username: &str, password: &str) {
    phone.type_into("#username", username).await;
    phone.type_into("#password", password).await;
    phone.click("form[action='/staff/login'] button").await;
}

/// The front desk's pages and the clinician's, after the patient's submission.
async fn staff_pages(phone: &mut Phone, app: &TestApp) {
    let password = app.staff_account("frontdesk").await;
    phone.goto("/staff/login").await;
    phone.check("staff sign-in").await;
    sign_in(phone, "frontdesk", "not the password").await;
    assert!(phone.text("p.error").await.contains("do not match"));
    phone.check("staff sign-in, wrong password").await;
    sign_in(phone, "frontdesk", &password).await;
    assert_eq!(phone.path().await, "/staff");
    phone.check("appointments").await;

    // The front desk's queue: allergies are a clinician's to decide, so none waits here.
    phone.click("header nav a[href='/staff/exceptions']").await;
    assert_eq!(phone.path().await, "/staff/exceptions");
    phone
        .check("exception queue, nothing for the front desk")
        .await;
    schedule_pages(phone, app).await;
    phone.click("header form button").await;
    assert_eq!(phone.path().await, "/staff/login");

    let password = app.staff_account("clinician").await;
    sign_in(phone, "clinician", &password).await;
    assert_eq!(phone.path().await, "/clinician");
    phone.check("pre-visit summaries").await;
    assert!(phone.text("main").await.contains("Samuel Okafor"));
    phone.click("td a[href^='/clinician/submissions/']").await;
    assert_eq!(phone.h1().await, "Samuel Okafor");
    assert!(
        phone.text(".flags").await.contains("Severe pain today"),
        "the flag leads the summary"
    );
    phone.check("pre-visit summary").await;

    // The reported allergies wait in the clinician's queue once the worker has sent the answers.
    phone.click("header nav a[href='/staff/exceptions']").await;
    assert_eq!(phone.path().await, "/staff/exceptions");
    let start = Instant::now();
    while !phone.has("td a[href^='/staff/exceptions/']").await {
        assert!(
            start.elapsed() < Duration::from_secs(10),
            "the reported allergies reach the queue"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
        phone.goto("/staff/exceptions").await;
    }
    phone.check("review queue").await;

    phone.click("td a[href^='/staff/exceptions/']").await;
    let heading = phone.h1().await;
    assert!(
        heading.ends_with("allergy — new, as the patient reported it"),
        "{heading}"
    );
    phone.check("review detail").await;
    phone
        .click("a[href='/staff/exceptions']:not(header a)")
        .await;

    if phone.javascript {
        // Accepting swaps the row's last cell in place.
        phone.tap("td form button.primary").await;
        phone
            .wait_until(
                "the accepted badge",
                "return !!document.querySelector('td .badge.queued[role=status]')",
            )
            .await;
        phone.check("review queue, one accepted in place").await;
    } else {
        phone.click("td form button.primary").await;
        assert_eq!(phone.path().await, "/staff/exceptions");
    }
}

/// One complete run on a phone, with JavaScript on or off.
/// The schedule's problems and both steps of adding an appointment at the desk.
async fn schedule_pages(phone: &mut Phone, app: &TestApp) {
    app.services.sync_schedule().await.unwrap();
    phone.click("header nav a[href='/staff/schedule']").await;
    assert_eq!(phone.h1().await, "Schedule from the EHR");
    phone.check("schedule sync").await;
    phone.click("main a[href='/staff/appointments/new']").await;
    assert_eq!(phone.h1().await, "Add an appointment");
    phone.check("new appointment, find the patient").await;
    let tomorrow = intake::clock::Clock::now(app.clock.as_ref()) + time::Duration::days(1);
    phone
        .js(&format!(
            "document.querySelector('#visit_time').value = '{}T10:00'",
            tomorrow.date()
        ))
        .await;
    phone.type_into("#mrn", "MRN-9999").await;
    phone.click("main form button.primary").await;
    assert!(phone.text("#mrn-error").await.contains("No patient"));
    phone.check("new appointment, patient not found").await;
    phone.type_into("#mrn", "MRN-1003").await;
    phone.click("main form button.primary").await;
    assert!(phone.text("main").await.contains("Hannah Becker"));
    phone.check("new appointment, confirm").await;
}

async fn every_page_passes_axe(javascript: bool) {
    let app = TestApp::spawn().await;
    let started = Instant::now();
    let mut phone = Phone::open(&app, javascript).await;
    patient_intake(&mut phone, &app).await;
    staff_pages(&mut phone, &app).await;
    eprintln!(
        "axe-core: 0 violations on {} page types ({}) in {:.1} s",
        phone.checked.len(),
        phone.checked.join("; "),
        started.elapsed().as_secs_f64()
    );
    phone.quit().await;
    app.stop().await;
}

#[tokio::test]
async fn on_a_phone_with_javascript_a_whole_intake_and_the_staff_pages_pass_axe() {
    every_page_passes_axe(true).await;
}

#[tokio::test]
async fn on_a_phone_without_javascript_a_whole_intake_and_the_staff_pages_pass_axe() {
    every_page_passes_axe(false).await;
}

/// The one-time code pages (code on): the code page, a wrong code, the new-code notice, and a
/// patient error page in Spanish, each checked.
async fn one_time_code_pages_pass_axe(javascript: bool) {
    let app = TestApp::spawn_with(Options {
        worker: false,
        verify_code: Some("sms"),
        ..Options::default()
    })
    .await;
    let mut phone = Phone::open(&app, javascript).await;
    phone.goto(&app.invite("MRN-1002").await).await;
    phone.type_birth_date("birth_date", "1984-09-30").await;
    phone.click("form button[type=submit]").await;
    assert_eq!(phone.h1().await, "Enter your code");
    phone.check("one-time code").await;

    let sent = app.codes.last();
    let wrong = if sent == "000000" { "111111" } else { "000000" };
    phone.type_into("#code", wrong).await;
    phone.click("form[action='/intake/code'] button").await;
    assert!(phone.text("#code-error").await.contains("not right"));
    assert_eq!(
        phone.attribute("#code", "aria-invalid").await.as_deref(),
        Some("true")
    );
    phone.check("one-time code, wrong code").await;

    phone
        .click("form[action='/intake/code/resend'] button")
        .await;
    assert!(phone.text(".notice").await.contains("ask for a new one"));
    phone.check("one-time code, new code notice").await;

    phone.type_into("#code", &app.codes.last()).await;
    phone.click("form[action='/intake/code'] button").await;
    assert_eq!(phone.path().await, "/intake/page/0");

    phone.goto("/language/es?back=%2Fintake%2Fnowhere").await;
    assert_eq!(phone.h1().await, "Página no encontrada");
    phone.check("error page, in Spanish").await;
    phone.quit().await;
    app.stop().await;
}

#[tokio::test]
async fn on_a_phone_with_javascript_the_one_time_code_pages_pass_axe() {
    one_time_code_pages_pass_axe(true).await;
}

#[tokio::test]
async fn on_a_phone_without_javascript_the_one_time_code_pages_pass_axe() {
    one_time_code_pages_pass_axe(false).await;
}

/// Hannah adds two new medicines on the adult pre-visit form and removes one: the group's
/// questions appear once she says she has new ones (in place with JavaScript, when the page comes
/// back without), and the page with a group passes axe.
async fn a_repeating_group_on_a_phone(javascript: bool) {
    let app = TestApp::spawn_with(Options {
        worker: false,
        ..Options::default()
    })
    .await;
    let mut phone = Phone::open(&app, javascript).await;
    let (link, _) = app
        .invite_to_form(
            intake::domain::PatientIdentifier {
                system: "urn:oid:2.16.840.1.113883.19.5".into(),
                value: "MRN-1003".into(),
            },
            "adult-previsit",
        )
        .await;
    phone.goto(&link).await;
    phone.type_birth_date("birth_date", "1999-01-23").await;
    phone.click("form button[type=submit]").await;
    phone.click(".actions button[value=next]").await;
    assert_eq!(phone.h1().await, "Your medicines");

    phone.tap("label[for='f-meds_taking_all-yes']").await;
    phone.tap("label[for='f-meds_new_any-yes']").await;
    if !javascript {
        // The page comes back with the questions the answer turned on, instead of moving on.
        phone.click(".actions button[value=next]").await;
        assert_eq!(phone.h1().await, "Your medicines");
    }
    assert_eq!(
        phone.text("#f-new_medications-0 legend").await,
        "New medicine 1"
    );
    phone
        .type_into("#f-new_medications-0-med_name", "ibuprofen")
        .await;
    phone.click("button[value='add:new_medications']").await;
    assert_eq!(
        phone.js("return document.activeElement.id").await,
        "f-new_medications-1-med_name",
        "Add another lands on the new medicine's first field"
    );
    phone
        .type_into("#f-new_medications-1-med_name", "vitamin D")
        .await;
    phone
        .tap("label[for='f-new_medications-1-med_frequency-once-daily']")
        .await;
    phone.check("form page, a repeating group").await;

    phone
        .click("button[value='remove:new_medications:0']")
        .await;
    assert_eq!(
        phone.js("return document.activeElement.id").await,
        "f-new_medications-0",
        "Remove lands on the medicine now in its place"
    );
    assert_eq!(
        phone.value("#f-new_medications-0-med_name").await,
        "vitamin D"
    );
    assert!(!phone.has("#f-new_medications-1-med_name").await);
    assert_eq!(
        phone
            .js("return getComputedStyle(document.querySelector('form button[hidden]')).display")
            .await,
        "none",
        "the form's default button for Enter is not seen"
    );
    // Enter in a field goes on, as Next does; it does not press an instance's Remove.
    phone.press_enter_in("#f-new_medications-0-med_name").await;
    assert_eq!(phone.h1().await, "Allergies");

    phone.goto("/intake/review").await;
    assert!(
        phone
            .text("main")
            .await
            .contains("New medicine 1: Name of the medicine")
    );
    phone.check("review with a repeating group").await;
    phone.quit().await;
    app.stop().await;
}

#[tokio::test]
async fn on_a_phone_with_javascript_a_repeating_group_adds_and_removes_instances() {
    a_repeating_group_on_a_phone(true).await;
}

#[tokio::test]
async fn on_a_phone_without_javascript_a_repeating_group_adds_and_removes_instances() {
    a_repeating_group_on_a_phone(false).await;
}

#[tokio::test]
async fn with_javascript_a_typed_answer_is_checked_in_place_and_what_is_typed_meanwhile_stays() {
    let app = TestApp::spawn_with(Options {
        worker: false,
        ..Options::default()
    })
    .await;
    let phone = Phone::open(&app, true).await;
    phone.goto(&app.invite("MRN-1002").await).await;
    phone.type_birth_date("birth_date", "1984-09-30").await;
    phone.click("form button[type=submit]").await;

    // Leaving a field saves it: its message shows next to it before any button is pressed.
    phone.type_into("#f-pain_level", "seven").await;
    phone.type_into("#f-weight_kg", "70").await;
    assert_eq!(
        phone.text("#f-pain_level-error").await,
        "Enter a whole number, like 3."
    );
    assert_eq!(phone.value("#f-pain_level").await, "seven");
    assert_eq!(phone.value("#f-weight_kg").await, "70");

    // A field typed in while that save is on its way keeps what was typed when the answer swaps in.
    phone
        .js(
            "const pain = document.getElementById('f-pain_level'); pain.value = '8';
             pain.dispatchEvent(new Event('change', { bubbles: true }));
             document.getElementById('f-weight_kg').value = '71.5';
             return true",
        )
        .await;
    phone.settled().await;
    assert!(
        !phone.has("#f-pain_level-error").await,
        "the fixed answer's message is gone"
    );
    assert_eq!(
        phone.text("#page-status").await,
        "",
        "nothing left to check"
    );
    assert_eq!(phone.value("#f-weight_kg").await, "71.5");
    phone.quit().await;
    app.stop().await;
}

/// The front desk's worklist and an appointment's page: the day with a locked link and one not
/// sent, the appointment, a fresh link with its QR code (and, with JavaScript, the copy button),
/// and unlocking, each page checked.
async fn worklist_pages_pass_axe(javascript: bool) {
    use crate::worklist::{HOUR, appointment_at, link_for, lock, today};
    let app = TestApp::spawn_with(Options {
        worker: false,
        ..Options::default()
    })
    .await;
    let (_, midnight) = today(&app);
    let locked = appointment_at(&app, "MRN-1002", midnight + 9 * HOUR).await;
    lock(&app, &link_for(&app, locked).await).await;
    appointment_at(&app, "MRN-1003", midnight + 10 * HOUR).await;
    let mut phone = Phone::open(&app, javascript).await;
    let password = app.staff_account("frontdesk").await;
    phone.goto("/staff/login").await;
    sign_in(&phone, "frontdesk", &password).await;
    assert_eq!(phone.path().await, "/staff");
    assert!(phone.text("main").await.contains("Locked"));
    phone.check("worklist").await;

    phone
        .click(&format!("td a[href='/staff/appointments/{locked}']"))
        .await;
    assert_eq!(phone.h1().await, "Samuel Okafor");
    phone.check("appointment").await;

    phone.click("form[action$='/link'] button").await;
    assert!(phone.has(".qr svg[role=img]").await);
    let copy_shown = phone
        .js("return !document.querySelector('button[data-copy]').hidden")
        .await;
    assert_eq!(
        copy_shown,
        serde_json::Value::Bool(javascript),
        "the copy button shows only where a script can copy"
    );
    phone
        .check("appointment with a fresh link and its QR code")
        .await;

    phone.goto(&format!("/staff/appointments/{locked}")).await;
    phone.goto("/staff").await;
    phone.click("form[action$='/cancel'] button").await;
    assert!(phone.text(".notice").await.contains("cancelled"));
    phone.check("worklist with a notice").await;
    phone.quit().await;
    app.stop().await;
}

#[tokio::test]
async fn with_javascript_the_worklist_and_appointment_pages_pass_axe() {
    worklist_pages_pass_axe(true).await;
}

#[tokio::test]
async fn without_javascript_the_worklist_and_appointment_pages_pass_axe() {
    worklist_pages_pass_axe(false).await;
}

/// The review queue with more than a page waiting: its pager, check-all (a link without
/// JavaScript, a box with it), the bulk form's "everything this filter matches" and a
/// rejection without a reason sent back to be fixed, each state checked with axe.
async fn review_queue_pages_pass_axe(javascript: bool) {
    let app = TestApp::spawn_with(Options {
        worker: false,
        ..Options::default()
    })
    .await;
    crate::queue_pages::waiting(&app, 30, 2).await;
    let mut phone = Phone::open(&app, javascript).await;
    let password = app.staff_account("clinician").await;
    phone.goto("/staff/login").await;
    sign_in(&phone, "clinician", &password).await;
    phone.goto("/staff/exceptions").await;
    assert!(phone.text("#queue-count").await.contains("60 waiting"));
    assert!(phone.has("a[rel=next]").await);
    phone.check("review queue, first of two pages").await;

    let check_all_shown = phone
        .js("return !document.querySelector('[data-enhanced]').hidden")
        .await;
    assert_eq!(
        check_all_shown,
        serde_json::Value::Bool(javascript),
        "the check-all box shows only where a script can check the rows"
    );
    if javascript {
        phone.tap("#check-all").await;
    } else {
        phone.click("a[href*='select=page']").await;
    }
    let checked = phone
        .js("return document.querySelectorAll('input[form=bulk][name=id]:checked').length")
        .await;
    assert_eq!(
        checked,
        serde_json::json!(50),
        "every row of the page checked"
    );
    phone.check("review queue, every row checked").await;

    phone.click("button[value=reject]").await;
    assert!(phone.text("#bulk-why-error").await.contains("Say why"));
    phone
        .check("review queue, a rejection without a reason")
        .await;

    phone.goto("/staff/exceptions").await;
    phone.click("a[rel=next]").await;
    assert!(phone.has("a[rel=prev]").await);
    phone.check("review queue, second page").await;
    phone.quit().await;
    app.stop().await;
}

#[tokio::test]
async fn with_javascript_the_review_queue_pages_pass_axe() {
    review_queue_pages_pass_axe(true).await;
}

#[tokio::test]
async fn without_javascript_the_review_queue_pages_pass_axe() {
    review_queue_pages_pass_axe(false).await;
}

/// The adult form's summary for a typical visit (Hannah's, answered over HTTP): its urgent
/// flags, scores, differences and positive answers fit one 1280x800 screen, the rest closed
/// below; the page and its print view pass axe, and the front desk's worklist shows her marker.
async fn adult_summary_fits_one_screen(javascript: bool) {
    let app = TestApp::spawn_with(Options {
        worker: false,
        ..Options::default()
    })
    .await;
    let id = crate::summary::hannah_submits_the_adult_form(&app).await;
    let mut phone = Phone::open(&app, javascript).await;
    let password = app.staff_account("clinician").await;
    phone.goto("/staff/login").await;
    sign_in(&phone, "clinician", &password).await;
    phone.goto(&format!("/clinician/submissions/{id}")).await;
    assert_eq!(phone.h1().await, "Hannah Becker");
    phone.check("adult pre-visit summary").await;
    let bottom = phone
        .bottom_on_desk("section#positive", (1280, 800), "adult-pre-visit-summary")
        .await;
    assert!(
        bottom <= 800.0,
        "the positive answers end at {bottom}px, past one 1280x800 screen"
    );
    phone.click(".reviewed form button").await;
    assert!(phone.text(".reviewed").await.contains("Reviewed by"));
    phone.check("adult pre-visit summary, reviewed").await;
    phone
        .goto(&format!("/clinician/submissions/{id}?print=1"))
        .await;
    phone.check("adult pre-visit summary, print view").await;
    phone.goto("/clinician").await;
    phone.check("pre-visit summaries, one reviewed").await;
    phone.quit().await;
    app.stop().await;
}

#[tokio::test]
async fn with_javascript_the_adult_summary_fits_one_desk_screen_and_passes_axe() {
    adult_summary_fits_one_screen(true).await;
}

#[tokio::test]
async fn without_javascript_the_adult_summary_fits_one_desk_screen_and_passes_axe() {
    adult_summary_fits_one_screen(false).await;
}
