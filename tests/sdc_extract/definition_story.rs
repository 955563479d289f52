//! Definition-based extraction of the smart-forms `qMyPatient` story (the one fixture that uses
//! `itemExtractionContext`): no gold Bundle ships with it, so the expected Patient is the one
//! the SDC rules give for its definitions, written out here.

use serde_json::json;

use crate::{entries, fixtures, read, run};

#[test]
fn the_my_patient_story_extracts_one_patient_with_its_names_and_extensions() {
    let questionnaire = read(
        &fixtures()
            .join("questionnaires/behavior/smart-forms-story-qMyPatient-definitionExtract.json"),
    );
    let answer =
        |link: &str, value: &str| json!({"linkId": link, "answer": [{"valueString": value}]});
    let response = json!({"resourceType": "QuestionnaireResponse", "status": "completed", "item": [
        {"linkId": "myPatient1", "item": [
            {"linkId": "myPatient1.name", "item": [
                {"linkId": "myPatient1.name.first", "answer": [{"valueString": "Ann"}, {"valueString": "Marie"}]},
                answer("myPatient1.name.lastName", "Lee"),
            ]},
            {"linkId": "myPatient1.name", "item": [answer("myPatient1.name.first", "Annie")]},
            {"linkId": "myPatient1.hair", "item": [
                answer("myPatient1.hair.colour", "brown"),
                answer("myPatient1.hair.url", "http://example.org/hair-colour"),
            ]},
            {"linkId": "myPatient1.religion", "item": [
                answer("myPatient1.religion.brand", "none"),
                answer("myPatient1.religion.url1", "http://example.org/religion"),
            ]},
        ]},
    ]});
    let extracted = run(&questionnaire, &response);
    assert_eq!(extracted.issues, []);
    let entries = entries(&extracted.bundle);
    assert_eq!(entries.len(), 1);
    assert_eq!(
        entries[0]["request"],
        json!({"method": "POST", "url": "Patient"})
    );
    assert_eq!(
        entries[0]["resource"],
        json!({
            "resourceType": "Patient",
            "name": [{"given": ["Ann", "Marie"], "family": "Lee"}, {"given": ["Annie"]}],
            "extension": [
                {"valueString": "brown", "url": "http://example.org/hair-colour"},
                {"valueString": "none", "url": "http://example.org/religion"},
            ],
        })
    );
}
