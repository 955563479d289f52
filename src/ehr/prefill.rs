//! Reading what a form's expressions see of a patient's chart when a draft starts: the Patient,
//! their allergies, medications and conditions ([`read_chart`]), and the results of the form's
//! own searches ([`form_queries`]: SDC `x-fhir-query` variables, `sourceQueries`, and the
//! newest Observation of each item prefilled by `observationLinkPeriod`). The patient pages
//! (`intake::Services::chart`) and `intake populate` read the chart with the same functions;
//! what to search for and how a result is bound is the core's (`engine::form_searches`,
//! `engine::query_result`).
//! Spec: <https://hl7.org/fhir/uv/sdc/populate.html#query-based-population>

use std::collections::BTreeMap;

use async_trait::async_trait;
use serde_json::Value as Json;

use super::EhrError;
use crate::{
    engine::{form_searches, query_result},
    fhirpath::Clock,
    forms::Form,
    mapping::{ChartSnapshot, PREFILL_TYPES},
};

/// Where the chart is read from: a FHIR search such as
/// `Observation?code=8302-2&patient=123&_sort=-date&_count=1`, answered with a searchset Bundle.
#[async_trait]
pub trait ChartSource: Send + Sync {
    /// Runs the search.
    async fn search(&self, query: &str) -> Result<Json, EhrError>;
}

/// Reads the Patient and their allergies, medications and conditions.
pub async fn read_chart<S: ChartSource + ?Sized>(
    source: &S,
    patient_ref: &str,
) -> Result<ChartSnapshot, EhrError> {
    let id = patient_ref.strip_prefix("Patient/").unwrap_or(patient_ref);
    let patient = matches(
        &source.search(&format!("Patient?_id={id}")).await?,
        "Patient",
    )
    .into_iter()
    .next();
    Ok(ChartSnapshot {
        patient,
        resources: read_on_file(source, id).await?,
        ..Default::default()
    })
}

/// The allergies, medications and conditions on file for the patient with this id.
pub async fn read_on_file<S: ChartSource + ?Sized>(
    source: &S,
    id: &str,
) -> Result<Vec<Json>, EhrError> {
    let mut resources = Vec::new();
    for resource_type in PREFILL_TYPES {
        let bundle = source
            .search(&format!("{resource_type}?patient={id}"))
            .await?;
        resources.extend(matches(&bundle, resource_type.as_str()));
    }
    Ok(resources)
}

/// One of a form's searches that did not answer.
#[derive(Debug)]
pub struct FailedQuery {
    /// The `%` name its result would have had.
    pub name: String,
    /// Why. It may quote the search, which names the patient: not for logs.
    pub error: EhrError,
}

/// Runs `form`'s own searches for `patient` at `clock`: their results by name (a search that
/// fails leaves its `%name` empty, one search of a batch an error entry), and what failed.
/// Queries `bound` says are bound already (by the caller) are not run.
pub async fn form_queries<S: ChartSource + ?Sized>(
    source: &S,
    form: &Form,
    patient: Option<&Json>,
    clock: Clock,
    bound: impl Fn(&str) -> bool,
) -> (BTreeMap<String, Json>, Vec<FailedQuery>) {
    let mut results = BTreeMap::new();
    let mut failed = Vec::new();
    for (query, urls) in form_searches(form, patient, clock) {
        if bound(&query.name) {
            continue;
        }
        let mut answers = Vec::new();
        for url in urls {
            match source.search(&url).await {
                Ok(bundle) => answers.push(Some(bundle)),
                Err(error) => {
                    failed.push(FailedQuery {
                        name: query.name.clone(),
                        error,
                    });
                    answers.push(None);
                }
            }
        }
        if let Some(result) = query_result(&query, answers) {
            results.insert(query.name.clone(), result);
        }
    }
    (results, failed)
}

/// The matches of a searchset Bundle (not included resources), of one type.
fn matches(bundle: &Json, resource_type: &str) -> Vec<Json> {
    bundle["entry"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|e| e["search"]["mode"].as_str().is_none_or(|m| m == "match"))
        .map(|e| e["resource"].clone())
        .filter(|r| r["resourceType"] == resource_type)
        .collect()
}
