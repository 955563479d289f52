//! What a populate run reads, and how each part is computed once it has been read: the launch
//! context, the questionnaire's `sourceQueries` and `x-fhir-query` variables (searches the
//! edge runs against the chart, `intake::ehr::resolve_context`), and its FHIRPath variables,
//! in the order the questionnaire declares them.
//! Spec: <https://hl7.org/fhir/uv/sdc/populate.html#query-based-population>

use serde_json::{Value as Json, json};

use super::{Variables, eval_context};
use crate::fhirpath::{self, Clock};

const SOURCE_QUERIES: &str =
    "http://hl7.org/fhir/uv/sdc/StructureDefinition/sdc-questionnaire-sourceQueries";
const VARIABLE: &str = "http://hl7.org/fhir/StructureDefinition/variable";

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

impl LaunchContext {
    /// The launch context as variables: what a populate run starts from.
    pub fn variables(&self) -> Variables {
        let mut variables = Variables::default();
        let named = [
            ("patient", &self.patient),
            ("user", &self.user),
            ("encounter", &self.encounter),
        ];
        for (name, value) in named {
            if let Some(value) = value {
                variables.insert(name, value.clone());
            }
        }
        for (name, value) in &self.others {
            variables.insert(name, value.clone());
        }
        variables
    }
}

/// A `sourceQueries` batch (contained, by `#id`): the name its results take and its searches.
#[derive(Debug, Clone)]
pub struct SourceQuery<'a> {
    /// The variable the batch-response Bundle is bound to.
    pub name: String,
    /// The searches, each a URL template (`{{expression}}` filled by [`fill_template`]).
    pub urls: Vec<&'a str>,
}

/// Each `sourceQueries` batch of `questionnaire`.
pub fn source_queries(questionnaire: &Json) -> Vec<SourceQuery<'_>> {
    let contained = questionnaire["contained"].as_array();
    questionnaire["extension"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|e| e["url"] == SOURCE_QUERIES)
        .filter_map(|e| e["valueReference"]["reference"].as_str()?.strip_prefix('#'))
        .filter_map(|id| {
            let bundle = contained?.iter().find(|r| r["id"] == id)?;
            Some(SourceQuery {
                name: id.to_owned(),
                urls: batch_urls(bundle).collect(),
            })
        })
        .collect()
}

/// The batch-response Bundle a source query's variable holds: each search's searchset Bundle.
pub fn batch_response(bundles: Vec<Json>) -> Json {
    let entries: Vec<Json> = bundles
        .into_iter()
        .map(|bundle| json!({"resource": bundle, "response": {"status": "200"}}))
        .collect();
    json!({"resourceType": "Bundle", "type": "batch-response", "entry": entries})
}

fn batch_urls(batch: &Json) -> impl Iterator<Item = &str> {
    batch["entry"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|e| e["request"]["url"].as_str())
}

/// A questionnaire's `variable` extension, in declaration order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum QuestionnaireVariable<'a> {
    /// `application/x-fhir-query`: a search whose searchset Bundle is bound to `name`.
    Query {
        /// The variable's name.
        name: &'a str,
        /// The search, a URL template.
        query: &'a str,
    },
    /// `text/fhirpath`: an expression over the variables bound before it.
    FhirPath {
        /// The variable's name.
        name: &'a str,
        /// The expression.
        expression: &'a str,
    },
}

/// The questionnaire's variables in declaration order (those of another language are skipped).
pub fn questionnaire_variables(questionnaire: &Json) -> Vec<QuestionnaireVariable<'_>> {
    questionnaire["extension"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|e| e["url"] == VARIABLE)
        .map(|e| &e["valueExpression"])
        .filter_map(|expression| {
            let name = expression["name"].as_str()?;
            let text = expression["expression"].as_str().unwrap_or_default();
            match expression["language"].as_str() {
                Some("application/x-fhir-query") => {
                    Some(QuestionnaireVariable::Query { name, query: text })
                }
                Some("text/fhirpath") => Some(QuestionnaireVariable::FhirPath {
                    name,
                    expression: text,
                }),
                _ => None,
            }
        })
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

/// What a FHIRPath variable's expression gives over the variables bound so far, as FHIR JSON.
pub fn evaluate_variable(
    expression: &str,
    questionnaire: &Json,
    variables: &Variables,
    clock: Clock,
) -> Result<Json, String> {
    let compiled = fhirpath::compile(expression).map_err(|e| e.to_string())?;
    let ctx = eval_context(questionnaire, variables, clock);
    let values = compiled.evaluate(None, &ctx).map_err(|e| e.to_string())?;
    Ok(Json::from(
        values.iter().map(super::to_fhir_json).collect::<Vec<_>>(),
    ))
}
