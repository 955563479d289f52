//! R4 SDC Questionnaire → form: the Questionnaire becomes the form's YAML shape, which is written
//! as YAML and compiled by the YAML front end, so an import is always a valid form file.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{Map, Value as Json, json};

use super::{
    ImportError, NoValueSets, ValueSetSource, bindings, item::ItemImporter, map_link_id, to_yaml,
    url,
};
use crate::forms::{Form, FormId, ValueSet, load_form_with, load_value_set};

/// A Questionnaire imported as a form.
#[derive(Debug, Clone)]
pub struct Imported {
    /// The compiled form (value-set items keep their value set, so export gives them back).
    pub form: Form,
    /// The form as YAML with every value set written out as `options`: a file that compiles on
    /// its own.
    pub yaml: String,
}

/// Imports an R4 SDC Questionnaire that names no value sets outside itself as a form. Errors
/// name the unsupported feature and item.
pub fn import(questionnaire: &Json) -> Result<Form, ImportError> {
    import_with(questionnaire, &NoValueSets)
}

/// Imports an R4 SDC Questionnaire as a form, its answer lists from value sets outside it
/// taken from `source`.
pub fn import_with(questionnaire: &Json, source: &dyn ValueSetSource) -> Result<Form, ImportError> {
    import_yaml_with(questionnaire, source).map(|imported| imported.form)
}

/// Imports an R4 SDC Questionnaire that names no value sets outside itself, returning the
/// compiled form and its standalone YAML.
pub fn import_yaml(questionnaire: &Json) -> Result<Imported, ImportError> {
    import_yaml_with(questionnaire, &NoValueSets)
}

/// Imports an R4 SDC Questionnaire, returning the compiled form and its standalone YAML (with
/// every answer list written out, those of value sets outside it too).
pub fn import_yaml_with(
    questionnaire: &Json,
    source: &dyn ValueSetSource,
) -> Result<Imported, ImportError> {
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
    let mut extraction_context = None;
    let mut launch = Vec::new();
    let mut queries = Vec::new();
    // The ids of contained Bundles that are `sourceQueries` (they become queries).
    let mut batches = BTreeSet::new();
    let mut importer = ItemImporter::new(questionnaire, source)?;
    for ext in list(questionnaire, "extension") {
        let url = ext.get("url").and_then(Json::as_str).unwrap_or_default();
        let name = url.rsplit('/').next().unwrap_or_default();
        match name {
            // The chart queries Intake itself runs for every form (see `export`).
            "variable" if is_chart_query(ext) || bindings::is_intakes_own_variable(ext) => {}
            "variable"
                if str_of(&ext["valueExpression"], "language")
                    == Some("application/x-fhir-query") =>
            {
                queries.push(importer.query(ext)?);
            }
            "variable" => variables.push(importer.variable(ext, None)?),
            "sdc-questionnaire-sourceQueries" => {
                let (query, id) = source_queries(questionnaire, ext, &mut importer)?;
                queries.push(query);
                batches.insert(id);
            }
            "sdc-questionnaire-itemExtractionContext" => {
                extraction_context =
                    Some(super::extraction::import_context(ext, questionnaire, None)?);
            }
            "sdc-questionnaire-templateExtract" => {
                return unsupported("templateExtract (template-based extraction)");
            }
            "cqf-library" => return unsupported("cqf-library (CQL libraries)"),
            "sdc-questionnaire-launchContext" => {
                if let Some(declared) = launch_name(ext)
                    && !matches!(declared["name"].as_str(), Some("patient" | "appointment"))
                    && !launch.contains(&declared)
                {
                    launch.push(declared);
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
    if let Some(context) = extraction_context {
        form.insert("extraction_context".into(), context);
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
    if !launch.is_empty() {
        form.insert("launch".into(), Json::from(launch));
    }
    if !queries.is_empty() {
        form.insert("queries".into(), Json::from(queries));
    }
    // Resources besides value sets and query batches are kept as written: extraction
    // templates, and data expressions read through `%questionnaire.contained`.
    let contained: Vec<Json> = list(questionnaire, "contained")
        .filter(|c| str_of(c, "resourceType") != Some("ValueSet"))
        .filter(|c| str_of(c, "id").is_none_or(|id| !batches.contains(id)))
        .cloned()
        .collect();
    if !contained.is_empty() {
        form.insert("contained".into(), Json::from(contained));
    }
    form.insert("sections".into(), Json::from(sections));
    let shape = Json::Object(form);
    let file = format!("{id}.yaml");
    let mut value_sets = BTreeMap::new();
    for (vs_id, options) in &importer.used_value_sets {
        // A value set outside the Questionnaire is known by its canonical URL, which is no
        // file name: it compiles under a plain id and keeps the URL (export names it).
        let external = vs_id.contains(':');
        let file_id = if external { "external" } else { vs_id.as_str() };
        let source = to_yaml(&json!({"id": file_id, "title": {"en": vs_id}, "concepts": options}));
        let mut set: ValueSet = load_value_set(&format!("valuesets/{file_id}.yaml"), &source)
            .map_err(|e| ImportError::Compile(Box::new(e)))?;
        if external {
            set.id.clone_from(vs_id);
            set.url = Some(vs_id.clone());
        }
        value_sets.insert(vs_id.clone(), set);
    }
    // The answer lists again for a value set too large to list (searched on the server).
    let compiled = load_form_with(&file, &to_yaml(&shape), &value_sets, source)
        .map_err(|e| ImportError::Compile(Box::new(e)))?;
    let mut inline = shape;
    inline_value_sets(&mut inline, &importer.used_value_sets);
    Ok(Imported {
        form: compiled,
        yaml: to_yaml(&inline),
    })
}

/// A `launchContext` as `{ name, type: [...] }`: its name is a code of SDC's launch context
/// code system (`patient`, `user`, `encounter`...) or, since SDC STU3, any id.
fn launch_name(ext: &Json) -> Option<Json> {
    let part =
        |name: &'static str| list(ext, "extension").filter(move |e| str_of(e, "url") == Some(name));
    let name = part("name")
        .next()
        .and_then(|e| e.pointer("/valueCoding/code").or_else(|| e.get("valueId")))
        .and_then(Json::as_str)?;
    let types: Vec<&str> = part("type")
        .filter_map(|e| str_of(e, "valueCode"))
        .collect();
    Some(json!({"name": name, "type": types}))
}

/// A `sourceQueries` extension as a batch query named by its contained Bundle's id, with
/// that id.
fn source_queries(
    questionnaire: &Json,
    ext: &Json,
    importer: &mut ItemImporter,
) -> Result<(Json, String), ImportError> {
    let unsupported = |why: &str| ImportError::Unsupported {
        item: None,
        feature: format!("sourceQueries ({why})"),
    };
    let id = ext
        .pointer("/valueReference/reference")
        .and_then(Json::as_str)
        .and_then(|r| r.strip_prefix('#'))
        .ok_or_else(|| unsupported("a Bundle outside the Questionnaire"))?;
    let bundle = list(questionnaire, "contained")
        .find(|c| str_of(c, "id") == Some(id) && str_of(c, "resourceType") == Some("Bundle"))
        .ok_or_else(|| unsupported("no contained Bundle by that id"))?;
    let urls: Vec<&str> = list(bundle, "entry")
        .filter_map(|e| e.pointer("/request/url").and_then(Json::as_str))
        .collect();
    if urls.is_empty() || map_link_id(id) != id || !importer.ids.insert(id.to_owned()) {
        return Err(unsupported(&format!(
            "Bundle `{id}` has no searches, or its id is not a free name"
        )));
    }
    Ok((json!({"name": id, "batch": urls}), id.to_owned()))
}

/// Top-level groups that are plain pages become sections, keeping their linkId whether or not
/// it is a valid id; other top-level items are gathered, in order, into page-only sections of
/// their own (pages the Questionnaire and its responses do not have: exports and responses give
/// their items back at the top level).
fn sections(top: Vec<Json>, title: &Json, ids: &mut BTreeSet<String>) -> Vec<Json> {
    const SECTION_KEYS: &[&str] = &[
        "id",
        "link_id",
        "type",
        "text",
        "enable_when",
        "definition",
        "extraction_context",
        "items",
    ];
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
        // A linkId that is no valid id stays the section's `link_id`, so the response keeps it.
        for key in [
            "id",
            "link_id",
            "enable_when",
            "definition",
            "extraction_context",
            "items",
        ] {
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

/// `%QuestionnaireResponse`, as Aidbox and Beda forms name the response being filled in, is
/// SDC's `%resource`.
pub(super) fn response_alias(expression: &str) -> String {
    const ALIAS: &str = "%QuestionnaireResponse";
    let mut out = String::with_capacity(expression.len());
    let mut rest = expression;
    while let Some(at) = rest.find(ALIAS) {
        let after = &rest[at + ALIAS.len()..];
        let whole = !after.starts_with(|c: char| c.is_ascii_alphanumeric() || c == '_');
        out.push_str(&rest[..at]);
        out.push_str(if whole { "%resource" } else { ALIAS });
        rest = after;
    }
    out.push_str(rest);
    out
}

/// A `variable` that is one of the chart reads Intake binds itself (`%AllergyIntolerance` from
/// `AllergyIntolerance?patient={{%patient.id}}`...).
fn is_chart_query(ext: &Json) -> bool {
    let value = &ext["valueExpression"];
    value["language"] == "application/x-fhir-query"
        && crate::domain::PREFILL_TYPES.iter().any(|t| {
            value["name"] == t.as_str() && value["expression"] == crate::domain::chart_query(*t)
        })
}
