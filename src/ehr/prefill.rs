//! Gathering what a populate run reads from the chart: the launch context, the results of the
//! questionnaire's `sourceQueries` and `x-fhir-query` variables, and its FHIRPath variables,
//! in the order the questionnaire declares them. The searches are I/O, so they run here; what
//! to search for and how each result is bound is the core's (`populate::context`), and the
//! core's [`populate`](crate::populate::populate) then takes the resolved variables.
//! Spec: <https://hl7.org/fhir/uv/sdc/populate.html#query-based-population>

use async_trait::async_trait;
use serde_json::Value as Json;

use super::EhrError;
use crate::{
    fhirpath::Clock,
    populate::{
        LaunchContext, Variables,
        context::{
            QuestionnaireVariable, batch_response, evaluate_variable, fill_template,
            questionnaire_variables, source_queries,
        },
    },
};

/// Where the chart is read from: a FHIR search such as
/// `Observation?code=8302-2&patient=123&_sort=-date&_count=1`, answered with a searchset Bundle.
#[async_trait]
pub trait ChartSource: Send + Sync {
    /// Runs the search.
    async fn search(&self, query: &str) -> Result<Json, EhrError>;
}

/// The variables for [`crate::populate::populate`], and what could not be read (each query or
/// expression that failed, in words for the log or the analyst; the variable is left unbound).
pub async fn resolve_context(
    questionnaire: &Json,
    launch: &LaunchContext,
    source: &dyn ChartSource,
    clock: Clock,
) -> (Variables, Vec<String>) {
    let mut variables = launch.variables();
    let mut issues = Vec::new();
    // A variable the caller bound already (e.g. a query result read from a file) is not read again.
    for query in source_queries(questionnaire) {
        if variables.get(&query.name).is_some() {
            continue;
        }
        let mut bundles = Vec::new();
        for url in &query.urls {
            let search = fill_template(url, questionnaire, &variables, clock);
            match source.search(&search).await {
                Ok(bundle) => bundles.push(bundle),
                Err(e) => issues.push(format!("source query {} ({url}): {e}", query.name)),
            }
        }
        variables.insert(&query.name, batch_response(bundles));
    }
    for variable in questionnaire_variables(questionnaire) {
        match variable {
            QuestionnaireVariable::Query { name, query } if variables.get(name).is_none() => {
                let search = fill_template(query, questionnaire, &variables, clock);
                match source.search(&search).await {
                    Ok(bundle) => variables.insert(name, bundle),
                    Err(e) => issues.push(format!("variable {name} ({query}): {e}")),
                }
            }
            QuestionnaireVariable::FhirPath { name, expression }
                if variables.get(name).is_none() =>
            {
                match evaluate_variable(expression, questionnaire, &variables, clock) {
                    Ok(values) => variables.insert(name, values),
                    Err(e) => issues.push(format!("variable {name} (`{expression}`): {e}")),
                }
            }
            _ => {}
        }
    }
    (variables, issues)
}
