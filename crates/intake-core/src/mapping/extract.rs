//! Extraction: the chart resources a submission's answers become. Every resource is marked as
//! reported by the patient and unconfirmed until staff confirm it.
//! Spec: <https://build.fhir.org/ig/HL7/sdc/extraction.html>

use serde_json::{Value, json};
use uuid::Uuid;

use super::{
    ChangeIdentifier, ChangeSummary, ChartSnapshot, EntryKind, HoldReason, ProposedChange,
    ResourceType, change_summary::answer_words,
};
use crate::{
    domain::Translate,
    engine::{Answer, Answers, answer_value, response_items},
    forms::{ExtractHook, Form, Item, ItemKind},
};

/// What extraction needs besides the form and the answers; all of it decided by the caller, so
/// extraction is deterministic.
#[derive(Debug, Clone, Copy)]
pub struct ExtractContext<'a> {
    /// The submission; change identifiers derive from it.
    pub submission_id: Uuid,
    /// The EHR's reference to the patient, e.g. `Patient/123`.
    pub patient_reference: &'a str,
    /// When the patient submitted, as a FHIR `dateTime`.
    pub authored: &'a str,
    /// The words answers are read back in, in notes and summaries for staff (English).
    pub words: &'a dyn Translate,
}

/// The proposed changes for one submission: the QuestionnaireResponse first, then one resource
/// per answer of every item with an extraction hook. Running it twice gives equal results.
pub fn extract(
    form: &Form,
    answers: &Answers,
    context: &ExtractContext<'_>,
) -> Vec<ProposedChange> {
    extract_against(form, answers, context, None)
}

/// [`extract`], with the chart the patient saw when there is one: definition-based extraction
/// updates its resources (`%patient`).
pub(super) fn extract_against(
    form: &Form,
    answers: &Answers,
    context: &ExtractContext<'_>,
    chart: Option<&ChartSnapshot>,
) -> Vec<ProposedChange> {
    let response_id = change_identifier(context, "QuestionnaireResponse");
    let mut changes = vec![ProposedChange {
        identifier: response_id,
        resource_type: ResourceType::QuestionnaireResponse,
        resource: questionnaire_response(form, answers, context, response_id.to_fhir()),
        summary: ChangeSummary::answers(form.title.en()),
        held_because: None,
    }];
    changes.extend(extract_items(form, answers, context));
    let response = &changes[0].resource;
    let defined = super::definitions::definition_changes(form, response, context, chart);
    changes.extend(defined);
    changes.extend(super::on_file::on_file_changes(form, answers, context));
    changes
}

/// Builds the completed QuestionnaireResponse: answered items only, with repeating groups as
/// one item per instance.
fn questionnaire_response(
    form: &Form,
    answers: &Answers,
    context: &ExtractContext<'_>,
    identifier: Value,
) -> Value {
    json!({
        "resourceType": "QuestionnaireResponse",
        "identifier": identifier,
        "questionnaire": format!("{}|{}", form.url, form.version),
        "status": "completed",
        "subject": { "reference": context.patient_reference },
        "authored": context.authored,
        "source": { "reference": context.patient_reference },
        "item": response_items(form, answers),
    })
}

/// The resources of the hooked items among `form`'s, one per answer.
fn extract_items(
    form: &Form,
    answers: &Answers,
    context: &ExtractContext<'_>,
) -> Vec<ProposedChange> {
    let mut changes = Vec::new();
    for section in &form.sections {
        walk_hooked(&section.items, answers, "", &mut |hooked| {
            let Some(hook) = hooked.item.extract else {
                return;
            };
            let identifier = change_identifier(context, &hooked.key);
            let mut change = resource_for(hook, hooked.item, hooked.answer, identifier, context);
            if hooked.in_group {
                add_details(
                    &mut change.resource,
                    hooked.siblings,
                    hooked.item,
                    hooked.answers,
                    context.words,
                );
            }
            changes.push(change);
        });
    }
    changes
}

/// The item whose answer became the change `identifier` of the submission `submission_id`,
/// found the way extraction named it; `None` for a change no item's answer made (the
/// QuestionnaireResponse, a Patient update, one from an SDC template, a form since changed).
pub fn source_item<'f>(
    form: &'f Form,
    answers: &Answers,
    submission_id: Uuid,
    identifier: ChangeIdentifier,
) -> Option<&'f Item> {
    let mut found = None;
    for section in &form.sections {
        walk_hooked(&section.items, answers, "", &mut |hooked| {
            let named = ChangeIdentifier(Uuid::new_v5(&submission_id, hooked.key.as_bytes()));
            if found.is_none() && named == identifier {
                found = Some(hooked.item);
            }
        });
    }
    found
}

/// One answer of an item with an extraction hook, and where it sits.
struct Hooked<'f, 'a> {
    /// What its change identifier derives from.
    key: String,
    item: &'f Item,
    answer: &'a Answer,
    /// The items beside it, and the answers of its group instance.
    siblings: &'f [Item],
    answers: &'a Answers,
    /// Whether it sits in a repeating group's instance.
    in_group: bool,
}

/// Visits every answer of the hooked items among `items`, whose answers are in `answers` (the
/// form's, or one instance of a repeating group). `path` names the instance, so the key of an
/// answer in the second new-medication group differs from one in the first, and stays the same
/// on every run.
fn walk_hooked<'f, 'a>(
    items: &'f [Item],
    answers: &'a Answers,
    path: &str,
    visit: &mut dyn FnMut(Hooked<'f, 'a>),
) {
    for item in items {
        match (item.kind, item.repeats) {
            (ItemKind::Group, true) => {
                for (index, instance) in answers.get(&item.id).iter().enumerate() {
                    if let Answer::Group(inner) = instance {
                        let path = format!("{path}{}/{index}/", item.id);
                        walk_hooked(&item.items, inner, &path, visit);
                    }
                }
            }
            // A non-repeating group's answers sit beside the group's own.
            (ItemKind::Group, false) => walk_hooked(&item.items, answers, path, visit),
            _ if item.extract.is_none() => {}
            _ => {
                for (index, answer) in answers.get(&item.id).iter().enumerate() {
                    visit(Hooked {
                        key: format!("{path}{}/{index}", item.id),
                        item,
                        answer,
                        siblings: items,
                        answers,
                        in_group: !path.is_empty(),
                    });
                }
            }
        }
    }
}

/// The other answers of the same group instance (a medicine's dose and how often, an
/// allergy's reaction), as a note for whoever reviews the change.
fn add_details(
    resource: &mut Value,
    siblings: &[Item],
    hooked: &Item,
    answers: &Answers,
    words: &dyn Translate,
) {
    let details: Vec<String> = siblings
        .iter()
        .filter(|s| s.id != hooked.id && s.is_answerable() && s.extract.is_none())
        .filter_map(|s| {
            let shown: Vec<String> = answers
                .get(&s.id)
                .iter()
                .map(|a| a.display(s, words))
                .collect();
            (!shown.is_empty()).then(|| format!("{}: {}", s.text.en(), shown.join(", ")))
        })
        .collect();
    if !details.is_empty() {
        resource["note"] = json!([{ "text": details.join("\n") }]);
    }
}

/// A UUIDv5 under the submission's id, so the same answer always maps to the same identifier.
pub(super) fn change_identifier(context: &ExtractContext<'_>, key: &str) -> ChangeIdentifier {
    ChangeIdentifier(Uuid::new_v5(&context.submission_id, key.as_bytes()))
}

fn resource_for(
    hook: ExtractHook,
    item: &Item,
    answer: &Answer,
    identifier: ChangeIdentifier,
    context: &ExtractContext<'_>,
) -> ProposedChange {
    let described = answer.display(item, context.words);
    let code = concept(item, answer, &described);
    let patient = json!({ "reference": context.patient_reference });
    let (resource_type, resource, kind) = match hook {
        // https://hl7.org/fhir/R4/allergyintolerance.html
        ExtractHook::AllergyIntolerance => (
            ResourceType::AllergyIntolerance,
            json!({
                "resourceType": "AllergyIntolerance",
                "identifier": [identifier.to_fhir()],
                "clinicalStatus": terminology("allergyintolerance-clinical", "active", "Active"),
                "verificationStatus": terminology("allergyintolerance-verification", "unconfirmed", "Unconfirmed"),
                "code": code,
                "patient": patient,
                "recordedDate": context.authored,
                "asserter": patient,
            }),
            EntryKind::Allergy,
        ),
        // https://hl7.org/fhir/R4/medicationstatement.html
        ExtractHook::MedicationStatement => (
            ResourceType::MedicationStatement,
            json!({
                "resourceType": "MedicationStatement",
                "identifier": [identifier.to_fhir()],
                "status": "active",
                "medicationCodeableConcept": code,
                "subject": patient,
                "dateAsserted": context.authored,
                "informationSource": patient,
            }),
            EntryKind::Medication,
        ),
        // https://hl7.org/fhir/R4/condition.html
        ExtractHook::Condition => (
            ResourceType::Condition,
            json!({
                "resourceType": "Condition",
                "identifier": [identifier.to_fhir()],
                "clinicalStatus": terminology("condition-clinical", "active", "Active"),
                "verificationStatus": terminology("condition-ver-status", "unconfirmed", "Unconfirmed"),
                "code": code,
                "subject": patient,
                "recordedDate": context.authored,
                "asserter": patient,
            }),
            EntryKind::Condition,
        ),
        // https://hl7.org/fhir/R4/observation.html; SDC observation-based extraction: the
        // item's codes become the Observation's code. `preliminary` until staff confirm it.
        ExtractHook::Observation => (
            ResourceType::Observation,
            observation(item, answer, identifier, context, &patient),
            EntryKind::Observation,
        ),
    };
    // Free text where the item lists coded answers: what it means is for staff to choose.
    let ambiguous = item.kind == ItemKind::OpenChoice && matches!(answer, Answer::String(_));
    ProposedChange {
        identifier,
        resource_type,
        resource,
        summary: ChangeSummary::entry(kind, answer_words(answer, item, context.words)),
        held_because: ambiguous.then_some(HoldReason::AmbiguousMapping),
    }
}

fn observation(
    item: &Item,
    answer: &Answer,
    identifier: ChangeIdentifier,
    context: &ExtractContext<'_>,
    patient: &Value,
) -> Value {
    let mut code = json!({ "text": item.text.en() });
    if !item.codes.is_empty() {
        // FHIR JSON has no nulls: a coding without a system or display leaves the key out.
        let codings: Vec<Value> = item
            .codes
            .iter()
            .map(|c| {
                let mut coding = json!({ "code": c.code });
                if let Some(system) = &c.system {
                    coding["system"] = json!(system);
                }
                if let Some(display) = &c.display {
                    coding["display"] = json!(display);
                }
                coding
            })
            .collect();
        code["coding"] = json!(codings);
    }
    let mut observation = json!({
        "resourceType": "Observation",
        "identifier": [identifier.to_fhir()],
        "status": "preliminary",
        "category": [{ "coding": [{
            "system": "http://terminology.hl7.org/CodeSystem/observation-category",
            "code": "survey",
        }] }],
        "code": code,
        "subject": patient,
        "effectiveDateTime": context.authored,
        "performer": [patient],
    });
    if let Some((key, value)) = observation_value(item, answer) {
        observation[key] = value;
    }
    observation
}

/// `Observation.value[x]` for an answer, as SDC observation-based extraction maps it
/// (`sdc::observation`): R4 Observation has no valueDecimal, valueDate, valueUri or
/// valueReference, so a decimal becomes a Quantity without a unit, a date a dateTime and a URL a
/// string. A reference has no Observation value and stays in the QuestionnaireResponse only.
/// Spec: <https://hl7.org/fhir/R4/observation-definitions.html#Observation.value_x_>
pub(super) fn observation_value(item: &Item, answer: &Answer) -> Option<(&'static str, Value)> {
    let answered = answer_value(item, answer)?;
    let (key, value) = answered.as_object()?.iter().next()?;
    Some(match key.as_str() {
        "valueCoding" => ("valueCodeableConcept", json!({ "coding": [value] })),
        "valueDecimal" => ("valueQuantity", json!({ "value": value })),
        "valueInteger" => ("valueInteger", value.clone()),
        "valueQuantity" => ("valueQuantity", value.clone()),
        "valueString" | "valueUri" => ("valueString", value.clone()),
        "valueBoolean" => ("valueBoolean", value.clone()),
        "valueDate" | "valueDateTime" => ("valueDateTime", value.clone()),
        "valueTime" => ("valueTime", value.clone()),
        _ => return None,
    })
}

/// A CodeableConcept: the option's coding when the answer is a coded choice, text otherwise.
fn concept(item: &Item, answer: &Answer, described: &str) -> Value {
    let coded = match answer {
        Answer::Choice(code) => item
            .options
            .iter()
            .find(|o| &o.code == code && o.system.is_some()),
        _ => None,
    };
    match (coded, answer) {
        (Some(option), _) => json!({
            "coding": [{ "system": option.system, "code": option.code, "display": option.display.en() }],
            "text": described,
        }),
        (
            None,
            Answer::Coding {
                system,
                code,
                display,
            },
        ) => json!({
            "coding": [{ "system": system, "code": code, "display": display }],
            "text": described,
        }),
        (None, _) => json!({ "text": described }),
    }
}

fn terminology(code_system: &str, code: &str, display: &str) -> Value {
    json!({ "coding": [{
        "system": format!("http://terminology.hl7.org/CodeSystem/{code_system}"),
        "code": code,
        "display": display,
    }] })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::forms::load_yaml;

    const FORM: &str = "\
id: t
version: '2'
title: Check-in
sections:
  - id: history
    title: History
    items:
      - { id: reason, type: text, text: Reason }
      - { id: allergies, type: string, repeats: true, text: Allergies, extract: allergy-intolerance }
";

    fn context() -> ExtractContext<'static> {
        ExtractContext {
            words: crate::domain::Ids::ENGLISH,
            submission_id: Uuid::from_u128(7),
            patient_reference: "Patient/p1",
            authored: "2026-11-22T10:00:00Z",
        }
    }

    fn answers() -> Answers {
        let mut answers = Answers::default();
        answers.set("reason", vec![Answer::String("cough".into())]);
        answers.set(
            "allergies",
            vec![
                Answer::String("penicillin".into()),
                Answer::String("latex".into()),
            ],
        );
        answers
    }

    #[test]
    fn a_submission_becomes_a_response_and_one_allergy_per_answer() {
        let form = load_yaml("t.yaml", FORM).unwrap();
        let changes = extract(&form, &answers(), &context());
        let types: Vec<_> = changes.iter().map(|c| c.resource_type).collect();
        assert_eq!(
            types,
            [
                ResourceType::QuestionnaireResponse,
                ResourceType::AllergyIntolerance,
                ResourceType::AllergyIntolerance
            ]
        );
        let response = &changes[0].resource;
        assert_eq!(response["questionnaire"], "urn:intake:questionnaire:t|2");
        assert_eq!(
            response["item"][0]["item"][0]["answer"][0]["valueString"],
            "cough"
        );
        let allergy = &changes[1].resource;
        assert_eq!(allergy["code"]["text"], "penicillin");
        assert_eq!(
            allergy["verificationStatus"]["coding"][0]["code"],
            "unconfirmed"
        );
        assert_eq!(allergy["patient"]["reference"], "Patient/p1");
        assert_eq!(
            allergy["identifier"][0]["value"],
            changes[1].identifier.value()
        );
        assert_eq!(
            crate::domain::Ids::ENGLISH.phrase(changes[1].summary.phrase()),
            "change-summary-allergy(value: penicillin)"
        );
    }

    const OBSERVATIONS: &str = "\
id: o
version: '1'
title: Measures
sections:
  - id: measures
    title: Measures
    items:
      - id: temperature
        type: decimal
        text: Temperature
        extract: observation
        code: [{ system: http://loinc.org, code: 8310-5 }]
      - { id: last_period, type: date, text: Last period, extract: observation, code: [{ code: lmp }] }
      - { id: diary, type: url, text: Diary, extract: observation }
";

    /// The Observation extracted for the single answer of `id`.
    fn observation_for(id: &str, answer: Answer) -> Value {
        let form = load_yaml("o.yaml", OBSERVATIONS).unwrap();
        let mut answers = Answers::default();
        answers.set(id, vec![answer]);
        let changes = extract(&form, &answers, &context());
        assert_eq!(changes.len(), 2);
        changes[1].resource.clone()
    }

    #[test]
    fn an_observation_holds_a_decimal_as_a_quantity_a_date_as_a_date_time_and_a_url_as_a_string() {
        // R4 Observation has no valueDecimal, valueDate or valueUri.
        let temperature = observation_for("temperature", Answer::Decimal("37.5".into()));
        assert_eq!(temperature["valueQuantity"], json!({ "value": 37.5 }));
        assert!(temperature.get("valueDecimal").is_none());
        let date = time::macros::date!(2025 - 12 - 20);
        let period = observation_for("last_period", Answer::Date(date));
        assert_eq!(period["valueDateTime"], "2025-12-20");
        assert!(period.get("valueDate").is_none());
        let diary = observation_for("diary", Answer::Url("https://example.org/d".into()));
        assert_eq!(diary["valueString"], "https://example.org/d");
        assert!(diary.get("valueUri").is_none());
    }

    #[test]
    fn an_observation_code_has_no_nulls_and_no_empty_coding_list() {
        // FHIR JSON allows neither `null` values nor empty arrays.
        let period = observation_for(
            "last_period",
            Answer::Date(time::macros::date!(2025 - 1 - 2)),
        );
        assert_eq!(
            period["code"],
            json!({ "coding": [{ "code": "lmp" }], "text": "Last period" })
        );
        let diary = observation_for("diary", Answer::Url("https://example.org/d".into()));
        assert_eq!(diary["code"], json!({ "text": "Diary" }));
    }

    #[test]
    fn extracting_twice_gives_the_same_identifiers_and_different_submissions_do_not() {
        let form = load_yaml("t.yaml", FORM).unwrap();
        let first = extract(&form, &answers(), &context());
        let again = extract(&form, &answers(), &context());
        assert_eq!(first, again);
        let other = extract(
            &form,
            &answers(),
            &ExtractContext {
                words: crate::domain::Ids::ENGLISH,
                submission_id: Uuid::from_u128(8),
                ..context()
            },
        );
        assert_ne!(first[1].identifier, other[1].identifier);
        let mut ids: Vec<_> = first.iter().map(|c| c.identifier).collect();
        ids.dedup();
        assert_eq!(ids.len(), 3);
    }

    #[test]
    fn hooked_items_inside_repeating_groups_are_extracted_per_instance_with_their_details() {
        let form = load_yaml(
            "g.yaml",
            "\
id: g
version: '1'
title: Medicines
sections:
  - id: meds
    title: Medicines
    items:
      - id: new_medications
        type: group
        repeats: true
        text: New medicine
        items:
          - { id: med_name, type: string, text: Name, extract: medication-statement }
          - { id: med_dose, type: string, text: Dose }
",
        )
        .unwrap();
        let instance = |name: &str, dose: Option<&str>| {
            let mut inner = Answers::default();
            inner.set("med_name", vec![Answer::String(name.into())]);
            if let Some(dose) = dose {
                inner.set("med_dose", vec![Answer::String(dose.into())]);
            }
            Answer::Group(inner)
        };
        let mut answers = Answers::default();
        answers.set(
            "new_medications",
            vec![
                instance("lisinopril", Some("10 mg")),
                instance("vitamin d", None),
            ],
        );
        let changes = extract(&form, &answers, &context());
        let medications: Vec<&ProposedChange> = changes
            .iter()
            .filter(|c| c.resource_type == ResourceType::MedicationStatement)
            .collect();
        assert_eq!(medications.len(), 2);
        assert_eq!(
            medications[0].resource["medicationCodeableConcept"]["text"],
            "lisinopril"
        );
        assert_eq!(medications[0].resource["note"][0]["text"], "Dose: 10 mg");
        assert!(medications[1].resource.get("note").is_none());
        assert_ne!(medications[0].identifier, medications[1].identifier);
        assert_eq!(
            extract(&form, &answers, &context()),
            changes,
            "the same every run"
        );
    }

    #[test]
    fn free_text_where_the_item_lists_coded_answers_waits_for_staff_to_choose() {
        let form = load_yaml(
            "o.yaml",
            "\
id: o
version: '1'
title: Allergies
sections:
  - id: a
    title: Allergies
    items:
      - id: allergy
        type: open-choice
        repeats: true
        text: Allergy
        extract: allergy-intolerance
        options:
          - { code: '91936005', system: http://snomed.info/sct, display: Penicillin }
",
        )
        .unwrap();
        let mut answers = Answers::default();
        answers.set(
            "allergy",
            vec![
                Answer::Choice("91936005".into()),
                Answer::String("the blue pills".into()),
            ],
        );
        let changes = extract(&form, &answers, &context());
        let held: Vec<Option<HoldReason>> = changes[1..].iter().map(|c| c.held_because).collect();
        assert_eq!(held, [None, Some(HoldReason::AmbiguousMapping)]);
    }
}
