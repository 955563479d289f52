//! The one-time code after the date of birth (`INTAKE_VERIFY_CODE`): sent to the contact on
//! the chart, entered once, counted with wrong dates of birth, replaced on request; and off by
//! default.

use std::time::Duration;

use reqwest::header::ACCEPT_LANGUAGE;

use crate::helpers::{Options, TestApp, location, open_link, page, verified};

/// An app that asks for a code by text message (`sms`) or email.
async fn app_with_codes(setting: &'static str) -> TestApp {
    TestApp::spawn_with(Options {
        worker: false,
        verify_code: Some(setting),
        ..Options::default()
    })
    .await
}

/// Posts a form to `path` and returns the response.
async fn post(
    app: &TestApp,
    browser: &reqwest::Client,
    path: &str,
    fields: &[(&str, &str)],
) -> reqwest::Response {
    browser
        .post(app.url(path))
        .form(fields)
        .send()
        .await
        .unwrap()
}

/// Posts a date of birth and returns the status and the page.
async fn birth_date(
    app: &TestApp,
    browser: &reqwest::Client,
    csrf: &str,
    date: &str,
) -> (u16, String) {
    let response = post(
        app,
        browser,
        "/intake/verify",
        &[("csrf", csrf), ("birth_date", date)],
    )
    .await;
    (response.status().as_u16(), response.text().await.unwrap())
}

/// Posts a code and returns the response.
async fn code(
    app: &TestApp,
    browser: &reqwest::Client,
    csrf: &str,
    code: &str,
) -> reqwest::Response {
    post(
        app,
        browser,
        "/intake/code",
        &[("csrf", csrf), ("code", code)],
    )
    .await
}

/// Asks for a new code and returns the page.
async fn resend(app: &TestApp, browser: &reqwest::Client, csrf: &str) -> String {
    let response = post(app, browser, "/intake/code/resend", &[("csrf", csrf)]).await;
    assert_eq!(response.status(), 200);
    response.text().await.unwrap()
}

#[tokio::test]
async fn with_codes_on_a_right_date_of_birth_asks_for_the_code_sent_to_the_masked_mobile_number() {
    let app = app_with_codes("sms").await;
    let link = app.invite("MRN-1002").await;
    let (browser, csrf) = open_link(&app, &link).await;
    let before = page(&browser, &app.url("/intake")).await;
    assert!(
        !before.contains("0102") && !before.contains("•••"),
        "nothing about the contact shows before the date of birth: {before}"
    );

    let (status, body) = birth_date(&app, &browser, &csrf, "1984-09-30").await;
    assert_eq!(status, 200);
    assert!(body.contains("Enter your code"), "{body}");
    assert!(
        body.contains("We sent a 6-digit code to ••• ••• 0102"),
        "{body}"
    );
    assert!(!body.contains("555"), "the number is never shown whole");
    assert!(
        !body.contains(r#"name="birth_date""#),
        "not the date-of-birth form"
    );
    assert!(
        body.contains(r#"autocomplete="one-time-code""#) && body.contains(r#"inputmode="numeric""#)
    );
    assert!(body.contains(&format!(r#"name="csrf" value="{csrf}""#)));
    assert!(
        !before.contains("/intake/sign-out") && !body.contains("/intake/sign-out"),
        "signing out is offered once signed in, the code proven too"
    );

    let sent = app.codes.sent();
    assert_eq!(sent.len(), 1);
    assert_eq!(sent[0].to, "+1-555-0102");
    assert_eq!(sent[0].language, "en");
    assert!(
        !body.contains(&sent[0].code),
        "the page never holds the code"
    );

    let form = browser.get(app.url("/intake/page/0")).send().await.unwrap();
    assert_eq!(location(&form), "/intake", "the form waits for the code");
    let again = page(&browser, &app.url("/intake")).await;
    assert!(again.contains("••• ••• 0102") && !again.contains(r#"name="birth_date""#));
    assert_eq!(app.codes.sent().len(), 1, "coming back sends nothing new");
    app.stop().await;
}

#[tokio::test]
async fn the_right_code_opens_the_form_and_works_only_once() {
    let app = app_with_codes("sms").await;
    let link = app.invite("MRN-1002").await;
    let (phone, csrf) = open_link(&app, &link).await;
    birth_date(&app, &phone, &csrf, "1984-09-30").await;
    let first = app.codes.last();
    let opened = code(&app, &phone, &csrf, &first).await;
    assert_eq!(location(&opened), "/intake/page/0");
    assert!(!location(&opened).contains(&first));
    let form = phone.get(app.url("/intake/page/0")).send().await.unwrap();
    assert_eq!(form.status(), 200);

    // Another device: the date of birth again, then the used code is refused and counted.
    let (laptop, laptop_csrf) = open_link(&app, &link).await;
    birth_date(&app, &laptop, &laptop_csrf, "1984-09-30").await;
    assert_eq!(app.codes.sent().len(), 2, "a used code is replaced at once");
    let second = app.codes.last();
    if second != first {
        let reused = code(&app, &laptop, &laptop_csrf, &first).await;
        assert_eq!(reused.status(), 422);
        let body = reused.text().await.unwrap();
        assert!(
            body.contains("That code is not right. You have 4 tries left."),
            "{body}"
        );
        assert!(
            body.contains(r#"role="alert""#) && body.contains(r#"aria-describedby="code-error"#)
        );
    }
    let opened = code(&app, &laptop, &laptop_csrf, &second).await;
    assert_eq!(location(&opened), "/intake/page/0");
    app.stop().await;
}

#[tokio::test]
async fn wrong_codes_and_wrong_dates_of_birth_together_lock_the_link_after_five() {
    let app = app_with_codes("sms").await;
    let link = app.invite("MRN-1003").await;
    let (browser, csrf) = open_link(&app, &link).await;
    for remaining in [4, 3] {
        let (status, body) = birth_date(&app, &browser, &csrf, "1999-01-24").await;
        assert_eq!(status, 422);
        assert!(
            body.contains(&format!("You have {remaining} tries left")),
            "{body}"
        );
    }
    let (status, _) = birth_date(&app, &browser, &csrf, "1999-01-23").await;
    assert_eq!(status, 200);
    let right = app.codes.last();
    let wrong = if right == "000000" {
        "111111"
    } else {
        "000000"
    };

    let typo = code(&app, &browser, &csrf, "12345").await;
    assert_eq!(typo.status(), 422);
    assert!(
        typo.text()
            .await
            .unwrap()
            .contains("Enter the 6 digits of the code."),
        "a typo is not counted"
    );
    let second_last = code(&app, &browser, &csrf, wrong)
        .await
        .text()
        .await
        .unwrap();
    assert!(
        second_last.contains("You have 2 tries left"),
        "{second_last}"
    );
    let last = code(&app, &browser, &csrf, wrong)
        .await
        .text()
        .await
        .unwrap();
    assert!(
        last.contains("You have 1 try left before this link locks."),
        "{last}"
    );
    let locked = code(&app, &browser, &csrf, wrong).await;
    assert_eq!(locked.status(), 403);
    let locked = locked.text().await.unwrap();
    assert!(
        locked.contains("This link is locked")
            && locked.contains("The date of birth or the code was entered wrongly"),
        "{locked}"
    );
    let right_but_late = code(&app, &browser, &csrf, &right).await;
    assert_eq!(
        right_but_late.status(),
        403,
        "the right code no longer opens a locked link"
    );
    // Opened again, the link stays locked and says so.
    assert_eq!(app.browser().get(&link).send().await.unwrap().status(), 403);
    app.stop().await;
}

#[tokio::test]
async fn an_expired_code_no_longer_opens_the_form() {
    let app = app_with_codes("sms").await;
    let link = app.invite("MRN-1002").await;
    let (browser, csrf) = open_link(&app, &link).await;
    birth_date(&app, &browser, &csrf, "1984-09-30").await;
    let sent = app.codes.last();
    app.clock.advance(Duration::from_secs(10 * 60 + 1));

    let late = code(&app, &browser, &csrf, &sent).await;
    assert_eq!(late.status(), 422);
    let body = late.text().await.unwrap();
    assert!(body.contains("That code no longer works"), "{body}");
    let form = browser.get(app.url("/intake/page/0")).send().await.unwrap();
    assert_eq!(location(&form), "/intake");

    let resent = resend(&app, &browser, &csrf).await;
    assert!(resent.contains("We sent a new code."), "{resent}");
    let opened = code(&app, &browser, &csrf, &app.codes.last()).await;
    assert_eq!(location(&opened), "/intake/page/0");
    app.stop().await;
}

#[tokio::test]
async fn a_new_code_replaces_the_old_one_at_most_once_a_minute_and_five_times_a_link() {
    let app = app_with_codes("sms").await;
    let link = app.invite("MRN-1002").await;
    let (browser, csrf) = open_link(&app, &link).await;
    birth_date(&app, &browser, &csrf, "1984-09-30").await;
    let first = app.codes.last();

    let too_soon = resend(&app, &browser, &csrf).await;
    assert!(
        too_soon.contains("You can ask for a new one in 60 seconds."),
        "{too_soon}"
    );
    assert_eq!(app.codes.sent().len(), 1, "nothing sent within the minute");

    app.clock.advance(Duration::from_secs(61));
    let resent = resend(&app, &browser, &csrf).await;
    assert!(
        resent.contains(r#"role="status""#) && resent.contains("We sent a new code."),
        "{resent}"
    );
    let second = app.codes.last();
    assert_eq!(app.codes.sent().len(), 2);
    if second != first {
        let old = code(&app, &browser, &csrf, &first).await;
        assert_eq!(old.status(), 422, "the old code no longer works");
    }

    for sends in 3..=5 {
        app.clock.advance(Duration::from_secs(61));
        resend(&app, &browser, &csrf).await;
        assert_eq!(app.codes.sent().len(), sends);
    }
    app.clock.advance(Duration::from_secs(61));
    let capped = resend(&app, &browser, &csrf).await;
    assert!(
        capped.contains("No more codes can be sent for this link."),
        "{capped}"
    );
    assert_eq!(app.codes.sent().len(), 5);
    let opened = code(&app, &browser, &csrf, &app.codes.last()).await;
    assert_eq!(
        location(&opened),
        "/intake/page/0",
        "the last code still works"
    );
    app.stop().await;
}

#[tokio::test]
async fn a_code_that_could_not_be_sent_says_so_and_a_new_one_can_be_asked_for_at_once() {
    let app = app_with_codes("sms").await;
    let link = app.invite("MRN-1002").await;
    let (browser, csrf) = open_link(&app, &link).await;
    app.codes.fail(true);
    let (status, body) = birth_date(&app, &browser, &csrf, "1984-09-30").await;
    assert_eq!(status, 200);
    assert!(
        body.contains("We could not send the code just now."),
        "{body}"
    );
    app.codes.fail(false);
    let resent = resend(&app, &browser, &csrf).await;
    assert!(resent.contains("We sent a new code."), "{resent}");
    let opened = code(&app, &browser, &csrf, &app.codes.last()).await;
    assert_eq!(location(&opened), "/intake/page/0");
    app.stop().await;
}

#[tokio::test]
async fn a_patient_without_a_contact_of_the_kind_is_told_to_call_the_clinic() {
    let app = app_with_codes("email").await;
    let link = app.invite("MRN-1002").await;
    let (browser, csrf) = open_link(&app, &link).await;
    let (status, body) = birth_date(&app, &browser, &csrf, "1984-09-30").await;
    assert_eq!(status, 200);
    assert!(
        body.contains("Please call the clinic") && body.contains("We cannot send you a code"),
        "{body}"
    );
    for detail in ["555", "0102", "@", "•••", "Okafor"] {
        assert!(!body.contains(detail), "the page reveals {detail}");
    }
    assert!(app.codes.sent().is_empty());
    let form = browser.get(app.url("/intake/page/0")).send().await.unwrap();
    assert_eq!(location(&form), "/intake");
    app.stop().await;
}

#[tokio::test]
async fn an_email_code_goes_to_the_address_on_the_chart_in_the_patients_language() {
    let app = app_with_codes("email").await;
    let patient = serde_json::json!({
        "resourceType": "Bundle",
        "type": "collection",
        "entry": [{"resource": {
            "resourceType": "Patient",
            "id": "maria-lopez",
            "identifier": [{"system": "urn:oid:2.16.840.1.113883.19.5", "value": "MRN-2001"}],
            "name": [{"family": "López", "given": ["María"]}],
            "telecom": [
                {"system": "phone", "value": "+1-555-0199", "use": "mobile"},
                {"system": "email", "value": "maria.lopez@example.org"}
            ],
            "birthDate": "1990-05-17"
        }}]
    });
    std::fs::write(
        app.ehr_folder.join("maria-lopez.json"),
        serde_json::to_string(&patient).unwrap(),
    )
    .unwrap();
    let link = app.invite("MRN-2001").await;
    let (browser, csrf) = open_link(&app, &link).await;
    let response = browser
        .post(app.url("/intake/verify"))
        .header(ACCEPT_LANGUAGE, "es")
        .form(&[("csrf", csrf.as_str()), ("birth_date", "1990-05-17")])
        .send()
        .await
        .unwrap();
    let body = response.text().await.unwrap();
    assert!(body.contains(r#"<html lang="es">"#), "{body}");
    assert!(body.contains("Escriba su código"), "{body}");
    assert!(
        body.contains("Enviamos un código de 6 dígitos a m•••@e•••.org"),
        "{body}"
    );
    assert!(!body.contains("maria.lopez") && !body.contains("example.org"));
    let sent = app.codes.sent();
    assert_eq!(sent.len(), 1);
    assert_eq!(
        (sent[0].to.as_str(), sent[0].language.as_str()),
        ("maria.lopez@example.org", "es")
    );
    app.stop().await;
}

#[tokio::test]
async fn with_codes_off_a_right_date_of_birth_opens_the_form_at_once_and_sends_nothing() {
    let app = TestApp::spawn_with(Options {
        worker: false,
        ..Options::default()
    })
    .await;
    let link = app.invite("MRN-1002").await;
    let (browser, csrf) = verified(&app, &link, "1984-09-30").await;
    assert!(app.codes.sent().is_empty());
    let stray = post(
        &app,
        &browser,
        "/intake/code",
        &[("csrf", &csrf), ("code", "123456")],
    )
    .await;
    assert_eq!(stray.status(), 303, "the code step has nothing to do");
    let form = browser.get(app.url("/intake/page/0")).send().await.unwrap();
    assert_eq!(form.status(), 200);
    app.stop().await;
}

#[tokio::test]
async fn the_code_never_appears_in_a_page_or_a_url() {
    let app = app_with_codes("sms").await;
    let link = app.invite("MRN-1002").await;
    let (browser, csrf) = open_link(&app, &link).await;
    let mut seen = Vec::new();
    let (_, verify) = birth_date(&app, &browser, &csrf, "1984-09-30").await;
    seen.push(verify);
    let sent = app.codes.last();
    let wrong = if sent == "000000" { "111111" } else { "000000" };
    seen.push(
        code(&app, &browser, &csrf, wrong)
            .await
            .text()
            .await
            .unwrap(),
    );
    seen.push(page(&browser, &app.url("/intake")).await);
    app.clock.advance(Duration::from_secs(61));
    seen.push(resend(&app, &browser, &csrf).await);
    let current = app.codes.last();
    let opened = code(&app, &browser, &csrf, &current).await;
    seen.push(location(&opened));
    seen.push(opened.text().await.unwrap());
    seen.push(page(&browser, &app.url("/intake/page/0")).await);
    for text in &seen {
        assert!(
            !text.contains(&sent) && !text.contains(&current),
            "a code shows in {text}"
        );
    }
    app.stop().await;
}
