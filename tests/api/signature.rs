//! A consent signed by drawing (issue 17, point 5): the drawing goes with the consent page as
//! a PNG, is checked and kept like any file, and is told of on the review, the patient's copy
//! and the clinician's summary; without a drawing the typed name signs.

use reqwest::multipart::{Form, Part};

use crate::{
    consent::drawn_png,
    helpers::{TestApp, eventually, location, page, posted},
    media::{at_insurance_page, jpeg_with_gps},
};

/// The registration answered up to its consent page (page 4).
async fn at_consent_page(app: &TestApp) -> (reqwest::Client, String) {
    let (browser, token) = at_insurance_page(app).await;
    let pages: [(usize, &[(&str, &str)]); 2] = [
        (
            2,
            &[
                ("a.has_insurance", "yes"),
                ("a.insurer_name", "Example Health Plan"),
                ("a.member_id", "XJH-1234567"),
                ("a.subscriber_relationship", "self"),
            ],
        ),
        (
            3,
            &[
                ("a.ec_name", "Luis Delgado"),
                ("a.ec_relationship", "SPS"),
                ("a.ec_phone", "555-010-4455"),
            ],
        ),
    ];
    for (index, answers) in pages {
        crate::helpers::save_page(app, &browser, &token, index, answers).await;
    }
    (browser, token)
}

/// The consent page as a drawing pad sends it: agreed, the typed name, and `drawing` (as the
/// pad names it) in the file input.
fn consent_with(token: &str, drawing: Vec<u8>) -> Form {
    Form::new()
        .text("csrf", token.to_owned())
        .text("a.consent_agree", "yes")
        .text("a.consent_signature", "Rosa Delgado")
        .part(
            "a.consent_drawn",
            Part::bytes(drawing)
                .file_name("signature.png")
                .mime_str("image/png")
                .unwrap(),
        )
        .text("nav", "next")
}

async fn submit(app: &TestApp, browser: &reqwest::Client, token: &str) {
    let submitted = browser
        .post(app.url("/intake/submit"))
        .form(&[("csrf", token)])
        .send()
        .await
        .unwrap();
    assert_eq!(location(&submitted), "/intake/done", "the intake submits");
}

/// The clinician's summary of the one submission.
async fn summary(app: &TestApp, staff: &reqwest::Client) -> String {
    let list = page(staff, &app.url("/clinician")).await;
    let id = list
        .split("/clinician/submissions/")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .expect("a submission in the list")
        .to_owned();
    page(staff, &app.url(&format!("/clinician/submissions/{id}"))).await
}

#[tokio::test]
async fn the_consent_page_offers_a_drawing_pad_only_to_javascript_and_the_typed_name_signs_without_it()
 {
    let app = TestApp::spawn().await;
    let (browser, token) = at_consent_page(&app).await;
    let before = page(&browser, &app.url("/intake/page/4")).await;
    let shown = crate::helpers::attribute_after(&before, r#"name="shown" value=""#);
    let agreed = browser
        .post(app.url("/intake/page/4"))
        .form(&[
            ("csrf", token.as_str()),
            ("a.consent_agree", "yes"),
            ("shown", &shown),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(
        location(&agreed),
        "/intake/page/4",
        "without JavaScript, agreeing shows the page again with the signature questions"
    );
    let html = page(&browser, &app.url("/intake/page/4")).await;
    assert!(html.contains(r#"enctype="multipart/form-data""#), "{html}");
    assert!(html.contains(r#"id="f-consent_signature""#));
    // The pad and its field are hidden until the script shows them: without JavaScript there
    // is nothing to draw with.
    assert!(
        html.contains(r#"id="f-consent_drawn" data-signature hidden>"#),
        "{html}"
    );
    assert!(html.contains(r#"id="f-consent_drawn-pad" hx-preserve="true" data-pad hidden>"#));
    assert!(html.contains(
        r#"<canvas id="f-consent_drawn-canvas" role="img" aria-label="Signature box: draw with your finger or a mouse" aria-describedby="f-consent_drawn-keyboard f-consent_drawn-help""#
    ));
    assert!(html.contains("Using a keyboard or a screen reader? You need not draw"));
    assert!(html.contains(
        r#"<input type="file" id="f-consent_drawn-file" name="a.consent_drawn" accept="image/png" hidden data-drawing>"#
    ));
    assert!(
        html.contains("/static/media.") && html.find("/static/media.") > html.find("<main"),
        "the pad's script is in the body, so a page htmx swaps in runs it"
    );

    let typed = browser
        .post(app.url("/intake/page/4"))
        .form(&[
            ("csrf", token.as_str()),
            ("a.consent_agree", "yes"),
            ("a.consent_signature", "Rosa Delgado"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(location(&typed), "/intake/review", "the typed name signs");
    let review = page(&browser, &app.url("/intake/review")).await;
    assert!(
        review.contains(r#"<span class="signed">Signed by typing your full name.</span>"#),
        "{review}"
    );
    assert!(
        !review.contains("Draw your signature"),
        "no row for a drawing"
    );
    submit(&app, &browser, &token).await;
    let copy = page(&browser, &app.url("/intake/copy")).await;
    assert!(copy.contains("Signed by typing your full name."), "{copy}");

    let staff = app.signed_in("clinician").await;
    let summary = summary(&app, &staff).await;
    assert!(
        summary.contains("agreed, signed “Rosa Delgado” (typed name) on"),
        "{summary}"
    );
    assert!(!summary.contains(r#"class="signature""#));
    app.stop().await;
}

#[tokio::test]
async fn a_drawn_signature_is_kept_with_the_consent_told_of_everywhere_and_sent_to_the_chart() {
    let app = TestApp::spawn().await;
    let (browser, token) = at_consent_page(&app).await;
    let signature = drawn_png();
    let saved = browser
        .post(app.url("/intake/page/4"))
        .multipart(consent_with(&token, signature.clone()))
        .send()
        .await
        .unwrap();
    assert_eq!(location(&saved), "/intake/review");
    let again = page(&browser, &app.url("/intake/page/4")).await;
    assert!(
        again.contains(r#"id="f-consent_drawn" data-signature>"#)
            && again.contains("Your drawn signature was saved."),
        "a drawing sent shows, with JavaScript or without: {again}"
    );
    assert!(again.contains(
        r#"<input type="checkbox" id="f-consent_drawn-remove" name="a.consent_drawn" value="remove">"#
    ));
    let review = page(&browser, &app.url("/intake/review")).await;
    assert!(
        review.contains("Signed with your drawn signature and your typed full name."),
        "{review}"
    );
    submit(&app, &browser, &token).await;
    let copy = page(&browser, &app.url("/intake/copy")).await;
    assert!(copy.contains("Signed with your drawn signature and your typed full name."));

    let staff = app.signed_in("clinician").await;
    let summary = summary(&app, &staff).await;
    assert!(
        summary.contains("agreed, signed “Rosa Delgado” and by a drawn signature on"),
        "{summary}"
    );
    let src = crate::helpers::attribute_after(&summary, r#"<br><img src=""#);
    assert!(src.starts_with("/staff/files/"), "{src}");
    assert!(summary.contains(
        r#"alt="Signature drawn by the patient for I have read and agree to the Consent to treatment (version 2026-01)." class="signature">"#
    ));
    assert!(
        !summary.contains(r#"<h2 id="photos-title">"#),
        "a signature is not a photo"
    );
    let file = staff.get(app.url(&src)).send().await.unwrap();
    assert_eq!(file.status(), 200);
    assert_eq!(file.headers()["content-type"], "image/png");
    let bytes = file.bytes().await.unwrap();
    let stored = image::load_from_memory(&bytes).unwrap();
    assert_eq!(
        (stored.width(), stored.height()),
        (300, 100),
        "re-encoded, same picture"
    );
    let patient = browser.get(app.url(&src)).send().await.unwrap();
    assert_ne!(patient.status(), 200, "staff only");

    // The chart gets the Consent with the drawing as its source.
    eventually("the Consent to reach the chart", || async {
        !posted(&app, "Consent").is_empty()
    })
    .await;
    let bundle = posted(&app, "Consent").remove(0);
    let consent = bundle["entry"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|entry| &entry["resource"])
        .find(|resource| resource["resourceType"] == "Consent")
        .expect("the Consent in the bundle");
    let source = &consent["sourceAttachment"];
    assert_eq!(source["contentType"], "image/png", "{consent:#}");
    assert_eq!(source["hash"], intake::media::sha1_base64(&bytes));
    assert!(consent.get("sourceReference").is_none());
    assert!(
        posted(&app, "DocumentReference").is_empty(),
        "no photo was sent, and the signature is not one"
    );
    app.stop().await;
}

#[tokio::test]
async fn a_drawing_sent_can_be_removed_and_the_typed_name_signs_again() {
    let app = TestApp::spawn().await;
    let (browser, token) = at_consent_page(&app).await;
    let saved = browser
        .post(app.url("/intake/page/4"))
        .multipart(consent_with(&token, drawn_png()))
        .send()
        .await
        .unwrap();
    assert_eq!(saved.status(), 303);
    let removed = browser
        .post(app.url("/intake/page/4"))
        .form(&[
            ("csrf", token.as_str()),
            ("a.consent_agree", "yes"),
            ("a.consent_signature", "Rosa Delgado"),
            ("a.consent_drawn", "remove"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(location(&removed), "/intake/review");
    let review = page(&browser, &app.url("/intake/review")).await;
    assert!(
        review.contains("Signed by typing your full name."),
        "{review}"
    );
    app.stop().await;
}

/// Posts `drawing` as the signature and returns the page that came back, which must be a 422.
async fn refused(drawing: Vec<u8>) -> String {
    let app = TestApp::spawn().await;
    let (browser, token) = at_consent_page(&app).await;
    let response = browser
        .post(app.url("/intake/page/4"))
        .multipart(consent_with(&token, drawing))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 422);
    let html = response.text().await.unwrap();
    // Every other answer is kept, on the page and in the draft.
    assert!(html.contains(r#"value="Rosa Delgado""#), "{html}");
    assert!(
        html.contains(r#"id="f-consent_agree-yes" name="a.consent_agree" value="yes" checked"#)
    );
    assert!(
        html.contains(r#"id="f-consent_drawn" data-signature>"#),
        "the field shows with its message, with JavaScript or without"
    );
    assert!(
        html.contains(r##"<li><a href="#f-consent_drawn">Draw your signature — "##),
        "the summary links to the field"
    );
    assert!(!html.contains("Your drawn signature was saved"));
    let page3 = page(&browser, &app.url("/intake/page/3")).await;
    assert!(page3.contains(r#"value="Luis Delgado""#));
    let kept = page(&browser, &app.url("/intake/page/4")).await;
    assert!(
        kept.contains(r#"value="Rosa Delgado""#),
        "saved, not only shown"
    );
    app.stop().await;
    html
}

#[tokio::test]
async fn a_signature_that_is_not_a_png_is_refused_next_to_its_field_with_every_other_answer_kept() {
    let html = refused(jpeg_with_gps()).await;
    assert!(
        html.contains(r#"<p class="error" id="f-consent_drawn-error">A signature is kept as a drawing (PNG); clear it and draw again. Your typed name already signs.</p>"#),
        "{html}"
    );
    let html = refused(b"GIF89a\x01\x00\x01\x00 not a drawing".to_vec()).await;
    assert!(
        html.contains("A signature is kept as a drawing (PNG)"),
        "{html}"
    );
}

#[tokio::test]
async fn an_oversized_signature_is_refused_next_to_its_field_with_every_other_answer_kept() {
    let mut big = drawn_png();
    big.resize(262_145, 0);
    let html = refused(big).await;
    assert!(
        html.contains(r#"id="f-consent_drawn-error">This drawing is too large to keep; clear it and draw your signature again.</p>"#),
        "{html}"
    );
}

#[tokio::test]
async fn a_png_that_does_not_decode_is_refused_as_unreadable() {
    let mut broken = drawn_png();
    broken.truncate(40);
    let html = refused(broken).await;
    assert!(html.contains("This drawing could not be read"), "{html}");
}
