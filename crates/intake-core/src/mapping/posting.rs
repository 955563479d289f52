//! What Intake adds to an SDC `$extract` Bundle before posting: a stable identifier on every
//! resource, patient-reported facts marked unconfirmed, the chart diff and the Provenance.

use serde_json::{Value, json};
use uuid::Uuid;

use super::{
    ChangeIdentifier, ChangeSummary, ChartSnapshot, Compared, ExtractContext, ProposedChange,
    ResourceType, compare_with_chart, provenance,
};

/// The proposed changes for the QuestionnaireResponse and the resources `$extract` gave in
/// `bundle`, compared with `chart`. Resources of types Intake does not write are listed in
/// the second value, by type, and left out.
pub fn proposals_from_extract(
    response: &Value,
    bundle: &Value,
    context: &ExtractContext<'_>,
    chart: &ChartSnapshot,
) -> (Compared, Vec<String>) {
    let mut changes = Vec::new();
    let mut skipped = Vec::new();
    let resources = std::iter::once(response.clone()).chain(
        bundle["entry"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|e| e["resource"].clone()),
    );
    for (index, mut resource) in resources.enumerate() {
        let name = resource["resourceType"]
            .as_str()
            .unwrap_or_default()
            .to_owned();
        let Some(resource_type) = ResourceType::parse(&name) else {
            skipped.push(name);
            continue;
        };
        let identifier = ChangeIdentifier(Uuid::new_v5(
            &context.submission_id,
            format!("extract/{index}").as_bytes(),
        ));
        mark_as_reported(&mut resource, resource_type, identifier);
        if resource_type == ResourceType::QuestionnaireResponse
            && let Some(response) = resource.as_object_mut()
        {
            // The id another system gave the response is not the EHR's: it assigns one, and
            // the identifier makes the create idempotent.
            response.remove("id");
        }
        changes.push(ProposedChange {
            identifier,
            resource_type,
            summary: ChangeSummary::from_answers(&name),
            resource,
            held_because: None,
        });
    }
    let mut compared = compare_with_chart(changes, chart);
    let provenance = provenance(context, &compared.changes);
    compared.changes.push(provenance);
    (compared, skipped)
}

/// Adds the change identifier, and marks patient-reported clinical facts as unconfirmed.
pub(super) fn mark_as_reported(
    resource: &mut Value,
    resource_type: ResourceType,
    identifier: ChangeIdentifier,
) {
    let id = identifier.to_fhir();
    match resource["identifier"].as_array_mut() {
        Some(list) => list.push(id),
        None if resource_type == ResourceType::QuestionnaireResponse => resource["identifier"] = id,
        None => resource["identifier"] = json!([id]),
    }
    let verification = match resource_type {
        ResourceType::AllergyIntolerance => Some("allergyintolerance-verification"),
        ResourceType::Condition => Some("condition-ver-status"),
        _ => None,
    };
    if let Some(system) = verification {
        resource["verificationStatus"] = json!({"coding": [{
            "system": format!("http://terminology.hl7.org/CodeSystem/{system}"),
            "code": "unconfirmed",
            "display": "Unconfirmed",
        }]});
    }
    if resource_type == ResourceType::Observation {
        resource["status"] = json!("preliminary");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn extracted_resources_gain_identifiers_and_are_marked_as_reported() {
        let response =
            json!({"resourceType": "QuestionnaireResponse", "id": "qr-1", "status": "completed"});
        let bundle = json!({"entry": [
            {"resource": {"resourceType": "AllergyIntolerance", "code": {"text": "Latex"},
                "verificationStatus": {"coding": [{"code": "confirmed"}]}}},
            {"resource": {"resourceType": "Immunization"}},
        ]});
        let context = ExtractContext {
            words: crate::domain::Ids::ENGLISH,
            submission_id: Uuid::from_u128(1),
            patient_reference: "Patient/p",
            authored: "2026-01-01T00:00:00Z",
        };
        let (compared, skipped) =
            proposals_from_extract(&response, &bundle, &context, &ChartSnapshot::default());
        assert_eq!(skipped, ["Immunization"]);
        let types: Vec<ResourceType> = compared.changes.iter().map(|c| c.resource_type).collect();
        assert_eq!(
            types,
            [
                ResourceType::QuestionnaireResponse,
                ResourceType::AllergyIntolerance,
                ResourceType::Provenance
            ]
        );
        let allergy = &compared.changes[1];
        assert_eq!(
            allergy.resource["identifier"][0],
            allergy.identifier.to_fhir()
        );
        assert_eq!(
            allergy.resource["verificationStatus"]["coding"][0]["code"],
            "unconfirmed"
        );
        assert_eq!(
            compared.changes[0].resource["identifier"],
            compared.changes[0].identifier.to_fhir()
        );
        assert!(compared.changes[0].resource.get("id").is_none());
    }
}
