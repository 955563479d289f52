//! `intake extract --for-posting`: the Bundle Intake would post for a response, built the way
//! a submission is (a YAML form through its own extraction, a Questionnaire through SDC
//! `$extract`), compared with the chart given as contexts.

use std::{collections::BTreeMap, io::Write, sync::Arc};

use serde_json::{Value as Json, json};
use uuid::Uuid;

use super::warn;
use crate::{
    ehr::{OutgoingChange, transaction_entry},
    engine::{LaunchContext, answers_from_response, evaluate},
    forms::Form,
    mapping::{
        ChartSnapshot, Compared, ExtractContext, PREFILL_TYPES, PostingPolicy, Route,
        proposals_from_extract, propose,
        sdc::{DerivedIds, ExtractRequest, extract},
    },
};

/// The transaction Bundle of what would be posted or held; what the chart already has and
/// where each change goes are reported on stderr (by type, without patient data).
pub fn bundle(
    form: Option<&Form>,
    request: &ExtractRequest<'_>,
    now_instant: String,
) -> Result<Json, String> {
    let response = request.response;
    let chart = chart_from(request.variables);
    let patient_reference = response["subject"]["reference"]
        .as_str()
        .map(str::to_owned)
        .or_else(|| {
            let id = chart.patient.as_ref()?["id"].as_str()?;
            Some(format!("Patient/{id}"))
        })
        .ok_or("--for-posting needs the response's subject or a patient context")?;
    let authored = response["authored"]
        .as_str()
        .map(str::to_owned)
        .unwrap_or(now_instant);
    // The same response always gives the same identifiers.
    let submission_id = Uuid::new_v5(&Uuid::NAMESPACE_URL, response.to_string().as_bytes());
    let context = ExtractContext {
        words: crate::i18n::Language::english(),
        submission_id,
        patient_reference: &patient_reference,
        authored: &authored,
    };
    let compared = match form {
        Some(form) => from_form(form, request, &context, &chart)?,
        None => {
            let extracted = extract(request, &mut DerivedIds::for_response(response));
            warn(&extracted.issues);
            let (compared, skipped) =
                proposals_from_extract(response, &extracted.bundle, &context, &chart);
            warn(
                &skipped
                    .iter()
                    .map(|t| format!("Intake does not write {t} resources; left out"))
                    .collect::<Vec<_>>(),
            );
            compared
        }
    };
    report(&compared, form.map_or("", |f| f.id.as_str()));
    let entries: Vec<Json> = compared
        .changes
        .iter()
        .map(|c| {
            transaction_entry(OutgoingChange {
                identifier: c.identifier,
                resource_type: c.resource_type,
                resource: &c.resource,
            })
        })
        .collect();
    Ok(json!({"resourceType": "Bundle", "type": "transaction", "entry": entries}))
}

/// A YAML form's own extraction, from the answers in the response.
fn from_form(
    form: &Form,
    request: &ExtractRequest<'_>,
    context: &ExtractContext<'_>,
    chart: &ChartSnapshot,
) -> Result<Compared, String> {
    let answers = answers_from_response(form, request.response)?;
    let launch = LaunchContext {
        patient: chart.patient.clone().map(Arc::new),
        appointment: request.variables.get("appointment").cloned().map(Arc::new),
        today: crate::clock::from_millis(request.clock.now.epoch_millis()).date(),
        now_millis: request.clock.now.epoch_millis(),
        utc_offset: time::UtcOffset::UTC,
        variables: chart.variables().into_iter().collect(),
    };
    let evaluation = evaluate(form, &launch, &answers);
    Ok(propose(form, &evaluation.answers, context, chart))
}

/// The chart given as contexts: `patient`, and the prefill Bundles by type name.
fn chart_from(variables: &BTreeMap<String, Json>) -> ChartSnapshot {
    let resources = PREFILL_TYPES
        .iter()
        .filter_map(|t| variables.get(t.as_str()))
        .flat_map(|bundle| bundle["entry"].as_array().cloned().unwrap_or_default())
        .map(|entry| entry["resource"].clone())
        .collect();
    ChartSnapshot {
        patient: variables.get("patient").cloned(),
        resources,
        ..Default::default()
    }
}

/// Where each change goes, and how many the chart already had, on stderr.
fn report(compared: &Compared, form: &str) {
    let policy = PostingPolicy::default();
    let mut lines: Vec<String> = compared
        .changes
        .iter()
        .map(|c| match policy.route(c, form) {
            Route::Post => format!("{}: posts on its own", c.resource_type),
            Route::Hold(reason) => format!(
                "{}: waits for {} ({})",
                c.resource_type,
                policy.reviewer(c.resource_type, Some(reason)).describe(),
                reason.code()
            ),
        })
        .collect();
    if !compared.already_on_file.is_empty() {
        lines.push(format!(
            "{} reported item(s) already on the chart, not proposed again",
            compared.already_on_file.len()
        ));
    }
    let mut stderr = std::io::stderr().lock();
    for line in lines {
        drop(writeln!(stderr, "intake: note: {line}"));
    }
}
