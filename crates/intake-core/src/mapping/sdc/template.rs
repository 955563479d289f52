//! Filling one template: every element that carries `templateExtractContext` is repeated once
//! per result of its expression (and removed when there is none); every element that carries
//! `templateExtractValue` is replaced by the results of its expression (and removed when there is
//! none). A primitive's markers sit on its `_name` sibling. The markers never reach the output.
//! Spec: <https://build.fhir.org/ig/HL7/sdc/extraction.html#template-based-extraction>

use serde_json::{Map, Value as Json};

use super::{
    scope::{Expression, Run},
    url,
    values::{clean, to_json},
};
use crate::fhirpath::{EvalContext, Value, value::Coll};

/// The instances of a contained template, filled in `focus`: normally one; none when a context
/// on the resource itself is empty. The template's own `id` is removed.
pub(super) fn fill<'a>(
    run: &mut Run<'_, 'a>,
    template: &'a Json,
    focus: &[Value<'a>],
    ctx: &EvalContext<'a>,
) -> Vec<Json> {
    let Some(object) = template.as_object() else {
        return Vec::new();
    };
    let label = format!(
        "template #{}",
        template
            .get("id")
            .and_then(Json::as_str)
            .unwrap_or_default()
    );
    let mut filler = Filler { run, label };
    let mut resources = filler.object(object, focus, ctx, "");
    for resource in &mut resources {
        if let Some(object) = resource.as_object_mut() {
            object.remove("id");
        }
        clean(resource);
    }
    resources
}

struct Filler<'f, 'r, 'a> {
    run: &'f mut Run<'r, 'a>,
    label: String,
}

/// The extraction markers of one element, and its other extensions.
struct Markers<'a> {
    context: Option<&'a Json>,
    value: Option<&'a Json>,
    rest: Vec<&'a Json>,
}

fn markers(object: &Map<String, Json>) -> Markers<'_> {
    let (context_url, value_url) = (
        url::sdc("templateExtractContext"),
        url::sdc("templateExtractValue"),
    );
    let mut markers = Markers {
        context: None,
        value: None,
        rest: Vec::new(),
    };
    for extension in object
        .get("extension")
        .and_then(Json::as_array)
        .into_iter()
        .flatten()
    {
        match extension.get("url").and_then(Json::as_str) {
            Some(u) if u == context_url && markers.context.is_none() => {
                markers.context = Some(extension);
            }
            Some(u) if u == value_url && markers.value.is_none() => markers.value = Some(extension),
            _ => markers.rest.push(extension),
        }
    }
    markers
}

impl<'a> Filler<'_, '_, 'a> {
    fn location(&self, path: &str) -> String {
        if path.is_empty() {
            self.label.clone()
        } else {
            format!("{}: {path}", self.label)
        }
    }

    /// The foci an element's context gives (each with its variable bound), or the current
    /// focus when it has none. Empty when the context evaluates to nothing.
    fn contexts(
        &mut self,
        context: Option<&'a Json>,
        focus: &[Value<'a>],
        ctx: &EvalContext<'a>,
        path: &str,
    ) -> Vec<(Coll<'a>, EvalContext<'a>)> {
        let Some(context) = context else {
            return vec![(Coll::from_slice(focus), ctx.clone())];
        };
        let location = self.location(path);
        let results = self.run.eval_extension(context, focus, ctx, &location);
        let name = Expression::of(context)
            .and_then(Result::ok)
            .and_then(|e| e.name);
        results
            .iter()
            .map(|result| {
                let focus = Coll::from_slice(std::slice::from_ref(result));
                let mut ctx = ctx.clone();
                if let Some(name) = name {
                    ctx.set_var(name, focus.clone());
                }
                (focus, ctx)
            })
            .collect()
    }

    /// A complex element's instances.
    fn object(
        &mut self,
        object: &'a Map<String, Json>,
        focus: &[Value<'a>],
        ctx: &EvalContext<'a>,
        path: &str,
    ) -> Vec<Json> {
        let markers = markers(object);
        let mut out = Vec::new();
        for (focus, ctx) in self.contexts(markers.context, focus, ctx, path) {
            if let Some(value) = markers.value {
                let location = self.location(path);
                let results = self.run.eval_extension(value, &focus, &ctx, &location);
                out.extend(results.iter().filter_map(to_json));
            } else {
                out.push(Json::Object(
                    self.body(object, &markers, &focus, &ctx, path),
                ));
            }
        }
        out
    }

    /// An object's properties, filled.
    fn body(
        &mut self,
        object: &'a Map<String, Json>,
        markers: &Markers<'a>,
        focus: &[Value<'a>],
        ctx: &EvalContext<'a>,
        path: &str,
    ) -> Map<String, Json> {
        let mut out = Map::new();
        let mut extensions = Vec::new();
        for (i, extension) in markers.rest.iter().enumerate() {
            let path = format!("{path}.extension[{i}]");
            match extension.as_object() {
                Some(e) => extensions.extend(self.object(e, focus, ctx, &path)),
                None => extensions.push((*extension).clone()),
            }
        }
        if !extensions.is_empty() {
            out.insert("extension".into(), Json::Array(extensions));
        }
        for (key, value) in object {
            if key == "extension" {
                continue;
            }
            let child = if path.is_empty() {
                key.clone()
            } else {
                format!("{path}.{key}")
            };
            if let Some(base) = key.strip_prefix('_') {
                if !object.contains_key(base) {
                    self.primitive(&mut out, base, None, value, focus, ctx, &child);
                }
            } else if let Some(extension) = object.get(&format!("_{key}")) {
                self.primitive(&mut out, key, Some(value), extension, focus, ctx, &child);
            } else {
                self.property(&mut out, key, value, focus, ctx, &child);
            }
        }
        out
    }

    /// A property without a `_name` sibling.
    fn property(
        &mut self,
        out: &mut Map<String, Json>,
        key: &str,
        value: &'a Json,
        focus: &[Value<'a>],
        ctx: &EvalContext<'a>,
        path: &str,
    ) {
        match value {
            Json::Object(object) => {
                let instances = self.object(object, focus, ctx, path);
                self.insert_single(out, key, instances, path);
            }
            Json::Array(list) => {
                let mut items = Vec::new();
                for (i, element) in list.iter().enumerate() {
                    match element.as_object() {
                        Some(object) => {
                            let path = format!("{path}[{i}]");
                            items.extend(self.object(object, focus, ctx, &path));
                        }
                        None => items.push(element.clone()),
                    }
                }
                out.insert(key.to_owned(), Json::Array(items));
            }
            other => {
                out.insert(key.to_owned(), other.clone());
            }
        }
    }

    /// Puts the first instance of a single-valued element; more than one is an issue.
    fn insert_single(
        &mut self,
        out: &mut Map<String, Json>,
        key: &str,
        instances: Vec<Json>,
        path: &str,
    ) {
        if instances.len() > 1 {
            let location = self.location(path);
            self.run.issue(
                &location,
                format!(
                    "gave {} values for a single element; kept the first",
                    instances.len()
                ),
            );
        }
        if let Some(first) = instances.into_iter().next() {
            out.insert(key.to_owned(), first);
        }
    }

    /// A primitive (or list of primitives) whose `_name` sibling may carry the markers.
    #[expect(
        clippy::too_many_arguments,
        reason = "the element's parts plus the evaluation scope; bundling them obscures the call"
    )]
    fn primitive(
        &mut self,
        out: &mut Map<String, Json>,
        key: &str,
        value: Option<&'a Json>,
        extension: &'a Json,
        focus: &[Value<'a>],
        ctx: &EvalContext<'a>,
        path: &str,
    ) {
        let pairs = match extension {
            Json::Object(extension) => {
                let pairs = self.primitive_instances(value, extension, focus, ctx, path);
                if pairs.len() > 1 {
                    let location = self.location(path);
                    self.run.issue(
                        &location,
                        format!(
                            "gave {} values for a single element; kept the first",
                            pairs.len()
                        ),
                    );
                }
                if let Some((value, extension)) = pairs.into_iter().next() {
                    put(out, key, value, extension);
                }
                return;
            }
            Json::Array(extensions) => {
                let values = value.and_then(Json::as_array);
                let len = extensions.len().max(values.map_or(0, Vec::len));
                let mut pairs = Vec::new();
                for i in 0..len {
                    let value = values.and_then(|v| v.get(i)).filter(|v| !v.is_null());
                    let path = format!("{path}[{i}]");
                    match extensions.get(i).and_then(Json::as_object) {
                        Some(extension) => pairs
                            .extend(self.primitive_instances(value, extension, focus, ctx, &path)),
                        None => pairs.push((value.cloned(), None)),
                    }
                }
                pairs
            }
            _ => {
                if let Some(value) = value {
                    self.property(out, key, value, focus, ctx, path);
                }
                return;
            }
        };
        let pairs: Vec<_> = pairs
            .into_iter()
            .filter(|(v, e)| v.is_some() || e.is_some())
            .collect();
        if pairs.is_empty() {
            return;
        }
        if pairs.iter().any(|(_, e)| e.is_some()) {
            let extensions = pairs.iter().map(|(_, e)| e.clone().unwrap_or(Json::Null));
            out.insert(format!("_{key}"), Json::Array(extensions.collect()));
        }
        let values = pairs.into_iter().map(|(v, _)| v.unwrap_or(Json::Null));
        out.insert(key.to_owned(), Json::Array(values.collect()));
    }

    /// One primitive's instances as (value, leftover `_name` object) pairs.
    fn primitive_instances(
        &mut self,
        value: Option<&'a Json>,
        extension: &'a Map<String, Json>,
        focus: &[Value<'a>],
        ctx: &EvalContext<'a>,
        path: &str,
    ) -> Vec<(Option<Json>, Option<Json>)> {
        let markers = markers(extension);
        if markers.context.is_none() && markers.value.is_none() {
            return vec![(value.cloned(), Some(Json::Object(extension.clone())))];
        }
        let mut leftover: Map<String, Json> = extension
            .iter()
            .filter(|(k, _)| *k != "extension")
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        if !markers.rest.is_empty() {
            let rest = markers.rest.iter().map(|e| (*e).clone()).collect();
            leftover.insert("extension".into(), Json::Array(rest));
        }
        let leftover = (!leftover.is_empty()).then_some(Json::Object(leftover));
        let mut pairs = Vec::new();
        for (focus, ctx) in self.contexts(markers.context, focus, ctx, path) {
            match markers.value {
                Some(expression) => {
                    let location = self.location(path);
                    let results = self.run.eval_extension(expression, &focus, &ctx, &location);
                    pairs.extend(
                        results
                            .iter()
                            .filter_map(to_json)
                            .map(|v| (Some(v), leftover.clone())),
                    );
                }
                None => pairs.push((value.cloned(), leftover.clone())),
            }
        }
        if pairs.is_empty() && leftover.is_some() {
            pairs.push((None, leftover));
        }
        pairs
    }
}

/// Writes a single primitive and its `_name` object.
fn put(out: &mut Map<String, Json>, key: &str, value: Option<Json>, extension: Option<Json>) {
    if let Some(value) = value {
        out.insert(key.to_owned(), value);
    }
    if let Some(extension) = extension {
        out.insert(format!("_{key}"), extension);
    }
}
