//! The tricky parts of `$extract`: contexts that repeat, values that vanish, `_primitive`
//! siblings, entry requests, and the observation rules.

use std::collections::BTreeMap;

use serde_json::{Value as Json, json};
use uuid::Uuid;

use super::{DerivedIds, ExtractRequest, Extracted, extract};
use crate::fhirpath::Clock;

const TE: &str = "http://hl7.org/fhir/uv/sdc/StructureDefinition/sdc-questionnaire-templateExtract";
const OBS: &str =
    "http://hl7.org/fhir/uv/sdc/StructureDefinition/sdc-questionnaire-observationExtract";

fn context(expression: &str) -> Json {
    json!({"url": "http://hl7.org/fhir/uv/sdc/StructureDefinition/sdc-questionnaire-templateExtractContext", "valueString": expression})
}

fn value(expression: &str) -> Json {
    json!({"url": "http://hl7.org/fhir/uv/sdc/StructureDefinition/sdc-questionnaire-templateExtractValue", "valueString": expression})
}

/// Marks a value with its extension, as `{ "extension": [marker] }`.
fn marked(marker: Json) -> Json {
    json!({ "extension": [marker] })
}

fn run(questionnaire: &Json, response: &Json) -> Extracted {
    let variables = BTreeMap::new();
    let request = ExtractRequest {
        questionnaire,
        response,
        variables: &variables,
        clock: Clock::parse("2026-11-22T10:00:00Z").unwrap(),
    };
    extract(&request, &mut DerivedIds::new(Uuid::nil()))
}

fn resources(extracted: &Extracted) -> Vec<Json> {
    extracted.bundle["entry"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["resource"].clone())
        .collect()
}

/// A Questionnaire whose repeating group `person` extracts `template` once per repeat.
fn per_person(template: Json) -> Json {
    json!({
        "resourceType": "Questionnaire",
        "contained": [template],
        "item": [{
            "linkId": "person", "type": "group", "repeats": true,
            "extension": [{"url": TE, "extension": [
                {"url": "template", "valueReference": {"reference": "#t"}}
            ]}],
            "item": [
                {"linkId": "family", "type": "string"},
                {"linkId": "given", "type": "string", "repeats": true},
                {"linkId": "born", "type": "date"}
            ]
        }]
    })
}

fn person(family: &str, given: &[&str]) -> Json {
    let given: Vec<Json> = given.iter().map(|g| json!({"valueString": g})).collect();
    json!({"linkId": "person", "item": [
        {"linkId": "family", "answer": [{"valueString": family}]},
        {"linkId": "given", "answer": given}
    ]})
}

fn response(items: Vec<Json>) -> Json {
    json!({"resourceType": "QuestionnaireResponse", "id": "qr1", "status": "completed",
           "authored": "2026-11-22T09:00:00Z", "subject": {"reference": "Patient/p1"}, "item": items})
}

#[test]
fn a_template_on_a_repeating_group_gives_one_resource_per_repeat() {
    let template = json!({"resourceType": "Patient", "id": "t",
        "name": [{"_family": marked(value("item.where(linkId='family').answer.value"))}]});
    let out = run(
        &per_person(template),
        &response(vec![person("Ng", &["Ann"]), person("Diaz", &["Bo"])]),
    );
    let families: Vec<Json> = resources(&out)
        .iter()
        .map(|p| p["name"][0]["family"].clone())
        .collect();
    assert_eq!(families, [json!("Ng"), json!("Diaz")]);
    assert!(out.issues.is_empty(), "{:?}", out.issues);
}

#[test]
fn a_context_repeats_its_element_once_per_result_and_binds_its_name() {
    let template = json!({"resourceType": "Patient", "id": "t",
    "telecom": [{
        "extension": [{"url": "http://hl7.org/fhir/uv/sdc/StructureDefinition/sdc-questionnaire-templateExtractContext",
            "valueExpression": {"language": "text/fhirpath", "name": "g",
                                "expression": "item.where(linkId='given').answer.value"}}],
        "system": "other",
        "_value": marked(value("%g + '@' + $this"))
    }]});
    let out = run(
        &per_person(template),
        &response(vec![person("Ng", &["Ann", "Bea"])]),
    );
    assert_eq!(
        resources(&out)[0]["telecom"],
        json!([{"system": "other", "value": "Ann@Ann"}, {"system": "other", "value": "Bea@Bea"}])
    );
}

#[test]
fn elements_whose_context_or_value_is_empty_are_removed_and_so_are_emptied_parents() {
    let template = json!({"resourceType": "Patient", "id": "t",
        "active": true,
        "birthDate": "1900-01-01",
        "_birthDate": marked(value("item.where(linkId='born').answer.value")),
        "address": [{"extension": [context("item.where(linkId='nowhere')")], "city": "X"}],
        "contact": [{"name": {"_text": marked(value("{}"))}}],
        "link": [{"other": marked(value("%resource.missing"))}]});
    let out = run(&per_person(template), &response(vec![person("Ng", &[])]));
    assert_eq!(
        resources(&out)[0],
        json!({"resourceType": "Patient", "active": true})
    );
}

#[test]
fn values_fill_primitives_through_their_underscore_siblings() {
    let other = json!({"url": "http://example.org/keep", "valueString": "kept"});
    let template = json!({"resourceType": "Patient", "id": "t",
    "gender": "unknown",
    "_gender": {"extension": [value("'female'"), other.clone()]},
    "name": [{
        "given": ["Static", null],
        "_given": [null, marked(value("item.where(linkId='given').answer.value"))],
        "_family": marked(value("item.where(linkId='family').answer.value.upper()"))
    }]});
    let out = run(
        &per_person(template),
        &response(vec![person("Ng", &["Ann", "Bea"])]),
    );
    let patient = &resources(&out)[0];
    assert_eq!(patient["gender"], "female");
    assert_eq!(patient["_gender"], json!({"extension": [other]}));
    assert_eq!(
        patient["name"],
        json!([{"family": "NG", "given": ["Static", "Ann", "Bea"]}])
    );
}

#[test]
fn a_complex_element_with_a_value_is_replaced_by_the_results() {
    let template = json!({"resourceType": "Observation", "id": "t", "status": "final",
        "performer": [marked(value("%resource.subject"))],
        "valueQuantity": {"_value": marked(value("item.where(linkId='given').answer.value.count() * 1.5")),
                          "unit": "kg"}});
    let out = run(
        &per_person(template),
        &response(vec![person("Ng", &["Ann", "Bea"])]),
    );
    let observation = &resources(&out)[0];
    assert_eq!(
        observation["performer"],
        json!([{"reference": "Patient/p1"}])
    );
    assert_eq!(
        observation["valueQuantity"],
        json!({"value": 3, "unit": "kg"})
    );
}

#[test]
fn a_resource_id_makes_the_entry_a_put_and_allocated_ids_become_urn_uuids() {
    let mut questionnaire = per_person(json!({"resourceType": "Patient", "id": "t",
        "_gender": marked(value("'male'"))}));
    questionnaire["extension"] = json!([{
        "url": "http://hl7.org/fhir/uv/sdc/StructureDefinition/sdc-questionnaire-extractAllocateId",
        "valueString": "newId"}]);
    questionnaire["item"][0]["extension"][0]["extension"] = json!([
        {"url": "template", "valueReference": {"reference": "#t"}},
        {"url": "fullUrl", "valueString": "%newId"},
        {"url": "resourceId", "valueString": "%newId"},
        {"url": "ifNoneExist", "valueString": "'identifier=x|' + item.where(linkId='family').answer.value"}
    ]);
    let out = run(&questionnaire, &response(vec![person("Ng", &[])]));
    let entry = &out.bundle["entry"][0];
    let id = entry["resource"]["id"].as_str().unwrap();
    assert!(Uuid::parse_str(id).is_ok(), "{id}");
    assert_eq!(entry["fullUrl"], format!("urn:uuid:{id}"));
    assert_eq!(
        entry["request"],
        json!({"method": "PUT", "url": format!("Patient/{id}"), "ifNoneExist": "identifier=x|Ng"})
    );
}

#[test]
fn without_a_resource_id_the_entry_is_a_post_and_the_template_id_is_dropped() {
    let out = run(
        &per_person(json!({"resourceType": "Patient", "id": "t", "active": true})),
        &response(vec![person("Ng", &[])]),
    );
    let entry = &out.bundle["entry"][0];
    assert_eq!(
        entry["request"],
        json!({"method": "POST", "url": "Patient"})
    );
    assert_eq!(
        entry["resource"],
        json!({"resourceType": "Patient", "active": true})
    );
    assert!(entry["fullUrl"].as_str().unwrap().starts_with("urn:uuid:"));
    assert_eq!(out.bundle["type"], "transaction");
    assert_eq!(out.bundle["timestamp"], "2026-11-22T10:00:00.000+00:00");
}

#[test]
fn problems_become_issues_and_leave_the_element_out() {
    let mut questionnaire = per_person(json!({"resourceType": "Patient", "id": "t",
        "active": true, "_birthDate": marked(value("item.where(linkId = ")) }));
    questionnaire["extension"] = json!([{"url": TE, "extension": [
        {"url": "template", "valueReference": {"reference": "#absent"}}]}]);
    let out = run(&questionnaire, &response(vec![person("Ng", &[])]));
    assert_eq!(
        resources(&out),
        [json!({"resourceType": "Patient", "active": true})]
    );
    let messages: Vec<String> = out.issues.iter().map(ToString::to_string).collect();
    assert_eq!(messages.len(), 2, "{messages:?}");
    assert!(
        messages[0].contains("no contained template `#absent`"),
        "{messages:?}"
    );
    assert!(
        messages[1].starts_with("template #t: _birthDate: `item.where"),
        "{messages:?}"
    );
}

#[test]
fn extracting_twice_gives_the_same_bundle() {
    let template = json!({"resourceType": "Patient", "id": "t", "active": true});
    let (q, r) = (per_person(template), response(vec![person("Ng", &[])]));
    assert_eq!(run(&q, &r), run(&q, &r));
}

fn coded(link_id: &str, code: &str, kind: &str) -> Json {
    json!({"linkId": link_id, "type": kind, "code": [{"system": "http://loinc.org", "code": code}]})
}

#[test]
fn observation_extraction_follows_the_marks_codes_units_and_panels() {
    let mut panel = coded("panel", "P-1", "group");
    let mut weight = coded("weight", "29463-7", "decimal");
    weight["extension"] = json!([{"url": "http://hl7.org/fhir/StructureDefinition/questionnaire-unit",
        "valueCoding": {"system": "http://unitsofmeasure.org", "code": "kg", "display": "kilogram"}}]);
    let mut skipped = coded("skipped", "X-1", "string");
    skipped["extension"] = json!([{"url": OBS, "valueBoolean": false}]);
    let mut tagged = coded("tagged", "A-1", "boolean");
    tagged["code"] = json!([{"system": "http://loinc.org", "code": "A-1"},
        {"system": "http://loinc.org", "code": "A-2", "extension": [{"url": OBS, "valueBoolean": true}]}]);
    panel["item"] = json!([weight, skipped]);
    let questionnaire = json!({"resourceType": "Questionnaire",
        "extension": [{"url": OBS, "valueBoolean": true},
            {"url": "http://hl7.org/fhir/uv/sdc/StructureDefinition/sdc-questionnaire-observation-extract-category",
             "valueCodeableConcept": {"coding": [{"code": "survey"}]}}],
        "item": [panel, {"linkId": "uncoded", "type": "string"}, tagged]});
    let mut qr = response(vec![
        json!({"linkId": "panel", "item": [
            {"linkId": "weight", "answer": [{"valueDecimal": 70.5}]},
            {"linkId": "skipped", "answer": [{"valueString": "no"}]}]}),
        json!({"linkId": "uncoded", "answer": [{"valueString": "not extracted"}]}),
        json!({"linkId": "tagged", "answer": [{"valueBoolean": true}]}),
    ]);
    qr["author"] = json!({"reference": "Practitioner/d1"});
    let out = run(&questionnaire, &qr);
    let entries = out.bundle["entry"].as_array().unwrap();
    let codes: Vec<&Json> = entries.iter().map(|e| &e["resource"]["code"]).collect();
    assert_eq!(
        codes,
        [
            &json!({"coding": [{"system": "http://loinc.org", "code": "P-1"}]}),
            &json!({"coding": [{"system": "http://loinc.org", "code": "29463-7"}]}),
            &json!({"coding": [{"system": "http://loinc.org", "code": "A-2"}]}),
        ]
    );
    let (panel, weight) = (&entries[0]["resource"], &entries[1]["resource"]);
    assert_eq!(
        panel["hasMember"],
        json!([{"reference": entries[1]["fullUrl"]}])
    );
    assert_eq!(
        weight["valueQuantity"],
        json!({"value": 70.5, "unit": "kilogram", "system": "http://unitsofmeasure.org", "code": "kg"})
    );
    assert_eq!(
        weight["category"],
        json!([{"coding": [{"code": "survey"}]}])
    );
    assert_eq!(weight["status"], "final");
    assert_eq!(weight["subject"], json!({"reference": "Patient/p1"}));
    assert_eq!(weight["effectiveDateTime"], "2026-11-22T09:00:00Z");
    assert_eq!(weight["issued"], "2026-11-22T09:00:00Z");
    assert_eq!(
        weight["performer"],
        json!([{"reference": "Practitioner/d1"}])
    );
    assert_eq!(
        weight["derivedFrom"],
        json!([{"reference": "QuestionnaireResponse/qr1"}])
    );
    assert_eq!(entries[2]["resource"]["valueBoolean"], true);
    assert_eq!(
        entries[2]["request"],
        json!({"method": "POST", "url": "Observation"})
    );
}
