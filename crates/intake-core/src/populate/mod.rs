//! Prefill with SDC `$populate` semantics: a Questionnaire plus the chart (launch context and
//! query results bound as `%`-variables) gives an in-progress QuestionnaireResponse.
//! Spec: <https://hl7.org/fhir/uv/sdc/populate.html#expression-based-population>
//!
//! [`context`] says what the variables are (launch context, `sourceQueries`, `x-fhir-query` and
//! FHIRPath `variable`s) and binds each once read; the edge runs the searches against the chart
//! (`intake::ehr::resolve_context`). [`populate`] then evaluates every `initialExpression` and
//! `itemPopulationContext` over the resolved variables and builds the response. Synchronous:
//! nothing here waits on the chart.

mod answer;
pub mod context;
mod response;
mod terminology;

use std::collections::HashMap;

use serde_json::{Value as Json, json};

use crate::fhirpath::{self, Clock, CompiledExpression, EvalContext, Value, json_to_coll};

pub use context::LaunchContext;
pub use terminology::{Displays, Terminology};

/// What a populate run gives: the response, and what went wrong on the way (an expression that
/// does not compile or evaluate), which leaves the items concerned unanswered.
#[derive(Debug, Clone)]
pub struct Populated {
    /// The in-progress QuestionnaireResponse.
    pub response: Json,
    /// Problems met, each naming the item and expression.
    pub issues: Vec<String>,
}

/// The resolved variables a populate run reads (`%patient`, `%user`, query results...).
#[derive(Debug, Clone, Default)]
pub struct Variables {
    values: HashMap<String, Json>,
}

impl Variables {
    /// Binds `%name` to a JSON value (an array is a collection).
    pub fn insert(&mut self, name: &str, value: Json) {
        self.values
            .insert(name.trim_start_matches('%').to_owned(), value);
    }

    /// The value bound to `%name`.
    pub fn get(&self, name: &str) -> Option<&Json> {
        self.values.get(name)
    }

    /// Variables from a JSON object of name → value (the shape of a resolved FHIRPath context).
    pub fn from_object(object: &serde_json::Map<String, Json>) -> Self {
        let mut out = Self::default();
        for (name, value) in object {
            out.insert(name, value.clone());
        }
        out
    }
}

/// Populates `questionnaire` from `variables`, reading the clock for `now()` and `today()`;
/// coded answers without a display take one from `terminology`.
/// `%patient` gives the response's subject, `%user` its author and `%encounter` its encounter.
pub fn populate(
    questionnaire: &Json,
    variables: &Variables,
    clock: Clock,
    terminology: &dyn Terminology,
) -> Populated {
    let skeleton = json!({"resourceType": "QuestionnaireResponse", "status": "in-progress"});
    let mut eval = Evaluation {
        questionnaire,
        skeleton: &skeleton,
        variables: variables.clone(),
        clock,
        compiled: HashMap::new(),
        population_contexts: HashMap::new(),
        issues: Vec::new(),
    };
    eval.bind_population_contexts(questionnaire);
    let mut items = response::top_level_items(questionnaire, &mut eval);
    terminology::fill_displays(&mut items, terminology);
    let mut out = skeleton.clone();
    if let Some(canonical) = questionnaire_reference(questionnaire) {
        out["questionnaire"] = Json::from(canonical);
    }
    out["item"] = Json::from(response::without_empty_answers(items));
    if let Some(subject) = variables.get("patient").and_then(reference_to) {
        out["subject"] = subject;
    }
    if let Some(author) = variables.get("user").and_then(reference_to) {
        out["author"] = author;
        out["authored"] = Json::from(instant(clock));
    }
    if let Some(encounter) = variables.get("encounter").and_then(reference_to) {
        out["encounter"] = json!({"type": "Encounter", "reference": encounter["reference"]});
    }
    Populated {
        response: out,
        issues: eval.issues,
    }
}

/// The clock's time as a FHIR instant in UTC (`2025-08-07T07:38:03.107Z`).
fn instant(clock: Clock) -> String {
    let mut utc = clock.now.to_utc();
    utc.z = true;
    utc.fmt_plain()
}

/// `url|version`, or the url alone.
fn questionnaire_reference(questionnaire: &Json) -> Option<String> {
    let url = questionnaire["url"].as_str()?;
    Some(match questionnaire["version"].as_str() {
        Some(version) => format!("{url}|{version}"),
        None => url.to_owned(),
    })
}

/// A Reference to a resource, with the person's name as its display.
fn reference_to(resource: &Json) -> Option<Json> {
    let resource = match resource {
        Json::Array(list) => list.first()?,
        single => single,
    };
    let kind = resource["resourceType"].as_str()?;
    let id = resource["id"].as_str()?;
    let mut out = json!({"type": kind, "reference": format!("{kind}/{id}")});
    if matches!(kind, "Patient" | "Practitioner" | "RelatedPerson")
        && let Some(name) = display_name(&resource["name"])
    {
        out["display"] = Json::from(name);
    }
    Some(out)
}

/// A HumanName list as one line: its `text`, else prefix, given and family names.
fn display_name(names: &Json) -> Option<String> {
    let name = names.as_array()?.first()?;
    if let Some(text) = name["text"].as_str() {
        return Some(text.to_owned());
    }
    let strings = |v: &Json| -> Vec<String> {
        v.as_array()
            .into_iter()
            .flatten()
            .filter_map(|s| s.as_str().map(str::to_owned))
            .collect()
    };
    let mut parts = strings(&name["prefix"]);
    parts.extend(strings(&name["given"]));
    parts.extend(name["family"].as_str().map(str::to_owned));
    (!parts.is_empty()).then(|| parts.join(" "))
}

/// The `valueExpression` of an item's extension with this URL.
fn extension_expression<'q>(item: &'q Json, url: &str) -> Option<&'q Json> {
    item["extension"]
        .as_array()?
        .iter()
        .find(|e| e["url"] == url)
        .map(|e| &e["valueExpression"])
        .filter(|e| e.is_object())
}

/// Evaluates expressions against the variables, compiling each once and recording failures.
pub(crate) struct Evaluation<'q> {
    questionnaire: &'q Json,
    skeleton: &'q Json,
    variables: Variables,
    clock: Clock,
    compiled: HashMap<String, Result<CompiledExpression, String>>,
    /// Each `itemPopulationContext` expression by its name.
    population_contexts: HashMap<String, Json>,
    issues: Vec<String>,
}

impl Evaluation<'_> {
    /// The values `expression` (an SDC Expression) gives, as FHIR JSON; `extra` binds one more
    /// variable to a single value. Failures are recorded and give no values.
    pub(crate) fn values(
        &mut self,
        expression: &Json,
        link_id: &Json,
        extra: Option<(&str, &Json)>,
    ) -> Vec<Json> {
        let Some(source) = expression["expression"].as_str() else {
            return Vec::new();
        };
        if expression["language"].as_str().unwrap_or("text/fhirpath") != "text/fhirpath" {
            return Vec::new();
        }
        let compiled = self
            .compiled
            .entry(source.to_owned())
            .or_insert_with(|| fhirpath::compile(source).map_err(|e| e.to_string()));
        let compiled = match compiled {
            Ok(c) => c.clone(),
            Err(e) => {
                let message = format!("item {link_id}: `{source}` does not compile: {e}");
                self.issues.push(message);
                return Vec::new();
            }
        };
        let mut ctx = eval_context(self.questionnaire, &self.variables, self.clock);
        ctx.resource = Some(self.skeleton);
        if let Some((name, value)) = extra {
            ctx.set_var(name, json_to_coll(value));
        }
        match compiled.evaluate(Some(self.skeleton), &ctx) {
            Ok(values) => values.iter().map(to_fhir_json).collect(),
            Err(e) => {
                self.issues
                    .push(format!("item {link_id}: `{source}` failed: {e}"));
                Vec::new()
            }
        }
    }

    /// Runs `f` with `%name` bound to one value.
    pub(crate) fn with_variable(&mut self, name: &str, value: &Json, f: impl FnOnce(&mut Self)) {
        let previous = self.variables.values.insert(name.to_owned(), value.clone());
        f(self);
        match previous {
            Some(p) => self.variables.values.insert(name.to_owned(), p),
            None => self.variables.values.remove(name),
        };
    }

    /// The expression of the `itemPopulationContext` called `name`.
    pub(crate) fn population_context(&self, name: &str) -> Option<Json> {
        self.population_contexts.get(name).cloned()
    }

    /// The questionnaire's contained resources (value sets for coded answers).
    pub(crate) fn contained(&self) -> &[Json] {
        self.questionnaire["contained"]
            .as_array()
            .map(Vec::as_slice)
            .unwrap_or_default()
    }

    /// Binds every group's `itemPopulationContext` under its name, in document order.
    fn bind_population_contexts(&mut self, item: &Json) {
        for child in item["item"].as_array().into_iter().flatten() {
            if let Some(expression) = extension_expression(child, response::ITEM_POPULATION_CONTEXT)
                && let Some(name) = expression["name"].as_str()
            {
                let values = self.values(expression, &child["linkId"], None);
                self.variables.insert(name, Json::from(values));
                self.population_contexts
                    .insert(name.to_owned(), expression.clone());
            }
            self.bind_population_contexts(child);
        }
    }
}

/// An evaluation context with `%questionnaire` and the variables bound.
fn eval_context<'a>(
    questionnaire: &'a Json,
    variables: &'a Variables,
    clock: Clock,
) -> EvalContext<'a> {
    let mut ctx = EvalContext::new(clock);
    ctx.questionnaire = Some(questionnaire);
    for (name, value) in &variables.values {
        ctx.set_json_var(name, value);
    }
    ctx
}

/// A FHIRPath result as FHIR JSON (quantities as Quantity elements, dates as strings).
fn to_fhir_json(value: &Value<'_>) -> Json {
    match value {
        Value::Quantity(q) => json!({
            "value": fhirpath::cli::to_output_json(&Value::Dec(q.value)),
            "unit": q.unit.as_ref(),
        }),
        other => fhirpath::cli::to_output_json(other),
    }
}
