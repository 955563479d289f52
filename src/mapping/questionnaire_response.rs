//! The QuestionnaireResponse for a submission.
//! Spec: <https://hl7.org/fhir/R4/questionnaireresponse.html>

use serde_json::{Value, json};

use super::ExtractContext;
use crate::{
    engine::{Answer, Answers, iso_date},
    forms::{Form, Item, ItemKind},
};

/// Builds the completed QuestionnaireResponse: one group per section, answered items only.
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
            let items: Vec<Value> = section
                .items
                .iter()
                .filter_map(|item| answered_item(item, answers))
                .collect();
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

fn answered_item(item: &Item, answers: &Answers) -> Option<Value> {
    let values = answers.get(&item.id);
    if item.kind == ItemKind::Display || values.is_empty() {
        return None;
    }
    let answer: Vec<Value> = values.iter().map(|a| answer_value(item, a)).collect();
    Some(json!({ "linkId": item.id, "text": item.text.en(), "answer": answer }))
}

/// The `value[x]` of one answer.
fn answer_value(item: &Item, answer: &Answer) -> Value {
    match answer {
        Answer::Boolean(b) => json!({ "valueBoolean": b }),
        Answer::Integer(n) => json!({ "valueInteger": n }),
        // FHIR decimals are JSON numbers; the text was validated as a plain decimal.
        Answer::Decimal(d) => json!({ "valueDecimal": d.parse::<f64>().unwrap_or_default() }),
        Answer::Date(d) => json!({ "valueDate": iso_date(*d) }),
        Answer::String(s) => json!({ "valueString": s }),
        Answer::Choice(code) => {
            let option = item.options.iter().find(|o| &o.code == code);
            let mut coding = json!({ "code": code });
            if let Some(option) = option {
                coding["display"] = json!(option.display.en());
                if let Some(system) = &option.system {
                    coding["system"] = json!(system);
                }
            }
            json!({ "valueCoding": coding })
        }
    }
}
