//! Answers written as literals: what scenario files hold and what a form's literal
//! `initial_value`s are (YAML or JSON values read against the items they answer).

use std::collections::BTreeMap;

use serde_json::{Map, Value as Json};
use time::{Date, macros::format_description};

use super::{Answer, Answers};
use crate::forms::{Item, ItemKind};

/// Answers written the way scenario files write them: a scalar, `{ code: X }` for a choice,
/// `{ value, unit }` for a quantity, a list for several answers, and for a repeating group a
/// list of maps of its children's answers.
pub fn answers_from_yaml<'a>(
    items: impl Iterator<Item = &'a Item>,
    given: &Map<String, Json>,
) -> Result<Answers, String> {
    let mut index: BTreeMap<&str, &Item> = BTreeMap::new();
    /// Items answerable in this scope: these and, through non-repeating groups, their children
    /// (a repeating group's children are answered inside its instances).
    fn collect<'a>(item: &'a Item, index: &mut BTreeMap<&'a str, &'a Item>) {
        index.insert(item.id.as_str(), item);
        if item.kind == ItemKind::Group && !item.repeats {
            for child in &item.items {
                collect(child, index);
            }
        }
    }
    for item in items {
        collect(item, &mut index);
    }
    let mut answers = Answers::default();
    for (id, value) in given {
        let item = index
            .get(id.as_str())
            .ok_or_else(|| format!("the answers name `{id}`, which is not an item here"))?;
        let values: Vec<&Json> = match value {
            Json::Array(list) => list.iter().collect(),
            single => vec![single],
        };
        let parsed = values
            .into_iter()
            .map(|v| answer_from_literal(item, v))
            .collect::<Result<Vec<_>, String>>()?;
        answers.set(id, parsed);
    }
    Ok(answers)
}

/// A plain value as the code of the option it is: `12` → `"12"`, `"B"` → `"B"`.
fn plain_code(value: &Json) -> String {
    value
        .as_str()
        .map_or_else(|| value.to_string(), str::to_owned)
}

/// One answer written as YAML (or JSON): what scenario files and literal `initial_value`s hold.
pub fn answer_from_literal(item: &Item, value: &Json) -> Result<Answer, String> {
    let wrong = || {
        format!(
            "`{value}` is not an answer for {} item `{}`",
            item.kind.as_str(),
            item.id
        )
    };
    Ok(match (item.kind, value) {
        (ItemKind::Group, Json::Object(children)) => {
            Answer::Group(answers_from_yaml(item.items.iter(), children)?)
        }
        (ItemKind::Boolean, Json::Bool(b)) => Answer::Boolean(*b),
        (ItemKind::Integer, Json::Number(n)) => Answer::Integer(n.as_i64().ok_or_else(wrong)?),
        (ItemKind::Decimal, Json::Number(n)) => Answer::Decimal(n.to_string()),
        (ItemKind::Date, Json::String(s)) => Answer::Date(
            Date::parse(s, format_description!("[year]-[month]-[day]")).map_err(|_| wrong())?,
        ),
        (ItemKind::DateTime, Json::String(s)) => Answer::DateTime(s.clone()),
        (ItemKind::Time, Json::String(s)) => Answer::Time(s.clone()),
        // A choice of plain values takes the value of one of its options (`12`, `"2022-09"`).
        (ItemKind::Choice | ItemKind::OpenChoice, Json::Number(_) | Json::String(_))
            if item.answer_kind() != item.kind && item.option(&plain_code(value)).is_some() =>
        {
            Answer::Choice(plain_code(value))
        }
        (ItemKind::String | ItemKind::Text | ItemKind::OpenChoice, Json::String(s)) => {
            Answer::String(s.clone())
        }
        (ItemKind::String | ItemKind::Text, Json::Number(n)) => Answer::String(n.to_string()),
        (ItemKind::Url, Json::String(s)) => Answer::Url(s.clone()),
        (ItemKind::Reference, Json::String(s)) => Answer::Reference(s.clone()),
        // A concept of a value set searched on the server: the Coding as written.
        (ItemKind::Choice, Json::Object(coding)) if item.searched_on_server => {
            let part = |key: &str| coding.get(key).and_then(Json::as_str).map(str::to_owned);
            Answer::Coding {
                code: part("code").ok_or_else(wrong)?,
                system: part("system").unwrap_or_default(),
                display: part("display").unwrap_or_default(),
            }
        }
        (ItemKind::Choice | ItemKind::OpenChoice, Json::Object(coding)) => {
            let code = coding
                .get("code")
                .and_then(Json::as_str)
                .ok_or_else(wrong)?;
            if item.option(code).is_none()
                && item.kind == ItemKind::Choice
                && item.answer_expression.is_none()
            {
                return Err(format!("`{code}` is not an option of `{}`", item.id));
            }
            Answer::Choice(code.to_owned())
        }
        (ItemKind::Quantity, Json::Number(n)) => Answer::Quantity {
            value: n.to_string(),
            unit: item
                .unit
                .as_ref()
                .map(|u| u.code.clone())
                .unwrap_or_default(),
        },
        // A FHIR Quantity: the UCUM `code` is the unit; `unit` is only its display when `code` is there.
        (ItemKind::Quantity, Json::Object(q)) => Answer::Quantity {
            value: q.get("value").map(ToString::to_string).ok_or_else(wrong)?,
            unit: q
                .get("code")
                .or_else(|| q.get("unit"))
                .and_then(Json::as_str)
                .map(str::to_owned)
                .or_else(|| item.unit.as_ref().map(|u| u.code.clone()))
                .unwrap_or_default(),
        },
        _ => return Err(wrong()),
    })
}
