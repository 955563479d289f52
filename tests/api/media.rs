//! Photos a patient sends (issue 17, point 4): checked by content, cleaned of metadata, kept
//! with the answers, shown to staff only, extracted to FHIR.

use std::io::Cursor;

use reqwest::multipart::{Form, Part};

use crate::helpers::{TestApp, answering, location, page};

/// A JPEG with an EXIF APP1 segment carrying a GPS position and a recognisable map datum.
pub fn jpeg_with_gps() -> Vec<u8> {
    let image = image::RgbImage::from_fn(64, 40, |x, y| image::Rgb([x as u8 * 4, y as u8 * 6, 90]));
    let mut plain = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut Cursor::new(&mut plain), 90)
        .encode_image(&image)
        .unwrap();
    // TIFF, big-endian: IFD0 with one entry (the GPS IFD's offset), then the GPS IFD with
    // GPSLatitudeRef "N", GPSLatitude 41/1 52/1 0/1 and GPSMapDatum "GPS-MARKER-WGS84".
    let mut tiff: Vec<u8> = b"MM\0\x2a\0\0\0\x08".to_vec();
    let gps_ifd = 8 + 2 + 12 + 4;
    tiff.extend([0, 1]);
    tiff.extend([0x88, 0x25, 0, 4, 0, 0, 0, 1]);
    tiff.extend((gps_ifd as u32).to_be_bytes());
    tiff.extend([0, 0, 0, 0]);
    let entries = 3u16;
    let data = gps_ifd + 2 + 12 * usize::from(entries) + 4;
    let datum = b"GPS-MARKER-WGS84\0";
    tiff.extend(entries.to_be_bytes());
    tiff.extend([0, 1, 0, 2, 0, 0, 0, 2, b'N', 0, 0, 0]);
    tiff.extend([0, 2, 0, 5, 0, 0, 0, 3]);
    tiff.extend((data as u32).to_be_bytes());
    tiff.extend([0, 0x12, 0, 2, 0, 0, 0, datum.len() as u8]);
    tiff.extend(((data + 24) as u32).to_be_bytes());
    tiff.extend([0, 0, 0, 0]);
    for (numerator, denominator) in [(41u32, 1u32), (52, 1), (0, 1)] {
        tiff.extend(numerator.to_be_bytes());
        tiff.extend(denominator.to_be_bytes());
    }
    tiff.extend(datum);
    let mut app1 = b"Exif\0\0".to_vec();
    app1.extend(tiff);
    let mut out = vec![0xFF, 0xD8, 0xFF, 0xE1];
    out.extend(u16::try_from(app1.len() + 2).unwrap().to_be_bytes());
    out.extend(app1);
    out.extend(&plain[2..]);
    out
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

/// A patient of the registration form, answered up to its insurance page (page 2).
pub async fn at_insurance_page(app: &TestApp) -> (reqwest::Client, String) {
    let (browser, token) =
        answering(app, "MRN-1001", "1958-04-12", "new-patient-registration").await;
    let pages: [&[(&str, &str)]; 2] = [
        &[
            ("a.legal_first_name", "Rosa"),
            ("a.legal_last_name", "Delgado"),
            ("a.dob", "1958-04-12"),
            ("a.sex_at_birth", "LA3-6"),
            ("a.preferred_language", "en"),
        ],
        &[
            ("a.phone", "555-010-0101"),
            ("a.address_line1", "1 Example Road"),
            ("a.city", "Springfield"),
            ("a.state", "IL"),
            ("a.postal_code", "62701"),
        ],
    ];
    for (index, answers) in pages.iter().enumerate() {
        crate::helpers::save_page(app, &browser, &token, index, answers).await;
    }
    (browser, token)
}

/// The insurance page's answers as a multipart post, with `file` as the card's front.
fn insurance_with(token: &str, file: Vec<u8>, name: &'static str) -> Form {
    Form::new()
        .text("csrf", token.to_owned())
        .text("a.has_insurance", "yes")
        .text("a.insurer_name", "Example Health Plan")
        .text("a.member_id", "XJH-1234567")
        .text("a.subscriber_relationship", "self")
        .part(
            "a.card_front",
            Part::bytes(file)
                .file_name(name)
                .mime_str("image/jpeg")
                .unwrap(),
        )
        .text("nav", "next")
}

#[tokio::test]
async fn the_insurance_page_asks_for_both_sides_of_the_card_as_a_photo_form_without_javascript() {
    let app = TestApp::spawn().await;
    let (browser, token) = at_insurance_page(&app).await;
    let before = page(&browser, &app.url("/intake/page/2")).await;
    assert!(
        before.contains("multipart/form-data"),
        "the page is ready to send a photo before one is asked"
    );
    // Without JavaScript, "yes" shows the page again with the questions it turned on.
    let shown = crate::helpers::attribute_after(&before, r#"name="shown" value=""#);
    let answered = browser
        .post(app.url("/intake/page/2"))
        .form(&[
            ("csrf", token.as_str()),
            ("a.has_insurance", "yes"),
            ("shown", &shown),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(location(&answered), "/intake/page/2");
    let html = page(&browser, &app.url("/intake/page/2")).await;
    assert!(html.contains(r#"enctype="multipart/form-data""#), "{html}");
    for side in ["f-card_front", "f-card_back"] {
        let at = html.find(&format!(r#"id="{side}""#)).expect("the field");
        let start = html[..at].rfind("<input").expect("an input");
        let input = &html[start..at + html[at..].find('>').expect("the tag's end")];
        assert!(input.contains(r#"type="file""#), "{side}: {input}");
        assert!(
            input.contains(r#"accept="image/jpeg,image/png""#)
                && input.contains(r#"capture="environment""#),
            "{side}: {input}"
        );
    }
    assert!(
        html.contains("/static/media."),
        "the page that asks for a photo loads its script"
    );
    let first = page(&browser, &app.url("/intake/page/0")).await;
    assert!(
        !first.contains("/static/media."),
        "pages without a photo do not"
    );
}

#[tokio::test]
async fn a_photo_with_a_gps_position_is_stored_without_any_metadata_and_shown_to_staff_only() {
    let app = TestApp::spawn().await;
    let (browser, token) = at_insurance_page(&app).await;
    let original = jpeg_with_gps();
    assert!(contains(&original, b"GPS-MARKER-WGS84") && contains(&original, b"Exif\0\0"));

    let saved = browser
        .post(app.url("/intake/page/2"))
        .multipart(insurance_with(&token, original, "IMG_0001.jpg"))
        .send()
        .await
        .unwrap();
    assert_eq!(
        location(&saved),
        "/intake/page/3",
        "the page with its photo saves"
    );
    let again = page(&browser, &app.url("/intake/page/2")).await;
    assert!(again.contains("A photo was sent"), "{again}");

    let (link, file) = stored_photo(&app, &browser, &token).await;
    let anonymous = app.browser().get(app.url(&link)).send().await.unwrap();
    assert_ne!(anonymous.status(), 200, "no file without a staff session");
    let patient = browser.get(app.url(&link)).send().await.unwrap();
    assert_ne!(patient.status(), 200, "nor with a patient's");

    assert_eq!(file.headers()["content-type"], "image/jpeg");
    let cache = file.headers()["cache-control"].to_str().unwrap().to_owned();
    assert!(
        cache.contains("no-store") && cache.contains("private"),
        "{cache}"
    );
    let bytes = file.bytes().await.unwrap();
    assert!(bytes.starts_with(&[0xFF, 0xD8, 0xFF]), "still a JPEG");
    assert!(!contains(&bytes, b"Exif"), "the EXIF segment is gone");
    assert!(
        !contains(&bytes, b"GPS-MARKER-WGS84"),
        "and the GPS position with it"
    );
    let decoded = image::load_from_memory(&bytes).unwrap();
    assert_eq!(
        (decoded.width(), decoded.height()),
        (64, 40),
        "the picture itself is kept"
    );
}

/// Finishes the registration (emergency contact, consent) and submits it.
pub async fn finish_registration(app: &TestApp, browser: &reqwest::Client, token: &str) {
    let pages: [(usize, &[(&str, &str)]); 2] = [
        (
            3,
            &[
                ("a.ec_name", "Luis Delgado"),
                ("a.ec_relationship", "SPS"),
                ("a.ec_phone", "555-010-4455"),
            ],
        ),
        (
            4,
            &[
                ("a.consent_agree", "yes"),
                ("a.consent_signature", "Rosa Delgado"),
            ],
        ),
    ];
    for (index, answers) in pages {
        crate::helpers::save_page(app, browser, token, index, answers).await;
    }
    let submitted = browser
        .post(app.url("/intake/submit"))
        .form(&[("csrf", token)])
        .send()
        .await
        .unwrap();
    assert_eq!(location(&submitted), "/intake/done", "the intake submits");
}

/// The clinician's summary of the one submission, and the links to its photos.
async fn summary_photos(app: &TestApp, staff: &reqwest::Client) -> (String, Vec<String>) {
    let list = page(staff, &app.url("/clinician")).await;
    let id = list
        .split("/clinician/submissions/")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .expect("a submission in the list")
        .to_owned();
    let summary = page(staff, &app.url(&format!("/clinician/submissions/{id}"))).await;
    let links = summary
        .split(r#"<img src=""#)
        .skip(1)
        .filter_map(|rest| rest.split('"').next())
        .filter(|src| src.starts_with("/staff/files/"))
        .map(str::to_owned)
        .collect();
    (summary, links)
}

/// The link to the submitted photo, and the file as a clinician gets it.
async fn stored_photo(
    app: &TestApp,
    browser: &reqwest::Client,
    token: &str,
) -> (String, reqwest::Response) {
    finish_registration(app, browser, token).await;
    let staff = app.signed_in("clinician").await;
    let (summary, links) = summary_photos(app, &staff).await;
    assert_eq!(links.len(), 1, "{summary}");
    assert!(
        summary.contains("Photo of the front of your insurance card"),
        "{summary}"
    );
    let file = staff.get(app.url(&links[0])).send().await.unwrap();
    assert_eq!(file.status(), 200, "the clinician sees the photo");
    (links[0].clone(), file)
}

#[tokio::test]
async fn a_file_that_is_not_a_photo_is_refused_next_to_its_field_and_the_other_answers_are_kept() {
    let app = TestApp::spawn().await;
    let (browser, token) = at_insurance_page(&app).await;
    // A PDF named and sent as a JPEG: its first bytes say what it is.
    let pdf = b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\n".to_vec();
    let refused = browser
        .post(app.url("/intake/page/2"))
        .multipart(insurance_with(&token, pdf, "card.jpg"))
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), 422);
    let html = refused.text().await.unwrap();
    assert!(
        html.contains(
            r#"id="f-card_front-error">This file is not a photo (JPEG or PNG); choose a photo."#
        ),
        "{html}"
    );
    let again = page(&browser, &app.url("/intake/page/2")).await;
    assert!(
        again.contains(r#"value="Example Health Plan""#),
        "the other answers are kept"
    );
    assert!(!again.contains("A photo was sent"));
}

#[tokio::test]
async fn a_photo_larger_than_its_question_takes_is_refused_with_a_message() {
    let app = TestApp::spawn().await;
    let (browser, token) = at_insurance_page(&app).await;
    let mut big = jpeg_with_gps();
    big.resize(10 * 1024 * 1024 + 1, 0);
    let refused = browser
        .post(app.url("/intake/page/2"))
        .multipart(insurance_with(&token, big, "big.jpg"))
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), 422);
    let html = refused.text().await.unwrap();
    assert!(html.contains("This file is too large"), "{html}");
    assert!(html.contains(r#"value="Example Health Plan""#), "{html}");
}

#[tokio::test]
async fn a_page_with_a_photo_but_no_csrf_token_is_refused_and_stores_nothing() {
    let app = TestApp::spawn().await;
    let (browser, _) = at_insurance_page(&app).await;
    let refused = browser
        .post(app.url("/intake/page/2"))
        .multipart(insurance_with("wrong", jpeg_with_gps(), "card.jpg"))
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), 403);
    let html = page(&browser, &app.url("/intake/page/2")).await;
    assert!(!html.contains("A photo was sent"), "nothing was stored");
    assert!(!html.contains("Example Health Plan"), "nor answered");
}

#[tokio::test]
async fn after_sending_the_patient_gets_a_copy_of_their_answers_in_their_language_and_not_before() {
    let app = TestApp::spawn().await;
    let (browser, token) = at_insurance_page(&app).await;
    let early = browser.get(app.url("/intake/copy")).send().await.unwrap();
    assert_eq!(
        location(&early),
        "/intake",
        "no copy before the answers are sent"
    );
    let saved = browser
        .post(app.url("/intake/page/2"))
        .form(&[
            ("csrf", token.as_str()),
            ("a.has_insurance", "yes"),
            ("a.insurer_name", "Example Health Plan"),
            ("a.member_id", "XJH-1234567"),
            ("a.subscriber_relationship", "self"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(saved.status(), 303);
    finish_registration(&app, &browser, &token).await;

    let done = page(&browser, &app.url("/intake/done")).await;
    assert!(done.contains(r#"href="/intake/copy""#), "{done}");
    let copy = browser.get(app.url("/intake/copy")).send().await.unwrap();
    assert_eq!(copy.headers()["cache-control"], "no-store");
    let copy = copy.text().await.unwrap();
    assert!(
        copy.contains("A copy of your answers") && copy.contains("Example Health Plan"),
        "{copy}"
    );
    assert!(copy.contains("Rosa Delgado"), "the signed name is on it");
    assert!(
        !copy.contains(r#"action="/intake/submit""#),
        "a copy, not a form"
    );

    let switched = browser
        .get(app.url("/language/es?back=/intake/copy"))
        .send()
        .await
        .unwrap();
    assert_eq!(location(&switched), "/intake/copy");
    let spanish = page(&browser, &app.url("/intake/copy")).await;
    assert!(spanish.contains("Una copia de sus respuestas") && spanish.contains(r#"lang="es""#));
    assert!(
        spanish.contains("Su seguro") || spanish.contains("Seguro"),
        "{spanish}"
    );
}

#[tokio::test]
async fn a_photo_on_a_draft_nobody_sent_is_purged_with_it_on_sqlite() {
    photo_purged_with_its_draft(crate::helpers::Backend::Sqlite).await;
}

#[tokio::test]
async fn a_photo_on_a_draft_nobody_sent_is_purged_with_it_on_postgres() {
    photo_purged_with_its_draft(crate::helpers::Backend::Postgres).await;
}

async fn photo_purged_with_its_draft(backend: crate::helpers::Backend) {
    let app = TestApp::spawn_with(crate::helpers::Options {
        backend,
        ..crate::helpers::Options::default()
    })
    .await;
    let (browser, token) = at_insurance_page(&app).await;
    let saved = browser
        .post(app.url("/intake/page/2"))
        .multipart(insurance_with(&token, jpeg_with_gps(), "card.jpg"))
        .send()
        .await
        .unwrap();
    assert_eq!(location(&saved), "/intake/page/3", "stored on this backend");
    let retention = intake::config::Retention::default();
    let day = std::time::Duration::from_secs(86_400);
    app.clock.advance(29 * day);
    let early = app.services.purge(&retention).await.unwrap();
    assert_eq!(early.attachments, 0, "kept while the draft is");
    app.clock.advance(66 * day);
    let late = app.services.purge(&retention).await.unwrap();
    assert_eq!((late.drafts, late.attachments), (1, 1), "{late:?}");
    app.stop().await;
}
