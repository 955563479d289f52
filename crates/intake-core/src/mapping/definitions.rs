//! A submission's resources from SDC definition-based extraction (`extraction_context` and
//! `definition` in the form model), as proposed changes for staff: the form is written as its
//! Questionnaire and run through the one `$extract` engine (`sdc`) with the response the
//! submission makes, so the patient pages and `intake extract` extract alike. Like every
//! extracted resource, each is marked as the patient's report (unconfirmed, preliminary) and
//! waits in the posting policy; a Patient becomes an update of the chart's patient.
//! Spec: <https://build.fhir.org/ig/HL7/sdc/extraction.html#definition-based-extraction>

use std::collections::BTreeMap;

use serde_json::{Value, json};
use uuid::Uuid;

use super::{
    ChangeIdentifier, ChangeSummary, ChartSnapshot, ExtractContext, ProposedChange, ResourceType,
    posting::mark_as_reported,
    sdc::{DerivedIds, ExtractRequest, extract_definitions},
};
use crate::{
    domain::DEFINITION_TYPES,
    fhirpath::Clock,
    forms::{Form, sdc::export},
};

/// Whether the form makes resources by definition-based extraction.
pub fn uses_definitions(form: &Form) -> bool {
    form.extraction_context.is_some()
        || form.sections.iter().any(|s| s.extraction_context.is_some())
        || form.items().any(|i| i.extraction_context.is_some())
}

/// The changes definition-based extraction proposes for the submitted `response`: with the
/// chart, an expression such as `%patient` updates the chart's resources, and a Patient is
/// always an update of the chart's patient (without one it is left out: Intake never creates
/// a patient).
pub(super) fn definition_changes(
    form: &Form,
    response: &Value,
    context: &ExtractContext<'_>,
    chart: Option<&ChartSnapshot>,
) -> Vec<ProposedChange> {
    if !uses_definitions(form) {
        return Vec::new();
    }
    let questionnaire = export(form);
    let variables = variables(form, chart);
    let Some(clock) = Clock::parse(context.authored) else {
        return Vec::new();
    };
    let request = ExtractRequest {
        questionnaire: &questionnaire,
        response,
        variables: &variables,
        clock,
    };
    let extracted = extract_definitions(&request, &mut DerivedIds::for_response(response));
    let chart_patient = chart.and_then(|c| c.patient.as_ref());
    let patient = json!({ "reference": context.patient_reference });
    let mut changes = Vec::new();
    let entries = extracted.bundle["entry"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    for (index, entry) in entries.into_iter().enumerate() {
        let mut resource = entry["resource"].clone();
        let name = resource["resourceType"]
            .as_str()
            .unwrap_or_default()
            .to_owned();
        let Some(resource_type) =
            ResourceType::parse(&name).filter(|t| DEFINITION_TYPES.contains(t))
        else {
            // The importer and the loader refuse such forms; nothing to post.
            continue;
        };
        if resource_type == ResourceType::Patient {
            match (chart, chart_patient) {
                (Some(_), Some(on_file)) => resource = onto(on_file, &resource),
                // A chart without a patient: there is no one to update.
                (Some(_), None) => continue,
                // No chart (a trial run): the Patient as extracted.
                (None, _) => {}
            }
        } else {
            about_the_patient(&mut resource, resource_type, &patient);
        }
        let identifier = ChangeIdentifier(Uuid::new_v5(
            &context.submission_id,
            format!("definition/{index}").as_bytes(),
        ));
        // A Patient update is a PUT of the chart's patient by id, as the identity check's is:
        // the change's identifier would be written into the patient's own identifiers.
        if resource_type != ResourceType::Patient {
            mark_as_reported(&mut resource, resource_type, identifier);
        }
        changes.push(ProposedChange {
            identifier,
            resource_type,
            summary: ChangeSummary::from_answers(&name),
            resource,
            held_because: None,
        });
    }
    changes
}

/// The `%`-variables the Questionnaire's expressions read: the chart's patient under `patient`
/// and every launch name that is the patient, and the results of the form's queries.
fn variables(form: &Form, chart: Option<&ChartSnapshot>) -> BTreeMap<String, Value> {
    let mut variables = BTreeMap::new();
    let Some(chart) = chart else {
        return variables;
    };
    if let Some(patient) = &chart.patient {
        variables.insert("patient".to_owned(), patient.clone());
        for launch in form.launch.iter().filter(|l| l.is_patient()) {
            variables.insert(launch.name.clone(), patient.clone());
        }
    }
    for (name, result) in &chart.queries {
        variables.insert(name.clone(), result.clone());
    }
    variables
}

/// The chart's patient with the elements the answers set replaced.
fn onto(on_file: &Value, extracted: &Value) -> Value {
    let mut updated = on_file.clone();
    if let (Some(updated), Some(extracted)) = (updated.as_object_mut(), extracted.as_object()) {
        for (key, value) in extracted {
            if !matches!(key.as_str(), "resourceType" | "id" | "meta") {
                updated.insert(key.clone(), value.clone());
            }
        }
    }
    updated
}

/// Names the patient as the resource's subject, and as who reported it, where the answers
/// did not.
fn about_the_patient(resource: &mut Value, resource_type: ResourceType, patient: &Value) {
    let (subject, source) = match resource_type {
        ResourceType::AllergyIntolerance => ("patient", Some("asserter")),
        ResourceType::Condition => ("subject", Some("asserter")),
        ResourceType::MedicationStatement => ("subject", Some("informationSource")),
        ResourceType::Observation => ("subject", None),
        _ => return,
    };
    let Some(object) = resource.as_object_mut() else {
        return;
    };
    object.entry(subject).or_insert_with(|| patient.clone());
    if let Some(source) = source {
        object.entry(source).or_insert_with(|| patient.clone());
    }
}

#[cfg(test)]
mod tests;
