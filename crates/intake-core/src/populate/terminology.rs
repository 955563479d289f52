//! Displays for coded answers that arrive without one (a chart coding often carries only the
//! system and code), as SDC populate fills them with a CodeSystem `$lookup`.

use std::collections::HashMap;

use serde_json::Value as Json;

/// Where displays come from.
pub trait Terminology: Send + Sync {
    /// The display of `code` in `system`, if known.
    fn display(&self, system: &str, code: &str) -> Option<String>;
}

/// A table of displays: what the questionnaire itself lists (answer options and contained
/// value sets), plus any added.
#[derive(Debug, Clone, Default)]
pub struct Displays {
    table: HashMap<(String, String), String>,
}

impl Displays {
    /// The displays a questionnaire's answer options and contained value sets give.
    pub fn from_questionnaire(questionnaire: &Json) -> Self {
        let mut out = Self::default();
        out.collect(questionnaire, None);
        out
    }

    /// Adds (or replaces) one display.
    pub fn insert(&mut self, system: &str, code: &str, display: &str) {
        self.table
            .insert((system.to_owned(), code.to_owned()), display.to_owned());
    }

    /// Every Coding-shaped object (system, code, display) under `value`; a value set's
    /// `compose.include` gives its concepts their system.
    fn collect(&mut self, value: &Json, system: Option<&str>) {
        match value {
            Json::Object(o) => {
                let own_system = o.get("system").and_then(Json::as_str).or(system);
                if let (Some(system), Some(code), Some(display)) = (
                    own_system,
                    o.get("code").and_then(Json::as_str),
                    o.get("display").and_then(Json::as_str),
                ) {
                    self.table
                        .entry((system.to_owned(), code.to_owned()))
                        .or_insert_with(|| display.to_owned());
                }
                for (key, child) in o {
                    // An include's system applies to its concepts, not to anything else.
                    let inherited = (key == "concept").then_some(own_system).flatten();
                    self.collect(child, inherited);
                }
            }
            Json::Array(list) => list.iter().for_each(|v| self.collect(v, system)),
            _ => {}
        }
    }
}

impl Terminology for Displays {
    fn display(&self, system: &str, code: &str) -> Option<String> {
        self.table
            .get(&(system.to_owned(), code.to_owned()))
            .cloned()
    }
}

/// Looks up every answer coding that has no display, then gives that display to every answer
/// coding with the same system and code (so one response names a code one way).
pub fn fill_displays(items: &mut [Json], terminology: &dyn Terminology) {
    let mut found = HashMap::new();
    visit_codings(items, &mut |coding| {
        if coding.get("display").is_none()
            && let (Some(system), Some(code)) = (coding["system"].as_str(), coding["code"].as_str())
        {
            let key = (system.to_owned(), code.to_owned());
            if !found.contains_key(&key)
                && let Some(display) = terminology.display(system, code)
            {
                found.insert(key, display);
            }
        }
    });
    visit_codings(items, &mut |coding| {
        if let (Some(system), Some(code)) = (coding["system"].as_str(), coding["code"].as_str())
            && let Some(display) = found.get(&(system.to_owned(), code.to_owned()))
        {
            coding["display"] = Json::from(display.as_str());
        }
    });
}

fn visit_codings(items: &mut [Json], f: &mut impl FnMut(&mut Json)) {
    for item in items {
        if let Some(answers) = item.get_mut("answer").and_then(Json::as_array_mut) {
            for answer in answers {
                if let Some(coding) = answer.get_mut("valueCoding") {
                    f(coding);
                }
                if let Some(nested) = answer.get_mut("item").and_then(Json::as_array_mut) {
                    visit_codings(nested, f);
                }
            }
        }
        if let Some(nested) = item.get_mut("item").and_then(Json::as_array_mut) {
            visit_codings(nested, f);
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn a_looked_up_display_names_the_code_the_same_way_everywhere() {
        let mut displays = Displays::default();
        displays.insert("http://snomed.info/sct", "271807003", "Rash");
        let mut items = vec![json!({"linkId": "a", "item": [
            {"linkId": "b", "answer": [{"valueCoding": {"system": "http://snomed.info/sct", "code": "271807003"}}]},
            {"linkId": "c", "answer": [{"valueCoding": {"system": "http://snomed.info/sct", "code": "271807003", "display": "Dermatitis"}}]},
            {"linkId": "d", "answer": [{"valueCoding": {"system": "http://snomed.info/sct", "code": "1", "display": "Kept"}}]}
        ]})];
        fill_displays(&mut items, &displays);
        let kids = &items[0]["item"];
        assert_eq!(kids[0]["answer"][0]["valueCoding"]["display"], "Rash");
        assert_eq!(kids[1]["answer"][0]["valueCoding"]["display"], "Rash");
        assert_eq!(kids[2]["answer"][0]["valueCoding"]["display"], "Kept");
    }

    #[test]
    fn a_questionnaire_lists_displays_in_options_and_value_set_concepts() {
        let q = json!({"contained": [{"resourceType": "ValueSet", "compose": {"include": [
                {"system": "urn:s", "concept": [{"code": "x", "display": "Ex"}]}]}}],
            "item": [{"answerOption": [{"valueCoding": {"system": "urn:t", "code": "y", "display": "Why"}}]}]});
        let displays = Displays::from_questionnaire(&q);
        assert_eq!(displays.display("urn:s", "x").as_deref(), Some("Ex"));
        assert_eq!(displays.display("urn:t", "y").as_deref(), Some("Why"));
        assert_eq!(displays.display("urn:s", "y"), None);
    }
}
