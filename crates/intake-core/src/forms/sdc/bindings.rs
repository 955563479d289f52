//! The names a form's expressions read, declared the way SDC renderers need them.
//!
//! Intake lets an expression read an item's answers as `%item_id`, the patient and
//! appointment as `%patient` and `%appointment`, and `%today` and `%age`. An SDC Questionnaire
//! declares such names: the launch resources through `sdc-questionnaire-launchContext`, the rest
//! through `variable`s; without them a renderer such as LHC-Forms stops on the first undefined
//! one. The export declares the launch resources, `%today` and `%age`; answers only on request
//! ([`with_answer_variables`]). The import recognises them all and drops them again, so a round
//! trip changes nothing.
//! Spec: <https://hl7.org/fhir/uv/sdc/STU3/expressions.html#fhirpath-supplements>,
//! <https://hl7.org/fhir/uv/sdc/STU3/StructureDefinition-sdc-questionnaire-launchContext.html>

use std::collections::BTreeSet;

use serde_json::{Value as Json, json};

use super::url;
use crate::forms::{Expression, Form, ItemKind};

/// The launch resources Intake evaluates forms with: the `%` name and its resource type.
const LAUNCH_CONTEXT: [(&str, &str); 2] = [("patient", "Patient"), ("appointment", "Appointment")];

/// Names Intake binds for every form that SDC has no word for, with the FHIRPath that computes
/// the same value: `%today` (the date of evaluation) and `%age` (the patient's age in whole
/// years on that date, from the `MM-DD` of both dates).
const DERIVED: [(&str, &str); 2] = [
    ("today", "today()"),
    (
        "age",
        "today().toString().substring(0, 4).toInteger() \
         - %patient.birthDate.toString().substring(0, 4).toInteger() \
         - iif(today().toString().substring(5) < %patient.birthDate.toString().substring(5), 1, 0)",
    ),
];

/// The FHIRPath that reads an item's answers from the whole response, in every instance of any
/// repeating group around it: what `%item_id` is bound to at the form's level.
pub fn answer_path(link_id: &str) -> String {
    format!("%resource.repeat(item).where(linkId='{link_id}').answer.value")
}

/// The linkId an [`answer_path`] reads, if `expression` is one.
fn answer_path_link_id(expression: &str) -> Option<&str> {
    expression
        .strip_prefix("%resource.repeat(item).where(linkId='")?
        .strip_suffix("').answer.value")
}

/// The `launchContext` extensions and the `%today`/`%age` variables for the names that
/// `exported` (the Questionnaire's extensions and items, as exported) reads and that the form
/// does not declare itself.
pub fn declarations(form: &Form, exported: &[&Json]) -> Vec<Json> {
    let mut reads = reads_of(exported);
    if reads.contains("age") {
        reads.insert("patient".to_owned());
    }
    let declared: BTreeSet<&str> = form.variables.iter().map(|v| v.name.as_str()).collect();
    let launch = LAUNCH_CONTEXT
        .iter()
        .filter(|(name, _)| reads.contains(*name))
        .map(|(name, kind)| {
            json!({"url": format!("{}launchContext", url::SDC), "extension": [
                {"url": "name", "valueCoding": {
                    "system": "http://hl7.org/fhir/uv/sdc/CodeSystem/launchContext", "code": name,
                }},
                {"url": "type", "valueCode": kind},
            ]})
        });
    let derived = DERIVED
        .iter()
        .filter(|(name, _)| reads.contains(*name) && !declared.contains(name))
        .map(|(name, expression)| variable(name, expression));
    launch.chain(derived).collect()
}

/// `questionnaire` (an export of `form`) with a `variable` for each item whose answers its
/// expressions read as `%item_id`, for renderers that need every name declared. Not part of
/// the export itself: FHIR's `Expression.name` is an `id`, which refuses the `_` item ids
/// commonly hold, so the answers would need renaming inside every expression first.
pub fn with_answer_variables(form: &Form, mut questionnaire: Json) -> Json {
    let reads = reads_of(&[&questionnaire]);
    let declared: BTreeSet<&str> = form.variables.iter().map(|v| v.name.as_str()).collect();
    let answers: Vec<Json> = form
        .items()
        .filter(|item| !matches!(item.kind, ItemKind::Group | ItemKind::Display))
        .filter(|item| reads.contains(item.id.as_str()) && !declared.contains(item.id.as_str()))
        .map(|item| variable(&item.id, &answer_path(item.link_id())))
        .collect();
    if let Some(extensions) = questionnaire
        .as_object_mut()
        .map(|q| q.entry("extension").or_insert_with(|| json!([])))
        .and_then(Json::as_array_mut)
    {
        // Before the form's own variables, which may read them.
        let at = extensions
            .iter()
            .position(|e| e["url"] == url::VARIABLE)
            .unwrap_or(extensions.len());
        extensions.splice(at..at, answers);
    }
    questionnaire
}

fn reads_of(values: &[&Json]) -> BTreeSet<String> {
    let mut reads = BTreeSet::new();
    for value in values {
        collect_reads(value, &mut reads);
    }
    reads
}

fn variable(name: &str, expression: &str) -> Json {
    json!({"url": url::VARIABLE, "valueExpression": {
        "name": name, "language": "text/fhirpath", "expression": expression,
    }})
}

/// Whether `ext` is a `variable` Intake binds itself, as [`declarations`] writes it: an item's
/// answers under its own linkId, `%today` or `%age`.
pub fn is_intakes_own_variable(ext: &Json) -> bool {
    let value = &ext["valueExpression"];
    let Some(name) = value["name"].as_str() else {
        return false;
    };
    let expression = &value["expression"];
    value["language"] == "text/fhirpath"
        && (expression
            .as_str()
            .and_then(answer_path_link_id)
            .is_some_and(|link| link == name || super::map_link_id(link) == name)
            || DERIVED
                .iter()
                .any(|(own, source)| *own == name && *expression == json!(source)))
}

/// Every `%name` the expressions inside `value` read: FHIRPath expressions, and the `{{...}}`
/// FHIRPath embedded in an `x-fhir-query`.
fn collect_reads(value: &Json, reads: &mut BTreeSet<String>) {
    match value {
        Json::Object(map) => {
            if let Some(expression) = map.get("valueExpression") {
                let source = expression["expression"].as_str().unwrap_or_default();
                let fhirpath: Vec<&str> = match expression["language"].as_str() {
                    Some("text/fhirpath") => vec![source],
                    Some("application/x-fhir-query") => source
                        .split("{{")
                        .skip(1)
                        .filter_map(|part| part.split_once("}}").map(|(inner, _)| inner))
                        .collect(),
                    _ => vec![],
                };
                for compiled in fhirpath
                    .into_iter()
                    .filter_map(|s| Expression::compile(s).ok())
                {
                    reads.extend(compiled.reads().iter().cloned());
                }
            }
            map.values().for_each(|v| collect_reads(v, reads));
        }
        Json::Array(list) => list.iter().for_each(|v| collect_reads(v, reads)),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use serde_json::json;
    use time::macros::date;

    use super::DERIVED;
    use crate::{
        domain::BirthDate,
        fhirpath::{Clock, EvalContext, Value, json_to_coll},
    };

    /// The exported `%age` agrees with the age the engine binds, around birthdays and leap days.
    #[test]
    fn the_exported_age_expression_gives_the_engines_age() {
        let age = crate::fhirpath::compile(DERIVED[1].1).unwrap();
        let cases = [
            ("1958-03-14", date!(2026 - 03 - 13)),
            ("1958-03-14", date!(2026 - 03 - 14)),
            ("2000-02-29", date!(2026 - 02 - 28)),
            ("2000-02-29", date!(2026 - 03 - 01)),
            ("2024-12-31", date!(2026 - 01 - 01)),
            ("2025-06-01", date!(2026 - 12 - 04)),
        ];
        for (birth, today) in cases {
            let patient = json!({"resourceType": "Patient", "birthDate": birth});
            let noon = crate::clock::millis(today.midnight().assume_utc()) + 12 * 3_600_000;
            let mut context = EvalContext::new(Clock::from_unix_millis(noon, 0));
            context.variables = HashMap::from([("patient".to_owned(), json_to_coll(&patient))]);
            let got = age.evaluate(None, &context).unwrap();
            let expected = BirthDate::from_chart(birth).unwrap().age_on(today);
            assert!(
                matches!(&got[..], [Value::Int(n)] if *n == i64::from(expected)),
                "born {birth}, on {today}: {got:?}, expected {expected}"
            );
        }
    }
}
