//! Small Questionnaires in the styles met in public forms, imported as `intake forms import`
//! imports them and run for a patient as `intake forms import-check` runs them.

use serde_json::{Value as Json, json};

use super::{TrialFailure, trial_run};
use crate::{
    domain::Ids,
    forms::{Form, sdc},
};

fn import(questionnaire: &Json) -> Form {
    sdc::import(questionnaire).unwrap_or_else(|e| panic!("{e}"))
}

/// Runs the form imported from `questionnaire` and checks it submits with its structure.
fn runs(questionnaire: &Json) -> Result<super::TrialRun, TrialFailure> {
    let run = trial_run(&import(questionnaire), Ids::ENGLISH)?;
    run.check(questionnaire)?;
    Ok(run)
}

/// The answers the response gives `link_id`, anywhere in it.
fn answers_of(response: &Json, link_id: &str) -> Vec<Json> {
    fn walk(items: &Json, link_id: &str, out: &mut Vec<Json>) {
        for item in items.as_array().into_iter().flatten() {
            if item["linkId"] == link_id {
                out.extend(item["answer"].as_array().into_iter().flatten().cloned());
            }
            walk(&item["item"], link_id, out);
            for answer in item["answer"].as_array().into_iter().flatten() {
                walk(&answer["item"], link_id, out);
            }
        }
    }
    let mut out = Vec::new();
    walk(&response["item"], link_id, &mut out);
    out
}

#[test]
fn a_form_with_every_question_answered_submits_a_response_shaped_like_its_questionnaire() {
    let questionnaire = json!({"resourceType": "Questionnaire", "status": "active", "item": [
        {"linkId": "name", "type": "string", "text": "Name", "required": true},
        {"linkId": "meds", "type": "group", "text": "Medicines", "repeats": true, "item": [
            {"linkId": "med", "type": "string", "text": "Medicine", "required": true}]},
        {"linkId": "smoker", "type": "boolean", "text": "Smoker?", "item": [
            {"linkId": "packs", "type": "integer", "text": "Packs a day"}]}]});
    let run = runs(&questionnaire).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        answers_of(&run.response, "med"),
        [json!({"valueString": "An answer"})]
    );
    assert_eq!(
        answers_of(&run.response, "packs"),
        [json!({"valueInteger": 1})]
    );
}

#[test]
fn a_required_question_nobody_can_answer_is_named_as_what_stops_submission() {
    // A required question answered only by its calculation, which has nothing to read.
    let questionnaire = json!({"resourceType": "Questionnaire", "status": "active", "item": [
        {"linkId": "score", "type": "integer", "text": "Score", "required": true,
         "readOnly": true, "extension": [{
            "url": "http://hl7.org/fhir/uv/sdc/StructureDefinition/sdc-questionnaire-calculatedExpression",
            "valueExpression": {"language": "text/fhirpath", "expression": "{}"}}]}]});
    match runs(&questionnaire) {
        Err(TrialFailure::Blocked(issues)) => {
            assert!(issues[0].starts_with("`score`"), "{issues:?}");
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn read_only_questions_prefilled_from_the_patient_submit() {
    let questionnaire = json!({"resourceType": "Questionnaire", "status": "active",
        "extension": [{"url": "http://hl7.org/fhir/uv/sdc/StructureDefinition/sdc-questionnaire-launchContext",
            "extension": [{"url": "name", "valueCoding": {"code": "patient"}},
                          {"url": "type", "valueCode": "Patient"}]}],
        "item": [{"linkId": "patient-id", "type": "string", "text": "Patient ID",
            "required": true, "readOnly": true, "extension": [{
            "url": "http://hl7.org/fhir/uv/sdc/StructureDefinition/sdc-questionnaire-initialExpression",
            "valueExpression": {"language": "text/fhirpath", "expression": "%patient.id"}}]}]});
    let run = runs(&questionnaire).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        answers_of(&run.response, "patient-id"),
        [json!({"valueString": "p1"})]
    );
}

#[test]
fn the_response_aidbox_forms_call_questionnaire_response_is_the_sdc_resource() {
    // Beda EMR writes `%QuestionnaireResponse` and reads answers through `value.integer`.
    let questionnaire = json!({"resourceType": "Questionnaire", "status": "active", "item": [
        {"linkId": "height", "type": "integer", "text": "Height (cm)"},
        {"linkId": "weight", "type": "integer", "text": "Weight (kg)"},
        {"linkId": "twice", "type": "integer", "text": "Twice the weight", "readOnly": true,
         "extension": [{
            "url": "http://hl7.org/fhir/uv/sdc/StructureDefinition/sdc-questionnaire-calculatedExpression",
            "valueExpression": {"language": "text/fhirpath", "expression":
                "%QuestionnaireResponse.item.where(linkId='weight').answer.value.integer * 2"}}]},
        {"linkId": "none", "type": "integer", "text": "Weight read as a string", "readOnly": true,
         "extension": [{
            "url": "http://hl7.org/fhir/uv/sdc/StructureDefinition/sdc-questionnaire-calculatedExpression",
            "valueExpression": {"language": "text/fhirpath", "expression":
                "%QuestionnaireResponse.item.where(linkId='weight').answer.value.string"}}]}]});
    let run = runs(&questionnaire).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        answers_of(&run.response, "twice"),
        [json!({"valueInteger": 2})]
    );
    // Through a key of another type, Aidbox reads nothing; so does Intake.
    assert!(answers_of(&run.response, "none").is_empty());
    // A name that only starts like the alias is left as it is.
    let form = import(&json!({"resourceType": "Questionnaire", "status": "active",
        "extension": [{"url": "http://hl7.org/fhir/StructureDefinition/variable",
            "valueExpression": {"name": "QuestionnaireResponses", "language": "text/fhirpath",
                "expression": "1"}}],
        "item": [{"linkId": "n", "type": "integer", "text": "N", "readOnly": true,
            "extension": [{
            "url": "http://hl7.org/fhir/uv/sdc/StructureDefinition/sdc-questionnaire-calculatedExpression",
            "valueExpression": {"language": "text/fhirpath",
                "expression": "%QuestionnaireResponses + 1"}}]}]}));
    let exported = sdc::export(&form).to_string();
    assert!(
        exported.contains("%QuestionnaireResponses + 1"),
        "{exported}"
    );
}

#[test]
fn an_initial_quantity_starts_the_answer_and_a_unit_alone_starts_nothing() {
    let questionnaire = json!({"resourceType": "Questionnaire", "status": "active", "item": [
        {"linkId": "weight", "type": "quantity", "text": "Weight", "extension": [
            {"url": "http://hl7.org/fhir/StructureDefinition/questionnaire-unitOption",
             "valueCoding": {"system": "http://unitsofmeasure.org", "code": "kg"}}],
         "initial": [{"valueQuantity": {"value": 70, "unit": "kg",
            "system": "http://unitsofmeasure.org", "code": "kg"}}]},
        {"linkId": "height", "type": "quantity", "text": "Height", "readOnly": true,
         "initial": [{"valueQuantity": {"unit": "inches",
            "system": "http://unitsofmeasure.org", "code": "[in_i]"}}]}]});
    let form = import(&questionnaire);
    let initial = crate::engine::initial_answers(&form, &super::trial_launch());
    assert_eq!(
        initial.get("weight"),
        [crate::engine::Answer::Quantity {
            value: "70".into(),
            unit: "kg".into()
        }]
    );
    assert!(initial.get("height").is_empty());
    runs(&questionnaire).unwrap_or_else(|e| panic!("{e}"));
}

#[test]
fn a_condition_on_a_question_the_questionnaire_lacks_is_refused_naming_item_and_question() {
    // A modular sub-questionnaire whose group shows by an age question of its parent form.
    let error = sdc::import(&json!({"resourceType": "Questionnaire", "status": "draft",
        "item": [{"linkId": "mood", "type": "group", "text": "Mood",
            "enableWhen": [{"question": "age", "operator": ">", "answerInteger": 12}],
            "item": [{"linkId": "feeling", "type": "text", "text": "How are you?"}]}]}))
    .unwrap_err();
    assert_eq!(
        error.to_string(),
        "item `mood`: enableWhen on a question the Questionnaire does not have: `age` is not supported"
    );
    assert_eq!(
        error.feature(),
        "enableWhen on a question the Questionnaire does not have"
    );
}
