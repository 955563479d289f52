//! What a patient signs and sends, as FHIR (issue 17, points 4 and 5): each consent a FHIR R4
//! `Consent`, each photo a `DocumentReference` with the image and the answer's
//! `valueAttachment`, all valid as the real FHIR server (HFS) judges them with `$validate`.

use std::collections::BTreeMap;

use intake::{
    engine::{Answer, Answers, FileRef},
    forms::load_yaml,
    mapping::{ExtractContext, consents, documents, extract, response_identifier},
};
use uuid::Uuid;

use crate::{
    helpers::fhir_server_url,
    validate::{json_rule_errors, validation_errors},
};

const FORM: &str = "id: c\nversion: '1'\nurl: https://intake.example/forms/c\ntitle: C\nsections:\n  - id: s\n    title: S\n    items:\n\
\x20     - { id: card, type: attachment, mime_types: [image/jpeg], max_size: 100000, text: Front of your insurance card }\n\
\x20     - { id: agree, type: boolean, text: I agree to treatment, consent: { version: 2026-01, signature: sign } }\n\
\x20     - { id: sign, type: string, text: Type your full name }\n";

fn context() -> ExtractContext<'static> {
    ExtractContext {
        words: intake::i18n::Language::english(),
        submission_id: Uuid::from_u128(0x5eed),
        patient_reference: "Patient/123",
        authored: "2026-01-01T12:00:00.000Z",
    }
}

fn answered(agreed: bool, photo: &[u8]) -> Answers {
    let mut answers = Answers::default();
    answers.set("agree", vec![Answer::Boolean(agreed)]);
    answers.set("sign", vec![Answer::String("Rosa Delgado".into())]);
    answers.set(
        "card",
        vec![Answer::Attachment(FileRef {
            id: Uuid::from_u128(7),
            content_type: "image/jpeg".into(),
            size: photo.len() as u64,
            sha1: intake::media::sha1_base64(photo),
        })],
    );
    answers
}

#[test]
fn a_consent_given_is_active_and_one_declined_is_rejected_with_its_version_patient_and_time() {
    let form = load_yaml("c.yaml", FORM).unwrap();
    let context = context();
    let [given] = consents(
        &form,
        &answered(true, b"x"),
        &context,
        response_identifier(&context),
    )
    .try_into()
    .unwrap();
    let consent = &given.resource;
    assert_eq!(consent["status"], "active");
    assert_eq!(consent["scope"]["coding"][0]["code"], "treatment");
    assert_eq!(consent["category"][0]["coding"][0]["code"], "59284-0");
    assert_eq!(consent["patient"]["reference"], "Patient/123");
    assert_eq!(consent["dateTime"], "2026-01-01T12:00:00.000Z");
    assert_eq!(
        consent["policy"][0]["uri"],
        "https://intake.example/forms/c/consent/agree|2026-01"
    );
    let [declined] = consents(
        &form,
        &answered(false, b"x"),
        &context,
        response_identifier(&context),
    )
    .try_into()
    .unwrap();
    assert_eq!(declined.resource["status"], "rejected");
}

#[tokio::test]
async fn the_consent_the_photo_and_the_answers_holding_it_pass_the_fhir_servers_validate() {
    let base = fhir_server_url();
    let form = load_yaml("c.yaml", FORM).unwrap();
    let photo = crate::media::jpeg_with_gps();
    let answers = answered(true, &photo);
    let context = context();
    let files = BTreeMap::from([(Uuid::from_u128(7), photo.clone())]);
    let mut resources: Vec<serde_json::Value> =
        consents(&form, &answers, &context, response_identifier(&context))
            .into_iter()
            .chain(documents(&form, &answers, &context, &files))
            .map(|c| c.resource)
            .collect();
    let response = extract(&form, &answers, &context).remove(0).resource;
    let attachment = &response["item"][0]["item"][0]["answer"][0]["valueAttachment"];
    assert_eq!(attachment["contentType"], "image/jpeg");
    assert_eq!(attachment["hash"], intake::media::sha1_base64(&photo));
    resources.push(response);
    let types: Vec<&str> = resources
        .iter()
        .filter_map(|r| r["resourceType"].as_str())
        .collect();
    assert_eq!(
        types,
        ["Consent", "DocumentReference", "QuestionnaireResponse"]
    );
    for resource in &resources {
        let mut errors = validation_errors(&base, resource).await;
        errors.extend(json_rule_errors(resource));
        assert!(
            errors.is_empty(),
            "{}: {errors:#?}",
            resource["resourceType"]
        );
    }
}
