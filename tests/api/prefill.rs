//! Prefill: the form shows what the chart holds, read once when the patient starts.

use crate::helpers::{TestApp, page, verified};

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
