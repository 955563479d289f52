//! YAML text in the form language of `docs/forms.md`, written from the form's YAML shape held as
//! JSON. Every string is double-quoted with JSON escaping (valid YAML), so nothing is misread.

use serde_json::Value as Json;

/// Keys in the order designers write them; others follow alphabetically.
const ORDER: &[&str] = &[
    "id",
    "link_id",
    "child_of",
    "page_only",
    "name",
    "version",
    "url",
    "title",
    "description",
    "languages",
    "variables",
    "type",
    "text",
    "help",
    "code",
    "system",
    "display",
    "question",
    "operator",
    "answer",
    "weight",
    "required",
    "repeats",
    "min_occurs",
    "max_occurs",
    "read_only",
    "hidden",
    "options",
    "value_set",
    "value_type",
    "min",
    "max",
    "min_length",
    "max_length",
    "regex",
    "pattern",
    "unit",
    "constraints",
    "expression",
    "severity",
    "when",
    "message",
    "for",
    "enable_when",
    "calculated",
    "initial",
    "candidates",
    "answer_expression",
    "initial_value",
    "flags",
    "extract",
    "definition",
    "extraction_context",
    "resource",
    "on_file",
    "consent",
    "signature",
    "drawn",
    "mime_types",
    "max_size",
    "bands",
    "label",
    "meaning",
    "normal",
    "marker",
    "interpreter",
    "autocomplete",
    "inputmode",
    "concepts",
    "sections",
    "items",
];

/// Writes `shape` (a form, value set or any JSON value in the form language's shape) as YAML.
pub fn to_yaml(shape: &Json) -> String {
    let mut out = String::new();
    match shape {
        Json::Object(map) if !map.is_empty() => write_map(map, 0, &mut out),
        other => {
            out.push_str(&scalar(other));
            out.push('\n');
        }
    }
    out
}

fn scalar(value: &Json) -> String {
    match value {
        Json::Object(m) if m.is_empty() => "{}".to_owned(),
        Json::Array(a) if a.is_empty() => "[]".to_owned(),
        Json::String(s) => serde_json::to_string(s).unwrap_or_default(),
        other => other.to_string(),
    }
}

fn is_block(value: &Json) -> bool {
    match value {
        Json::Object(m) => !m.is_empty(),
        Json::Array(a) => !a.is_empty(),
        _ => false,
    }
}

fn key_text(key: &str) -> String {
    let plain = key
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
        && key.starts_with(|c: char| c.is_ascii_alphabetic())
        && !matches!(
            key.to_ascii_lowercase().as_str(),
            "y" | "n" | "yes" | "no" | "on" | "off" | "true" | "false" | "null"
        );
    if plain {
        key.to_owned()
    } else {
        serde_json::to_string(key).unwrap_or_default()
    }
}

fn sorted(map: &serde_json::Map<String, Json>) -> Vec<(&String, &Json)> {
    let mut entries: Vec<_> = map.iter().collect();
    entries.sort_by_key(|(k, _)| {
        (
            ORDER.iter().position(|o| o == k).unwrap_or(ORDER.len()),
            k.as_str(),
        )
    });
    entries
}

fn write_map(map: &serde_json::Map<String, Json>, indent: usize, out: &mut String) {
    for (i, (key, value)) in sorted(map).into_iter().enumerate() {
        if i > 0 || indent > 0 {
            // The first key of a list item shares the line with its dash.
            if !(i == 0 && out.ends_with("- ")) {
                out.push_str(&" ".repeat(indent));
            }
        }
        out.push_str(&key_text(key));
        out.push(':');
        write_value(value, indent + 2, out);
    }
}

/// Writes the value after `key:` (a space and a scalar, or a newline and a block).
fn write_value(value: &Json, indent: usize, out: &mut String) {
    if !is_block(value) {
        out.push(' ');
        out.push_str(&scalar(value));
        out.push('\n');
        return;
    }
    out.push('\n');
    match value {
        Json::Object(map) => write_map(map, indent, out),
        Json::Array(list) => write_list(list, indent, out),
        _ => {}
    }
}

fn write_list(list: &[Json], indent: usize, out: &mut String) {
    for element in list {
        out.push_str(&" ".repeat(indent));
        out.push_str("- ");
        match element {
            Json::Object(map) if !map.is_empty() => write_map(map, indent + 2, out),
            Json::Array(inner) if !inner.is_empty() => {
                out.push('\n');
                write_list(inner, indent + 2, out);
            }
            other => {
                out.push_str(&scalar(other));
                out.push('\n');
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn nested_maps_and_lists_are_block_yaml_with_quoted_strings() {
        let yaml = to_yaml(&json!({
            "sections": [{"items": [{"type": "boolean", "id": "a", "text": {"en": "Yes", "no": "Ja"}}], "id": "s"}],
            "id": "f", "languages": ["en", "no"], "variables": [],
        }));
        assert_eq!(
            yaml,
            "id: \"f\"\nlanguages:\n  - \"en\"\n  - \"no\"\nvariables: []\nsections:\n  - id: \"s\"\n    items:\n      - id: \"a\"\n        type: \"boolean\"\n        text:\n          en: \"Yes\"\n          \"no\": \"Ja\"\n"
        );
    }
}
