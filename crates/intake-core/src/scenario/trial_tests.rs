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

/// A Questionnaire whose `list` offers the answers given to `names` (LHC-Forms' test form).
fn listing(list_type: &str) -> Json {
    json!({"resourceType": "Questionnaire", "status": "draft", "item": [
        {"linkId": "names", "type": "string", "text": "Names", "repeats": true},
        {"linkId": "list", "type": list_type, "text": "Pick one", "extension": [{
            "url": "http://hl7.org/fhir/uv/sdc/StructureDefinition/sdc-questionnaire-answerExpression",
            "valueExpression": {"language": "text/fhirpath",
                "expression": "%resource.item.where(linkId='names').answer.value"}}]}]})
}

fn given(pairs: Vec<(&str, Vec<crate::engine::Answer>)>) -> crate::engine::Answers {
    let mut answers = crate::engine::Answers::default();
    for (id, values) in pairs {
        answers.set(id, values);
    }
    answers
}

#[test]
fn an_answer_list_worked_out_from_the_answers_offers_what_they_give() {
    use crate::engine::{Answer, evaluate};
    let form = import(&listing("choice"));
    let names = vec![Answer::String("Ann".into()), Answer::String("Bo".into())];
    let picked = given(vec![
        ("names", names.clone()),
        ("list", vec![Answer::Choice("Bo".into())]),
    ]);
    let evaluation = evaluate(&form, &super::trial_launch(), &picked);
    let codes: Vec<&str> = evaluation.answer_options["list"]
        .iter()
        .map(|o| o.code.as_str())
        .collect();
    assert_eq!(codes, ["Ann", "Bo"]);
    assert_eq!(
        evaluation.answers.get("list"),
        [Answer::Choice("Bo".into())]
    );
    // Once the list no longer has it, the answer goes, as a disabled item's does.
    let stale = given(vec![
        ("names", vec![Answer::String("Ann".into())]),
        ("list", vec![Answer::Choice("Bo".into())]),
    ]);
    let evaluation = evaluate(&form, &super::trial_launch(), &stale);
    assert!(evaluation.answers.get("list").is_empty());
    // The patient picks from the list the answers gave; the response answers the Coding.
    let run = runs(&listing("choice")).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        answers_of(&run.response, "list"),
        [json!({"valueCoding": {"code": "An answer"}})]
    );
}

#[test]
fn an_open_choice_with_a_computed_list_keeps_an_answer_it_does_not_list_as_text() {
    use crate::engine::{Answer, evaluate};
    let form = import(&listing("open-choice"));
    let typed = given(vec![
        ("names", vec![Answer::String("Ann".into())]),
        ("list", vec![Answer::Choice("Someone else".into())]),
    ]);
    let evaluation = evaluate(&form, &super::trial_launch(), &typed);
    assert_eq!(
        evaluation.answers.get("list"),
        [Answer::String("Someone else".into())]
    );
}

#[test]
fn a_computed_answer_list_survives_export_and_its_limits_are_refused_by_name() {
    let form = import(&listing("choice"));
    let exported = sdc::export(&form);
    assert!(
        exported
            .to_string()
            .contains("sdc-questionnaire-answerExpression"),
        "{exported}"
    );
    assert!(import(&exported) == form, "export → import is stable");
    let refused = |list_type: &str, language: &str| {
        let mut q = listing(list_type);
        q["item"][1]["extension"][0]["valueExpression"]["language"] = json!(language);
        sdc::import(&q).unwrap_err().to_string()
    };
    assert_eq!(
        refused("reference", "text/fhirpath"),
        "item `list`: answerExpression on a reference item is not supported"
    );
    assert!(
        refused("choice", "application/x-fhir-query")
            .starts_with("item `list`: answerExpression in application/x-fhir-query"),
    );
    // In a form file: only on a choice without a list of its own.
    let error = crate::forms::load_yaml(
        "f.yaml",
        "id: f\nversion: '1'\ntitle: F\nsections:\n  - id: s\n    title: S\n    items:\n      - { id: n, type: string, text: Name, answer_expression: \"'a'\" }\n",
    )
    .unwrap_err();
    assert!(
        error.message.contains("`answer_expression` of `n`"),
        "{error}"
    );
}

#[test]
fn codings_with_a_display_and_no_code_are_distinct_options_answered_by_their_display() {
    // As Google's FHIR SDK catalog writes yes/no/unknown.
    let questionnaire = json!({"resourceType": "Questionnaire", "status": "draft", "item": [
        {"linkId": "q", "type": "choice", "text": "Question", "required": true, "answerOption": [
            {"valueCoding": {"display": "Yes"}}, {"valueCoding": {"display": "No"}}]}]});
    let form = import(&questionnaire);
    let item = form.item("q").unwrap_or_else(|| panic!("no item"));
    let codes: Vec<&str> = item.options.iter().map(|o| o.code.as_str()).collect();
    assert_eq!(codes, ["Yes", "No"]);
    let run = runs(&questionnaire).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        answers_of(&run.response, "q"),
        [json!({"valueCoding": {"display": "Yes"}})]
    );
    let exported = sdc::export(&form);
    assert_eq!(
        exported["item"][0]["answerOption"][1],
        json!({"valueCoding": {"display": "No"}})
    );
}

/// A repeating group and a repeating choice with `minOccurs` 2 (LHC-Forms' min-max example)
/// get two instances and two answers, and submit.
#[test]
fn repeating_items_with_min_occurs_get_that_many_answers_and_submit() {
    let min_occurs = |n: u32| {
        json!([{"url": "http://hl7.org/fhir/StructureDefinition/questionnaire-minOccurs",
            "valueInteger": n}])
    };
    let option = |code: &str| json!({"valueCoding": {"system": "urn:c", "code": code}});
    let questionnaire = json!({"resourceType": "Questionnaire", "status": "active", "item": [
        {"linkId": "1", "type": "group", "repeats": true, "extension": min_occurs(2), "item": [
            {"linkId": "1.1", "type": "choice", "repeats": true, "extension": min_occurs(2),
             "answerOption": [option("a"), option("b"), option("c")]},
            {"linkId": "1.2", "type": "string"}]}]});
    let run = runs(&questionnaire).unwrap_or_else(|e| panic!("{e}"));
    let codes: Vec<Json> = answers_of(&run.response, "1.1")
        .iter()
        .map(|answer| answer["valueCoding"]["code"].clone())
        .collect();
    assert_eq!(codes, [json!("a"), json!("b"), json!("a"), json!("b")]);
    assert_eq!(answers_of(&run.response, "1.2").len(), 2, "two instances");
}
