//! Definition-based extraction: the Questionnaire, or a group, marked
//! `sdc-questionnaire-itemExtractionContext` makes one resource per instance (a new one of the
//! type the context names, or the existing resources its FHIRPath expression gives, updated);
//! every item below it with a `definition` (`…/Patient#Patient.name.given`) sets that element
//! from its answers, converted to the element's type. A group with a definition makes one
//! element per instance (`Patient.name` for each name), which its items' definitions fill.
//! Spec: <https://build.fhir.org/ig/HL7/sdc/extraction.html#definition-based-extraction>

use serde_json::{Value as Json, json};

use super::{
    ExtractIssue, ExtractRequest, IdSource, answers_to, extensions, link_id,
    scope::{Expression, Run, Scope},
    url,
    values::clean,
};
use crate::fhirpath::model;

mod convert;
mod path;

use path::{descend, element_type, enter_group, is_choice, locate, type_of};

/// The URL of the extension that marks where a resource is made.
pub const CONTEXT_URL: &str =
    "http://hl7.org/fhir/uv/sdc/StructureDefinition/sdc-questionnaire-itemExtractionContext";

/// The entries definition-based extraction gives, in the order of the Questionnaire's items.
pub(super) fn entries(
    request: &ExtractRequest<'_>,
    ids: &mut dyn IdSource,
    issues: &mut Vec<ExtractIssue>,
) -> Vec<Json> {
    let questionnaire = request.questionnaire;
    if !uses_definitions(questionnaire) {
        return Vec::new();
    }
    let mut run = Run::new(request, ids, issues);
    let root = run.root_scope();
    let mut out = Vec::new();
    let response = request.response;
    match extensions(questionnaire, CONTEXT_URL).next() {
        Some(context) => {
            for mut target in targets(&mut run, context, questionnaire, &root, "Questionnaire") {
                walk(
                    &mut run,
                    questionnaire.get("item"),
                    response,
                    &root,
                    Some(&mut target),
                    &mut out,
                );
                out.extend(target.finish(&mut run));
            }
        }
        None => walk(
            &mut run,
            questionnaire.get("item"),
            response,
            &root,
            None,
            &mut out,
        ),
    }
    out
}

/// Whether the Questionnaire or any item carries an extraction context.
fn uses_definitions(element: &Json) -> bool {
    extensions(element, CONTEXT_URL).next().is_some()
        || element
            .get("item")
            .and_then(Json::as_array)
            .is_some_and(|items| items.iter().any(uses_definitions))
}

/// The resource type an extraction context names outright: its `valueCode`, or a
/// `valueExpression` that is a resource type's name. `None` for an expression to evaluate.
fn named_type(context: &Json) -> Option<&str> {
    let name = context
        .get("valueCode")
        .or_else(|| context.pointer("/valueExpression/expression"))
        .and_then(Json::as_str)?;
    model::r4().is_resource(name).then_some(name)
}

pub use crate::forms::definition_type;

/// The resource type the items below `element` define elements of (the first definition found).
fn defined_type(element: &Json) -> Option<&str> {
    element
        .get("item")
        .and_then(Json::as_array)
        .into_iter()
        .flatten()
        .find_map(|item| {
            item.get("definition")
                .and_then(Json::as_str)
                .and_then(definition_type)
                .or_else(|| defined_type(item))
        })
}

/// A resource being filled: the resource, where the current group's element sits in it, and
/// that element's definition path.
struct Target {
    resource: Json,
    /// The original, for an existing resource being updated.
    original: Option<Json>,
    /// JSON pointer of the current element (`""` for the resource, `/name/1`).
    pointer: String,
    /// Definition path segments of the current element (`[Patient, name]`).
    path: Vec<String>,
}

impl Target {
    fn new(resource: Json, original: Option<Json>) -> Option<Self> {
        let resource_type = resource.get("resourceType")?.as_str()?.to_owned();
        Some(Self {
            resource,
            original,
            pointer: String::new(),
            path: vec![resource_type],
        })
    }

    fn resource_type(&self) -> &str {
        self.path.first().map_or("", String::as_str)
    }

    /// The transaction entry, or nothing when extraction left the resource as it was.
    fn finish(mut self, run: &mut Run<'_, '_>) -> Option<Json> {
        clean(&mut self.resource);
        let resource_type = self.resource_type().to_owned();
        let unchanged = match &self.original {
            Some(original) => *original == self.resource,
            None => self.resource.as_object().is_some_and(|o| o.len() <= 1),
        };
        if unchanged {
            return None;
        }
        let id = self
            .original
            .as_ref()
            .and_then(|o| o.get("id"))
            .and_then(Json::as_str);
        let request = match id {
            Some(id) => json!({ "method": "PUT", "url": format!("{resource_type}/{id}") }),
            None => json!({ "method": "POST", "url": resource_type }),
        };
        Some(json!({
            "fullUrl": format!("urn:uuid:{}", run.ids.next_id()),
            "resource": self.resource,
            "request": request,
        }))
    }
}

/// The resources one instance of `element` (its extraction context `context`) makes.
fn targets<'a>(
    run: &mut Run<'_, 'a>,
    context: &'a Json,
    element: &'a Json,
    scope: &Scope<'a>,
    location: &str,
) -> Vec<Target> {
    let new = |resource_type: &str| Target::new(json!({ "resourceType": resource_type }), None);
    if let Some(resource_type) = named_type(context) {
        return new(resource_type).into_iter().collect();
    }
    let existing: Vec<Json> = match Expression::of(context) {
        Some(Ok(_)) => run
            .eval_extension(context, &scope.focus, &scope.ctx, location)
            .iter()
            .filter_map(super::values::to_json)
            .filter(|r| r.get("resourceType").is_some())
            .collect(),
        Some(Err(language)) => {
            run.issue(
                location,
                format!("an extraction context in `{language}` is not supported"),
            );
            Vec::new()
        }
        None => {
            run.issue(
                location,
                "the extraction context names no resource type or expression",
            );
            return Vec::new();
        }
    };
    if existing.is_empty() {
        // Nothing to update: SDC makes a new resource of the type the items define.
        return defined_type(element).and_then(new).into_iter().collect();
    }
    existing
        .into_iter()
        .filter_map(|r| Target::new(r.clone(), Some(r)))
        .collect()
}

/// Extracts the items under `parent` into `target` (and the resources of nested contexts into
/// `out`).
fn walk<'a>(
    run: &mut Run<'_, 'a>,
    items: Option<&'a Json>,
    parent: &'a Json,
    scope: &Scope<'a>,
    mut target: Option<&mut Target>,
    out: &mut Vec<Json>,
) {
    for qitem in items.and_then(Json::as_array).into_iter().flatten() {
        let location = format!("item `{}`", link_id(qitem));
        let definition = qitem.get("definition").and_then(Json::as_str);
        let group = matches!(
            qitem.get("type").and_then(Json::as_str),
            Some("group") | None
        );
        for item in answers_to(parent, link_id(qitem)) {
            let scope = run.item_scope(scope, qitem, item);
            if let Some(context) = extensions(qitem, CONTEXT_URL).next() {
                for mut inner in targets(run, context, qitem, &scope, &location) {
                    walk(run, qitem.get("item"), item, &scope, Some(&mut inner), out);
                    out.extend(inner.finish(run));
                }
                continue;
            }
            match (target.as_deref_mut(), definition) {
                (Some(target), Some(definition)) if group => {
                    let saved = (target.pointer.clone(), target.path.clone());
                    if enter_group(target, definition) {
                        walk(
                            run,
                            qitem.get("item"),
                            item,
                            &scope,
                            Some(&mut *target),
                            out,
                        );
                    } else {
                        run.issue(
                            &location,
                            format!(
                                "`{definition}` is not an element of {}",
                                target.resource_type()
                            ),
                        );
                    }
                    (target.pointer, target.path) = saved;
                }
                (Some(target), Some(definition)) => {
                    set_answers(run, target, qitem, item, definition, &location);
                    walk(run, qitem.get("item"), item, &scope, Some(target), out);
                }
                (target, _) => walk(run, qitem.get("item"), item, &scope, target, out),
            }
        }
    }
}

/// Sets the element `definition` names from the answers of one response item.
fn set_answers(
    run: &mut Run<'_, '_>,
    target: &mut Target,
    qitem: &Json,
    item: &Json,
    definition: &str,
    location: &str,
) {
    let answers: Vec<&Json> = item
        .get("answer")
        .and_then(Json::as_array)
        .into_iter()
        .flatten()
        .collect();
    if answers.is_empty() {
        return;
    }
    let resource_type = target.resource_type().to_owned();
    let not_an_element = |run: &mut Run<'_, '_>| {
        run.issue(
            location,
            format!("`{definition}` is not an element of {resource_type}"),
        );
    };
    let Some((pointer, path, mut segments)) = locate(target, definition) else {
        not_an_element(run);
        return;
    };
    let Some(leaf) = segments.pop() else {
        run.issue(
            location,
            format!("`{definition}` names the resource, not an element"),
        );
        return;
    };
    let Some((pointer, path)) = descend(&mut target.resource, pointer, path, &segments, false)
    else {
        not_an_element(run);
        return;
    };
    let Some(parent_type) =
        type_of(&path).filter(|t| element_type(*t, &leaf).is_some() || is_choice(*t, &leaf))
    else {
        not_an_element(run);
        return;
    };
    let unit = extensions(qitem, url::UNIT).find_map(|e| e.get("valueCoding"));
    let model = model::r4();
    let repeats = model.repeats(parent_type, &leaf);
    let Some(object) = target
        .resource
        .pointer_mut(&pointer)
        .and_then(Json::as_object_mut)
    else {
        return;
    };
    for (index, answer) in answers.iter().enumerate() {
        let Some((key, value)) = convert::answer_to(parent_type, &leaf, answer, unit) else {
            let issue = ExtractIssue {
                location: location.to_owned(),
                message: format!("an answer of this type does not fit `{definition}`"),
            };
            run.issues.push(issue);
            continue;
        };
        if repeats {
            let list = object.entry(key).or_insert_with(|| Json::Array(Vec::new()));
            if let Some(list) = list.as_array_mut() {
                list.push(value);
            }
        } else if index == 0 {
            object.insert(key, value);
        } else {
            run.issue(
                location,
                format!("`{definition}` takes one value; kept the first answer"),
            );
            break;
        }
    }
}

#[cfg(test)]
mod tests;
