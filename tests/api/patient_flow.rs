//! The patient's way through, over HTTP with a cookie jar, from the invitation to the chart.

use std::time::Duration;

use crate::helpers::{
    TestApp, accept_first_exception, answering, complete_intake, eventually, location, open_link,
    page, posted, verified,
};

#[tokio::test]
async fn an_intake_goes_from_the_link_to_resources_posted_on_the_chart() {
    let app = TestApp::spawn().await;
    let link = app.invite("MRN-1002").await;
    complete_intake(&app, &link, "1984-09-30", "Latex\nShellfish").await;

    // The answers post on their own; the reported allergies wait for the front desk.
    eventually("the QuestionnaireResponse is posted", || async {
        posted(&app, "QuestionnaireResponse").len() == 1
    })
    .await;
    let response = &posted(&app, "QuestionnaireResponse")[0]["entry"][0];
    assert_eq!(response["request"]["method"], "POST");
    assert!(
        response["request"]["ifNoneExist"]
            .as_str()
            .unwrap()
            .starts_with("identifier=urn:ietf:rfc:3986|urn:uuid:")
    );
    assert_eq!(
        response["resource"]["subject"]["reference"],
        "Patient/samuel-okafor"
    );
    assert_eq!(
        response["resource"]["item"][0]["item"][0]["answer"][0]["valueString"],
        "Cough for two weeks"
    );
    // Shaped exactly like the form's Questionnaire (which items the pages required is theirs
    // to check; `response_shape` checks it through the engine).
    let form = intake::app::load_forms(std::path::Path::new(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/forms"
    )))
    .unwrap()
    .get(&intake::forms::FormId::parse("previsit-basic").unwrap())
    .unwrap();
    let shape = intake::forms::sdc::validate_response(
        &intake::forms::sdc::export(&form),
        &response["resource"],
        &|_| false,
    );
    assert_eq!(shape, vec![]);
    assert!(
        posted(&app, "AllergyIntolerance").is_empty(),
        "patient-reported allergies are held for review"
    );

    let staff = app.signed_in("clinician").await;
    let queue = page(&staff, &app.url("/staff/exceptions")).await;
    assert!(
        queue.contains("Allergy: Latex") && queue.contains("Allergy: Shellfish"),
        "{queue}"
    );
    assert!(
        queue.contains("Reported by the patient"),
        "the queue says why each item waits"
    );
    accept_first_exception(&app, &staff).await;

    eventually("the accepted allergy is posted", || async {
        posted(&app, "AllergyIntolerance").len() == 1
    })
    .await;
    let allergy = &posted(&app, "AllergyIntolerance")[0]["entry"][0]["resource"];
    assert_eq!(allergy["code"]["text"], "Latex");
    assert_eq!(
        allergy["verificationStatus"]["coding"][0]["code"],
        "unconfirmed"
    );
    assert_eq!(allergy["patient"]["reference"], "Patient/samuel-okafor");
    // Nothing else went out, and nothing went twice.
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert_eq!(posted(&app, "AllergyIntolerance").len(), 1);
    assert_eq!(posted(&app, "QuestionnaireResponse").len(), 1);
    app.stop().await;
}

#[tokio::test]
async fn the_link_token_leaves_the_url_on_first_use_and_no_page_is_cached() {
    let app = TestApp::spawn().await;
    let link = app.invite("MRN-1003").await;
    let browser = app.browser();
    let opened = browser.get(&link).send().await.unwrap();
    assert_eq!(opened.status(), 303);
    assert_eq!(location(&opened), "/intake");
    let cookie = opened.headers()["set-cookie"].to_str().unwrap().to_owned();
    assert!(
        cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax"),
        "{cookie}"
    );
    assert!(
        !cookie.contains(link.rsplit('/').next().unwrap()),
        "the session is not the link token"
    );
    let page = browser.get(app.url("/intake")).send().await.unwrap();
    assert_eq!(page.headers()["referrer-policy"], "no-referrer");
    assert_eq!(page.headers()["cache-control"], "no-store");
    assert!(
        page.headers()["content-security-policy"]
            .to_str()
            .unwrap()
            .contains("script-src 'self'")
    );
    app.stop().await;
}

#[tokio::test]
async fn nothing_about_the_patient_shows_before_the_date_of_birth_is_proven() {
    let app = TestApp::spawn().await;
    let link = app.invite("MRN-1002").await;
    let browser = app.browser();
    browser.get(&link).send().await.unwrap();
    let verify = crate::helpers::page(&browser, &app.url("/intake")).await;
    for secret in ["Okafor", "Samuel", "1984", "Follow-up", "MRN-1002"] {
        assert!(
            !verify.contains(secret),
            "the verification page leaks {secret}"
        );
    }
    let page = browser.get(app.url("/intake/page/0")).send().await.unwrap();
    assert_eq!(
        location(&page),
        "/intake",
        "form pages wait for verification"
    );
    app.stop().await;
}

#[tokio::test]
async fn five_wrong_dates_of_birth_lock_the_link_until_staff_reissue_it() {
    let app = TestApp::spawn().await;
    let link = app.invite("MRN-1003").await;
    let (browser, token) = open_link(&app, &link).await;
    let attempt = |date: &'static str| {
        browser
            .post(app.url("/intake/verify"))
            .form(&[("csrf", token.as_str()), ("birth_date", date)])
            .send()
    };
    let not_a_date = attempt("2099-13-01").await.unwrap();
    assert_eq!(not_a_date.status(), 422);
    assert!(
        not_a_date
            .text()
            .await
            .unwrap()
            .contains("Enter the date as month, day and year."),
        "a typo is not counted"
    );
    for remaining in (1..=4).rev() {
        let wrong = attempt("1999-01-24").await.unwrap();
        assert_eq!(wrong.status(), 422);
        let body = wrong.text().await.unwrap();
        assert!(
            body.contains(&format!("{remaining} tr")),
            "says {remaining} tries remain: {body}"
        );
    }
    let locked = attempt("1999-01-24").await.unwrap();
    assert_eq!(locked.status(), 403);
    assert!(locked.text().await.unwrap().contains("This link is locked"));
    let right_but_late = attempt("1999-01-23").await.unwrap();
    assert_eq!(
        right_but_late.status(),
        403,
        "the right answer no longer opens a locked link"
    );
    let reopened = app.browser().get(&link).send().await.unwrap();
    assert_eq!(reopened.status(), 403, "the link itself stays locked");
    assert!(
        reopened
            .text()
            .await
            .unwrap()
            .contains("This link is locked"),
        "and says so when opened again"
    );
    app.stop().await;
}

#[tokio::test]
async fn a_wrong_answer_comes_back_next_to_its_field_with_everything_typed_kept() {
    let app = TestApp::spawn().await;
    let link = app.invite("MRN-1001").await;
    let (browser, token) = verified(&app, &link, "1958-04-12").await;
    let form = [
        ("csrf", token.as_str()),
        ("a.reason", "Knee pain"),
        ("a.pain_level", "seven"),
        ("a.weight_kg", "80,5"),
    ];
    let response = browser
        .post(app.url("/intake/page/0"))
        .form(&form)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 422);
    let body = response.text().await.unwrap();
    assert!(
        body.contains(
            r#"<p class="error" id="f-pain_level-error">Enter a whole number, like 3.</p>"#
        ),
        "{body}"
    );
    assert!(body.contains(r#"aria-describedby="f-pain_level-error""#));
    assert!(
        body.contains(r#"value="seven""#)
            && body.contains(r#"value="80,5""#)
            && body.contains(">Knee pain</textarea>")
    );
    // The fields that were right are saved already.
    let reloaded = crate::helpers::page(&browser, &app.url("/intake/page/0")).await;
    assert!(
        reloaded.contains(">Knee pain</textarea>") && reloaded.contains(r#"value="80.5""#),
        "{reloaded}"
    );
    app.stop().await;
}

#[tokio::test]
async fn answers_survive_a_reload_and_a_new_session_on_another_device() {
    let app = TestApp::spawn().await;
    let link = app.invite("MRN-1001").await;
    let (phone, token) = verified(&app, &link, "1958-04-12").await;
    let saved = phone
        .post(app.url("/intake/page/0"))
        .form(&[("csrf", token.as_str()), ("a.reason", "Dizzy spells")])
        .send()
        .await
        .unwrap();
    assert_eq!(location(&saved), "/intake/page/1");

    let (laptop, _) = verified(&app, &link, "1958-04-12").await;
    let page = crate::helpers::page(&laptop, &app.url("/intake/page/0")).await;
    assert!(page.contains(">Dizzy spells</textarea>"));
    app.stop().await;
}

#[tokio::test]
async fn submitting_twice_makes_one_submission_and_a_missing_answer_is_named() {
    let app = TestApp::spawn_with(crate::helpers::Options {
        worker: false,
        ..Default::default()
    })
    .await;
    let link = app.invite("MRN-1003").await;
    let (browser, token) = verified(&app, &link, "1999-01-23").await;
    let early = browser
        .post(app.url("/intake/submit"))
        .form(&[("csrf", token.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(early.status(), 422);
    let body = early.text().await.unwrap();
    assert!(body.contains("2 questions need an answer"), "{body}");
    assert!(body.contains("This question needs an answer."));

    browser
        .post(app.url("/intake/page/0"))
        .form(&[("csrf", token.as_str()), ("a.reason", "Check-up")])
        .send()
        .await
        .unwrap();
    browser
        .post(app.url("/intake/page/2"))
        .form(&[("csrf", token.as_str()), ("a.tobacco", "266919005")])
        .send()
        .await
        .unwrap();
    let (first, second) = tokio::join!(
        browser
            .post(app.url("/intake/submit"))
            .form(&[("csrf", token.as_str())])
            .send(),
        browser
            .post(app.url("/intake/submit"))
            .form(&[("csrf", token.as_str())])
            .send(),
    );
    assert_eq!(location(&first.unwrap()), "/intake/done");
    assert_eq!(location(&second.unwrap()), "/intake/done");
    assert_eq!(app.services.submissions().await.unwrap().len(), 1);
    let done = crate::helpers::page(&browser, &app.url("/intake/done")).await;
    assert!(done.contains("your answers were sent"));
    app.stop().await;
}

#[tokio::test]
async fn an_expired_link_and_a_forged_post_are_refused() {
    let app = TestApp::spawn().await;
    let link = app.invite("MRN-1003").await;
    let browser = app.browser();
    browser.get(&link).send().await.unwrap();
    let forged = browser
        .post(app.url("/intake/verify"))
        .form(&[("csrf", "not-the-token"), ("birth_date", "1999-01-23")])
        .send()
        .await
        .unwrap();
    assert_eq!(forged.status(), 403);
    app.clock.advance(Duration::from_secs(15 * 86_400));
    assert_eq!(
        app.browser().get(&link).send().await.unwrap().status(),
        404,
        "links expire after 14 days"
    );
    assert_eq!(
        browser
            .get(app.url("/intake"))
            .send()
            .await
            .unwrap()
            .status(),
        401,
        "so do sessions on them"
    );
    app.stop().await;
}

fn rosa() -> intake::domain::PatientIdentifier {
    intake::domain::PatientIdentifier {
        system: "urn:oid:2.16.840.1.113883.19.5".into(),
        value: "MRN-1001".into(),
    }
}

#[tokio::test]
async fn a_locked_link_can_neither_submit_nor_show_the_answers_saved_on_it() {
    let app = TestApp::spawn().await;
    let link = app.invite("MRN-1001").await;
    let (patient, token) = verified(&app, &link, "1958-04-12").await;
    for (page, field, value) in [
        (0, "a.reason", "ZZQ-private-reason"),
        (2, "a.tobacco", "266919005"),
    ] {
        patient
            .post(app.url(&format!("/intake/page/{page}")))
            .form(&[("csrf", token.as_str()), (field, value)])
            .send()
            .await
            .unwrap();
    }
    // Someone else with the link guesses until it locks, then tries to submit and to read.
    let (stranger, stranger_token) = open_link(&app, &link).await;
    for _ in 0..5 {
        stranger
            .post(app.url("/intake/verify"))
            .form(&[
                ("csrf", stranger_token.as_str()),
                ("birth_date", "1970-01-01"),
            ])
            .send()
            .await
            .unwrap();
    }
    let submit = stranger
        .post(app.url("/intake/submit"))
        .form(&[("csrf", stranger_token.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(location(&submit), "/intake");
    let review = stranger
        .get(app.url("/intake/review"))
        .send()
        .await
        .unwrap();
    assert_eq!(location(&review), "/intake");
    // The patient's own session, verified before the lock, cannot submit on a locked link either.
    let own = patient
        .post(app.url("/intake/submit"))
        .form(&[("csrf", token.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(location(&own), "/intake");
    assert!(
        app.services.submissions().await.unwrap().is_empty(),
        "nothing was submitted"
    );
    app.stop().await;
}

#[tokio::test]
async fn a_replaced_link_cannot_submit_or_be_verified() {
    let app = TestApp::spawn().await;
    let (link, appointment) = app.invite_with_appointment(rosa()).await;
    let (patient, token) = verified(&app, &link, "1958-04-12").await;
    for (page, field, value) in [(0, "a.reason", "Check-up"), (2, "a.tobacco", "266919005")] {
        patient
            .post(app.url(&format!("/intake/page/{page}")))
            .form(&[("csrf", token.as_str()), (field, value)])
            .send()
            .await
            .unwrap();
    }
    let (stranger, stranger_token) = open_link(&app, &link).await;
    // The clinic sends a new link (say the first went to the wrong phone).
    app.services.issue_invitation(appointment).await.unwrap();
    let submit = patient
        .post(app.url("/intake/submit"))
        .form(&[("csrf", token.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(location(&submit), "/intake");
    assert!(app.services.submissions().await.unwrap().is_empty());
    let guess = stranger
        .post(app.url("/intake/verify"))
        .form(&[
            ("csrf", stranger_token.as_str()),
            ("birth_date", "1958-04-12"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(
        guess.status(),
        404,
        "a right date of birth on a replaced link tells nothing"
    );
    app.stop().await;
}

#[tokio::test]
async fn one_address_gets_ten_date_of_birth_checks_in_ten_minutes_whatever_the_links() {
    let app = TestApp::spawn().await;
    let mut refused = None;
    // Wrong dates across several links (each link locks after five), all from one address.
    for attempt in 0..11 {
        let link = app.invite("MRN-1002").await;
        let (browser, token) = open_link(&app, &link).await;
        let response = browser
            .post(app.url("/intake/verify"))
            .form(&[("csrf", token.as_str()), ("birth_date", "1990-01-01")])
            .send()
            .await
            .unwrap();
        if response.status() == 429 {
            refused = Some((attempt, response));
            break;
        }
        assert_eq!(response.status(), 422, "attempt {attempt}");
    }
    let (attempt, response) = refused.expect("the eleventh check from one address is refused");
    assert_eq!(attempt, 10);
    let wait: u64 = response.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=600).contains(&wait), "{wait}");
    assert!(response.text().await.unwrap().contains("Please wait"));

    // Ten minutes later the address may try again.
    app.clock.advance(Duration::from_secs(600));
    let link = app.invite("MRN-1002").await;
    let (browser, token) = open_link(&app, &link).await;
    let response = browser
        .post(app.url("/intake/verify"))
        .form(&[("csrf", token.as_str()), ("birth_date", "1984-09-30")])
        .send()
        .await
        .unwrap();
    assert_eq!(location(&response), "/intake/page/0");
}

#[tokio::test]
async fn a_new_form_version_keeps_the_answers_and_says_which_pages_to_check_again() {
    let app = TestApp::spawn().await;
    let link = app.invite("MRN-1002").await;
    let (browser, token) = verified(&app, &link, "1984-09-30").await;
    let saved = browser
        .post(app.url("/intake/page/0"))
        .form(&[
            ("csrf", token.as_str()),
            ("a.reason", "Cough for two weeks"),
            ("a.pain_level", "3"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(saved.status(), 303);

    // The clinic publishes a new version: the pain question's wording changes.
    let forms = concat!(env!("CARGO_MANIFEST_DIR"), "/forms");
    let mut files = intake::app::form_files(&[forms.into()]).unwrap();
    let (_, basic) = files
        .iter_mut()
        .find(|(name, _)| name.ends_with("previsit-basic.yaml"))
        .unwrap();
    *basic = basic.replace(
        "How bad is any pain today, from 0 (none) to 10 (worst imaginable)?",
        "How much pain do you have today, from 0 (none) to 10 (worst)?",
    );
    let library =
        intake::forms::FormLibrary::compile(files.iter().map(|(n, t)| (n.as_str(), t.as_str())))
            .unwrap();
    app.services.forms.replace(library);

    let page1 = page(&browser, &app.url("/intake/page/1")).await;
    assert!(
        page1.contains("This form was updated after you started"),
        "{page1}"
    );
    assert!(
        page1.contains(r#"<a href="/intake/page/0">About this visit</a>"#),
        "{page1}"
    );
    let page0 = page(&browser, &app.url("/intake/page/0")).await;
    assert!(
        page0.contains("Cough for two weeks"),
        "answers carry over: {page0}"
    );
    assert!(page0.contains("How much pain do you have today"));

    // Saving the page it named is checking it.
    let saved = browser
        .post(app.url("/intake/page/0"))
        .form(&[
            ("csrf", token.as_str()),
            ("a.reason", "Cough for two weeks"),
            ("a.pain_level", "4"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(saved.status(), 303);
    let review = page(&browser, &app.url("/intake/review")).await;
    assert!(!review.contains("This form was updated"), "{review}");
}

#[tokio::test]
async fn a_changed_answer_brings_back_the_page_with_the_questions_it_turns_on_or_off() {
    let app = TestApp::spawn().await;
    let (browser, token) = answering(&app, "MRN-1002", "1984-09-30", "adult-previsit").await;
    let first = page(&browser, &app.url("/intake/page/0")).await;
    assert!(
        first.contains(r#"hx-post="/intake/page/0/live""#),
        "{first}"
    );
    assert!(!first.contains("What has changed?"));

    let live = |answer: &'static str| {
        let browser = browser.clone();
        let token = token.clone();
        let url = app.url("/intake/page/0/live");
        async move {
            let response = browser
                .post(url)
                .header("HX-Request", "true")
                .form(&[
                    ("csrf", token.as_str()),
                    ("a.details_correct", answer),
                    ("a.address_postal_code", "1234"),
                ])
                .send()
                .await
                .unwrap();
            assert_eq!(response.status(), 200);
            response.text().await.unwrap()
        }
    };
    let changed = live("no").await;
    assert!(
        changed.contains("What has changed?"),
        "the question the answer turns on"
    );
    assert!(
        changed.contains(r#"value="1234""#),
        "what was typed is kept: {changed}"
    );
    let unchanged = live("yes").await;
    assert!(!unchanged.contains("What has changed?"), "and off again");
    // Every change was saved as the patient went.
    let again = page(&browser, &app.url("/intake/page/0")).await;
    assert!(again.contains(r#"value="yes" checked"#), "{again}");
}
