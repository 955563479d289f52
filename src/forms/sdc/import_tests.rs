//! Questionnaires that import and run as SDC says: top-level groups keep their linkIds.

use serde_json::{Value as Json, json};

use crate::{
    engine::{Answer, Answers},
    forms::Form,
};

fn response(form: &Form, answers: &Answers) -> Json {
    json!({"resourceType": "QuestionnaireResponse", "status": "in-progress",
        "item": crate::mapping::response_items(form, answers)})
}

fn answers(pairs: Vec<(&str, Answer)>) -> Answers {
    let mut answers = Answers::default();
    for (id, answer) in pairs {
        answers.set(id, vec![answer]);
    }
    answers
}

/// Imports, checks that export → import gives the same form, and returns it.
fn import_stable(questionnaire: &Json) -> Form {
    let form = super::import(questionnaire).unwrap_or_else(|e| panic!("{e}"));
    let exported = super::export(&form);
    let again = super::import(&exported).unwrap_or_else(|e| panic!("re-import: {e}"));
    assert!(again == form, "export → import is stable");
    assert_eq!(super::export(&again), exported);
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
    let exported = super::export(&form);
    assert_eq!(exported["item"][0]["linkId"], "grp-1");
    assert_eq!(exported["item"][1]["linkId"], "2.b");
    let given = answers(vec![("age", Answer::Integer(40))]);
    let response = response(&form, &given);
    assert_eq!(response["item"][0]["linkId"], "grp-1");
    assert_eq!(response["item"][0]["item"][0]["linkId"], "age");
    let issues = super::validate_response(&q, &response, &|_| true);
    assert!(issues.is_empty(), "{issues:?}");
    let read = crate::engine::answers_from_response(&form, &response).unwrap();
    assert!(read == given, "the response reads back");
}
