//! View models for the patient's pages: what each field shows, built from the saved answers or,
//! after an error, from exactly what the patient typed.

use std::collections::BTreeSet;

use crate::{
    engine::{Answer, Answers, FieldError, PageInput},
    forms::{Item, ItemKind, Section},
};

/// One question as the page renders it.
#[derive(Debug, Clone)]
pub struct FieldView {
    /// The input's HTML id.
    pub id: String,
    /// The input's name (`a.<item id>`).
    pub name: String,
    /// The question.
    pub label: String,
    /// Help under the question.
    pub help: Option<String>,
    /// Which control: `text`, `textarea`, `lines`, `integer`, `decimal`, `date`, `radio`,
    /// `checkbox` or `display`.
    pub control: &'static str,
    /// Whether an answer is needed.
    pub required: bool,
    /// The value of a single input.
    pub value: String,
    /// The choices of radio and checkbox controls.
    pub options: Vec<OptionView>,
    /// What to fix, next to the field.
    pub error: Option<&'static str>,
}

impl FieldView {
    /// The ids of the text that describes the control, for `aria-describedby`: its help, the
    /// one-per-line hint of a list, and its error, in the order they show; empty if none.
    pub fn described_by(&self) -> String {
        let mut ids = vec![];
        if self.help.is_some() {
            ids.push(format!("{}-help", self.id));
        }
        if self.control == "lines" {
            ids.push(format!("{}-hint", self.id));
        }
        if self.error.is_some() {
            ids.push(format!("{}-error", self.id));
        }
        ids.join(" ")
    }
}

/// One choice.
#[derive(Debug, Clone)]
pub struct OptionView {
    /// The input's HTML id.
    pub id: String,
    /// The submitted value.
    pub value: String,
    /// The label.
    pub label: String,
    /// Whether it is selected.
    pub checked: bool,
}

/// The fields of a page. With `typed` (a page that came back with errors) every field shows
/// what was typed, so nothing is lost; otherwise the saved answers.
pub fn fields(
    section: &Section,
    answers: &Answers,
    enabled: &BTreeSet<String>,
    typed: Option<&PageInput>,
    errors: &[FieldError],
    language: &str,
) -> Vec<FieldView> {
    shown(&section.items)
        .into_iter()
        .filter(|item| enabled.contains(&item.id))
        .map(|item| {
            let values: Vec<String> = match typed {
                Some(input) => input.get(&item.id).to_vec(),
                None => answers.get(&item.id).iter().map(|a| a.to_input()).collect(),
            };
            let error = errors
                .iter()
                .find(|e| e.item_id == item.id)
                .map(|e| e.problem.message(language));
            field(item, &values, error, language)
        })
        .collect()
}

/// What a page shows, in order: questions and display text, with non-repeating groups opened
/// up. Calculated values show as read-only text.
fn shown(items: &[Item]) -> Vec<&Item> {
    let mut out = Vec::new();
    for item in items.iter().filter(|i| !i.hidden) {
        match item.kind {
            ItemKind::Group if !item.repeats => {
                out.push(item);
                out.extend(shown(&item.items));
            }
            _ => out.push(item),
        }
    }
    out
}

fn field(item: &Item, values: &[String], error: Option<&'static str>, language: &str) -> FieldView {
    let control = match (item.kind, item.repeats) {
        _ if item.calculated.is_some() || item.read_only => "readonly",
        (ItemKind::Group, false) => "heading",
        (ItemKind::Group, true) | (ItemKind::Attachment | ItemKind::Reference, _) => "unsupported",
        (ItemKind::Display, _) => "display",
        (ItemKind::OpenChoice, _) => "text",
        (ItemKind::DateTime, _) => "datetime",
        (ItemKind::Time, _) => "time",
        (ItemKind::Url, _) => "url",
        (ItemKind::Quantity, _) => "decimal",
        (ItemKind::Boolean, _) | (ItemKind::Choice, false) => "radio",
        (ItemKind::Choice, true) => "checkbox",
        (ItemKind::String | ItemKind::Text, true) => "lines",
        (ItemKind::Text, false) => "textarea",
        (ItemKind::String, false) => "text",
        (ItemKind::Integer, _) => "integer",
        (ItemKind::Decimal, _) => "decimal",
        (ItemKind::Date, _) => "date",
    };
    let choices: Vec<(String, String)> = match item.kind {
        // The same words the review page reads the answer back with.
        ItemKind::Boolean => [Answer::Boolean(true), Answer::Boolean(false)]
            .iter()
            .map(|a| (a.to_input(), a.display(item, language)))
            .collect(),
        ItemKind::Choice | ItemKind::OpenChoice => item
            .options
            .iter()
            .map(|o| (o.code.clone(), o.display.in_language(language).to_owned()))
            .collect(),
        _ => vec![],
    };
    let options = choices
        .into_iter()
        .map(|(value, label)| OptionView {
            id: format!("f-{}-{value}", item.id),
            checked: values.contains(&value),
            value,
            label,
        })
        .collect();
    FieldView {
        id: format!("f-{}", item.id),
        name: format!("a.{}", item.id),
        label: item.text.in_language(language).to_owned(),
        help: item
            .help
            .as_ref()
            .map(|h| h.in_language(language).to_owned()),
        control,
        required: item.required,
        value: values.join("\n"),
        options,
        error,
    }
}
