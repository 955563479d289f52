//! The insurance card's photo on a phone, with JavaScript (scaled down on the device and sent
//! at once) and without (sent with the page): the page passes axe either way.

use super::Phone;
use crate::helpers::TestApp;

async fn a_photo_on_a_phone(javascript: bool) {
    let app = TestApp::spawn().await;
    let (link, _) = app
        .invite_to_form(
            intake::domain::PatientIdentifier {
                system: "urn:oid:2.16.840.1.113883.19.5".into(),
                value: "MRN-1001".into(),
            },
            "new-patient-registration",
        )
        .await;
    let mut phone = Phone::open(&app, javascript).await;
    phone.goto(&link).await;
    phone.type_birth_date("birth_date", "1958-04-12").await;
    phone.click("form button[type=submit]").await;
    phone.goto("/intake/page/2").await;
    phone.tap("#f-has_insurance-yes").await;
    if javascript {
        phone
            .wait_until(
                "the insurance questions to open",
                "return !!document.querySelector('#f-card_front')",
            )
            .await;
    } else {
        // The page comes back with the questions "yes" turned on.
        phone.click("button.primary").await;
        assert_eq!(phone.path().await, "/intake/page/2");
    }
    assert!(
        phone
            .has("#f-card_front[type=file][capture=environment]")
            .await
    );
    phone.check("photo question").await;

    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("card.jpg");
    std::fs::write(&path, crate::media::jpeg_with_gps()).unwrap();
    phone.choose_file("#f-card_front", &path).await;
    if javascript {
        phone
            .wait_until(
                "the photo to be sent on its own",
                "return document.body.innerText.includes('A photo was sent')",
            )
            .await;
    } else {
        // The insurer's questions are still unanswered: the page comes back with them asked
        // for, and the photo kept.
        phone.click("button.primary").await;
        assert_eq!(phone.path().await, "/intake/page/2");
        assert!(phone.text("main").await.contains("A photo was sent"));
    }
    phone.check("photo sent").await;
    phone.quit().await;
    app.stop().await;
}

#[tokio::test]
async fn on_a_phone_with_javascript_a_card_photo_is_scaled_and_sent_as_soon_as_it_is_taken() {
    a_photo_on_a_phone(true).await;
}

#[tokio::test]
async fn on_a_phone_without_javascript_a_card_photo_goes_with_the_page() {
    a_photo_on_a_phone(false).await;
}
