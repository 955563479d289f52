//! `validate_response` on responses broken one way at a time: each is caught, and named.

use serde_json::{Value as Json, json};

use super::{ShapeError, validate_response};

fn questionnaire() -> Json {
    json!({"resourceType": "Questionnaire", "status": "active",
    "contained": [{"resourceType": "ValueSet", "id": "yn", "status": "active",
        "compose": {"include": [{"system": "urn:yn", "concept": [{"code": "y"}, {"code": "n"}]}]}}],
    "item": [
        {"linkId": "intro", "type": "display", "text": "Welcome"},
        {"linkId": "age", "type": "integer", "text": "Age", "required": true},
        {"linkId": "smoker", "type": "choice", "text": "Do you smoke?", "answerValueSet": "#yn",
            "item": [{"linkId": "per-day", "type": "integer", "text": "How many a day?", "required": true}]},
        {"linkId": "about", "type": "group", "text": "About you", "item": [
            {"linkId": "colour", "type": "choice", "text": "Colour", "answerOption": [
                {"valueCoding": {"system": "urn:c", "code": "red"}}, {"valueString": "Other"}]},
            {"linkId": "pets", "type": "open-choice", "repeats": true, "answerOption": [
                {"valueCoding": {"code": "cat"}}]},
        ]},
        {"linkId": "visits", "type": "group", "repeats": true, "text": "Visits",
            "extension": [{"url": "http://hl7.org/fhir/StructureDefinition/questionnaire-maxOccurs", "valueInteger": 2}],
            "item": [{"linkId": "when", "type": "date", "text": "When?"}]},
    ]})
}

/// A response every check accepts.
fn good() -> Json {
    json!({"resourceType": "QuestionnaireResponse", "status": "completed", "item": [
        {"linkId": "age", "text": "Age", "answer": [{"valueInteger": 40}]},
        {"linkId": "smoker", "text": "Do you smoke?", "answer": [{"valueCoding": {"system": "urn:yn", "code": "y"},
            "item": [{"linkId": "per-day", "text": "How many a day?", "answer": [{"valueInteger": 5}]}]}]},
        {"linkId": "about", "text": "About you", "item": [
            {"linkId": "colour", "text": "Colour", "answer": [{"valueString": "Other"}]},
            {"linkId": "pets", "answer": [{"valueCoding": {"code": "cat"}}, {"valueString": "a snake"}]},
        ]},
        {"linkId": "visits", "text": "Visits", "item": [{"linkId": "when", "answer": [{"valueDate": "2026-01-01"}]}]},
        {"linkId": "visits", "text": "Visits", "item": [{"linkId": "when", "answer": [{"valueDate": "2026-02-01"}]}]},
    ]})
}

/// The problems `validate_response` finds in `response`, every item enabled.
fn problems(response: &Json) -> Vec<ShapeError> {
    validate_response(&questionnaire(), response, &|_| true)
        .into_iter()
        .map(|issue| issue.problem)
        .collect()
}

/// `good()` changed by `edit`.
fn broken(edit: impl FnOnce(&mut Json)) -> Json {
    let mut response = good();
    edit(&mut response);
    response
}

#[test]
fn a_response_with_its_questionnaires_structure_passes() {
    assert_eq!(problems(&good()), vec![]);
}

#[test]
fn a_synthetic_group_around_top_level_items_is_an_unknown_item() {
    let response = broken(|r| {
        let items = r["item"].take();
        r["item"] = json!([{"linkId": "section_1", "text": "Form", "item": items}]);
    });
    // Its items are no longer where the Questionnaire has them, so the required one is missing.
    assert_eq!(
        problems(&response),
        vec![
            ShapeError::Unknown("section_1".into()),
            ShapeError::Unanswered("age".into())
        ]
    );
}

#[test]
fn an_item_at_the_wrong_depth_names_where_it_belongs() {
    let moved_up = broken(|r| {
        r["item"].as_array_mut().unwrap().push(
            json!({"linkId": "colour", "text": "Colour", "answer": [{"valueString": "Other"}]}),
        );
    });
    assert_eq!(
        problems(&moved_up),
        vec![ShapeError::WrongPlace {
            link_id: "colour".into(),
            parent: Some("about".into())
        }]
    );
    let moved_down = broken(|r| {
        r["item"][2]["item"]
            .as_array_mut()
            .unwrap()
            .push(json!({"linkId": "age", "text": "Age", "answer": [{"valueInteger": 1}]}));
    });
    assert_eq!(
        problems(&moved_down),
        vec![ShapeError::WrongPlace {
            link_id: "age".into(),
            parent: None
        }]
    );
}

#[test]
fn a_question_child_beside_its_question_or_outside_its_answer_is_caught() {
    let sibling = broken(|r| {
        let child = r["item"][1]["answer"][0]
            .as_object_mut()
            .unwrap()
            .remove("item")
            .unwrap();
        r["item"]
            .as_array_mut()
            .unwrap()
            .insert(2, child[0].clone());
    });
    assert_eq!(
        problems(&sibling),
        vec![
            ShapeError::Unanswered("per-day".into()),
            ShapeError::WrongPlace {
                link_id: "per-day".into(),
                parent: Some("smoker".into())
            },
        ]
    );
    let outside = broken(|r| {
        let child = r["item"][1]["answer"][0]
            .as_object_mut()
            .unwrap()
            .remove("item")
            .unwrap();
        r["item"][1]["item"] = child;
    });
    assert_eq!(
        problems(&outside),
        vec![
            ShapeError::ItemsOnQuestion("smoker".into()),
            ShapeError::Unanswered("per-day".into()),
        ]
    );
    // Without an answer to hold them, a question's children sit right under it (R4 allows it).
    let unanswered = broken(|r| {
        let child = r["item"][1]["answer"][0]["item"].take();
        r["item"][1] = json!({"linkId": "smoker", "text": "Do you smoke?", "item": child});
    });
    assert_eq!(problems(&unanswered), vec![]);
}

#[test]
fn items_out_of_order_or_repeated_without_repeats_are_caught() {
    let swapped = broken(|r| r["item"].as_array_mut().unwrap().swap(0, 1));
    assert_eq!(
        problems(&swapped),
        vec![ShapeError::OutOfOrder("age".into())]
    );
    let twice = broken(|r| {
        let age = r["item"][0].clone();
        r["item"].as_array_mut().unwrap().insert(1, age);
    });
    assert_eq!(
        problems(&twice),
        vec![ShapeError::Repeated("age".into(), 2)]
    );
}

#[test]
fn a_text_other_than_the_questionnaires_is_caught() {
    let changed = broken(|r| r["item"][0]["text"] = json!("Your age"));
    assert_eq!(
        problems(&changed),
        vec![ShapeError::Text {
            link_id: "age".into(),
            found: "Your age".into(),
            expected: Some("Age".into())
        }]
    );
    let invented = broken(|r| r["item"][2]["item"][1]["text"] = json!("Pets"));
    assert_eq!(
        problems(&invented),
        vec![ShapeError::Text {
            link_id: "pets".into(),
            found: "Pets".into(),
            expected: None
        }]
    );
}

#[test]
fn answers_on_groups_and_displays_and_empty_items_are_caught() {
    let on_group = broken(|r| r["item"][2]["answer"] = json!([{"valueString": "x"}]));
    assert_eq!(
        problems(&on_group),
        vec![ShapeError::AnswerOnNonQuestion(
            "about".into(),
            "group".into()
        )]
    );
    let display = broken(|r| {
        r["item"].as_array_mut().unwrap().insert(
            0,
            json!({"linkId": "intro", "answer": [{"valueString": "x"}]}),
        );
    });
    assert_eq!(
        problems(&display),
        vec![ShapeError::AnswerOnNonQuestion(
            "intro".into(),
            "display".into()
        )]
    );
    let empty = broken(|r| {
        r["item"][0].as_object_mut().unwrap().remove("answer");
    });
    assert_eq!(problems(&empty), vec![ShapeError::Empty("age".into())]);
}

#[test]
fn answers_of_the_wrong_type_or_number_are_caught() {
    let text = broken(|r| r["item"][0]["answer"] = json!([{"valueString": "40"}]));
    assert_eq!(
        problems(&text),
        vec![ShapeError::WrongType {
            link_id: "age".into(),
            item_type: "integer".into(),
            found: "valueString".into()
        }]
    );
    let two =
        broken(|r| r["item"][0]["answer"] = json!([{"valueInteger": 1}, {"valueInteger": 2}]));
    assert_eq!(
        problems(&two),
        vec![ShapeError::TooManyAnswers("age".into(), 2)]
    );
    let no_value = broken(|r| r["item"][0]["answer"] = json!([{}]));
    assert_eq!(
        problems(&no_value),
        vec![ShapeError::WrongType {
            link_id: "age".into(),
            item_type: "integer".into(),
            found: "no value".into()
        }]
    );
}

#[test]
fn a_choice_outside_its_options_or_value_set_is_caught() {
    let listed = broken(|r| {
        r["item"][2]["item"][0]["answer"] =
            json!([{"valueCoding": {"system": "urn:c", "code": "blue"}}]);
    });
    assert!(
        matches!(&problems(&listed)[..], [ShapeError::NotAnOption { link_id, .. }] if link_id == "colour")
    );
    let other_system = broken(|r| {
        r["item"][1]["answer"][0]["valueCoding"] = json!({"system": "urn:other", "code": "y"});
    });
    assert!(
        matches!(&problems(&other_system)[..], [ShapeError::NotAnOption { link_id, .. }] if link_id == "smoker")
    );
}

#[test]
fn a_required_item_is_checked_only_when_enabled_in_a_completed_response() {
    let unanswered = broken(|r| {
        r["item"].as_array_mut().unwrap().remove(0);
    });
    assert_eq!(
        problems(&unanswered),
        vec![ShapeError::Unanswered("age".into())]
    );
    let disabled = validate_response(&questionnaire(), &unanswered, &|l| l != "age");
    assert_eq!(disabled, vec![]);
    let mut in_progress = unanswered.clone();
    in_progress["status"] = json!("in-progress");
    assert_eq!(problems(&in_progress), vec![]);
}

#[test]
fn more_instances_than_max_occurs_are_caught_in_a_completed_response() {
    let three = broken(|r| {
        let visit = r["item"][3].clone();
        r["item"].as_array_mut().unwrap().push(visit);
    });
    assert_eq!(
        problems(&three),
        vec![ShapeError::Occurrences {
            link_id: "visits".into(),
            count: 3,
            min: 0,
            max: 2
        }]
    );
}

#[test]
fn an_issue_says_where_it_is() {
    let response = broken(|r| {
        r["item"][1]["answer"][0]["item"][0]["answer"] = json!([{"valueString": "5"}]);
    });
    let issues = validate_response(&questionnaire(), &response, &|_| true);
    assert_eq!(issues.len(), 1);
    assert_eq!(
        issues[0].to_string(),
        "item[1].answer[0].item[0].answer[0]: `per-day` has a valueString answer, which its type integer does not take"
    );
}
