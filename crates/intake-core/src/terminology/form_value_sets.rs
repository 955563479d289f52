//! Tests: a hand-written form's `value_set` given as a canonical URL resolves through the same
//! [`AnswerLists`](super::AnswerLists) an imported Questionnaire's `answerValueSet` does; what
//! none expands stops the load at the value's line and column, naming the value set.

use std::collections::{BTreeMap, HashMap};

use super::{AnswerLists, Concept, hl7_core};
use crate::forms::{lint, load_form, load_form_with, load_value_set, sdc::export, value_set_urls};

const GENDER: &str = "http://hl7.org/fhir/ValueSet/administrative-gender";

/// A form whose `sex` question takes its answers from `value_set`.
fn form(value_set: &str) -> String {
    format!(
        "id: demo\nversion: \"1\"\ntitle: Demo\nsections:\n  - id: about\n    title: About you\n    items:\n      - id: sex\n        type: choice\n        text: Sex\n        value_set: {value_set}\n"
    )
}

#[test]
fn a_core_value_set_named_by_url_gives_the_items_answers_and_exports_as_answer_value_set() {
    let lists = AnswerLists::offline(hl7_core());
    let loaded =
        load_form_with("forms/demo.yaml", &form(GENDER), &BTreeMap::new(), &lists).unwrap();
    let sex = loaded.item("sex").unwrap();
    let codes: Vec<&str> = sex.options.iter().map(|o| o.code.as_str()).collect();
    assert_eq!(codes, ["male", "female", "other", "unknown"]);
    assert_eq!(sex.options[1].display.en(), "Female");
    assert_eq!(
        sex.options[1].system.as_deref(),
        Some("http://hl7.org/fhir/administrative-gender")
    );
    assert_eq!(sex.value_set.as_deref(), Some(GENDER));
    let questionnaire = export(&loaded);
    let item = &questionnaire["item"][0]["item"][0];
    assert_eq!(item["answerValueSet"], GENDER, "{item}");
    assert!(item.get("answerOption").is_none(), "{item}");
    assert!(questionnaire.get("contained").is_none());
}

#[test]
fn a_url_nothing_expands_stops_the_load_at_its_line_naming_the_value_set_and_what_to_configure() {
    let lists = AnswerLists::offline(hl7_core());
    let url = "http://loinc.org/vs/LL358-3";
    let error =
        load_form_with("forms/demo.yaml", &form(url), &BTreeMap::new(), &lists).unwrap_err();
    assert_eq!(
        (error.file.as_str(), error.line, error.column),
        ("forms/demo.yaml", 11, 20)
    );
    assert!(error.message.contains(url), "{error}");
    assert!(error.message.contains("INTAKE_TERMINOLOGY_URL"), "{error}");
    assert!(
        error.snippet.contains("value_set: http://loinc.org"),
        "{error}"
    );
    // Without answer lists (a plain `load_form`), a URL is no file either.
    let error = load_form("forms/demo.yaml", &form(GENDER), &BTreeMap::new()).unwrap_err();
    assert!(error.message.contains(GENDER), "{error}");
}

#[test]
fn the_servers_expansion_or_its_failure_stands_for_an_external_value_set() {
    let url = "http://loinc.org/vs/LL358-3";
    let fetched = HashMap::from([(
        url.to_owned(),
        Ok(vec![Concept {
            system: "http://loinc.org".into(),
            code: "LA33-6".into(),
            display: "Yes".into(),
        }]),
    )]);
    let lists = AnswerLists::with_fetched(hl7_core(), fetched);
    let loaded = load_form_with("forms/demo.yaml", &form(url), &BTreeMap::new(), &lists).unwrap();
    assert_eq!(loaded.item("sex").unwrap().options[0].code, "LA33-6");
    let failed = HashMap::from([(
        url.to_owned(),
        Err(
            "The terminology server could not expand the value set: it could not be reached"
                .to_owned(),
        ),
    )]);
    let lists = AnswerLists::with_fetched(hl7_core(), failed);
    let error =
        load_form_with("forms/demo.yaml", &form(url), &BTreeMap::new(), &lists).unwrap_err();
    assert!(error.message.contains(url), "{error}");
    assert!(error.message.contains("could not be reached"), "{error}");
}

#[test]
fn a_site_value_set_file_is_found_by_its_url_as_well_as_its_id() {
    let set = load_value_set(
        "forms/valuesets/yes-no.yaml",
        "id: yes-no\nurl: http://clinic.example/ValueSet/yes-no\ntitle: Yes or no\nconcepts:\n  - { code: Y, display: \"Yes\" }\n  - { code: N, display: \"No\" }\n",
    )
    .unwrap();
    let sets = BTreeMap::from([(set.id.clone(), set)]);
    let lists = AnswerLists::offline(hl7_core());
    let source = form("http://clinic.example/ValueSet/yes-no|2");
    let loaded = load_form_with("forms/demo.yaml", &source, &sets, &lists).unwrap();
    assert_eq!(loaded.item("sex").unwrap().options.len(), 2);
}

#[test]
fn the_urls_a_form_names_are_listed_once_for_the_edge_to_resolve() {
    let source = form(GENDER).replace(
        "        value_set: ",
        "        value_set: yes-no\n      - id: again\n        type: choice\n        text: Again\n        value_set: ",
    ) + "      - id: third\n        type: choice\n        text: Third\n        value_set: http://loinc.org/vs/LL358-3\n";
    assert_eq!(
        value_set_urls(&source),
        [GENDER.to_owned(), "http://loinc.org/vs/LL358-3".to_owned()]
    );
    assert!(value_set_urls("not: [yaml").is_empty());
}

#[test]
fn the_lint_checks_answer_codes_against_a_list_named_by_url() {
    let lists = AnswerLists::offline(hl7_core());
    let source = form(GENDER)
        + "      - id: pregnant\n        type: boolean\n        text: Pregnant?\n        enable_when:\n          any:\n            - { question: sex, operator: \"=\", answer: { code: femal } }\n";
    let loaded = load_form_with("forms/demo.yaml", &source, &BTreeMap::new(), &lists).unwrap();
    let found = lint(&loaded, &source);
    assert!(
        found.iter().any(|d| d
            .message
            .contains("`femal` is not one of the answers of `sex`")),
        "{found:?}"
    );
}
