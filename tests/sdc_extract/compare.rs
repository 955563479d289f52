//! Deep comparison of FHIR JSON with a readable report, and masking of generated UUIDs.

use std::collections::HashMap;

use serde_json::Value as Json;

/// The first difference between `expected` and `actual`, as `path: expected X, got Y`.
pub fn first_difference(path: &str, expected: &Json, actual: &Json) -> Option<String> {
    match (expected, actual) {
        (Json::Object(e), Json::Object(a)) => {
            let mut keys: Vec<&String> = e.keys().chain(a.keys()).collect();
            keys.sort();
            keys.dedup();
            keys.into_iter().find_map(|k| {
                let child = format!("{path}.{k}");
                match (e.get(k), a.get(k)) {
                    (Some(ev), Some(av)) => first_difference(&child, ev, av),
                    (Some(ev), None) => Some(format!("{child}: expected {}, missing", short(ev))),
                    (None, Some(av)) => Some(format!("{child}: not expected, got {}", short(av))),
                    (None, None) => None,
                }
            })
        }
        (Json::Array(e), Json::Array(a)) => {
            let found = e
                .iter()
                .zip(a)
                .enumerate()
                .find_map(|(i, (ev, av))| first_difference(&format!("{path}[{i}]"), ev, av));
            found.or_else(|| {
                (e.len() != a.len())
                    .then(|| format!("{path}: expected {} elements, got {}", e.len(), a.len()))
            })
        }
        (Json::Number(e), Json::Number(a)) if e.as_f64() == a.as_f64() => None,
        (e, a) if e == a => None,
        (e, a) => Some(format!("{path}: expected {}, got {}", short(e), short(a))),
    }
}

fn short(value: &Json) -> String {
    let text = value.to_string();
    if text.chars().count() > 120 {
        format!("{}…", text.chars().take(120).collect::<String>())
    } else {
        text
    }
}

/// Replaces every UUID inside strings by `<uuid-N>`, N counting distinct UUIDs in order of first
/// appearance, so two bundles compare equal when their generated ids are used the same way.
pub fn mask_uuids(value: &mut Json) {
    let pattern = regex_lite::Regex::new(
        "[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}",
    )
    .unwrap();
    let mut seen = HashMap::new();
    mask(value, &pattern, &mut seen);
}

fn mask(value: &mut Json, pattern: &regex_lite::Regex, seen: &mut HashMap<String, usize>) {
    match value {
        Json::String(s) if pattern.is_match(s) => {
            let replaced = pattern.replace_all(s, |c: &regex_lite::Captures<'_>| {
                let next = seen.len();
                let n = *seen.entry(c[0].to_lowercase()).or_insert(next);
                format!("<uuid-{n}>")
            });
            *s = replaced.into_owned();
        }
        Json::Array(list) => list.iter_mut().for_each(|v| mask(v, pattern, seen)),
        Json::Object(object) => object.values_mut().for_each(|v| mask(v, pattern, seen)),
        _ => {}
    }
}
