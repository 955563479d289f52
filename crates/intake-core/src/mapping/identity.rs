//! Identity: what the patient says about who they are, compared with the chart's Patient. A
//! difference is never written over the chart: it becomes a Patient update that waits for
//! staff, showing both.

use serde_json::Value;
use uuid::Uuid;

use super::{
    ChangeIdentifier, ChangeSummary, ExtractContext, HoldReason, IdentityDetail, ProposedChange,
    ResourceType,
};
use crate::{
    engine::{Answer, Answers},
    forms::Form,
};

/// The LOINC codes of the items that say who the patient is.
const BIRTH_DATE: &str = "21112-8";
const FIRST_NAME: &str = "45392-8";
const LAST_NAME: &str = "45394-4";

/// A held Patient update when the answers to items coded as birth date, first or last name
/// differ from the chart's Patient; `None` when they agree or the form does not ask.
pub fn identity_mismatch(
    form: &Form,
    answers: &Answers,
    chart_patient: &Value,
    context: &ExtractContext<'_>,
) -> Option<ProposedChange> {
    let answered = |code: &str| -> Option<String> {
        let item = form.items().find(|i| {
            i.codes
                .iter()
                .any(|c| c.system.as_deref() == Some("http://loinc.org") && c.code == code)
        })?;
        match answers.get(&item.id).first()? {
            Answer::String(text) => Some(text.trim().to_owned()),
            date @ Answer::Date(_) => Some(date.to_input()),
            _ => None,
        }
    };
    let name = &chart_patient["name"][0];
    let mut updated = chart_patient.clone();
    let mut differences = Vec::new();
    if let Some(said) = answered(BIRTH_DATE)
        && chart_patient["birthDate"].as_str() != Some(said.as_str())
    {
        differences.push((
            IdentityDetail::BirthDate,
            chart_patient["birthDate"].as_str(),
            said.clone(),
        ));
        updated["birthDate"] = Value::from(said);
    }
    if let Some(said) = answered(FIRST_NAME)
        && !same_name(name["given"][0].as_str(), &said)
    {
        differences.push((
            IdentityDetail::FirstName,
            name["given"][0].as_str(),
            said.clone(),
        ));
        updated["name"][0]["given"][0] = Value::from(said);
    }
    if let Some(said) = answered(LAST_NAME)
        && !same_name(name["family"].as_str(), &said)
    {
        differences.push((
            IdentityDetail::LastName,
            name["family"].as_str(),
            said.clone(),
        ));
        updated["name"][0]["family"] = Value::from(said);
    }
    if differences.is_empty() {
        return None;
    }
    if let Some(name) = updated["name"][0].as_object_mut() {
        // The old display text would contradict the new parts.
        name.remove("text");
    }
    Some(ProposedChange {
        identifier: ChangeIdentifier(Uuid::new_v5(&context.submission_id, b"Patient")),
        resource_type: ResourceType::Patient,
        resource: updated,
        summary: ChangeSummary::identity(&differences),
        held_because: Some(HoldReason::IdentityMismatch),
    })
}

/// Names compare without regard to case or surrounding spaces.
fn same_name(chart: Option<&str>, said: &str) -> bool {
    chart.is_some_and(|c| c.trim().eq_ignore_ascii_case(said.trim()))
}
