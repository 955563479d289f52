//! A choice from a value set the terminology server expands to more concepts than a form
//! lists: no options, answered with the Coding the patient picked from the server's search,
//! which conditions, the QuestionnaireResponse and reading it back all see as that Coding.

use std::collections::{BTreeMap, HashMap};

use serde_json::json;

use crate::{
    engine::{
        Answer, Answers, LaunchContext, answers_from_response, evaluate, parse_answer,
        response_items,
    },
    forms::{load_form_with, sdc::export},
    terminology::{AnswerLists, Concept, MAX_ANSWER_LIST, hl7_core},
};

const CONDITIONS: &str = "http://clinic.example/fhir/ValueSet/conditions";

const FORM: &str = "id: demo\nversion: \"1\"\ntitle: Demo\nsections:\n  - id: about\n    title: About you\n    items:\n      - id: condition\n        type: choice\n        text: Which condition?\n        value_set: http://clinic.example/fhir/ValueSet/conditions\n      - id: insulin\n        type: boolean\n        text: Do you take insulin?\n        enable_when:\n          any:\n            - { question: condition, operator: \"=\", answer: { code: \"44054006\" } }\n";

fn large() -> HashMap<String, Result<Vec<Concept>, String>> {
    let concepts = (0..=MAX_ANSWER_LIST)
        .map(|i| Concept {
            system: "http://snomed.info/sct".into(),
            code: i.to_string(),
            display: format!("Condition {i}"),
        })
        .collect();
    HashMap::from([(CONDITIONS.to_owned(), Ok(concepts))])
}

#[test]
fn a_server_list_too_large_to_list_is_answered_with_the_picked_coding() {
    let lists = AnswerLists::with_fetched(hl7_core(), large());
    let form = load_form_with("forms/demo.yaml", FORM, &BTreeMap::new(), &lists).unwrap();
    let item = form.item("condition").unwrap();
    assert!(item.searched_on_server && item.options.is_empty());
    assert_eq!(
        export(&form)["item"][0]["item"][0]["answerValueSet"],
        CONDITIONS
    );

    let input = Answer::coding_input(
        "http://snomed.info/sct",
        "44054006",
        "Diabetes mellitus type 2",
    );
    let picked = parse_answer(item, &input).unwrap();
    assert_eq!(picked.to_input(), input, "the input holds the Coding back");
    assert!(
        parse_answer(item, "44054006").is_err(),
        "a bare code is no Coding"
    );
    let mut answers = Answers::default();
    answers.set("condition", vec![picked.clone()]);
    let launch = LaunchContext {
        patient: None,
        appointment: None,
        today: time::macros::date!(2026 - 11 - 22),
        now_millis: 1_795_340_000_000,
        utc_offset: time::UtcOffset::UTC,
        variables: BTreeMap::new(),
    };
    let evaluation = evaluate(&form, &launch, &answers);
    assert!(
        evaluation.enabled.contains("insulin"),
        "the condition sees the code"
    );

    let items = response_items(&form, &evaluation.answers);
    let text = serde_json::Value::from(items.clone()).to_string();
    assert!(
        text.contains(r#""valueCoding":{"code":"44054006","display":"Diabetes mellitus type 2","system":"http://snomed.info/sct"}"#),
        "{text}"
    );
    let response = json!({"resourceType": "QuestionnaireResponse", "item": items});
    let read = answers_from_response(&form, &response).unwrap();
    assert_eq!(read.get("condition"), [picked]);
}

#[test]
fn an_open_choice_or_an_offline_list_too_large_is_still_refused_by_name() {
    let lists = AnswerLists::with_fetched(hl7_core(), large());
    let open = FORM.replacen("type: choice", "type: open-choice", 1);
    let error = load_form_with("forms/demo.yaml", &open, &BTreeMap::new(), &lists).unwrap_err();
    assert!(error.message.contains(CONDITIONS), "{error}");
    assert!(
        error.message.contains("only a search on the server"),
        "{error}"
    );
}

#[test]
fn an_imported_answer_value_set_too_large_to_list_is_searched_on_the_server_too() {
    let lists = AnswerLists::with_fetched(hl7_core(), large());
    let questionnaire = json!({"resourceType": "Questionnaire", "status": "active", "item": [
        {"linkId": "condition", "type": "choice", "text": "Which condition?",
         "answerValueSet": CONDITIONS}]});
    let imported = crate::forms::sdc::import_yaml_with(&questionnaire, &lists).unwrap();
    let item = imported.form.item("condition").unwrap();
    assert!(item.searched_on_server && item.options.is_empty());
    assert!(
        imported
            .yaml
            .contains(&format!("value_set: \"{CONDITIONS}\"")),
        "the written form names it: {}",
        imported.yaml
    );
    // An open choice cannot take it.
    let open = json!({"resourceType": "Questionnaire", "status": "active", "item": [
        {"linkId": "condition", "type": "open-choice", "text": "Which condition?",
         "answerValueSet": CONDITIONS}]});
    let error = crate::forms::sdc::import_yaml_with(&open, &lists).unwrap_err();
    assert!(error.to_string().contains(CONDITIONS), "{error}");
}
