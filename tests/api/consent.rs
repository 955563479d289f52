//! What a patient signs and sends, as FHIR (issue 17, points 4 and 5): each consent a FHIR R4
//! `Consent` (its drawn signature as `sourceAttachment`, or the answers holding the typed name
//! as `sourceReference`), each photo a `DocumentReference` with the image and the answer's
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
\x20     - { id: agree, type: boolean, text: I agree to treatment, consent: { version: 2026-01, signature: sign, drawn: drawn } }\n\
\x20     - { id: sign, type: string, text: Type your full name }\n\
\x20     - { id: drawn, type: attachment, mime_types: [image/png], max_size: 100000, text: Draw your signature }\n";

fn context() -> ExtractContext<'static> {
    ExtractContext {
        words: intake::i18n::Language::english(),
        submission_id: Uuid::from_u128(0x5eed),
        patient_reference: "Patient/123",
        authored: "2026-01-01T12:00:00.000Z",
    }
}

/// A signature as a drawing pad sends it: dark strokes on white, PNG.
pub fn drawn_png() -> Vec<u8> {
    let image = image::GrayImage::from_fn(300, 100, |x, y| {
        let on_stroke = (y as i32 - 50 - ((x as f32 / 20.0).sin() * 25.0) as i32).abs() < 2;
        image::Luma([if on_stroke && (20..280).contains(&x) {
            20
        } else {
            255
        }])
    });
    let mut out = Vec::new();
    image
        .write_to(&mut std::io::Cursor::new(&mut out), image::ImageFormat::Png)
        .unwrap();
    out
}

fn file(id: u128, content_type: &str, bytes: &[u8]) -> Answer {
    Answer::Attachment(FileRef {
        id: Uuid::from_u128(id),
        content_type: content_type.into(),
        size: bytes.len() as u64,
        sha1: intake::media::sha1_base64(bytes),
    })
}

fn answered(agreed: bool, photo: &[u8]) -> Answers {
    let mut answers = Answers::default();
    answers.set("agree", vec![Answer::Boolean(agreed)]);
    answers.set("sign", vec![Answer::String("Rosa Delgado".into())]);
    answers.set("card", vec![file(7, "image/jpeg", photo)]);
    answers
}

/// As [`answered`], with a signature drawn too.
fn drawn(agreed: bool, photo: &[u8], signature: &[u8]) -> Answers {
    let mut answers = answered(agreed, photo);
    answers.set("drawn", vec![file(9, "image/png", signature)]);
    answers
}

fn files(photo: &[u8], signature: &[u8]) -> BTreeMap<Uuid, Vec<u8>> {
    BTreeMap::from([
        (Uuid::from_u128(7), photo.to_vec()),
        (Uuid::from_u128(9), signature.to_vec()),
    ])
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
        &BTreeMap::new(),
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
    assert_eq!(
        consent["sourceReference"]["type"], "QuestionnaireResponse",
        "signed by the typed name: the answers holding it are the source"
    );
    assert!(consent.get("sourceAttachment").is_none());
    let [declined] = consents(
        &form,
        &answered(false, b"x"),
        &context,
        response_identifier(&context),
        &BTreeMap::new(),
    )
    .try_into()
    .unwrap();
    assert_eq!(declined.resource["status"], "rejected");
}

#[test]
fn a_consent_signed_by_drawing_carries_the_png_as_its_source_attachment_and_a_declined_one_does_not()
 {
    use base64::Engine as _;
    let form = load_yaml("c.yaml", FORM).unwrap();
    let context = context();
    let signature = drawn_png();
    let [given] = consents(
        &form,
        &drawn(true, b"x", &signature),
        &context,
        response_identifier(&context),
        &files(b"x", &signature),
    )
    .try_into()
    .unwrap();
    let source = &given.resource["sourceAttachment"];
    assert_eq!(source["contentType"], "image/png");
    assert_eq!(source["hash"], intake::media::sha1_base64(&signature));
    assert_eq!(source["size"], signature.len());
    assert_eq!(source["creation"], "2026-01-01T12:00:00.000Z");
    assert_eq!(
        base64::engine::general_purpose::STANDARD
            .decode(source["data"].as_str().unwrap())
            .unwrap(),
        signature
    );
    assert!(
        source["title"]
            .as_str()
            .unwrap()
            .contains("I agree to treatment (version 2026-01)")
    );
    assert!(
        given.resource.get("sourceReference").is_none(),
        "R4 allows one source"
    );
    let summary = crate::helpers::in_english(&given.summary);
    assert!(summary.contains("signature drawn"), "{summary}");

    let [declined] = consents(
        &form,
        &drawn(false, b"x", &signature),
        &context,
        response_identifier(&context),
        &files(b"x", &signature),
    )
    .try_into()
    .unwrap();
    assert_eq!(declined.resource["status"], "rejected");
    assert!(declined.resource.get("sourceAttachment").is_none());
}

#[tokio::test]
async fn the_consent_the_photo_and_the_answers_holding_it_pass_the_fhir_servers_validate() {
    let base = fhir_server_url();
    let form = load_yaml("c.yaml", FORM).unwrap();
    let photo = crate::media::jpeg_with_gps();
    let answers = answered(true, &photo);
    let context = context();
    let files = BTreeMap::from([(Uuid::from_u128(7), photo.clone())]);
    let mut resources: Vec<serde_json::Value> = consents(
        &form,
        &answers,
        &context,
        response_identifier(&context),
        &files,
    )
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

#[tokio::test]
async fn a_consent_with_its_drawn_signature_and_the_answers_holding_it_pass_the_fhir_servers_validate()
 {
    let base = fhir_server_url();
    let form = load_yaml("c.yaml", FORM).unwrap();
    let photo = crate::media::jpeg_with_gps();
    let signature = drawn_png();
    let answers = drawn(true, &photo, &signature);
    let context = context();
    let [consent] = consents(
        &form,
        &answers,
        &context,
        response_identifier(&context),
        &files(&photo, &signature),
    )
    .try_into()
    .unwrap();
    assert!(consent.resource["sourceAttachment"]["data"].is_string());
    let response = extract(&form, &answers, &context).remove(0).resource;
    let drawn = &response["item"][0]["item"][3]["answer"][0]["valueAttachment"];
    assert_eq!(drawn["contentType"], "image/png", "{response:#}");
    for resource in [&consent.resource, &response] {
        let mut errors = validation_errors(&base, resource).await;
        errors.extend(json_rule_errors(resource));
        assert!(
            errors.is_empty(),
            "{}: {errors:#?}",
            resource["resourceType"]
        );
    }
}
