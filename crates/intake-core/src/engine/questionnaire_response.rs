//! The items of a QuestionnaireResponse for a form's answers, shaped exactly like the form's
//! Questionnaire: its linkIds, groups and nesting, never the form's page-only sections. What
//! the form's expressions read as `%resource`, and what a submission's response holds.
//! Spec: <https://hl7.org/fhir/R4/questionnaireresponse.html>

use serde_json::{Value, json};

use super::{Answer, Answers, iso_date};
use crate::forms::{
    Form, Item, ItemKind,
    sdc::{nest_children, push_item},
};

/// The response's `item` array for `answers`, as the Questionnaire names and nests its items:
/// a group per section that is a group of the Questionnaire, answered items only. It is also
/// what the form's expressions read as `%resource`.
pub fn response_items(form: &Form, answers: &Answers) -> Vec<Value> {
    Builder::new(form).sections(answers)
}

struct Builder<'f> {
    form: &'f Form,
    /// The language of the Questionnaire's texts (the form's first).
    language: &'f str,
}

impl<'f> Builder<'f> {
    fn new(form: &'f Form) -> Self {
        Self {
            form,
            language: form.languages.first().map_or("en", String::as_str),
        }
    }

    fn sections(&self, answers: &Answers) -> Vec<Value> {
        let mut out = Vec::new();
        for section in &self.form.sections {
            let items = self.items(&section.items, answers);
            if section.page_only {
                out.extend(items);
            } else if !items.is_empty() {
                let title = section.title.in_language(self.language);
                out.push(self.node(section.link_id(), title, "item", Value::from(items)));
            }
        }
        out
    }

    /// `{ linkId, text, key: value }`, without `text` when the Questionnaire has none.
    fn node(&self, link_id: &str, text: &str, key: &str, value: Value) -> Value {
        let mut node = serde_json::Map::with_capacity(3);
        node.insert("linkId".into(), json!(link_id));
        if !text.is_empty() {
            node.insert("text".into(), json!(text));
        }
        node.insert(key.into(), value);
        Value::Object(node)
    }

    fn items(&self, items: &[Item], answers: &Answers) -> Vec<Value> {
        let entries = items
            .iter()
            .map(|item| (item, self.answered(item, answers)))
            .collect();
        // An item nested under a question in the Questionnaire sits in that question's answer,
        // or, while the question has none, right under the question (R4 allows either, never
        // both: qrs-1).
        let bare = |question: &Item| {
            let mut node = serde_json::Map::with_capacity(2);
            node.insert("linkId".into(), json!(question.link_id()));
            let text = question.text.in_language(self.language);
            if !text.is_empty() {
                node.insert("text".into(), json!(text));
            }
            Value::Object(node)
        };
        nest_children(entries, bare, |question, child| {
            match question.pointer_mut("/answer/0") {
                Some(answer) => push_item(answer, child),
                None => push_item(question, child),
            }
        })
    }

    fn answered(&self, item: &Item, answers: &Answers) -> Vec<Value> {
        let text = item.text.in_language(self.language);
        let link_id = item.link_id();
        match (item.kind, item.repeats) {
            (ItemKind::Display, _) => vec![],
            (ItemKind::Group, false) => {
                let children = self.items(&item.items, answers);
                if children.is_empty() {
                    vec![]
                } else {
                    vec![self.node(link_id, text, "item", Value::from(children))]
                }
            }
            (ItemKind::Group, true) => answers
                .get(&item.id)
                .iter()
                .filter_map(|instance| match instance {
                    Answer::Group(inner) => Some(self.items(&item.items, inner)),
                    _ => None,
                })
                .filter(|children| !children.is_empty())
                .map(|children| self.node(link_id, text, "item", Value::from(children)))
                .collect(),
            _ => {
                let values: Vec<Value> = answers
                    .get(&item.id)
                    .iter()
                    .filter_map(|a| answer_value(item, a))
                    .collect();
                if values.is_empty() {
                    vec![]
                } else {
                    vec![self.node(link_id, text, "answer", Value::from(values))]
                }
            }
        }
    }
}

/// The `value[x]` of one answer.
pub fn answer_value(item: &Item, answer: &Answer) -> Option<Value> {
    Some(match answer {
        Answer::Boolean(b) => json!({ "valueBoolean": b }),
        Answer::Integer(n) => json!({ "valueInteger": n }),
        Answer::Decimal(d) => json!({ "valueDecimal": decimal(d)? }),
        Answer::Date(d) => json!({ "valueDate": iso_date(*d) }),
        Answer::DateTime(d) => json!({ "valueDateTime": d }),
        Answer::Time(t) => {
            json!({ "valueTime": if t.len() == 5 { format!("{t}:00") } else { t.clone() } })
        }
        Answer::String(s) => json!({ "valueString": s }),
        Answer::Url(s) => json!({ "valueUri": s }),
        Answer::Reference(r) => json!({ "valueReference": { "reference": r } }),
        Answer::Attachment(file) => {
            json!({ "valueAttachment": file.fhir_attachment(item.text.en()) })
        }
        Answer::Quantity { value, unit } => json!({ "valueQuantity": {
            "value": decimal(value)?,
            "unit": item.unit.as_ref().and_then(|u| u.display.clone()).unwrap_or_else(|| unit.clone()),
            "system": item.unit.as_ref().and_then(|u| u.system.clone()).unwrap_or_else(|| "http://unitsofmeasure.org".to_owned()),
            "code": unit,
        }}),
        Answer::Choice(code) if item.option(code).is_some_and(|o| !o.value_type.is_coding()) => {
            let value_type = item.option(code)?.value_type;
            json!({ value_type.value_key(): value_type.value(code) })
        }
        Answer::Choice(code) => {
            let mut coding = json!({ "code": code });
            if let Some(option) = item.option(code) {
                coding["display"] = json!(option.display.en());
                if let Some(system) = &option.system {
                    coding["system"] = json!(system);
                }
            }
            json!({ "valueCoding": coding })
        }
        Answer::Coding {
            system,
            code,
            display,
        } => json!({ "valueCoding": { "system": system, "code": code, "display": display } }),
        Answer::Group(_) => return None,
    })
}

/// A FHIR decimal as a JSON number written as the text is (`163` stays `163`, not `163.0`), so
/// a value read from the chart goes back as the chart wrote it; the text was validated as a
/// plain decimal. <https://hl7.org/fhir/R4/json.html#primitive>
fn decimal(text: &str) -> Option<Value> {
    match serde_json::from_str::<Value>(text.trim()).ok()? {
        number @ Value::Number(_) => Some(number),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::response_items;
    use crate::{
        engine::{Answer, Answers},
        forms::load_yaml,
    };

    /// An imported Questionnaire's shape: top-level questions on a page-only section, a
    /// question nested under another, a renamed linkId.
    const FORM: &str = "\
id: t
version: '1'
title: T
sections:
  - id: section_1
    title: T
    page_only: true
    items:
      - { id: smokes, link_id: smokes-1, type: boolean, text: Do you smoke? }
      - { id: per_day, link_id: per-day, child_of: smokes, type: integer, text: How many a day? }
";

    #[test]
    fn a_decimal_answer_is_written_as_its_text_is() {
        let form = load_yaml("t.yaml", FORM).unwrap();
        let item = form.item("per_day").unwrap();
        let value = |text: &str| super::answer_value(item, &Answer::Decimal(text.into()));
        assert_eq!(value("163").unwrap().to_string(), r#"{"valueDecimal":163}"#);
        assert_eq!(
            value("79.3").unwrap().to_string(),
            r#"{"valueDecimal":79.3}"#
        );
        assert_eq!(
            value("-0.5").unwrap().to_string(),
            r#"{"valueDecimal":-0.5}"#
        );
        assert_eq!(value("1e400"), None, "not a plain decimal");
        assert_eq!(value("x"), None);
    }

    #[test]
    fn a_response_has_no_page_only_group_and_nests_children_under_their_questions_answer() {
        let form = load_yaml("t.yaml", FORM).unwrap();
        let mut answers = Answers::default();
        answers.set("smokes", vec![Answer::Boolean(true)]);
        answers.set("per_day", vec![Answer::Integer(5)]);
        assert_eq!(
            json!(response_items(&form, &answers)),
            json!([{"linkId": "smokes-1", "text": "Do you smoke?", "answer": [{"valueBoolean": true,
                "item": [{"linkId": "per-day", "text": "How many a day?", "answer": [{"valueInteger": 5}]}]}]}])
        );
        let read_back = |answers: &Answers| {
            let response = json!({"item": response_items(&form, answers)});
            crate::engine::answers_from_response(&form, &response).unwrap()
        };
        assert_eq!(read_back(&answers), answers);
        // Without an answer to hold it, the child sits right under its question.
        answers.set("smokes", vec![]);
        assert_eq!(
            json!(response_items(&form, &answers)),
            json!([{"linkId": "smokes-1", "text": "Do you smoke?", "item": [
                {"linkId": "per-day", "text": "How many a day?", "answer": [{"valueInteger": 5}]}]}])
        );
        assert_eq!(read_back(&answers).get("per_day"), [Answer::Integer(5)]);
    }
}
