//! One answer as the value of the element a definition names: the answer's type converted to
//! the element's (a Coding to a `code` or a CodeableConcept, a number with a unit to a
//! Quantity, a date to a dateTime...), and for a choice element (`value[x]`) the first of its
//! types the answer converts to, its own type first.
//! Spec: <https://build.fhir.org/ig/HL7/sdc/extraction.html#definition-based-extraction>

use serde_json::{Value as Json, json};

use super::super::values::quantity;
use crate::fhirpath::model::{self, TypeId, capitalize};

/// The JSON key and value of element `leaf` of type `parent` for `answer`; `None` when the
/// answer's type does not convert to the element's.
pub(super) fn answer_to(
    parent: TypeId,
    leaf: &str,
    answer: &Json,
    unit: Option<&Json>,
) -> Option<(String, Json)> {
    let (answer_key, value) = answer
        .as_object()?
        .iter()
        .find(|(k, _)| k.starts_with("value"))?;
    let answer_type = &answer_key["value".len()..];
    let model = model::r4();
    let candidates: Vec<(String, TypeId)> = match model.element(parent, leaf) {
        Some(element) if element.choice => {
            let mut types: Vec<(String, TypeId)> = element
                .types
                .iter()
                .map(|t| (format!("{leaf}{}", capitalize(model.name(*t))), *t))
                .collect();
            // The answer's own type first, then a CodeableConcept for a Coding.
            types.sort_by_key(|(_, t)| {
                let name = model.name(*t);
                if name.eq_ignore_ascii_case(answer_type) {
                    0
                } else if name == "CodeableConcept" && answer_type == "Coding" {
                    1
                } else {
                    2
                }
            });
            types
        }
        Some(element) => element
            .types
            .first()
            .map(|t| (leaf.to_owned(), *t))
            .into_iter()
            .collect(),
        // A choice element named with its type (`Extension.valueString`).
        None => model
            .choice_key(parent, leaf)
            .map(|t| (leaf.to_owned(), t))
            .into_iter()
            .collect(),
    };
    candidates
        .into_iter()
        .find_map(|(key, ty)| Some((key, convert(answer_type, value, ty, unit)?)))
}

/// `value` (an answer of `answer_type`: `String`, `Coding`...) as a value of type `ty`.
fn convert(answer_type: &str, value: &Json, ty: TypeId, unit: Option<&Json>) -> Option<Json> {
    let model = model::r4();
    let target = model.name(ty);
    let text = || value.as_str().map(|s| json!(s));
    let number = || value.as_f64().is_some().then(|| value.clone());
    let is_quantity = model
        .type_id("Quantity")
        .is_some_and(|q| model.is_subtype(ty, q));
    if is_quantity {
        return match answer_type {
            "Quantity" => Some(value.clone()),
            "Decimal" | "Integer" => Some(quantity(value, unit)),
            _ => None,
        };
    }
    match (target, answer_type) {
        ("string" | "markdown", "String" | "Uri" | "Date" | "DateTime" | "Time") => text(),
        ("string" | "markdown", "Coding") => {
            value.get("display").or_else(|| value.get("code")).cloned()
        }
        ("string" | "markdown", "Integer" | "Decimal") => Some(json!(value.to_string())),
        ("code" | "id" | "uri" | "url" | "canonical" | "oid" | "uuid", "String" | "Uri") => text(),
        ("code" | "id" | "uri" | "url" | "canonical" | "oid" | "uuid", "Coding") => {
            value.get("code").cloned()
        }
        ("boolean", "Boolean") => value.as_bool().map(Json::from),
        ("integer" | "positiveInt" | "unsignedInt", "Integer") => number(),
        ("integer" | "positiveInt" | "unsignedInt", "Decimal") => value
            .as_f64()
            .filter(|n| n.fract() == 0.0)
            .and_then(|_| value.as_i64().or_else(|| value.as_f64().map(|n| n as i64)))
            .map(Json::from),
        ("decimal", "Decimal" | "Integer") => number(),
        ("date", "Date") | ("dateTime", "Date" | "DateTime") | ("time", "Time") => text(),
        ("date", "DateTime") => value.as_str().and_then(|s| s.get(..10)).map(Json::from),
        ("instant", "DateTime") => value
            .as_str()
            .filter(|s| s.contains('T') && (s.ends_with('Z') || s.contains('+')))
            .map(Json::from),
        ("CodeableConcept", "Coding") => Some(json!({ "coding": [value] })),
        ("CodeableConcept", "String") => text().map(|t| json!({ "text": t })),
        ("Coding", "Coding") | ("Reference", "Reference") | ("Attachment", "Attachment") => {
            Some(value.clone())
        }
        (target, answer) if target.eq_ignore_ascii_case(answer) => Some(value.clone()),
        _ => None,
    }
}
