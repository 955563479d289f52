//! R4 SDC Questionnaire → form: the Questionnaire becomes the form's YAML shape, which is written
//! as YAML and compiled by the YAML front end, so an import is always a valid form file.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{Map, Value as Json, json};

use super::{ImportError, bindings, item::ItemImporter, to_yaml, url};
use crate::forms::{Form, FormId, ValueSet, load_form, load_value_set};

/// A Questionnaire imported as a form.
#[derive(Debug, Clone)]
pub struct Imported {
    /// The compiled form (value-set items keep their value set, so export gives them back).
    pub form: Form,
    /// The form as YAML with every value set written out as `options`: a file that compiles on
    /// its own.
    pub yaml: String,
}

/// Imports an R4 SDC Questionnaire as a form. Errors name the unsupported feature and item.
pub fn import(questionnaire: &Json) -> Result<Form, ImportError> {
    import_yaml(questionnaire).map(|imported| imported.form)
}

/// Imports an R4 SDC Questionnaire, returning the compiled form and its standalone YAML.
pub fn import_yaml(questionnaire: &Json) -> Result<Imported, ImportError> {
    if questionnaire.get("resourceType").and_then(Json::as_str) != Some("Questionnaire") {
        return Err(ImportError::Invalid(
            "resourceType is not Questionnaire".into(),
        ));
    }
    let unsupported = |feature: &str| {
        Err(ImportError::Unsupported {
            item: None,
            feature: feature.to_owned(),
        })
    };
    let mut variables = Vec::new();
    let mut importer = ItemImporter::new(questionnaire)?;
    for ext in list(questionnaire, "extension") {
        let url = ext.get("url").and_then(Json::as_str).unwrap_or_default();
        let name = url.rsplit('/').next().unwrap_or_default();
        match name {
            // The chart queries Intake itself runs for every form (see `export`).
            "variable" if is_chart_query(ext) || bindings::is_intakes_own_variable(ext) => {}
            "variable" => variables.push(importer.variable(ext, None)?),
            "sdc-questionnaire-sourceQueries" => {
                return unsupported("sourceQueries (prefill from FHIR queries)");
            }
            "sdc-questionnaire-itemExtractionContext" => {
                return unsupported("itemExtractionContext (definition-based extraction)");
            }
            "sdc-questionnaire-templateExtract" => {
                return unsupported("templateExtract (template-based extraction)");
            }
            "cqf-library" => return unsupported("cqf-library (CQL libraries)"),
            "sdc-questionnaire-launchContext" => {
                let context = ext
                    .get("extension")
                    .and_then(Json::as_array)
                    .into_iter()
                    .flatten()
                    .find(|e| str_of(e, "url") == Some("name"))
                    .and_then(|e| e.pointer("/valueCoding/code").or_else(|| e.get("valueId")))
                    .and_then(Json::as_str)
                    .unwrap_or_default();
                if !matches!(context, "patient" | "appointment") && reads(questionnaire, context) {
                    return Err(ImportError::Unsupported {
                        item: None,
                        feature: format!(
                            "launchContext `{context}` (Intake launches forms with %patient and %appointment)"
                        ),
                    });
                }
            }
            _ => {}
        }
    }
    let mut top = Vec::new();
    for item in list(questionnaire, "item") {
        top.extend(importer.item(item, false)?);
    }
    if top.is_empty() {
        return Err(ImportError::Invalid(
            "the Questionnaire has no items".into(),
        ));
    }
    variables.append(&mut importer.hoisted);
    let title = importer
        .text(questionnaire, "title")
        .or_else(|| str_of(questionnaire, "name").map(|n| json!({ "en": n })))
        .unwrap_or_else(|| json!({ "en": "Imported questionnaire" }));
    let sections = sections(top, &title, &mut importer.ids);
    let id = ["name", "id"]
        .iter()
        .filter_map(|k| str_of(questionnaire, k))
        .find_map(FormId::parse)
        .or_else(|| {
            str_of(questionnaire, "url")
                .and_then(|u| u.rsplit('/').next())
                .map(|s| s.replace(|c: char| !c.is_ascii_alphanumeric() && c != '-', "_"))
                .and_then(|s| FormId::parse(&s))
        })
        .map_or_else(|| "imported".to_owned(), |id| id.to_string());
    let mut form = Map::new();
    form.insert("id".into(), json!(id));
    form.insert(
        "version".into(),
        json!(str_of(questionnaire, "version").unwrap_or("1")),
    );
    if let Some(url) = str_of(questionnaire, "url") {
        form.insert("url".into(), json!(url));
    }
    form.insert("title".into(), title);
    if let Some(description) = importer.text(questionnaire, "description") {
        form.insert("description".into(), description);
    }
    // The languages the form declared (Intake's extension), or those its translations use.
    let declared: Vec<&str> = list(questionnaire, "extension")
        .filter(|e| str_of(e, "url") == Some(url::LANGUAGES))
        .filter_map(|e| str_of(e, "valueCode"))
        .collect();
    let languages: Vec<String> = if declared.is_empty() {
        std::iter::once("en".to_owned())
            .chain(importer.languages.iter().filter(|l| *l != "en").cloned())
            .collect()
    } else {
        declared.iter().map(|l| (*l).to_owned()).collect()
    };
    form.insert("languages".into(), json!(languages));
    if let Some(crisis) = list(questionnaire, "extension")
        .find(|e| str_of(e, "url") == Some(url::CRISIS))
        .and_then(|e| importer.text(e, "valueString"))
    {
        form.insert("crisis".into(), crisis);
    }
    if let Some(most) = list(questionnaire, "extension")
        .find(|e| str_of(e, "url") == Some(url::MAX_CHANGES))
        .and_then(|e| e.get("valueInteger"))
    {
        form.insert("max_changes".into(), most.clone());
    }
    let notify: Vec<&str> = list(questionnaire, "extension")
        .filter(|e| str_of(e, "url") == Some(url::NOTIFY))
        .filter_map(|e| str_of(e, "valueString"))
        .collect();
    if !notify.is_empty() {
        form.insert("notify".into(), json!(notify));
    }
    if !variables.is_empty() {
        form.insert("variables".into(), Json::from(variables));
    }
    form.insert("sections".into(), Json::from(sections));
    let shape = Json::Object(form);
    let file = format!("{id}.yaml");
    let mut value_sets = BTreeMap::new();
    for (vs_id, options) in &importer.used_value_sets {
        let source = to_yaml(&json!({"id": vs_id, "title": {"en": vs_id}, "concepts": options}));
        let set: ValueSet = load_value_set(&format!("valuesets/{vs_id}.yaml"), &source)
            .map_err(|e| ImportError::Compile(Box::new(e)))?;
        value_sets.insert(vs_id.clone(), set);
    }
    let compiled = load_form(&file, &to_yaml(&shape), &value_sets)
        .map_err(|e| ImportError::Compile(Box::new(e)))?;
    let mut inline = shape;
    inline_value_sets(&mut inline, &importer.used_value_sets);
    Ok(Imported {
        form: compiled,
        yaml: to_yaml(&inline),
    })
}

/// Whether any expression of the Questionnaire reads `%name`.
fn reads(questionnaire: &Json, name: &str) -> bool {
    let text = questionnaire.to_string();
    let needle = format!("%{name}");
    text.match_indices(&needle).any(|(at, _)| {
        !text[at + needle.len()..].starts_with(|c: char| c.is_ascii_alphanumeric() || c == '_')
    })
}

/// Top-level groups that are plain pages become sections; other top-level items are gathered,
/// in order, into page-only sections of their own (pages the Questionnaire and its responses
/// do not have: exports and responses give their items back at the top level).
fn sections(top: Vec<Json>, title: &Json, ids: &mut BTreeSet<String>) -> Vec<Json> {
    const SECTION_KEYS: &[&str] = &["id", "type", "text", "enable_when", "items"];
    let mut sections: Vec<Json> = Vec::new();
    let mut pending: Vec<Json> = Vec::new();
    let mut flush = |pending: &mut Vec<Json>, sections: &mut Vec<Json>| {
        if pending.is_empty() {
            return;
        }
        let mut n = sections.len() + 1;
        while ids.contains(&format!("section_{n}")) {
            n += 1;
        }
        let id = format!("section_{n}");
        ids.insert(id.clone());
        sections.push(
            json!({"id": id, "title": title, "page_only": true, "items": std::mem::take(pending)}),
        );
    };
    for item in top {
        let is_page = item.get("type").and_then(Json::as_str) == Some("group")
            && item
                .as_object()
                .is_some_and(|m| m.keys().all(|k| SECTION_KEYS.contains(&k.as_str())));
        if !is_page {
            pending.push(item);
            continue;
        }
        flush(&mut pending, &mut sections);
        let Json::Object(mut m) = item else { continue };
        let mut section = Map::new();
        for key in ["id", "enable_when", "items"] {
            if let Some(value) = m.remove(key) {
                section.insert(key.into(), value);
            }
        }
        section.insert(
            "title".into(),
            m.remove("text").unwrap_or_else(|| json!({"en": ""})),
        );
        sections.push(Json::Object(section));
    }
    flush(&mut pending, &mut sections);
    sections
}

/// Replaces every `value_set: X` with `options:` listing X's concepts.
fn inline_value_sets(shape: &mut Json, sets: &BTreeMap<String, Vec<Json>>) {
    match shape {
        Json::Object(m) => {
            if let Some(Json::String(id)) = m.get("value_set")
                && let Some(options) = sets.get(id)
            {
                let options = Json::from(options.clone());
                m.remove("value_set");
                m.insert("options".into(), options);
            }
            m.values_mut().for_each(|v| inline_value_sets(v, sets));
        }
        Json::Array(list) => list.iter_mut().for_each(|v| inline_value_sets(v, sets)),
        _ => {}
    }
}

/// The elements of a JSON array property (none when absent).
pub(super) fn list<'a>(value: &'a Json, key: &str) -> impl DoubleEndedIterator<Item = &'a Json> {
    value
        .get(key)
        .and_then(Json::as_array)
        .into_iter()
        .flatten()
}

/// A string property.
pub(super) fn str_of<'a>(value: &'a Json, key: &str) -> Option<&'a str> {
    value.get(key).and_then(Json::as_str)
}

/// Doubles a backslash that starts no FHIRPath escape inside a string literal (`'\d'` as
/// regex authors write it, which FHIRPath engines such as fhirpath.js accept): `'\\d'`.
pub(super) fn repair_escapes(expression: &str) -> String {
    let mut out = String::with_capacity(expression.len());
    let mut quote = None;
    let mut chars = expression.chars().peekable();
    while let Some(c) = chars.next() {
        out.push(c);
        match (quote, c) {
            (None, '\'' | '`' | '"') => quote = Some(c),
            (Some(q), _) if c == q => quote = None,
            (Some(_), '\\') => match chars.next() {
                Some(next) if "'\"`\\/fnrtu".contains(next) => out.push(next),
                Some(next) => {
                    out.push('\\');
                    out.push(next);
                }
                None => {}
            },
            _ => {}
        }
    }
    out
}

/// A `variable` that is one of the chart reads Intake binds itself (`%AllergyIntolerance` from
/// `AllergyIntolerance?patient={{%patient.id}}`...).
fn is_chart_query(ext: &Json) -> bool {
    let value = &ext["valueExpression"];
    value["language"] == "application/x-fhir-query"
        && crate::mapping::PREFILL_TYPES.iter().any(|t| {
            value["name"] == t.as_str() && value["expression"] == crate::mapping::chart_query(*t)
        })
}
