//! SDC definition-based extraction through the patient pages (issue 14, point 2): an imported
//! Questionnaire whose groups carry `itemExtractionContext` runs for a patient, and the
//! submission proposes the resources its items' definitions make, held for staff.

use intake::{domain::ResourceType, forms::sdc, store::ChangeState};
use serde_json::json;

use crate::helpers::{Options, TestApp, answering, location, page};

const CONTEXT: &str =
    "http://hl7.org/fhir/uv/sdc/StructureDefinition/sdc-questionnaire-itemExtractionContext";
const SD: &str = "http://hl7.org/fhir/StructureDefinition/";

fn questionnaire() -> serde_json::Value {
    json!({
        "resourceType": "Questionnaire",
        "name": "definitions",
        "url": "http://example.org/Questionnaire/definitions",
        "status": "active",
        "extension": [{"url": CONTEXT, "valueExpression": {"language": "text/fhirpath", "expression": "%patient"}}],
        "item": [{"linkId": "about", "type": "group", "text": "About you", "item": [
            {"linkId": "family", "type": "string", "text": "Family name",
             "definition": format!("{SD}Patient#Patient.name.family")},
            {"linkId": "allergy", "type": "group", "text": "Allergy", "repeats": true,
             "extension": [{"url": CONTEXT, "valueCode": "AllergyIntolerance"}],
             "item": [{"linkId": "substance", "type": "string", "text": "To what",
                       "definition": format!("{SD}AllergyIntolerance#AllergyIntolerance.code")}]},
        ]}]
    })
}

#[tokio::test]
async fn a_patients_answers_to_defined_items_become_a_held_patient_update_and_allergy_staff_can_open()
 {
    let dir = tempfile::tempdir().unwrap();
    let imported = sdc::import_yaml(&questionnaire()).unwrap();
    std::fs::write(dir.path().join("definitions.yaml"), &imported.yaml).unwrap();
    let app = TestApp::spawn_with(Options {
        worker: false,
        env: vec![("INTAKE_FORMS_DIR", dir.path().display().to_string())],
        ..Options::default()
    })
    .await;
    let (browser, token) = answering(&app, "MRN-1003", "1999-01-23", "definitions").await;
    let saved = browser
        .post(app.url("/intake/page/0"))
        .form(&[
            ("csrf", token.as_str()),
            ("a.family", "Becker-Smith"),
            ("g.allergy", "0"),
            ("a.allergy.0.substance", "latex"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(saved.status(), 303);
    let submitted = browser
        .post(app.url("/intake/submit"))
        .form(&[("csrf", token.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(location(&submitted), "/intake/done");
    let submission = app.services.submissions().await.unwrap()[0].id;
    let changes = app
        .services
        .store
        .changes_for_submission(submission)
        .await
        .unwrap();
    let of = |t: ResourceType| {
        changes
            .iter()
            .find(|c| c.resource_type == t)
            .unwrap_or_else(|| panic!("a proposed {t}"))
    };
    let patient = of(ResourceType::Patient);
    assert_eq!(patient.state, ChangeState::Held);
    assert_eq!(
        patient.resource["id"], "hannah-becker",
        "an update of the chart's patient"
    );
    assert_eq!(patient.resource["name"][0]["family"], "Becker-Smith");
    let allergy = of(ResourceType::AllergyIntolerance);
    assert_eq!(allergy.state, ChangeState::Held);
    assert_eq!(allergy.resource["code"]["text"], "latex");
    assert_eq!(
        allergy.resource["verificationStatus"]["coding"][0]["code"],
        "unconfirmed"
    );
    let front_desk = app.signed_in("frontdesk").await;
    let shown = page(
        &front_desk,
        &app.url(&format!("/staff/exceptions/{}", patient.identifier.0)),
    )
    .await;
    assert!(shown.contains("Becker-Smith"), "{shown}");
    app.stop().await;
}
