//! Where a definition's element sits in the resource being filled: its path resolved against
//! the FHIR R4 type model, from the current group's element or the resource, making the
//! elements on the way (an array where the element repeats).

use serde_json::{Map, Value as Json};

use super::Target;
use crate::fhirpath::model::{self, TypeId};

/// Where a definition's element sits: the pointer and definition path to start from (the
/// current group's element when the definition is below it, else the resource), and the
/// segments from there. `None` when it is not about the target's resource type.
pub(super) fn locate(
    target: &Target,
    definition: &str,
) -> Option<(String, Vec<String>, Vec<String>)> {
    let path = definition.split_once('#').map_or(definition, |(_, p)| p);
    let segments: Vec<String> = path
        .split('.')
        // A slice (`extension:race`) is the element it slices.
        .map(|s| {
            s.split(':')
                .next()
                .unwrap_or_default()
                .trim_end_matches("[x]")
                .to_owned()
        })
        .collect();
    if segments.first().map(String::as_str) != Some(target.resource_type()) {
        return None;
    }
    Some(if segments.starts_with(&target.path) {
        let rest = segments[target.path.len()..].to_vec();
        (target.pointer.clone(), target.path.clone(), rest)
    } else {
        (
            String::new(),
            segments[..1].to_vec(),
            segments[1..].to_vec(),
        )
    })
}

/// The type model's id of the element at a definition path (`[Patient, name]`).
pub(super) fn type_of(path: &[String]) -> Option<TypeId> {
    let model = model::r4();
    let mut id = model.type_id(path.first()?)?;
    for segment in &path[1..] {
        id = element_type(id, segment)?;
    }
    Some(id)
}

/// The (first) type of element `name` of type `id`, following choice keys (`valueString`).
pub(super) fn element_type(id: TypeId, name: &str) -> Option<TypeId> {
    let model = model::r4();
    model.choice_key(id, name).or_else(|| {
        model
            .element(id, name)
            .and_then(|e| e.types.first().copied())
    })
}

/// Walks `segments` down from `pointer` (at definition path `path`), making what is missing;
/// the last segment gets a new element of a repeating one when `fresh`.
pub(super) fn descend(
    resource: &mut Json,
    mut pointer: String,
    mut path: Vec<String>,
    segments: &[String],
    fresh: bool,
) -> Option<(String, Vec<String>)> {
    for (i, segment) in segments.iter().enumerate() {
        let parent_type = type_of(&path)?;
        pointer = step(
            resource,
            &pointer,
            parent_type,
            segment,
            fresh && i + 1 == segments.len(),
        )?;
        path.push(segment.clone());
    }
    Some((pointer, path))
}

/// Moves the target into a new element for one instance of a group with `definition`.
pub(super) fn enter_group(target: &mut Target, definition: &str) -> bool {
    let Some((pointer, path, segments)) = locate(target, definition) else {
        return false;
    };
    match descend(&mut target.resource, pointer, path, &segments, true) {
        Some((pointer, path)) => {
            target.pointer = pointer;
            target.path = path;
            true
        }
        None => false,
    }
}

/// One step down from the element at `pointer` (of type `parent_type`) into `segment`: a new
/// element of a repeating one when `fresh`, else the last one (made when missing). Returns the
/// pointer of the element stepped into.
fn step(
    resource: &mut Json,
    pointer: &str,
    parent_type: TypeId,
    segment: &str,
    fresh: bool,
) -> Option<String> {
    let model = model::r4();
    element_type(parent_type, segment)?;
    let object = resource.pointer_mut(pointer)?.as_object_mut()?;
    if model.repeats(parent_type, segment) {
        let list = object
            .entry(segment.to_owned())
            .or_insert_with(|| Json::Array(Vec::new()));
        let list = list.as_array_mut()?;
        if fresh || list.is_empty() {
            list.push(Json::Object(Map::new()));
        }
        Some(format!("{pointer}/{segment}/{}", list.len() - 1))
    } else {
        let element = object
            .entry(segment.to_owned())
            .or_insert_with(|| Json::Object(Map::new()));
        element.is_object().then(|| format!("{pointer}/{segment}"))
    }
}

/// Whether `name` is a choice element (`value` of `value[x]`) of type `id`.
pub(super) fn is_choice(id: TypeId, name: &str) -> bool {
    model::r4().element(id, name).is_some_and(|e| e.choice)
}
