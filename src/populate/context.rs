//! Gathering what a populate run reads: the launch context, the results of the
//! questionnaire's `sourceQueries` and `x-fhir-query` variables, and its FHIRPath variables,
//! in the order the questionnaire declares them.
//! Spec: <https://hl7.org/fhir/uv/sdc/populate.html#query-based-population>

use async_trait::async_trait;
use serde_json::{Value as Json, json};

use super::{Variables, eval_context};
use crate::{
    ehr::EhrError,
    fhirpath::{self, Clock},
};

const SOURCE_QUERIES: &str =
    "http://hl7.org/fhir/uv/sdc/StructureDefinition/sdc-questionnaire-sourceQueries";
const VARIABLE: &str = "http://hl7.org/fhir/StructureDefinition/variable";

/// Where the chart is read from: a FHIR search such as
/// `Observation?code=8302-2&patient=123&_sort=-date&_count=1`, answered with a searchset Bundle.
#[async_trait]
pub trait ChartSource: Send + Sync {
    /// Runs the search.
    async fn search(&self, query: &str) -> Result<Json, EhrError>;
}

/// The resources a form is filled in for (SDC `launchContext`).
#[derive(Debug, Clone, Default)]
pub struct LaunchContext {
    /// `%patient`.
    pub patient: Option<Json>,
    /// `%user`: who is filling in the form.
    pub user: Option<Json>,
    /// `%encounter`.
    pub encounter: Option<Json>,
    /// Any other named context (e.g. `%appointment`).
    pub others: Vec<(String, Json)>,
}

/// The variables for [`super::populate`], and what could not be read (each query or
/// expression that failed, in words for the log or the analyst; the variable is left unbound).
pub async fn resolve_context(
    questionnaire: &Json,
    launch: &LaunchContext,
    source: &dyn ChartSource,
    clock: Clock,
) -> (Variables, Vec<String>) {
    let mut variables = Variables::default();
    let mut issues = Vec::new();
    let named = [
        ("patient", &launch.patient),
        ("user", &launch.user),
        ("encounter", &launch.encounter),
    ];
    for (name, value) in named {
        if let Some(value) = value {
            variables.insert(name, value.clone());
        }
    }
    for (name, value) in &launch.others {
        variables.insert(name, value.clone());
    }
    // A variable the caller bound already (e.g. a query result read from a file) is not read again.
    for (name, batch) in source_queries(questionnaire) {
        if variables.get(&name).is_some() {
            continue;
        }
        let mut responses = Vec::new();
        for url in batch_urls(batch) {
            let query = fill_template(url, questionnaire, &variables, clock);
            match source.search(&query).await {
                Ok(bundle) => {
                    responses.push(json!({"resource": bundle, "response": {"status": "200"}}))
                }
                Err(e) => issues.push(format!("source query {name} ({url}): {e}")),
            }
        }
        let result =
            json!({"resourceType": "Bundle", "type": "batch-response", "entry": responses});
        variables.insert(&name, result);
    }
    for expression in questionnaire_variables(questionnaire) {
        let Some(name) = expression["name"]
            .as_str()
            .filter(|n| variables.get(n).is_none())
        else {
            continue;
        };
        let text = expression["expression"].as_str().unwrap_or_default();
        match expression["language"].as_str() {
            Some("application/x-fhir-query") => {
                let query = fill_template(text, questionnaire, &variables, clock);
                match source.search(&query).await {
                    Ok(bundle) => variables.insert(name, bundle),
                    Err(e) => issues.push(format!("variable {name} ({text}): {e}")),
                }
            }
            Some("text/fhirpath") => match evaluate(text, questionnaire, &variables, clock) {
                Ok(values) => variables.insert(name, Json::from(values)),
                Err(e) => issues.push(format!("variable {name} (`{text}`): {e}")),
            },
            _ => {}
        }
    }
    (variables, issues)
}

/// Each `sourceQueries` batch Bundle (contained, by `#id`) with the name its results take.
fn source_queries(questionnaire: &Json) -> Vec<(String, &Json)> {
    let contained = questionnaire["contained"].as_array();
    questionnaire["extension"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|e| e["url"] == SOURCE_QUERIES)
        .filter_map(|e| e["valueReference"]["reference"].as_str()?.strip_prefix('#'))
        .filter_map(|id| {
            let bundle = contained?.iter().find(|r| r["id"] == id)?;
            Some((id.to_owned(), bundle))
        })
        .collect()
}

fn batch_urls(batch: &Json) -> impl Iterator<Item = &str> {
    batch["entry"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|e| e["request"]["url"].as_str())
}

fn questionnaire_variables(questionnaire: &Json) -> Vec<&Json> {
    questionnaire["extension"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|e| e["url"] == VARIABLE)
        .map(|e| &e["valueExpression"])
        .collect()
}

/// A query with each `{{expression}}` replaced by what the expression gives over the
/// variables ([`crate::engine::fill_query`], which the patient pages' queries use too).
pub fn fill_template(
    template: &str,
    questionnaire: &Json,
    variables: &Variables,
    clock: Clock,
) -> String {
    crate::engine::fill_query(template, &eval_context(questionnaire, variables, clock))
}

fn evaluate(
    expression: &str,
    questionnaire: &Json,
    variables: &Variables,
    clock: Clock,
) -> Result<Vec<Json>, String> {
    let compiled = fhirpath::compile(expression).map_err(|e| e.to_string())?;
    let ctx = eval_context(questionnaire, variables, clock);
    let values = compiled.evaluate(None, &ctx).map_err(|e| e.to_string())?;
    Ok(values.iter().map(super::to_fhir_json).collect())
}
