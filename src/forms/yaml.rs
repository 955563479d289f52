//! The YAML front end: parses a form file and compiles it to a [`Form`], with every error
//! pointing at a file, line and column.

use std::{collections::BTreeSet, fmt};

use serde::Deserialize;
use serde_saphyr::{Location, Spanned};

use super::{AnswerOption, Coding, ExtractHook, Form, FormId, Item, ItemKind, Section, Text};

/// A form file that could not be compiled. Displays like a compiler diagnostic.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{file}:{line}:{column}: error: {message}\n{snippet}")]
pub struct LoadError {
    /// The file, as the caller named it.
    pub file: String,
    /// 1-based line.
    pub line: u64,
    /// 1-based column.
    pub column: u64,
    /// What was wrong, and what was expected.
    pub message: String,
    /// The offending line with a caret under the column.
    pub snippet: String,
}

impl LoadError {
    fn at(file: &str, source: &str, location: Location, message: impl fmt::Display) -> Self {
        let (line, column) = (location.line().max(1), location.column().max(1));
        let text = source
            .lines()
            .nth(usize::try_from(line - 1).unwrap_or(0))
            .unwrap_or("");
        let pad = " ".repeat(usize::try_from(column - 1).unwrap_or(0));
        Self {
            file: file.to_owned(),
            line,
            column,
            message: message.to_string(),
            snippet: format!("{line:>4} | {text}\n     | {pad}^"),
        }
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawForm {
    id: Spanned<String>,
    version: String,
    #[serde(default)]
    url: Option<String>,
    title: Text,
    sections: Vec<RawSection>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSection {
    id: Spanned<String>,
    title: Text,
    items: Vec<RawItem>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawItem {
    id: Spanned<String>,
    #[serde(rename = "type")]
    kind: Spanned<ItemKind>,
    text: Text,
    #[serde(default)]
    help: Option<Text>,
    #[serde(default)]
    required: bool,
    #[serde(default)]
    repeats: bool,
    #[serde(default)]
    options: Vec<RawOption>,
    #[serde(default)]
    code: Vec<Coding>,
    #[serde(default)]
    extract: Option<ExtractHook>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawOption {
    code: String,
    #[serde(default)]
    system: Option<String>,
    display: Text,
}

/// Parses and compiles one form file. `file` names it in errors.
pub fn load_yaml(file: &str, source: &str) -> Result<Form, LoadError> {
    let raw: RawForm = serde_saphyr::from_str(source).map_err(|error| {
        let location = error.location().unwrap_or(Location::UNKNOWN);
        LoadError::at(
            file,
            source,
            location,
            first_line(&error.without_snippet().to_string()),
        )
    })?;
    Compiler {
        file,
        source,
        ids: BTreeSet::new(),
    }
    .compile(raw)
}

/// serde-saphyr's message without its own location prefix and snippet (we print ours).
fn first_line(message: &str) -> String {
    let line = message.lines().next().unwrap_or(message);
    let line = match line.split_once(": ") {
        Some((prefix, rest)) if prefix.starts_with("line ") => rest,
        _ => line,
    };
    line.split(" at line ").next().unwrap_or(line).to_owned()
}

struct Compiler<'a> {
    file: &'a str,
    source: &'a str,
    ids: BTreeSet<String>,
}

impl Compiler<'_> {
    fn error(&self, location: Location, message: impl fmt::Display) -> LoadError {
        LoadError::at(self.file, self.source, location, message)
    }

    fn compile(mut self, raw: RawForm) -> Result<Form, LoadError> {
        let id = FormId::parse(&raw.id.value).ok_or_else(|| {
            self.error(
                raw.id.referenced,
                "a form id uses only letters, digits, `-` and `_`",
            )
        })?;
        if raw.sections.is_empty() {
            return Err(self.error(raw.id.referenced, "a form needs at least one section"));
        }
        let url = raw
            .url
            .unwrap_or_else(|| format!("urn:intake:questionnaire:{id}"));
        let sections = raw
            .sections
            .into_iter()
            .map(|section| self.section(section))
            .collect::<Result<_, _>>()?;
        Ok(Form::new(id, raw.version, url, raw.title, sections))
    }

    fn unique_id(&mut self, id: &Spanned<String>) -> Result<String, LoadError> {
        let valid = !id.value.is_empty()
            && id
                .value
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'_');
        if !valid {
            return Err(self.error(id.referenced, "an id uses only letters, digits and `_`"));
        }
        if !self.ids.insert(id.value.clone()) {
            return Err(self.error(id.referenced, format!("duplicate id `{}`", id.value)));
        }
        Ok(id.value.clone())
    }

    fn section(&mut self, raw: RawSection) -> Result<Section, LoadError> {
        let id = self.unique_id(&raw.id)?;
        if raw.items.is_empty() {
            return Err(self.error(raw.id.referenced, format!("section `{id}` has no items")));
        }
        let items = raw
            .items
            .into_iter()
            .map(|item| self.item(item))
            .collect::<Result<_, _>>()?;
        Ok(Section {
            id,
            title: raw.title,
            items,
        })
    }

    fn item(&mut self, raw: RawItem) -> Result<Item, LoadError> {
        let id = self.unique_id(&raw.id)?;
        let kind = raw.kind.value;
        let at = raw.kind.referenced;
        match (kind, raw.options.is_empty()) {
            (ItemKind::Choice, true) => {
                return Err(self.error(at, format!("choice item `{id}` needs `options`")));
            }
            (ItemKind::Choice, false) | (_, true) => {}
            (_, false) => {
                return Err(self.error(
                    at,
                    format!("only choice items take `options`; `{id}` is not one"),
                ));
            }
        }
        if kind == ItemKind::Display && (raw.required || raw.repeats || raw.extract.is_some()) {
            return Err(self.error(at, format!("display item `{id}` takes no answer, so it cannot be required, repeat or extract")));
        }
        let options = raw
            .options
            .into_iter()
            .map(|o| AnswerOption {
                code: o.code,
                system: o.system,
                display: o.display,
            })
            .collect();
        Ok(Item {
            id,
            kind,
            text: raw.text,
            help: raw.help,
            required: raw.required,
            repeats: raw.repeats,
            options,
            codes: raw.code,
            extract: raw.extract,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const GOOD: &str = "\
id: demo
version: \"1\"
title: Demo
sections:
  - id: about
    title: { en: About you, es: Sobre usted }
    items:
      - id: reason
        type: text
        text: Why are you coming in?
        required: true
      - id: smoker
        type: choice
        text: Do you smoke?
        options:
          - { code: never, display: Never }
          - { code: current, display: \"Yes\" }
";

    #[test]
    fn a_good_form_compiles_with_a_stable_hash() {
        let form = load_yaml("forms/demo.yaml", GOOD).unwrap();
        assert_eq!(form.id.as_str(), "demo");
        assert_eq!(form.sections[0].title.in_language("es"), "Sobre usted");
        assert_eq!(form.sections[0].title.in_language("fr"), "About you");
        assert_eq!(form.item("smoker").unwrap().options.len(), 2);
        let again = load_yaml(
            "other/name.yaml",
            &GOOD.replace("{ code: never", "{code: never"),
        )
        .unwrap();
        assert_eq!(form.content_hash, again.content_hash);
        let changed =
            load_yaml("forms/demo.yaml", &GOOD.replace("Do you smoke?", "Smoke?")).unwrap();
        assert_ne!(form.content_hash, changed.content_hash);
    }

    #[test]
    fn an_unknown_key_is_an_error_at_its_line_and_column() {
        let source = GOOD.replace("        required: true", "        requird: true");
        let error = load_yaml("forms/demo.yaml", &source).unwrap_err();
        assert_eq!((error.line, error.column), (11, 9));
        assert!(error.message.contains("requird"), "{}", error.message);
        assert!(
            error
                .to_string()
                .starts_with("forms/demo.yaml:11:9: error: "),
            "{error}"
        );
        assert!(error.snippet.contains("requird: true"), "{}", error.snippet);
    }

    #[test]
    fn a_duplicate_id_names_the_second_one() {
        let source = GOOD.replace("id: smoker", "id: reason");
        let error = load_yaml("forms/demo.yaml", &source).unwrap_err();
        assert_eq!(
            (error.line, error.message.as_str()),
            (12, "duplicate id `reason`")
        );
    }

    #[test]
    fn a_choice_without_options_is_an_error() {
        let source = GOOD.replace("type: text", "type: choice");
        let error = load_yaml("forms/demo.yaml", &source).unwrap_err();
        assert_eq!(error.line, 9);
        assert!(
            error.message.contains("needs `options`"),
            "{}",
            error.message
        );
    }

    #[test]
    fn an_unquoted_yes_as_text_says_to_quote_it() {
        let source = GOOD.replace("display: \"Yes\"", "display: Yes");
        let error = load_yaml("forms/demo.yaml", &source).unwrap_err();
        assert_eq!(error.line, 17);
        assert!(
            error.message.contains("quote words such as"),
            "{}",
            error.message
        );
    }

    #[test]
    fn a_wrong_type_name_says_what_was_expected() {
        let source = GOOD.replace("type: text", "type: essay");
        let error = load_yaml("forms/demo.yaml", &source).unwrap_err();
        assert_eq!((error.line, error.column), (9, 15));
        assert!(error.message.contains("essay"), "{}", error.message);
    }
}
