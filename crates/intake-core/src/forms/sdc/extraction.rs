//! SDC definition-based extraction in and out of the form model: `itemExtractionContext` on
//! the Questionnaire or a group becomes `extraction_context`, an item's `definition` stays its
//! `definition`, and export writes both back as they came (`valueCode` or `valueExpression`).
//! A context that would make a resource Intake does not post is refused by item and type.
//! Spec: <https://build.fhir.org/ig/HL7/sdc/extraction.html#definition-based-extraction>

use serde_json::{Map, Value as Json, json};

use super::{
    ImportError,
    import::{list, str_of},
    url,
};
use crate::forms::{ExtractionContext, definition_type, extractable_by_definition};

/// The extension's name after the SDC prefix.
pub(super) const NAME: &str = "itemExtractionContext";

/// Whether `ext` is an `itemExtractionContext`.
pub(super) fn is_context(ext: &Json) -> bool {
    str_of(ext, "url").and_then(|u| u.strip_prefix(url::SDC)) == Some(NAME)
}

/// The YAML shape of the extraction context `ext` on `element` (the Questionnaire, or the item
/// `item`): `{ resource }` for a `valueCode`, `{ expression }` for a FHIRPath
/// `valueExpression`. Refused by name: another language, or a resource Intake does not post.
pub(super) fn import_context(
    ext: &Json,
    element: &Json,
    item: Option<&str>,
) -> Result<Json, ImportError> {
    let unsupported = |feature: String| ImportError::Unsupported {
        item: item.map(str::to_owned),
        feature,
    };
    let (shape, named) = if let Some(code) = str_of(ext, "valueCode") {
        (json!({ "resource": code }), Some(code))
    } else if let Some(expression) = ext.get("valueExpression") {
        let language = str_of(expression, "language").unwrap_or("text/fhirpath");
        let source = str_of(expression, "expression");
        let is_type = source.is_some_and(|s| crate::fhirpath::model::r4().is_resource(s));
        match source {
            Some(source) if language == "text/fhirpath" => {
                (json!({ "expression": source }), is_type.then_some(source))
            }
            // A search of a whole type (`Patient`, as the Android FHIR SDK writes it) names
            // the type to make: the form model keeps it as that type.
            Some(source) if language == "application/x-fhir-query" && is_type => {
                (json!({ "resource": source }), Some(source))
            }
            _ => {
                return Err(unsupported(format!(
                    "{NAME} in `{language}` (a search for resources to update)"
                )));
            }
        }
    } else {
        return Err(unsupported(format!(
            "{NAME} without a valueCode or valueExpression"
        )));
    };
    let Some(resource_type) = named.or_else(|| defined_type(element)) else {
        return Err(unsupported(format!(
            "{NAME} whose items have no definition naming the resource"
        )));
    };
    if !extractable_by_definition(resource_type) {
        return Err(unsupported(format!(
            "{NAME} making {resource_type} (a resource Intake does not post)"
        )));
    }
    Ok(shape)
}

/// The resource type of the first definition among the items below `element`.
fn defined_type(element: &Json) -> Option<&str> {
    list(element, "item").find_map(|item| {
        str_of(item, "definition")
            .and_then(definition_type)
            .or_else(|| defined_type(item))
    })
}

/// Writes an extraction context back as the extension it came from.
pub(super) fn export_context(context: &ExtractionContext) -> Json {
    let url = format!("{}{NAME}", url::SDC);
    match (&context.resource, &context.expression) {
        (Some(resource), _) => json!({ "url": url, "valueCode": resource }),
        (None, expression) => json!({ "url": url, "valueExpression": {
            "language": "text/fhirpath", "expression": expression,
        }}),
    }
}

/// Puts `definition` and the extension of `context` on an exported element.
pub(super) fn export_into(
    out: &mut Map<String, Json>,
    definition: Option<&String>,
    context: Option<&ExtractionContext>,
) {
    if let Some(definition) = definition {
        out.insert("definition".into(), json!(definition));
    }
    if let Some(context) = context {
        let extension = out
            .entry("extension")
            .or_insert_with(|| Json::Array(Vec::new()));
        if let Some(list) = extension.as_array_mut() {
            list.push(export_context(context));
        }
    }
}
