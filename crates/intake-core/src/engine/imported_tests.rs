//! Questionnaires that import and run as SDC says: top-level groups keep their linkIds, answer
//! lists on integer, date and time items keep their types, variables of a repeating group
//! are worked out in each instance, and candidate answers are offered, never filled in.

use std::sync::Arc;

use serde_json::{Value as Json, json};
use time::macros::date;

use crate::{
    engine::{Answer, Answers, LaunchContext, evaluate},
    forms::{Form, ItemKind, OptionType, sdc},
};

fn launch() -> LaunchContext {
    LaunchContext {
        patient: Some(Arc::new(
            json!({"resourceType": "Patient", "id": "p1", "birthDate": "1980-01-02"}),
        )),
        appointment: None,
        today: date!(2026 - 11 - 22),
        now_millis: 1_795_340_000_000,
        utc_offset: time::UtcOffset::UTC,
        variables: Default::default(),
    }
}

fn response(form: &Form, answers: &Answers) -> Json {
    json!({"resourceType": "QuestionnaireResponse", "status": "in-progress",
        "item": crate::engine::response_items(form, answers)})
}

fn answers(pairs: Vec<(&str, Answer)>) -> Answers {
    let mut answers = Answers::default();
    for (id, answer) in pairs {
        answers.set(id, vec![answer]);
    }
    answers
}

/// The top-level item `link` of a Questionnaire or response.
fn top_level(resource: &Json, link: &str) -> Json {
    resource["item"]
        .as_array()
        .and_then(|items| items.iter().find(|i| i["linkId"] == link))
        .cloned()
        .unwrap_or_else(|| panic!("no top-level item `{link}`"))
}

/// Imports, checks that export → import gives the same form, and returns it.
fn import_stable(questionnaire: &Json) -> Form {
    let form = sdc::import(questionnaire).unwrap_or_else(|e| panic!("{e}"));
    let exported = sdc::export(&form);
    let again = sdc::import(&exported).unwrap_or_else(|e| panic!("re-import: {e}"));
    assert!(again == form, "export → import is stable");
    assert_eq!(sdc::export(&again), exported);
    form
}

#[test]
fn a_top_level_group_whose_link_id_is_no_id_stays_a_page_keeping_its_link_id() {
    let q = json!({"resourceType": "Questionnaire", "status": "active", "item": [
        {"linkId": "grp-1", "type": "group", "text": "About you", "item": [
            {"linkId": "age", "type": "integer", "text": "Age"}]},
        {"linkId": "2.b", "type": "group", "text": "Visit", "item": [
            {"linkId": "why", "type": "string", "text": "Why?"}]},
    ]});
    let form = import_stable(&q);
    let pages: Vec<(&str, &str, bool)> = form
        .sections
        .iter()
        .map(|s| (s.id.as_str(), s.link_id(), s.page_only))
        .collect();
    assert_eq!(
        pages,
        [("grp_1", "grp-1", false), ("q_2_b", "2.b", false)],
        "a page of its own each, not gathered into a page-only section"
    );
    assert_eq!(form.link_id_of("grp_1"), Some("grp-1"));
    let exported = sdc::export(&form);
    assert_eq!(exported["item"][0]["linkId"], "grp-1");
    assert_eq!(exported["item"][1]["linkId"], "2.b");
    let given = answers(vec![("age", Answer::Integer(40))]);
    let response = response(&form, &given);
    assert_eq!(response["item"][0]["linkId"], "grp-1");
    assert_eq!(response["item"][0]["item"][0]["linkId"], "age");
    let issues = sdc::validate_response(&q, &response, &|_| true);
    assert!(issues.is_empty(), "{issues:?}");
    let read = crate::engine::answers_from_response(&form, &response).unwrap();
    assert!(read == given, "the response reads back");
}

fn options(value: &str, values: &[Json]) -> Json {
    Json::from(
        values
            .iter()
            .map(|v| json!({ value: v }))
            .collect::<Vec<_>>(),
    )
}

/// The LHC-Forms test form's answer lists on integer, date, time and string items.
fn plain_lists() -> Json {
    json!({"resourceType": "Questionnaire", "status": "active", "item": [
        {"linkId": "n", "type": "integer", "text": "N",
            "answerOption": options("valueInteger", &[json!(12), json!(34), json!(56)])},
        {"linkId": "d", "type": "date", "text": "D",
            "answerOption": options("valueDate", &[json!("2022"), json!("2022-09"), json!("2022-09-20")])},
        {"linkId": "t", "type": "time", "text": "T",
            "answerOption": options("valueTime", &[json!("10:30:00"), json!("13:30:00")])},
        {"linkId": "s", "type": "string", "text": "S",
            "answerOption": options("valueString", &[json!("A"), json!("B")]),
            "initial": [{"valueString": "B"}]},
        {"linkId": "n-is-34", "type": "string", "text": "N is 34", "enableWhen": [
            {"question": "n", "operator": "=", "answerInteger": 34}]},
        {"linkId": "d-is-2022-09", "type": "string", "text": "D", "enableWhen": [
            {"question": "d", "operator": "=", "answerDate": "2022-09"}]},
        {"linkId": "s-not-b", "type": "string", "text": "S", "enableWhen": [
            {"question": "s", "operator": "!=", "answerString": "B"}]},
        {"linkId": "n-plus-one", "type": "integer", "text": "N + 1", "readOnly": true,
            "extension": [{"url": "http://hl7.org/fhir/uv/sdc/StructureDefinition/sdc-questionnaire-calculatedExpression",
                "valueExpression": {"language": "text/fhirpath",
                    "expression": "%resource.item.where(linkId='n').answer.value + 1"}}]},
    ]})
}

#[test]
fn answer_lists_on_integer_date_and_time_items_are_picked_from_and_keep_their_types() {
    let q = plain_lists();
    let form = import_stable(&q);
    let n = form.item("n").unwrap();
    assert_eq!(n.kind, ItemKind::Choice, "the patient picks from the list");
    assert_eq!(n.answer_kind(), ItemKind::Integer);
    assert_eq!(n.options[1].code, "34");
    assert_eq!(n.options[1].value_type, OptionType::Integer);
    assert_eq!(form.item("d").unwrap().answer_kind(), ItemKind::Date);
    assert_eq!(form.item("t").unwrap().answer_kind(), ItemKind::Time);
    assert_eq!(form.item("s").unwrap().answer_kind(), ItemKind::String);

    let given = answers(vec![
        ("n", Answer::Choice("34".into())),
        ("d", Answer::Choice("2022-09".into())),
        ("t", Answer::Choice("13:30:00".into())),
        ("s", Answer::Choice("A".into())),
    ]);
    let evaluation = evaluate(&form, &launch(), &given);
    for id in ["n_is_34", "d_is_2022_09", "s_not_b"] {
        assert!(evaluation.enabled.contains(id), "{id} is enabled");
    }
    // Expressions see the value the option is, not a Coding.
    assert_eq!(evaluation.answers.get("n_plus_one"), &[Answer::Integer(35)]);
    let other = answers(vec![("n", Answer::Choice("12".into()))]);
    let evaluation_12 = evaluate(&form, &launch(), &other);
    assert!(!evaluation_12.enabled.contains("n_is_34"));

    let response = response(&form, &evaluation.answers);
    let answer_of = |link: &str| top_level(&response, link)["answer"][0].clone();
    assert_eq!(answer_of("n"), json!({"valueInteger": 34}));
    assert_eq!(answer_of("d"), json!({"valueDate": "2022-09"}));
    assert_eq!(answer_of("t"), json!({"valueTime": "13:30:00"}));
    assert_eq!(answer_of("s"), json!({"valueString": "A"}));
    let issues = sdc::validate_response(&q, &response, &|_| true);
    assert!(issues.is_empty(), "{issues:?}");
    let read = crate::engine::answers_from_response(&form, &response).unwrap();
    assert_eq!(read.get("n"), &[Answer::Choice("34".into())]);

    let exported = sdc::export(&form);
    let item = |link: &str| top_level(&exported, link);
    assert_eq!(item("n")["answerOption"][0], json!({"valueInteger": 12}));
    assert_eq!(
        item("d")["answerOption"][2],
        json!({"valueDate": "2022-09-20"})
    );
    assert_eq!(item("s")["initial"], json!([{"valueString": "B"}]));
    assert_eq!(
        item("n-is-34")["enableWhen"][0],
        json!({"question": "n", "operator": "=", "answerInteger": 34})
    );
    assert_eq!(
        item("d-is-2022-09")["enableWhen"][0]["answerDate"],
        "2022-09"
    );
}

#[test]
fn a_form_lists_integer_answers_in_yaml_and_conditions_name_the_value_or_its_code() {
    let source = "\
id: t
version: '1'
title: T
sections:
  - id: s
    title: S
    items:
      - id: cups
        type: choice
        text: Cups a day
        options:
          - { code: '0', display: None, value_type: integer }
          - { code: '2', display: Two, value_type: integer }
      - id: by_value
        type: string
        text: Why two?
        enable_when: { all: [{ question: cups, operator: '>', answer: 1 }] }
      - id: by_code
        type: string
        text: Why two?
        enable_when: { all: [{ question: cups, operator: '=', answer: { code: '2' } }] }
";
    let form = crate::forms::load_yaml("t.yaml", source).unwrap();
    let given = answers(vec![("cups", Answer::Choice("2".into()))]);
    assert_eq!(
        response(&form, &given)["item"][0]["item"][0]["answer"][0],
        json!({"valueInteger": 2})
    );
    let evaluation = evaluate(&form, &launch(), &given);
    assert!(evaluation.enabled.contains("by_value"));
    assert!(
        evaluation.enabled.contains("by_code"),
        "as forms said it before"
    );
    let none = answers(vec![("cups", Answer::Choice("0".into()))]);
    let evaluation = evaluate(&form, &launch(), &none);
    assert!(!evaluation.enabled.contains("by_value"));
    assert!(!evaluation.enabled.contains("by_code"));
}

const VARIABLE: &str = "http://hl7.org/fhir/StructureDefinition/variable";
const SDC: &str = "http://hl7.org/fhir/uv/sdc/StructureDefinition/sdc-questionnaire-";

fn fhirpath(url: &str, expression: &str) -> Json {
    json!({"url": url, "valueExpression": {"language": "text/fhirpath", "expression": expression}})
}

/// A repeating group whose variable SDC evaluates on each instance (its context is the item).
fn medicines(variable_expression: &str) -> Json {
    json!({"resourceType": "Questionnaire", "status": "active", "item": [
        {"linkId": "meds", "type": "group", "repeats": true, "text": "Medicines",
            "extension": [{"url": VARIABLE, "valueExpression": {"name": "weekly",
                "language": "text/fhirpath", "expression": variable_expression}}],
            "item": [
                {"linkId": "per-day", "type": "integer", "text": "Doses a day"},
                {"linkId": "per-week", "type": "integer", "text": "Doses a week", "readOnly": true,
                    "extension": [fhirpath(&format!("{SDC}calculatedExpression"), "%weekly")]},
                {"linkId": "why-so-many", "type": "string", "text": "Why so many?",
                    "extension": [fhirpath(&format!("{SDC}enableWhenExpression"), "%weekly > 10")]},
            ]},
    ]})
}

fn instance(per_day: i64) -> Answer {
    Answer::Group(answers(vec![("per_day", Answer::Integer(per_day))]))
}

#[test]
fn a_variable_of_a_repeating_group_is_worked_out_in_each_instance() {
    // As SDC writes it, from the group's response item; and as `%resource` paths.
    for expression in [
        "item.where(linkId='per-day').answer.value * 7",
        "%resource.item.where(linkId='per-day').answer.value * 7",
    ] {
        let form = import_stable(&medicines(expression));
        let meds = form.item("meds").unwrap();
        assert_eq!(meds.variables.len(), 1, "the group's own, not the form's");
        assert!(form.variables.is_empty());
        let mut given = Answers::default();
        given.set("meds", vec![instance(1), instance(3)]);
        let evaluation = evaluate(&form, &launch(), &given);
        let weekly: Vec<&[Answer]> = evaluation
            .answers
            .get("meds")
            .iter()
            .map(|i| match i {
                Answer::Group(inner) => inner.get("per_week"),
                _ => &[],
            })
            .collect();
        assert_eq!(
            weekly,
            [&[Answer::Integer(7)][..], &[Answer::Integer(21)][..]],
            "{expression}"
        );
        assert!(!evaluation.is_field_enabled("meds.0.why_so_many"));
        assert!(evaluation.is_field_enabled("meds.1.why_so_many"));
        let exported = sdc::export(&form);
        assert_eq!(exported["item"][0]["extension"][0]["url"], VARIABLE);
    }
}

#[test]
fn a_variable_in_a_repeating_group_that_navigates_from_its_item_is_refused_by_name() {
    let mut q = medicines("%resource.item.where(linkId='per-day').answer.value * 7");
    q["item"][0]["item"][0]["extension"] = json!([{"url": VARIABLE, "valueExpression": {"name": "given",
            "language": "text/fhirpath", "expression": "answer.value"}}]);
    let refused = sdc::import(&q).unwrap_err().to_string();
    assert_eq!(
        refused,
        "item `per-day`: variable inside a repeating group that navigates from its item is not supported"
    );
}

#[test]
fn only_a_repeating_group_has_variables_of_its_own_in_yaml() {
    let source = "id: t\nversion: '1'\ntitle: T\nsections:\n  - id: s\n    title: S\n    items:\n      - id: g\n        type: group\n        text: G\n        variables:\n          - { name: v, expression: '1' }\n        items:\n          - { id: a, type: string, text: A }\n";
    let refused = crate::forms::load_yaml("t.yaml", source).unwrap_err();
    assert!(
        refused
            .message
            .contains("only a repeating group has variables of its own"),
        "{refused}"
    );
    let repeating = source.replace(
        "        text: G\n",
        "        text: G\n        repeats: true\n",
    );
    let form = crate::forms::load_yaml("t.yaml", &repeating).unwrap();
    assert_eq!(form.item("g").unwrap().variables[0].name, "v");
}

/// Questions offering the chart's values (SDC's own test form offers the patient's contacts).
fn offering(candidates: Json) -> Json {
    json!({"resourceType": "Questionnaire", "status": "active", "item": [
        {"linkId": "name", "type": "string", "text": "Name to call you by",
            "extension": [candidates]},
        {"linkId": "born", "type": "date", "text": "Born",
            "extension": [fhirpath(&format!("{SDC}candidateExpression"), "%patient.birthDate")]},
    ]})
}

#[test]
fn candidate_answers_are_offered_and_never_filled_in() {
    let q = offering(fhirpath(
        &format!("{SDC}candidateExpression"),
        "%patient.name.given",
    ));
    let form = import_stable(&q);
    assert_eq!(
        form.item("name")
            .unwrap()
            .candidates
            .as_ref()
            .unwrap()
            .source(),
        "%patient.name.given"
    );
    let mut launch = launch();
    launch.patient = Some(Arc::new(json!({"resourceType": "Patient", "id": "p1",
        "birthDate": "1980-01-02", "name": [{"given": ["Maria", "Ana"], "family": "Santos"}]})));
    let evaluation = evaluate(&form, &launch, &Answers::default());
    assert_eq!(
        evaluation.candidates.get("name").map(Vec::as_slice),
        Some(&[Answer::String("Maria".into()), Answer::String("Ana".into())][..])
    );
    assert_eq!(
        evaluation.candidates.get("born").map(Vec::as_slice),
        Some(&[Answer::Date(date!(1980 - 01 - 02))][..])
    );
    assert!(
        evaluation.answers.get("name").is_empty(),
        "offered, not filled in"
    );
    let exported = sdc::export(&form);
    assert_eq!(
        exported["item"][0]["extension"][0]["url"],
        format!("{SDC}candidateExpression")
    );
}

#[test]
fn candidates_the_page_cannot_offer_are_refused_by_name() {
    let query = json!({"url": format!("{SDC}candidateExpression"), "valueExpression": {
        "language": "application/x-fhir-query", "expression": "RelatedPerson?patient={{%patient.id}}"}});
    assert_eq!(
        sdc::import(&offering(query)).unwrap_err().to_string(),
        "item `name`: candidateExpression in application/x-fhir-query is not supported"
    );
    let mut group = offering(fhirpath(
        &format!("{SDC}candidateExpression"),
        "%patient.contact",
    ));
    group["item"] = json!([{"linkId": "contacts", "type": "group", "repeats": true, "text": "Contacts",
        "extension": [fhirpath(&format!("{SDC}candidateExpression"), "%patient.contact")],
        "item": [{"linkId": "who", "type": "string", "text": "Who"}]}]);
    assert_eq!(
        sdc::import(&group).unwrap_err().to_string(),
        "item `contacts`: candidateExpression on a repeating group item is not supported"
    );
}

/// An initial expression giving a FHIR `code` from the chart (`%med.status`, an element, not
/// a string) picks the option with that code; a code no option has gives no answer.
#[test]
fn an_initial_code_from_the_chart_picks_the_option_with_that_code() {
    let option = |code: &str| json!({"valueCoding": {"system": "urn:status", "code": code}});
    let question = |link: &str, expression: &str| {
        json!({"linkId": link, "type": "choice",
        "answerOption": [option("active"), option("stopped")],
        "extension": [{"url": "http://hl7.org/fhir/uv/sdc/StructureDefinition/sdc-questionnaire-initialExpression",
            "valueExpression": {"language": "text/fhirpath", "expression": expression}}]})
    };
    let form = sdc::import(
        &json!({"resourceType": "Questionnaire", "status": "active", "item": [
        question("status", "%med.status"), question("other", "%med.intent")]}),
    )
    .unwrap();
    let mut launch = launch();
    launch.variables.insert(
        "med".into(),
        Arc::new(
            json!({"resourceType": "MedicationStatement", "status": "stopped", "intent": "plan"}),
        ),
    );
    let answers = crate::engine::initial_answers(&form, &launch);
    assert_eq!(answers.get("status"), [Answer::Choice("stopped".into())]);
    assert_eq!(answers.get("other"), []);
}
