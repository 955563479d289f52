//! Template-based extraction as transaction entries: where `templateExtract` and
//! `templateExtractBundle` sit, the response items they fill from, and each entry's `fullUrl`
//! and `request`.
//! Spec: <https://build.fhir.org/ig/HL7/sdc/StructureDefinition-sdc-questionnaire-templateExtract.html>

use serde_json::{Value as Json, json};
use uuid::Uuid;

use super::{
    ExtractIssue, ExtractRequest, IdSource, answers_to, extensions, link_id,
    scope::{Run, Scope},
    sub_extension, template, url,
    values::to_json,
};

/// The entries of every template in the Questionnaire, in the order of the templates in
/// `contained`, then in the order of the response items they were filled from.
pub(super) fn template_entries(
    request: &ExtractRequest<'_>,
    ids: &mut dyn IdSource,
    issues: &mut Vec<ExtractIssue>,
) -> Vec<Json> {
    let questionnaire = request.questionnaire;
    if !has_templates(questionnaire) {
        return Vec::new();
    }
    let mut run = Run::new(request, ids, issues);
    let root = run.root_scope();
    let mut pending = Vec::new();
    instantiate(&mut run, questionnaire, &root, &mut pending);
    walk(
        &mut run,
        questionnaire.get("item"),
        request.response,
        &root,
        &mut pending,
    );
    // Stable: entries of one template keep the order of the response.
    pending.sort_by_key(|(position, _)| *position);
    pending.into_iter().map(|(_, entry)| entry).collect()
}

/// Entries waiting to be ordered: (position of the template in `contained`, entry).
type Pending = Vec<(usize, Json)>;

fn walk<'a>(
    run: &mut Run<'_, 'a>,
    items: Option<&'a Json>,
    parent: &'a Json,
    scope: &Scope<'a>,
    pending: &mut Pending,
) {
    for qitem in items.and_then(Json::as_array).into_iter().flatten() {
        if !has_templates(qitem) {
            continue;
        }
        for item in answers_to(parent, link_id(qitem)) {
            let scope = run.item_scope(scope, qitem, item);
            instantiate(run, qitem, &scope, pending);
            walk(run, qitem.get("item"), item, &scope, pending);
        }
    }
}

/// Whether `element` (the Questionnaire or an item) or an item below it names a template.
fn has_templates(element: &Json) -> bool {
    let names = [
        url::sdc("templateExtract"),
        url::sdc("templateExtractBundle"),
    ];
    names
        .iter()
        .any(|u| extensions(element, u).next().is_some())
        || element
            .get("item")
            .and_then(Json::as_array)
            .is_some_and(|items| items.iter().any(has_templates))
}

/// Fills the templates `element` names, in `scope`.
fn instantiate<'a>(
    run: &mut Run<'_, 'a>,
    element: &'a Json,
    scope: &Scope<'a>,
    pending: &mut Pending,
) {
    for extract in extensions(element, &url::sdc("templateExtract")) {
        let reference = sub_extension(extract, "template").and_then(reference_of);
        let Some((position, template)) = contained(run, reference, element) else {
            continue;
        };
        for resource in template::fill(run, template, &scope.focus, &scope.ctx) {
            let entry = entry(run, extract, resource, scope);
            pending.push((position, entry));
        }
    }
    for extract in extensions(element, &url::sdc("templateExtractBundle")) {
        let Some((position, template)) = contained(run, reference_of(extract), element) else {
            continue;
        };
        for bundle in template::fill(run, template, &scope.focus, &scope.ctx) {
            let entries = bundle.get("entry").and_then(Json::as_array).cloned();
            for entry in entries.into_iter().flatten() {
                if let Some(entry) = complete(run, entry) {
                    pending.push((position, entry));
                }
            }
        }
    }
}

/// The `reference` of an extension's `valueReference`.
fn reference_of(extension: &Json) -> Option<&str> {
    extension.pointer("/valueReference/reference")?.as_str()
}

/// The contained resource a `#id` reference names, with its position; a missing one is an issue.
fn contained<'a>(
    run: &mut Run<'_, 'a>,
    reference: Option<&str>,
    element: &Json,
) -> Option<(usize, &'a Json)> {
    let questionnaire = run.request.questionnaire;
    let id = reference.and_then(|r| r.strip_prefix('#'));
    let found = questionnaire
        .get("contained")
        .and_then(Json::as_array)
        .into_iter()
        .flatten()
        .enumerate()
        .find(|(_, r)| id.is_some() && r.get("id").and_then(Json::as_str) == id);
    if found.is_none() {
        let location = match link_id(element) {
            "" => "Questionnaire".to_owned(),
            link => format!("item `{link}`"),
        };
        run.issue(
            &location,
            format!(
                "no contained template `{}`",
                reference.unwrap_or("(no reference)")
            ),
        );
    }
    found
}

/// The transaction entry for one filled template: `resourceId` makes it a PUT of that id,
/// otherwise a POST; `fullUrl` is the expression's value or a fresh `urn:uuid:`.
fn entry<'a>(
    run: &mut Run<'_, 'a>,
    extract: &'a Json,
    mut resource: Json,
    scope: &Scope<'a>,
) -> Json {
    let mut text = |name: &str| -> Option<String> {
        let expression = sub_extension(extract, name)?;
        let location = format!("templateExtract {name}");
        let result = run.eval_extension(expression, &scope.focus, &scope.ctx, &location);
        result.iter().find_map(|v| match to_json(v)? {
            Json::String(s) if !s.is_empty() => Some(s),
            Json::Number(n) => Some(n.to_string()),
            _ => None,
        })
    };
    let resource_id = text("resourceId");
    let full_url = text("fullUrl");
    let conditions: Vec<(&str, String)> =
        ["ifNoneMatch", "ifModifiedSince", "ifMatch", "ifNoneExist"]
            .into_iter()
            .filter_map(|name| Some((name, text(name)?)))
            .collect();
    let resource_type = resource
        .get("resourceType")
        .and_then(Json::as_str)
        .unwrap_or_default()
        .to_owned();
    let mut request = match &resource_id {
        Some(id) => {
            if let Some(object) = resource.as_object_mut() {
                object.insert("id".into(), json!(id));
            }
            json!({ "method": "PUT", "url": format!("{resource_type}/{id}") })
        }
        None => json!({ "method": "POST", "url": resource_type }),
    };
    for (name, value) in conditions {
        request[name] = json!(value);
    }
    let full_url = match full_url {
        Some(url) => as_full_url(url),
        None => format!("urn:uuid:{}", run.ids.next_id()),
    };
    json!({ "fullUrl": full_url, "resource": resource, "request": request })
}

/// A bare UUID (as `extractAllocateId` gives) becomes a `urn:uuid:`; other values stay.
fn as_full_url(value: String) -> String {
    if !value.contains(':') && Uuid::parse_str(&value).is_ok() {
        format!("urn:uuid:{value}")
    } else {
        value
    }
}

/// An entry of a filled Bundle template, with a `fullUrl` and `request` when it has none;
/// `None` when its resource was left empty.
fn complete(run: &mut Run<'_, '_>, mut entry: Json) -> Option<Json> {
    let resource = entry.get("resource")?;
    let resource_type = resource.get("resourceType")?.as_str()?.to_owned();
    let id = resource.get("id").and_then(Json::as_str).map(str::to_owned);
    let object = entry.as_object_mut()?;
    if !object.contains_key("fullUrl") {
        object.insert(
            "fullUrl".into(),
            json!(format!("urn:uuid:{}", run.ids.next_id())),
        );
    }
    if !object.contains_key("request") {
        let request = match id {
            Some(id) => json!({ "method": "PUT", "url": format!("{resource_type}/{id}") }),
            None => json!({ "method": "POST", "url": resource_type }),
        };
        object.insert("request".into(), request);
    }
    Some(entry)
}
