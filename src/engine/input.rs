//! What a patient typed on one page, turned into typed answers or precise field errors.

use std::collections::BTreeMap;

use time::{Date, macros::format_description};

use super::{Answer, Answers};
use crate::forms::{Item, ItemKind, Section};

/// The longest free-text answer accepted, in characters.
pub const MAX_TEXT_CHARS: usize = 4000;

/// The raw fields of one submitted page, by item id (a checkbox group sends several values).
#[derive(Debug, Clone, Default)]
pub struct PageInput(BTreeMap<String, Vec<String>>);

impl PageInput {
    /// Collects `a.<item id>` fields from a submitted HTML form; other fields are ignored.
    pub fn from_fields(fields: &[(String, String)]) -> Self {
        let mut map: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for (name, value) in fields {
            if let Some(item_id) = name.strip_prefix("a.") {
                map.entry(item_id.to_owned())
                    .or_default()
                    .push(value.clone());
            }
        }
        Self(map)
    }

    /// The raw values sent for an item.
    pub fn get(&self, item_id: &str) -> &[String] {
        self.0.get(item_id).map_or(&[], Vec::as_slice)
    }
}

/// A field whose input could not be read as an answer; the message is for the patient.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldError {
    /// The item.
    pub item_id: String,
    /// What to fix.
    pub problem: InputProblem,
}

/// Why a field's input is not an answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InputProblem {
    /// Several values for a question that takes one.
    OnlyOne,
    /// A yes/no question got something else.
    YesOrNo,
    /// Not a whole number.
    WholeNumber,
    /// Not a number.
    Number,
    /// Not a date.
    Date,
    /// Not a date and time.
    DateTime,
    /// Not a time of day.
    Time,
    /// Longer than any answer may be.
    TooLong,
    /// Not a web address.
    WebAddress,
    /// Not one of the choices.
    NotListed,
    /// The question takes no answer on this page.
    NotAnswerable,
}

impl InputProblem {
    /// What the patient reads next to the field, in `language` (`en` or `es`).
    pub fn message(self, language: &str) -> &'static str {
        let spanish = language == "es";
        match (self, spanish) {
            (Self::OnlyOne, false) => "Choose only one answer.",
            (Self::OnlyOne, true) => "Elija solo una respuesta.",
            (Self::YesOrNo, false) => "Choose yes or no.",
            (Self::YesOrNo, true) => "Elija sí o no.",
            (Self::WholeNumber, false) => "Enter a whole number, like 3.",
            (Self::WholeNumber, true) => "Escriba un número entero, como 3.",
            (Self::Number, false) => "Enter a number, like 72.5.",
            (Self::Number, true) => "Escriba un número, como 72,5.",
            (Self::Date, false) => "Enter a date as day, month and year.",
            (Self::Date, true) => "Escriba una fecha con día, mes y año.",
            (Self::DateTime, false) => "Enter a date and a time.",
            (Self::DateTime, true) => "Escriba una fecha y una hora.",
            (Self::Time, false) => "Enter a time like 14:30.",
            (Self::Time, true) => "Escriba una hora como 14:30.",
            (Self::TooLong, false) => "This answer is too long; please shorten it.",
            (Self::TooLong, true) => "Esta respuesta es demasiado larga; acórtela, por favor.",
            (Self::WebAddress, false) => "Enter a web address starting with https://.",
            (Self::WebAddress, true) => "Escriba una dirección web que empiece por https://.",
            (Self::NotListed, false) => "Choose one of the listed answers.",
            (Self::NotListed, true) => "Elija una de las respuestas de la lista.",
            (Self::NotAnswerable, false) => "This question cannot be answered here.",
            (Self::NotAnswerable, true) => "Esta pregunta no se puede contestar aquí.",
        }
    }
}

/// Parses one page: every item of `section` gets the answers sent (blank clears it). Fields
/// that do not parse keep their previous answer and are reported.
pub fn parse_page(section: &Section, input: &PageInput, answers: &mut Answers) -> Vec<FieldError> {
    let mut errors = Vec::new();
    for item in page_fields(&section.items) {
        match parse_item(item, input.get(&item.id)) {
            Ok(parsed) => answers.set(&item.id, parsed),
            Err(problem) => errors.push(FieldError {
                item_id: item.id.clone(),
                problem,
            }),
        }
    }
    errors
}

/// The answerable items a page shows as fields: its items and those of its non-repeating groups.
/// Calculated and read-only items are shown, never taken from the request.
pub fn page_fields(items: &[Item]) -> Vec<&Item> {
    let mut fields = Vec::new();
    for item in items {
        match item.kind {
            ItemKind::Group if !item.repeats => fields.extend(page_fields(&item.items)),
            ItemKind::Group | ItemKind::Display => {}
            _ if item.calculated.is_some() || item.read_only || item.hidden => {}
            _ => fields.push(item),
        }
    }
    fields
}

fn parse_item(item: &Item, raw: &[String]) -> Result<Vec<Answer>, InputProblem> {
    let values: Vec<&str> =
        if item.repeats && matches!(item.kind, ItemKind::String | ItemKind::Text) {
            // A repeating text item is one textarea, one answer per line.
            raw.iter()
                .flat_map(|v| v.lines())
                .map(str::trim)
                .filter(|v| !v.is_empty())
                .collect()
        } else {
            raw.iter()
                .map(|v| v.trim())
                .filter(|v| !v.is_empty())
                .collect()
        };
    if !item.repeats && values.len() > 1 {
        return Err(InputProblem::OnlyOne);
    }
    values
        .into_iter()
        .map(|value| parse_answer(item, value))
        .collect()
}

/// One typed value as an answer to `item`, or what to fix; the same reading a form page gives.
pub fn parse_answer(item: &Item, value: &str) -> Result<Answer, InputProblem> {
    match item.kind {
        ItemKind::Boolean => match value {
            "yes" => Ok(Answer::Boolean(true)),
            "no" => Ok(Answer::Boolean(false)),
            _ => Err(InputProblem::YesOrNo),
        },
        ItemKind::Integer => value
            .parse()
            .map(Answer::Integer)
            .map_err(|_| InputProblem::WholeNumber),
        ItemKind::Decimal => parse_decimal(value)
            .map(Answer::Decimal)
            .ok_or(InputProblem::Number),
        ItemKind::Quantity => parse_decimal(value)
            .map(|value| Answer::Quantity {
                value,
                unit: item
                    .unit
                    .as_ref()
                    .map(|u| u.code.clone())
                    .unwrap_or_default(),
            })
            .ok_or(InputProblem::Number),
        ItemKind::Date => Date::parse(value, format_description!("[year]-[month]-[day]"))
            .map(Answer::Date)
            .map_err(|_| InputProblem::Date),
        ItemKind::DateTime => crate::fhirpath::value::Temporal::parse_datetime(value)
            .map(|_| Answer::DateTime(value.to_owned()))
            .ok_or(InputProblem::DateTime),
        ItemKind::Time => crate::fhirpath::value::Temporal::parse_time(value)
            .map(|_| Answer::Time(value.to_owned()))
            .ok_or(InputProblem::Time),
        _ if value.chars().count() > MAX_TEXT_CHARS => Err(InputProblem::TooLong),
        ItemKind::String | ItemKind::Text => Ok(Answer::String(value.to_owned())),
        ItemKind::Url if value.starts_with("https://") || value.starts_with("http://") => {
            Ok(Answer::Url(value.to_owned()))
        }
        ItemKind::Url => Err(InputProblem::WebAddress),
        ItemKind::Choice | ItemKind::OpenChoice if item.option(value).is_some() => {
            Ok(Answer::Choice(value.to_owned()))
        }
        ItemKind::OpenChoice => Ok(Answer::String(value.to_owned())),
        ItemKind::Choice => Err(InputProblem::NotListed),
        ItemKind::Reference => Ok(Answer::Reference(value.to_owned())),
        ItemKind::Display | ItemKind::Group | ItemKind::Attachment => {
            Err(InputProblem::NotAnswerable)
        }
    }
}

/// Accepts `72`, `72.5`, `-0.25` (a comma as the decimal mark too) and returns canonical text.
fn parse_decimal(value: &str) -> Option<String> {
    let normalized = value.replace(',', ".");
    let (whole, fraction) = normalized.split_once('.').unwrap_or((&normalized, ""));
    let digits = whole.strip_prefix('-').unwrap_or(whole);
    let ok = !digits.is_empty()
        && digits.bytes().all(|b| b.is_ascii_digit())
        && fraction.bytes().all(|b| b.is_ascii_digit())
        && !(normalized.contains('.') && fraction.is_empty());
    ok.then_some(normalized)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::forms::load_yaml;

    fn section() -> Section {
        let form = load_yaml(
            "t.yaml",
            "id: t\nversion: '1'\ntitle: T\nsections:\n  - id: s\n    title: S\n    items:\n\
             \x20     - { id: pain, type: integer, text: Pain }\n\
             \x20     - { id: weight, type: decimal, text: Weight }\n\
             \x20     - { id: seen, type: date, text: Seen }\n\
             \x20     - { id: allergies, type: string, repeats: true, text: Allergies }\n\
             \x20     - { id: ok, type: boolean, text: OK }\n\
             \x20     - id: smoke\n        type: choice\n        text: Smoke\n        options: [{ code: never, display: Never }]\n",
        )
        .unwrap();
        form.sections[0].clone()
    }

    fn fields(pairs: &[(&str, &str)]) -> PageInput {
        PageInput::from_fields(
            &pairs
                .iter()
                .map(|(k, v)| (format!("a.{k}"), (*v).to_owned()))
                .collect::<Vec<_>>(),
        )
    }

    #[test]
    fn each_item_type_parses_what_its_input_sends() {
        let mut answers = Answers::default();
        let input = fields(&[
            ("pain", "4"),
            ("weight", "72,5"),
            ("seen", "2026-10-01"),
            ("allergies", "penicillin\n\n  latex \n"),
            ("ok", "yes"),
            ("smoke", "never"),
        ]);
        assert_eq!(parse_page(&section(), &input, &mut answers), vec![]);
        assert_eq!(answers.get("pain"), &[Answer::Integer(4)]);
        assert_eq!(answers.get("weight"), &[Answer::Decimal("72.5".into())]);
        assert_eq!(
            answers.get("allergies"),
            &[
                Answer::String("penicillin".into()),
                Answer::String("latex".into())
            ]
        );
        assert_eq!(answers.get("ok"), &[Answer::Boolean(true)]);
        assert_eq!(answers.get("smoke"), &[Answer::Choice("never".into())]);
    }

    #[test]
    fn bad_input_is_reported_per_field_and_keeps_the_earlier_answer() {
        let mut answers = Answers::default();
        answers.set("pain", vec![Answer::Integer(2)]);
        let input = fields(&[
            ("pain", "four"),
            ("weight", "7."),
            ("seen", "2026-02-30"),
            ("smoke", "daily"),
        ]);
        let errors = parse_page(&section(), &input, &mut answers);
        let ids: Vec<_> = errors.iter().map(|e| e.item_id.as_str()).collect();
        assert_eq!(ids, ["pain", "weight", "seen", "smoke"]);
        assert_eq!(answers.get("pain"), &[Answer::Integer(2)]);
    }

    #[test]
    fn a_blank_field_clears_the_answer() {
        let mut answers = Answers::default();
        answers.set("pain", vec![Answer::Integer(2)]);
        assert!(parse_page(&section(), &fields(&[("pain", "  ")]), &mut answers).is_empty());
        assert!(answers.get("pain").is_empty());
    }
}
