//! Issue 17 in Chromium on a phone: what is typed saves as the patient types and when the
//! page is hidden, the idle warning a minute before the session ends, the busy state after
//! Next, and a date of birth as day, month and year boxes, with and without JavaScript.

use super::phone::Phone;
use crate::helpers::{Options, TestApp, eventually, open_link, page};

/// What page 0 shows to a second device on the same link: what the server has saved.
async fn saved_page_0(app: &TestApp, link: &str) -> String {
    let (laptop, token) = open_link(app, link).await;
    laptop
        .post(app.url("/intake/verify"))
        .form(&[("csrf", token.as_str()), ("birth_date", "1984-09-30")])
        .send()
        .await
        .unwrap();
    page(&laptop, &app.url("/intake/page/0")).await
}

async fn app() -> TestApp {
    TestApp::spawn_with(Options {
        worker: false,
        ..Options::default()
    })
    .await
}

#[tokio::test]
async fn with_javascript_typing_saves_as_the_patient_types_and_when_the_page_is_hidden() {
    let app = app().await;
    let mut phone = Phone::open(&app, true).await;
    let link = app.invite("MRN-1002").await;
    phone.goto(&link).await;
    phone.check("date of birth, three boxes").await;
    phone.type_birth_date("birth_date", "1984-09-30").await;
    phone.click("form button[type=submit]").await;

    // Typing, then a pause: saved without leaving the field.
    phone.type_into("#f-reason", "Dizzy when I stand").await;
    eventually("the typed reason is saved", || async {
        saved_page_0(&app, &link)
            .await
            .contains(">Dizzy when I stand</textarea>")
    })
    .await;

    // Typing, then at once another app comes to the front (the page is hidden): the beacon
    // saves it, well before the pause would.
    phone.type_into("#f-weight_kg", "72").await;
    phone
        .js("Object.defineProperty(document, 'visibilityState', { value: 'hidden', configurable: true });
             document.dispatchEvent(new Event('visibilitychange')); return true")
        .await;
    eventually(
        "the weight typed before the page was hidden is saved",
        || async { saved_page_0(&app, &link).await.contains(r#"value="72""#) },
    )
    .await;

    // Typing, then the tab is closed (another page loads in it).
    phone
        .js("delete document.visibilityState; return true")
        .await;
    phone.type_into("#f-pain_level", "4").await;
    phone.goto("about:blank").await;
    eventually(
        "the pain typed before the page went away is saved",
        || async { saved_page_0(&app, &link).await.contains(r#"value="4""#) },
    )
    .await;
    phone.quit().await;
    app.stop().await;
}

#[tokio::test]
async fn with_javascript_a_save_landing_while_a_date_is_half_typed_keeps_what_was_typed() {
    let app = app().await;
    let phone = Phone::open(&app, true).await;
    phone.goto(&app.invite("MRN-1002").await).await;
    phone.type_birth_date("birth_date", "1984-09-30").await;
    phone.click("form button[type=submit]").await;
    // The month typed, then a live save of another answer lands before the rest.
    phone.keys("#f-symptom_start", "11").await;
    phone
        .js("window.swapped = false;
             document.addEventListener('htmx:afterSettle', () => { window.swapped = true; }, { once: true });
             const reason = document.getElementById('f-reason');
             reason.value = 'Cough';
             reason.dispatchEvent(new Event('change', { bubbles: true }));
             return true")
        .await;
    phone
        .wait_until("the live save to land", "return window.swapped === true")
        .await;
    phone.keys("#f-symptom_start", "012026").await;
    assert_eq!(
        phone.value("#f-symptom_start").await,
        "2026-11-01",
        "the month typed before the save is kept"
    );
    phone.quit().await;
    app.stop().await;
}

#[tokio::test]
async fn with_javascript_the_idle_warning_comes_a_minute_early_and_stay_keeps_the_session() {
    let app = app().await;
    let mut phone = Phone::open(&app, true).await;
    phone.goto(&app.invite("MRN-1002").await).await;
    phone.type_birth_date("birth_date", "1984-09-30").await;
    phone.click("form button[type=submit]").await;
    assert_eq!(
        phone
            .js("return document.getElementById('idle-warning').hidden")
            .await,
        true,
        "no warning while the session is fresh"
    );
    // A session of 61 seconds: the warning comes after one.
    phone
        .js(
            "document.getElementById('idle-warning').dataset.idleSeconds = '61';
             document.dispatchEvent(new Event('htmx:afterSettle')); return true",
        )
        .await;
    phone
        .wait_until(
            "the idle warning",
            "return !document.getElementById('idle-warning').hidden",
        )
        .await;
    assert!(
        phone
            .text("#idle-warning")
            .await
            .contains("close in one minute")
    );
    phone.check("form page, idle warning").await;
    phone.tap("#idle-warning button").await;
    phone
        .wait_until(
            "the warning to go once the session is kept",
            "return document.getElementById('idle-warning').hidden",
        )
        .await;
    assert_eq!(
        phone.path().await,
        "/intake/page/0",
        "staying does not leave the page"
    );
    phone.quit().await;
    app.stop().await;
}

#[tokio::test]
async fn with_javascript_next_shows_it_is_busy_while_the_next_page_is_on_its_way() {
    let app = app().await;
    let mut phone = Phone::open(&app, true).await;
    phone.goto(&app.invite("MRN-1002").await).await;
    phone.type_birth_date("birth_date", "1984-09-30").await;
    phone.click("form button[type=submit]").await;
    phone.type_into("#f-reason", "Check-up").await;
    phone.settled().await;
    // The next page never comes (htmx's request is held back), as on a very slow network.
    phone
        .js("document.addEventListener('htmx:beforeRequest', (e) => e.preventDefault(), { once: true });
             document.querySelector('.actions button[value=next]').click(); return true")
        .await;
    assert_eq!(
        phone.js("return document.querySelector('.actions button[value=next]').classList.contains('busy')").await,
        true,
        "Next shows it is busy"
    );
    assert_eq!(phone.text(".busy-note").await, "Please wait…");
    assert_eq!(phone.path().await, "/intake/page/0");
    phone
        .js("document.querySelector('.actions').scrollIntoView(); return true")
        .await;
    phone.check("form page, busy after Next").await;
    phone.quit().await;
    app.stop().await;
}

/// A date-of-birth item on a form page: three boxes in the language's order, with and
/// without JavaScript, checked by axe.
async fn a_birth_date_item_on_a_phone(javascript: bool) {
    let app = app().await;
    let mut phone = Phone::open(&app, javascript).await;
    let (link, _) = app
        .invite_to_form(
            intake::domain::PatientIdentifier {
                system: "urn:oid:2.16.840.1.113883.19.5".into(),
                value: "MRN-1003".into(),
            },
            "new-patient-registration",
        )
        .await;
    phone.goto(&link).await;
    phone.type_birth_date("birth_date", "1999-01-23").await;
    phone.click("form button[type=submit]").await;
    assert_eq!(phone.path().await, "/intake/page/0");
    phone.type_birth_date("f-dob", "1999-01-23").await;
    assert_eq!(
        phone
            .attribute("#f-dob-month", "autocomplete")
            .await
            .as_deref(),
        Some("bday-month")
    );
    assert_eq!(
        phone
            .attribute("#f-legal_first_name", "autocomplete")
            .await
            .as_deref(),
        Some("given-name")
    );
    phone.check("form page, date of birth and names").await;
    phone.quit().await;
    app.stop().await;
}

#[tokio::test]
async fn on_a_phone_with_javascript_a_birth_date_item_is_three_boxes_and_passes_axe() {
    a_birth_date_item_on_a_phone(true).await;
}

#[tokio::test]
async fn on_a_phone_without_javascript_a_birth_date_item_is_three_boxes_and_passes_axe() {
    a_birth_date_item_on_a_phone(false).await;
}
