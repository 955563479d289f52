//! A FHIR QuestionnaireResponse read as answers to a form, the way `intake evaluate` and
//! imports take them. Spec: <https://hl7.org/fhir/R4/questionnaireresponse.html>

use serde_json::Value as Json;
use time::{Date, macros::format_description};

use super::{Answer, Answers};
use crate::forms::{Form, Item, ItemKind};

/// Reads the answers of `response` to `form`. Items the form does not have are an error (the
/// response belongs to another form or version). Items are named by the Questionnaire's linkIds
/// (or, as responses written before linkIds were kept, by item ids), at the top level or in the
/// groups of the form's sections, and items nested under a question's answer (SDC
/// `answer.item`) are read as the question's siblings, as the form holds them.
pub fn answers_from_response(form: &Form, response: &Json) -> Result<Answers, String> {
    let mut answers = Answers::default();
    let items: Vec<&Item> = form.sections.iter().flat_map(|s| s.items.iter()).collect();
    for entry in response
        .get("item")
        .and_then(Json::as_array)
        .into_iter()
        .flatten()
    {
        let link_id = entry
            .get("linkId")
            .and_then(Json::as_str)
            .unwrap_or_default();
        // A page-only section's group is read too, as responses written before such pages
        // were left out of them have it.
        if form.sections.iter().any(|s| s.link_id() == link_id) {
            read_items(&items, entry, &mut answers)?;
        } else {
            read_item(&items, entry, &mut answers)?;
        }
    }
    Ok(answers)
}

fn read_items(items: &[&Item], parent: &Json, answers: &mut Answers) -> Result<(), String> {
    for entry in parent
        .get("item")
        .and_then(Json::as_array)
        .into_iter()
        .flatten()
    {
        read_item(items, entry, answers)?;
    }
    Ok(())
}

/// One response item, looked up among `items` and, through non-repeating groups, their children.
fn read_item(items: &[&Item], entry: &Json, answers: &mut Answers) -> Result<(), String> {
    let link_id = entry
        .get("linkId")
        .and_then(Json::as_str)
        .ok_or("a response item has no linkId")?;
    let item = find(items, link_id)
        .ok_or_else(|| format!("the response answers `{link_id}`, which the form does not have"))?;
    match (item.kind, item.repeats) {
        (ItemKind::Group, false) => {
            let children: Vec<&Item> = item.items.iter().collect();
            read_items(&children, entry, answers)
        }
        (ItemKind::Group, true) => {
            let mut instance = Answers::default();
            let children: Vec<&Item> = item.items.iter().collect();
            read_items(&children, entry, &mut instance)?;
            let mut list = answers.get(&item.id).to_vec();
            list.push(Answer::Group(instance));
            answers.set(&item.id, list);
            Ok(())
        }
        _ => {
            let mut list = answers.get(&item.id).to_vec();
            let given = entry.get("answer").and_then(Json::as_array);
            for answer in given.into_iter().flatten() {
                list.push(answer_from_value(item, answer)?);
            }
            answers.set(&item.id, list);
            // What is nested under an answer (or, without one, under the question) is the
            // question's siblings in the form.
            for answer in given.into_iter().flatten() {
                read_items(items, answer, answers)?;
            }
            read_items(items, entry, answers)
        }
    }
}

fn find<'a>(items: &[&'a Item], link_id: &str) -> Option<&'a Item> {
    find_by(items, &|item| item.link_id() == link_id)
        .or_else(|| find_by(items, &|item| item.id == link_id))
}

fn find_by<'a>(items: &[&'a Item], matches: &dyn Fn(&Item) -> bool) -> Option<&'a Item> {
    items.iter().copied().find_map(|item| {
        if matches(item) {
            Some(item)
        } else if item.kind == ItemKind::Group && !item.repeats {
            find_by(&item.items.iter().collect::<Vec<_>>(), matches)
        } else {
            None
        }
    })
}

fn answer_from_value(item: &Item, answer: &Json) -> Result<Answer, String> {
    let wrong = || {
        format!(
            "`{}` has an answer of the wrong type for a {} item",
            item.id,
            item.kind.as_str()
        )
    };
    let text = |key: &str| answer.get(key).and_then(Json::as_str).map(str::to_owned);
    Ok(match item.kind {
        ItemKind::Boolean => Answer::Boolean(
            answer
                .get("valueBoolean")
                .and_then(Json::as_bool)
                .ok_or_else(wrong)?,
        ),
        ItemKind::Integer => Answer::Integer(
            answer
                .get("valueInteger")
                .and_then(Json::as_i64)
                .ok_or_else(wrong)?,
        ),
        ItemKind::Decimal => Answer::Decimal(
            answer
                .get("valueDecimal")
                .filter(|v| v.is_number())
                .ok_or_else(wrong)?
                .to_string(),
        ),
        ItemKind::Date => {
            let date = text("valueDate").ok_or_else(wrong)?;
            Answer::Date(
                Date::parse(&date, format_description!("[year]-[month]-[day]"))
                    .map_err(|_| wrong())?,
            )
        }
        ItemKind::DateTime => Answer::DateTime(text("valueDateTime").ok_or_else(wrong)?),
        ItemKind::Time => Answer::Time(text("valueTime").ok_or_else(wrong)?),
        ItemKind::String | ItemKind::Text => Answer::String(text("valueString").ok_or_else(wrong)?),
        ItemKind::Url => Answer::Url(
            text("valueUri")
                .or_else(|| text("valueUrl"))
                .ok_or_else(wrong)?,
        ),
        ItemKind::Reference => Answer::Reference(
            answer
                .pointer("/valueReference/reference")
                .and_then(Json::as_str)
                .ok_or_else(wrong)?
                .to_owned(),
        ),
        ItemKind::Choice | ItemKind::OpenChoice => match answer.get("valueCoding") {
            // A concept searched on the terminology server: the Coding itself.
            Some(coding) if item.searched_on_server => {
                let part = |key: &str| coding.get(key).and_then(Json::as_str).map(str::to_owned);
                Answer::Coding {
                    code: part("code").ok_or_else(wrong)?,
                    system: part("system").unwrap_or_default(),
                    display: part("display").unwrap_or_default(),
                }
            }
            Some(coding) => Answer::Choice(
                coding
                    .get("code")
                    .and_then(Json::as_str)
                    .ok_or_else(wrong)?
                    .to_owned(),
            ),
            // Options written as strings, integers, dates or times are answered so.
            None => {
                let value = ["valueString", "valueInteger", "valueDate", "valueTime"]
                    .iter()
                    .find_map(|key| answer.get(*key))
                    .ok_or_else(wrong)?;
                let code = value
                    .as_str()
                    .map_or_else(|| value.to_string(), str::to_owned);
                match item.option(&code) {
                    None if item.kind == ItemKind::OpenChoice => Answer::String(code),
                    _ => Answer::Choice(code),
                }
            }
        },
        ItemKind::Quantity => {
            let quantity = answer.get("valueQuantity").ok_or_else(wrong)?;
            Answer::Quantity {
                value: quantity
                    .get("value")
                    .filter(|v| v.is_number())
                    .ok_or_else(wrong)?
                    .to_string(),
                unit: quantity
                    .get("code")
                    .or_else(|| quantity.get("unit"))
                    .and_then(Json::as_str)
                    .unwrap_or_default()
                    .to_owned(),
            }
        }
        ItemKind::Group | ItemKind::Display | ItemKind::Attachment => return Err(wrong()),
    })
}
