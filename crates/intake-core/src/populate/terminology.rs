//! Displays for coded answers that arrive without one (a chart coding often carries only the
//! system and code), as SDC populate fills them with a CodeSystem `$lookup`.

use std::collections::HashMap;

use serde_json::Value as Json;

use crate::forms::Form;

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
    /// The displays a form lists itself: its answer options (those of its value sets too) and
    /// the codes naming its questions.
    pub fn for_form(form: &Form) -> Self {
        let mut out = Self::default();
        for item in form.items() {
            for option in &item.options {
                if let Some(system) = &option.system {
                    out.keep_first(system, &option.code, option.display.en());
                }
            }
            for code in &item.codes {
                if let (Some(system), Some(display)) = (&code.system, &code.display) {
                    out.keep_first(system, &code.code, display);
                }
            }
        }
        out
    }

    /// Adds (or replaces) one display.
    pub fn insert(&mut self, system: &str, code: &str, display: &str) {
        self.table
            .insert((system.to_owned(), code.to_owned()), display.to_owned());
    }

    /// Adds a display unless the code has one already: the first a form lists wins.
    fn keep_first(&mut self, system: &str, code: &str, display: &str) {
        self.table
            .entry((system.to_owned(), code.to_owned()))
            .or_insert_with(|| display.to_owned());
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
        if coding.get("display").is_none_or(|d| d == "")
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
    fn a_form_lists_displays_in_its_options_and_question_codes() {
        let form = crate::forms::load_yaml(
            "t.yaml",
            "id: t\nversion: '1'\ntitle: T\nsections:\n  - id: s\n    title: S\n    items:\n      - id: q\n        type: choice\n        text: Q\n        code: [{ system: 'urn:t', code: z, display: Zed }]\n        options: [{ code: y, system: 'urn:t', display: Why }]\n",
        )
        .unwrap();
        let displays = Displays::for_form(&form);
        assert_eq!(displays.display("urn:t", "y").as_deref(), Some("Why"));
        assert_eq!(displays.display("urn:t", "z").as_deref(), Some("Zed"));
        assert_eq!(displays.display("urn:s", "y"), None);
    }
}
