//! The QuestionnaireResponse for a submission.
//! Spec: <https://hl7.org/fhir/R4/questionnaireresponse.html>

use serde_json::{Value, json};

use super::ExtractContext;
use crate::{
    engine::{Answer, Answers, iso_date},
    forms::{Form, Item, ItemKind},
};

/// Builds the completed QuestionnaireResponse: one group per section, answered items only, with
/// repeating groups as one item per instance.
pub fn build(
    form: &Form,
    answers: &Answers,
    context: &ExtractContext<'_>,
    identifier: Value,
) -> Value {
    let groups: Vec<Value> = form
        .sections
        .iter()
        .filter_map(|section| {
            let items = items(&section.items, answers);
            (!items.is_empty())
                .then(|| json!({ "linkId": section.id, "text": section.title.en(), "item": items }))
        })
        .collect();
    json!({
        "resourceType": "QuestionnaireResponse",
        "identifier": identifier,
        "questionnaire": format!("{}|{}", form.url, form.version),
        "status": "completed",
        "subject": { "reference": context.patient_reference },
        "authored": context.authored,
        "source": { "reference": context.patient_reference },
        "item": groups,
    })
}

/// The response's `item` array for `answers`: one group per section, answered items only.
pub fn response_items(form: &Form, answers: &Answers) -> Vec<Value> {
    form.sections
        .iter()
        .filter_map(|section| {
            let items = items(&section.items, answers);
            (!items.is_empty())
                .then(|| json!({ "linkId": section.id, "text": section.title.en(), "item": items }))
        })
        .collect()
}

fn items(items: &[Item], answers: &Answers) -> Vec<Value> {
    items
        .iter()
        .flat_map(|item| answered(item, answers))
        .collect()
}

fn answered(item: &Item, answers: &Answers) -> Vec<Value> {
    match (item.kind, item.repeats) {
        (ItemKind::Display, _) => vec![],
        (ItemKind::Group, false) => {
            let children = items(&item.items, answers);
            if children.is_empty() {
                vec![]
            } else {
                vec![json!({ "linkId": item.id, "text": item.text.en(), "item": children })]
            }
        }
        (ItemKind::Group, true) => answers
            .get(&item.id)
            .iter()
            .filter_map(|instance| match instance {
                Answer::Group(inner) => Some(items(&item.items, inner)),
                _ => None,
            })
            .filter(|children| !children.is_empty())
            .map(|children| json!({ "linkId": item.id, "text": item.text.en(), "item": children }))
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
                vec![json!({ "linkId": item.id, "text": item.text.en(), "answer": values })]
            }
        }
    }
}

/// The `value[x]` of one answer.
pub fn answer_value(item: &Item, answer: &Answer) -> Option<Value> {
    Some(match answer {
        Answer::Boolean(b) => json!({ "valueBoolean": b }),
        Answer::Integer(n) => json!({ "valueInteger": n }),
        // FHIR decimals are JSON numbers; the text was validated as a plain decimal.
        Answer::Decimal(d) => json!({ "valueDecimal": d.parse::<f64>().ok()? }),
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
            "value": value.parse::<f64>().ok()?,
            "unit": item.unit.as_ref().and_then(|u| u.display.clone()).unwrap_or_else(|| unit.clone()),
            "system": item.unit.as_ref().and_then(|u| u.system.clone()).unwrap_or_else(|| "http://unitsofmeasure.org".to_owned()),
            "code": unit,
        }}),
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
        Answer::Group(_) => return None,
    })
}
