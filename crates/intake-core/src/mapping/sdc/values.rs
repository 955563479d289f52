//! FHIRPath results as FHIR JSON, and the clean-up that drops what extraction left empty.

use serde_json::{Map, Value as Json, json};

use crate::fhirpath::{Value, cli::to_output_json};

const UCUM: &str = "http://unitsofmeasure.org";

/// The FHIR JSON of one FHIRPath result: elements of the input as they are, System values as
/// JSON primitives, quantities as FHIR Quantity. `None` for what has no JSON form (a type, or a
/// primitive that only has extensions).
pub(super) fn to_json(value: &Value<'_>) -> Option<Json> {
    match value {
        Value::Node(node) => node.json.cloned(),
        Value::Quantity(quantity) => {
            let number = to_output_json(&Value::Dec(quantity.value));
            Some(if quantity.is_calendar() {
                json!({ "value": number, "unit": &*quantity.unit })
            } else {
                json!({ "value": number, "unit": &*quantity.unit, "system": UCUM, "code": &*quantity.unit })
            })
        }
        Value::Type(..) => None,
        other => Some(to_output_json(other)),
    }
}

/// Whether extraction left nothing in `value`: null, `""`, `{}` or `[]`.
pub(super) fn is_empty(value: &Json) -> bool {
    match value {
        Json::Null => true,
        Json::String(s) => s.is_empty(),
        Json::Object(o) => o.is_empty(),
        Json::Array(a) => a.is_empty(),
        _ => false,
    }
}

/// Drops empty values throughout, bottom-up. Nulls inside a primitive array that has a `_name`
/// sibling stay, since they keep the two arrays aligned.
pub(super) fn clean(value: &mut Json) {
    match value {
        Json::Object(object) => clean_object(object),
        Json::Array(list) => {
            list.iter_mut().for_each(clean);
            list.retain(|v| !is_empty(v));
        }
        _ => {}
    }
}

fn clean_object(object: &mut Map<String, Json>) {
    let keys: Vec<String> = object.keys().cloned().collect();
    for key in &keys {
        let aligned = match key.strip_prefix('_') {
            Some(base) => object.contains_key(base),
            None => object.contains_key(&format!("_{key}")),
        };
        match object.get_mut(key) {
            Some(Json::Array(list)) if aligned => {
                for element in list.iter_mut() {
                    clean(element);
                    if is_empty(element) {
                        *element = Json::Null;
                    }
                }
            }
            Some(other) => clean(other),
            None => {}
        }
    }
    // A `_name` array with nothing left no longer needs its partner's placeholders.
    for key in &keys {
        let Some(base) = key.strip_prefix('_') else {
            continue;
        };
        let unused = object
            .get(key)
            .and_then(Json::as_array)
            .is_some_and(|list| list.iter().all(Json::is_null));
        if unused {
            object.remove(key);
            if let Some(Json::Array(values)) = object.get_mut(base) {
                values.retain(|v| !v.is_null());
            }
        }
    }
    object.retain(|_, v| !is_empty(v));
}

/// A Quantity from a number and the item's `questionnaire-unit` Coding.
pub(super) fn quantity(number: &Json, unit: Option<&Json>) -> Json {
    let mut quantity = json!({ "value": number });
    if let Some(unit) = unit {
        let label = unit.get("display").or_else(|| unit.get("code"));
        for (key, value) in [
            ("unit", label),
            ("system", unit.get("system")),
            ("code", unit.get("code")),
        ] {
            if let Some(value) = value {
                quantity[key] = value.clone();
            }
        }
    }
    quantity
}
