//! SDC `x-fhir-query`: a FHIR search whose `{{FHIRPath}}` parts are filled in from the launch
//! context (`Observation?code=8302-2&patient={{%patient.id}}`). Filling is pure; running the
//! search is the service layer's.
//! Spec: <https://hl7.org/fhir/uv/sdc/STU3/expressions.html#x-fhir-query-enhancements>

use serde_json::{Value as Json, json};

use crate::{
    fhirpath::{self, Clock, EvalContext, Value},
    forms::{Form, Query, QueryKind},
};

/// `template` with each `{{expression}}` replaced by what the expression gives in `context`
/// (several values joined with commas, as FHIR search takes alternatives; an expression that
/// fails gives nothing).
pub fn fill_query(template: &str, context: &EvalContext<'_>) -> String {
    let mut out = String::new();
    let mut rest = template;
    while let Some(start) = rest.find("{{") {
        let Some(len) = rest[start..].find("}}") else {
            break;
        };
        out.push_str(&rest[..start]);
        let expression = rest[start + 2..start + len].trim();
        let values = fhirpath::compile(expression)
            .ok()
            .and_then(|compiled| compiled.evaluate(None, context).ok());
        let text: Vec<String> = values
            .iter()
            .flat_map(|coll| coll.iter())
            .map(|value: &Value<'_>| {
                let json = fhirpath::cli::to_output_json(value);
                json.as_str()
                    .map_or_else(|| json.to_string(), str::to_owned)
            })
            .collect();
        out.push_str(&text.join(","));
        rest = &rest[start + len + 2..];
    }
    out.push_str(rest);
    out
}

/// The searches a form's queries make for a patient, filled in over `%patient` at `clock`:
/// each query with its URLs, in order, then one search per item prefilled from the newest
/// Observation of its code ([`observation_link_key`]).
pub fn form_searches(
    form: &Form,
    patient: Option<&Json>,
    clock: Clock,
) -> Vec<(Query, Vec<String>)> {
    let mut context = EvalContext::new(clock);
    if let Some(patient) = patient {
        context.set_json_var("patient", patient);
        for declared in form.launch.iter().filter(|l| l.is_patient()) {
            context.set_json_var(&declared.name, patient);
        }
    }
    let linked = form
        .items()
        .filter(|item| item.observation_link.is_some() && !item.codes.is_empty())
        .map(|item| {
            let codes: Vec<String> = item
                .codes
                .iter()
                .map(|c| match &c.system {
                    Some(system) => format!("{system}|{}", c.code),
                    None => c.code.clone(),
                })
                .collect();
            Query {
                name: observation_link_key(&item.id),
                kind: QueryKind::Search(format!(
                    "Observation?code={}&patient={{{{%patient.id}}}}&_sort=-date&_count=1",
                    codes.join(",")
                )),
            }
        });
    form.queries
        .iter()
        .cloned()
        .chain(linked)
        .map(|query| {
            let urls = query
                .templates()
                .iter()
                .map(|t| fill_query(t, &context))
                .collect();
            (query, urls)
        })
        .collect()
}

/// The name the newest Observation for an item with an `observation_link` is kept under in the
/// chart read: not a FHIRPath name, so no expression reads it by mistake.
pub fn observation_link_key(item_id: &str) -> String {
    format!("{item_id}.observation")
}

/// What a query's `%name` holds once its searches answered (each a searchset Bundle, in
/// order; `None` for one that failed): the Bundle of a search, or a batch-response Bundle
/// with one entry per search of a batch, as SDC `sourceQueries` has it. `None` when a plain
/// search failed.
pub fn query_result(query: &Query, answers: Vec<Option<Json>>) -> Option<Json> {
    match &query.kind {
        QueryKind::Search(_) => answers.into_iter().next().flatten(),
        QueryKind::Batch(_) => {
            let entries: Vec<Json> = answers
                .into_iter()
                .map(|answer| match answer {
                    Some(bundle) => json!({"resource": bundle, "response": {"status": "200"}}),
                    None => json!({"response": {"status": "500"}}),
                })
                .collect();
            Some(json!({"resourceType": "Bundle", "type": "batch-response", "entry": entries}))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_query_takes_the_patients_id_and_joins_several_values_with_commas() {
        let patient = json!({"resourceType": "Patient", "id": "p-1"});
        let mut context = EvalContext::new(Clock::parse("2025-01-01T00:00:00Z").unwrap());
        context.set_json_var("patient", &patient);
        assert_eq!(
            fill_query("Observation?code=8302-2&patient={{%patient.id}}", &context),
            "Observation?code=8302-2&patient=p-1"
        );
        assert_eq!(
            fill_query("Observation?code={{ '1' | '2' }}&_count=1", &context),
            "Observation?code=1,2&_count=1"
        );
    }
}
