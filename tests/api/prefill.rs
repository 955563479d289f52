//! Prefill: the form shows what the chart holds, read once when the patient starts.

use crate::helpers::{TestApp, answer_and_submit, answering, page, verified};

#[tokio::test]
async fn the_form_shows_the_allergies_and_medicines_on_file() {
    let app = TestApp::spawn().await;
    let link = app.invite("MRN-1001").await;
    let (browser, _) = verified(&app, &link, "1958-04-12").await;
    let history = page(&browser, &app.url("/intake/page/1")).await;
    assert!(history.contains("Allergies we have on file"), "{history}");
    assert!(history.contains("Penicillin"), "{history}");
    assert!(
        history.contains("Lisinopril 10 mg tablet, once daily"),
        "{history}"
    );

    // The chart changes while the patient is answering: the form keeps showing what it
    // started with, so what the patient confirms is what the comparison at submit uses.
    for entry in std::fs::read_dir(&app.ehr_folder).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "json") {
            let text = std::fs::read_to_string(&path).unwrap();
            std::fs::write(&path, text.replace("Penicillin", "Sulfa")).unwrap();
        }
    }
    let again = page(&browser, &app.url("/intake/page/1")).await;
    assert!(
        again.contains("Penicillin") && !again.contains("Sulfa"),
        "{again}"
    );
}

/// Answers every page of the registration form as Rosa Delgado (MRN-1001), with `first_name`.
async fn register(app: &TestApp, first_name: &str) -> reqwest::Client {
    let (browser, csrf) =
        answering(app, "MRN-1001", "1958-04-12", "new-patient-registration").await;
    let pages: [&[(&str, &str)]; 5] = [
        &[
            ("a.legal_first_name", first_name),
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
        &[("a.has_insurance", "no")],
        &[
            ("a.ec_name", "Luis Delgado"),
            ("a.ec_relationship", "SPS"),
            ("a.ec_phone", "555-010-4455"),
        ],
        &[
            ("a.consent_agree", "yes"),
            ("a.consent_signature", "Rosa Delgado"),
        ],
    ];
    answer_and_submit(app, &browser, &csrf, &pages).await;
    browser
}

#[tokio::test]
async fn a_name_that_differs_from_the_chart_waits_for_staff_beside_the_charts() {
    let app = TestApp::spawn().await;
    register(&app, "Rosalind").await;
    let staff = app.signed_in("frontdesk").await;
    let queue = page(&staff, &app.url("/staff/exceptions")).await;
    assert!(
        queue.contains("first name: chart Rosa, patient Rosalind"),
        "{queue}"
    );
    // What the form marks for the front desk shows on the row, with no answer behind it.
    assert!(queue.contains("<li>No insurance</li>"), "{queue}");
    let held = app
        .services
        .exception_queue()
        .await
        .unwrap()
        .into_iter()
        .find(|e| e.change.resource_type == intake::mapping::ResourceType::Patient)
        .expect("a held Patient update");
    // The worklist counts the front desk's own queue (with the held update in it) without
    // reading it; what waits for a clinician is not theirs to count.
    let waiting = app
        .services
        .exception_queue()
        .await
        .unwrap()
        .iter()
        .filter(|e| e.change.reviewer == intake::mapping::Reviewer::FrontDesk)
        .count();
    let worklist = page(&staff, &app.url("/staff")).await;
    assert!(
        worklist.contains(&format!("Exception queue: {waiting} waiting")),
        "{worklist}"
    );
    let detail = page(
        &staff,
        &app.url(&format!("/staff/exceptions/{}", held.change.identifier.0)),
    )
    .await;
    assert!(detail.contains("differs from the chart"), "{detail}");
    // Side by side in words: the chart's name as it is now, then the proposed one, marked.
    let name_row = detail
        .split("<th scope=\"row\">Name")
        .nth(1)
        .and_then(|row| row.split("</tr>").next())
        .expect("a Name row");
    assert!(name_row.contains("changed"), "{name_row}");
    let (on_file, proposed) = name_row.split_once("</td>").unwrap();
    assert!(proposed.contains("Rosalind"), "{proposed}");
    assert!(on_file.contains("Rosa"), "{on_file}");
    assert!(
        !on_file.contains("Rosalind"),
        "the chart is untouched: {on_file}"
    );
    // The heading names the patient and the visit; the FHIR JSON is behind a closed disclosure.
    assert!(detail.contains("MRN "), "{detail}");
    assert!(detail.contains("<details class=\"technical\"><summary>Technical details"));
}

#[tokio::test]
async fn a_name_that_matches_the_chart_proposes_no_patient_change() {
    let app = TestApp::spawn().await;
    register(&app, "rosa ").await;
    let queue = app.services.exception_queue().await.unwrap();
    assert!(
        queue
            .iter()
            .all(|e| e.change.resource_type != intake::mapping::ResourceType::Patient)
    );
}

#[tokio::test]
async fn the_clinicians_summary_shows_the_consent_with_its_version_the_signed_name_and_the_time() {
    let app = TestApp::spawn().await;
    register(&app, "Rosa").await;
    let submission = app.services.submissions().await.unwrap().remove(0);
    let clinician = app.signed_in("clinician").await;
    let summary = page(
        &clinician,
        &app.url(&format!("/clinician/submissions/{}", submission.id)),
    )
    .await;
    let consent = summary
        .split_once(r#"<h2 id="consent-title">Consent</h2>"#)
        .expect("a consent section")
        .1;
    assert!(consent.contains("(version 2026-01)"), "{consent}");
    assert!(
        consent.contains("agreed, signed “Rosa Delgado” (typed name) on"),
        "{consent}"
    );
}
