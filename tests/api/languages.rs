//! The patient pages in English, Spanish and Vietnamese: chosen from the browser among the
//! languages the form declares, switchable on every page with a plain link, and carrying the
//! form's own translations and the engine's messages.

use reqwest::header::{ACCEPT_LANGUAGE, HeaderMap, HeaderValue};

use crate::helpers::{TestApp, answer_and_submit, csrf, location, page};

/// A browser that asks for Spanish first, with a cookie jar and no automatic redirects.
fn spanish_browser() -> reqwest::Client {
    browser_asking("es-MX,es;q=0.9,en;q=0.5")
}

/// A browser whose `Accept-Language` is `languages`.
fn browser_asking(languages: &'static str) -> reqwest::Client {
    let mut headers = HeaderMap::new();
    headers.insert(ACCEPT_LANGUAGE, HeaderValue::from_static(languages));
    reqwest::Client::builder()
        .cookie_store(true)
        .default_headers(headers)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

#[tokio::test]
async fn a_spanish_browser_gets_every_patient_page_in_spanish_and_can_switch() {
    let app = TestApp::spawn().await;
    let link = app.invite("MRN-1002").await;
    let browser = spanish_browser();
    assert_eq!(browser.get(&link).send().await.unwrap().status(), 303);

    let verify = page(&browser, &app.url("/intake")).await;
    assert!(verify.contains(r#"<html lang="es">"#), "{verify}");
    assert!(verify.contains("Confirme que es usted"), "{verify}");
    assert!(verify.contains(">English</a>"), "the switch offers English");
    let token = csrf(&verify);

    let wrong = browser
        .post(app.url("/intake/verify"))
        .form(&[("csrf", token.as_str()), ("birth_date", "1984-09-29")])
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        wrong.contains("no coincide con nuestros registros. Le quedan 4 intentos"),
        "{wrong}"
    );

    let verified = browser
        .post(app.url("/intake/verify"))
        .form(&[("csrf", token.as_str()), ("birth_date", "1984-09-30")])
        .send()
        .await
        .unwrap();
    assert_eq!(location(&verified), "/intake/page/0");

    // The form's own Spanish, the pages' Spanish, and the engine's messages in Spanish, with
    // everything typed kept.
    let first = page(&browser, &app.url("/intake/page/0")).await;
    assert!(
        first.contains("¿Cuál es el motivo principal de su consulta?"),
        "{first}"
    );
    assert!(
        first.contains("Paso 1 de 3") && first.contains("Siguiente"),
        "{first}"
    );
    let invalid = browser
        .post(app.url("/intake/page/0"))
        .form(&[
            ("csrf", token.as_str()),
            ("a.reason", "Tos desde hace dos semanas"),
            ("a.pain_level", "mucho"),
            ("a.symptom_start", "2026-11-01"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(invalid.status(), 422);
    let invalid = invalid.text().await.unwrap();
    assert!(
        invalid.contains("Escriba un número entero, como 3."),
        "{invalid}"
    );
    assert!(invalid.contains("Tos desde hace dos semanas") && invalid.contains("mucho"));

    let saved = browser
        .post(app.url("/intake/page/0"))
        .form(&[
            ("csrf", token.as_str()),
            ("a.reason", "Tos desde hace dos semanas"),
            ("a.pain_level", "3"),
            ("a.symptom_start", "2026-11-01"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(saved.status(), 303);
    let review = page(&browser, &app.url("/intake/review")).await;
    assert!(review.contains("Revise sus respuestas"), "{review}");
    assert!(
        review.contains("1 de noviembre de 2026"),
        "dates as Spanish readers write them: {review}"
    );
    assert!(
        review.contains("Esta pregunta necesita una respuesta."),
        "{review}"
    );

    // The switch: a plain link that remembers the choice and comes back to the same page.
    let switched = browser
        .get(app.url("/language/en?back=%2Fintake%2Freview"))
        .send()
        .await
        .unwrap();
    assert_eq!(location(&switched), "/intake/review");
    let english = page(&browser, &app.url("/intake/review")).await;
    assert!(english.contains(r#"<html lang="en">"#) && english.contains("Check your answers"));
    assert!(english.contains("November 1, 2026"), "{english}");
    assert!(english.contains(">Español</a>"));
}

#[tokio::test]
async fn the_language_switch_only_returns_to_pages_of_this_site() {
    let app = TestApp::spawn().await;
    let browser = app.browser();
    for back in [
        "https%3A%2F%2Fevil.example%2F",
        "%2F%2Fevil.example",
        "%2F%5Cevil.example",
    ] {
        let response = browser
            .get(app.url(&format!("/language/es?back={back}")))
            .send()
            .await
            .unwrap();
        assert_eq!(location(&response), "/intake", "back={back}");
    }
}

#[tokio::test]
async fn a_patient_page_without_a_session_says_so_in_spanish_to_a_spanish_browser() {
    let app = TestApp::spawn().await;
    let browser = spanish_browser();
    let response = browser.get(app.url("/intake/page/0")).send().await.unwrap();
    assert_eq!(response.status(), 401);
    let request_id = response.headers()["x-request-id"]
        .to_str()
        .unwrap()
        .to_owned();
    let body = response.text().await.unwrap();
    assert!(body.contains(r#"<html lang="es">"#), "{body}");
    assert!(
        body.contains("Abra su enlace de nuevo, por favor"),
        "{body}"
    );
    assert!(
        body.contains("mencione la referencia") && body.contains(&request_id),
        "{body}"
    );
    assert!(!body.contains("Please open your link again"));

    // The language the patient chose wins over the browser's.
    browser
        .get(app.url("/language/en?back=%2Fintake"))
        .send()
        .await
        .unwrap();
    let english = page(&browser, &app.url("/intake/missing")).await;
    assert!(
        english.contains(r#"<html lang="en">"#) && english.contains("Page not found"),
        "{english}"
    );
    app.stop().await;
}

#[tokio::test]
async fn staff_error_pages_stay_in_english_whatever_the_browser_asks() {
    let app = TestApp::spawn().await;
    let browser = spanish_browser();
    let missing = browser.get(app.url("/staff/nowhere")).send().await.unwrap();
    assert_eq!(missing.status(), 404);
    let body = missing.text().await.unwrap();
    assert!(
        body.contains(r#"<html lang="en">"#) && body.contains("Page not found"),
        "{body}"
    );
    let elsewhere = page(&browser, &app.url("/nowhere")).await;
    assert!(
        elsewhere.contains(r#"<html lang="es">"#) && elsewhere.contains("Página no encontrada"),
        "{elsewhere}"
    );
    app.stop().await;
}

/// The links of the language switch: each `(code, name)` it offers.
fn switch_links(html: &str) -> Vec<(String, String)> {
    let Some(start) = html.find(r#"<nav class="language""#) else {
        return Vec::new();
    };
    let nav = &html[start..start + html[start..].find("</nav>").unwrap()];
    nav.split("<a ")
        .skip(1)
        .map(|link| {
            let code = link
                .split("hreflang=\"")
                .nth(1)
                .unwrap()
                .split('"')
                .next()
                .unwrap();
            let name = link.split('>').nth(1).unwrap().split('<').next().unwrap();
            (code.to_owned(), name.to_owned())
        })
        .collect()
}

#[tokio::test]
async fn a_vietnamese_browser_gets_the_pages_the_form_and_its_messages_in_vietnamese() {
    let app = TestApp::spawn().await;
    let link = app.invite("MRN-1002").await;
    let browser = browser_asking("vi-VN,vi;q=0.9,en;q=0.5");
    assert_eq!(browser.get(&link).send().await.unwrap().status(), 303);

    let verify = page(&browser, &app.url("/intake")).await;
    assert!(verify.contains(r#"<html lang="vi">"#), "{verify}");
    assert!(verify.contains("Xác nhận danh tính của quý vị"), "{verify}");
    assert!(verify.contains("Ví dụ: 27 3 1958"), "day first: {verify}");
    assert_eq!(
        switch_links(&verify),
        [
            ("en".to_owned(), "English".to_owned()),
            ("es".to_owned(), "Español".to_owned())
        ]
    );
    let token = csrf(&verify);
    let wrong = browser
        .post(app.url("/intake/verify"))
        .form(&[("csrf", token.as_str()), ("birth_date", "1984-09-29")])
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        wrong.contains("Ngày sinh này không khớp với hồ sơ của chúng tôi. Quý vị còn 4 lần thử."),
        "{wrong}"
    );
    let verified = browser
        .post(app.url("/intake/verify"))
        .form(&[("csrf", token.as_str()), ("birth_date", "1984-09-30")])
        .send()
        .await
        .unwrap();
    assert_eq!(location(&verified), "/intake/page/0");

    let first = page(&browser, &app.url("/intake/page/0")).await;
    assert!(
        first.contains("Lý do chính của buổi hẹn này là gì?"),
        "{first}"
    );
    assert!(
        first.contains("Bước 1 trên 3") && first.contains("Tiếp theo"),
        "{first}"
    );
    assert!(first.contains("Buổi hẹn của quý vị: ngày "), "{first}");

    // The engine's messages, a bound with its bound, and everything typed kept.
    let typed = |pain: &'static str| {
        [
            ("csrf", token.clone()),
            ("a.reason", "Ho đã hai tuần".to_owned()),
            ("a.pain_level", pain.to_owned()),
        ]
    };
    let not_a_number = browser
        .post(app.url("/intake/page/0"))
        .form(&typed("nhiều"))
        .send()
        .await
        .unwrap();
    assert_eq!(not_a_number.status(), 422);
    let not_a_number = not_a_number.text().await.unwrap();
    assert!(
        not_a_number.contains("Vui lòng nhập một số nguyên, ví dụ 3."),
        "{not_a_number}"
    );
    assert!(not_a_number.contains("Ho đã hai tuần") && not_a_number.contains("nhiều"));
    let too_high = browser
        .post(app.url("/intake/page/0"))
        .form(&typed("11"))
        .send()
        .await
        .unwrap();
    assert_eq!(too_high.status(), 422);
    let too_high = too_high.text().await.unwrap();
    assert!(
        too_high.contains("Câu trả lời không được lớn hơn 10."),
        "{too_high}"
    );
    assert!(
        too_high.contains("Vui lòng kiểm tra một câu trả lời"),
        "{too_high}"
    );

    // The review: answers read back and what is missing, in Vietnamese.
    let saved = browser
        .post(app.url("/intake/page/0"))
        .form(&[
            ("csrf", token.as_str()),
            ("a.reason", "Ho đã hai tuần"),
            ("a.pain_level", "3"),
            ("a.symptom_start", "2026-11-01"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(saved.status(), 303);
    let review = page(&browser, &app.url("/intake/review")).await;
    assert!(
        review.contains("Kiểm tra câu trả lời của quý vị"),
        "{review}"
    );
    assert!(review.contains("ngày 1 tháng 11 năm 2026"), "{review}");
    assert!(review.contains("Câu hỏi này cần được trả lời."), "{review}");
    app.stop().await;
}

#[tokio::test]
async fn the_switch_offers_only_the_languages_the_form_declares_and_keeps_its_pages_in_them() {
    let app = TestApp::spawn().await;
    // hypertension-followup is in English and Spanish only.
    let (link, _) = app
        .invite_to_form(
            intake::domain::PatientIdentifier {
                system: "urn:oid:2.16.840.1.113883.19.5".into(),
                value: "MRN-1002".into(),
            },
            "hypertension-followup",
        )
        .await;
    let browser = browser_asking("vi,en;q=0.5");
    browser.get(&link).send().await.unwrap();
    let verify = page(&browser, &app.url("/intake")).await;
    // No form yet: every language the pages speak.
    assert_eq!(switch_links(&verify).len(), 2, "{verify}");
    let token = csrf(&verify);
    browser
        .post(app.url("/intake/verify"))
        .form(&[("csrf", token.as_str()), ("birth_date", "1984-09-30")])
        .send()
        .await
        .unwrap();
    let first = page(&browser, &app.url("/intake/page/0")).await;
    assert!(
        first.contains(r#"<html lang="en">"#),
        "a form without Vietnamese opens in its first language: {first}"
    );
    assert_eq!(
        switch_links(&first),
        [("es".to_owned(), "Español".to_owned())]
    );
    assert!(!first.contains("Tiếng Việt"), "{first}");
    app.stop().await;
}

#[tokio::test]
async fn the_language_the_patient_answered_in_is_kept_and_shown_to_staff() {
    let app = TestApp::spawn().await;
    let link = app.invite("MRN-1002").await;
    let browser = browser_asking("vi");
    browser.get(&link).send().await.unwrap();
    let token = csrf(&page(&browser, &app.url("/intake")).await);
    browser
        .post(app.url("/intake/verify"))
        .form(&[("csrf", token.as_str()), ("birth_date", "1984-09-30")])
        .send()
        .await
        .unwrap();
    let pages: [&[(&str, &str)]; 3] = [
        &[("a.reason", "Ho đã hai tuần"), ("a.pain_level", "3")],
        &[("a.new_allergies", "Penicillin"), ("a.new_medications", "")],
        &[("a.tobacco", "266919005"), ("a.wants_callback", "no")],
    ];
    answer_and_submit(&app, &browser, &token, &pages).await;
    let done = page(&browser, &app.url("/intake/done")).await;
    assert!(done.contains("Cảm ơn quý vị"), "{done}");

    let submission = app.services.submissions().await.unwrap().remove(0);
    let clinician = app.signed_in("clinician").await;
    let summary = page(
        &clinician,
        &app.url(&format!("/clinician/submissions/{}", submission.id)),
    )
    .await;
    assert!(summary.contains("Answered in Vietnamese"), "{summary}");
    let changes = app
        .services
        .store
        .changes_for_submission(submission.id)
        .await
        .unwrap();
    let held = changes
        .iter()
        .find(|c| c.hold_reason.is_some())
        .expect("the new allergy waits for a reviewer");
    let detail = page(
        &clinician,
        &app.url(&format!("/staff/exceptions/{}", held.identifier.0)),
    )
    .await;
    assert!(detail.contains("Answered in Vietnamese"), "{detail}");
    app.stop().await;
}
