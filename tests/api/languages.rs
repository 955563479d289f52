//! The patient pages in English and Spanish: chosen from the browser, switchable on every page
//! with a plain link, and carrying the form's own translations and the engine's messages.

use reqwest::header::{ACCEPT_LANGUAGE, HeaderMap, HeaderValue};

use crate::helpers::{TestApp, csrf, location, page};

/// A browser that asks for Spanish first, with a cookie jar and no automatic redirects.
fn spanish_browser() -> reqwest::Client {
    let mut headers = HeaderMap::new();
    headers.insert(
        ACCEPT_LANGUAGE,
        HeaderValue::from_static("es-MX,es;q=0.9,en;q=0.5"),
    );
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
