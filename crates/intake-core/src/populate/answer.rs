//! Turning what an `initialExpression` returned into QuestionnaireResponse answers, the way the
//! SDC reference implementation (smart-forms `sdc-populate`) does, so results compare with it.

use serde_json::{Map, Value as Json, json};

use crate::fhirpath::value::Temporal;

/// The answers for `item` from the values an expression gave; only the first unless the item
/// repeats.
pub fn answers_for(item: &Json, values: &[Json]) -> Vec<Json> {
    let mut answers: Vec<Json> = values.iter().map(|v| answer_for(item, v)).collect();
    if !repeats(item) {
        answers.truncate(1);
    }
    answers
}

/// The answers an item's `initial` elements give.
pub fn initial_answers(item: &Json) -> Vec<Json> {
    item["initial"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|initial| {
            let (key, value) = initial
                .as_object()?
                .iter()
                .find(|(k, _)| k.starts_with("value"))?;
            let value = if key == "valueCoding" {
                relevant_coding(value)
            } else {
                value.clone()
            };
            Some(json!({ key.clone(): value }))
        })
        .collect()
}

/// One value as an answer: a matching answer option first, then by the item's type and the
/// value's shape.
fn answer_for(item: &Json, value: &Json) -> Json {
    if let Some(option) = value.as_str().and_then(|s| matching_option(item, s)) {
        return option;
    }
    let item_type = item["type"].as_str().unwrap_or_default();
    match value {
        Json::Bool(b) if item_type == "boolean" => json!({ "valueBoolean": b }),
        Json::Number(n) if item_type == "decimal" => json!({ "valueDecimal": n }),
        Json::Number(n) if item_type == "integer" => json!({ "valueInteger": n }),
        Json::Object(o) if o.contains_key("unit") => json!({ "valueQuantity": value }),
        Json::Object(o)
            if o.get("code").is_some_and(|c| !c.is_null())
                && !o.contains_key("value")
                && !o.contains_key("unit") =>
        {
            json!({ "valueCoding": relevant_coding(value) })
        }
        Json::Object(o) => {
            let text = o
                .get("display")
                .and_then(Json::as_str)
                .map(str::to_owned)
                .unwrap_or_else(|| value.to_string());
            json!({ "valueString": text })
        }
        Json::String(s) => string_answer(item_type, s),
        other => json!({ "valueString": other.to_string() }),
    }
}

fn string_answer(item_type: &str, s: &str) -> Json {
    let date_like = || Temporal::parse_date(s).is_some() || Temporal::parse_datetime(s).is_some();
    match item_type {
        "date" if date_like() => json!({ "valueDate": s.get(..10).unwrap_or(s) }),
        "dateTime" if date_like() => json!({ "valueDateTime": s }),
        "time" if Temporal::parse_time(s).is_some() && s.len() >= 8 => json!({ "valueTime": s }),
        _ => json!({ "valueString": s }),
    }
}

/// The answer option a text value names: by code, by display, as a string or an integer.
fn matching_option(item: &Json, text: &str) -> Option<Json> {
    item["answerOption"].as_array()?.iter().find_map(|option| {
        if let Some(coding) = option.get("valueCoding")
            && (coding["code"].as_str() == Some(text) || coding["display"].as_str() == Some(text))
        {
            return Some(json!({ "valueCoding": relevant_coding(coding) }));
        }
        if option["valueString"].as_str() == Some(text) {
            return Some(json!({ "valueString": text }));
        }
        if let Some(i) = option["valueInteger"].as_i64()
            && i.to_string() == text
        {
            return Some(json!({ "valueInteger": i }));
        }
        None
    })
}

/// A Coding with only `system`, `code`, `display` and `extension` (terminology servers add
/// elements that are not valid in a response).
pub fn relevant_coding(coding: &Json) -> Json {
    let mut out = Map::new();
    for key in ["system", "code", "display", "extension"] {
        if let Some(v) = coding.get(key).filter(|v| !v.is_null()) {
            out.insert(key.to_owned(), v.clone());
        }
    }
    Json::Object(out)
}

/// Drops coded answers that are not among the item's options (answer options, or the expansion
/// of a contained value set); a text answer that is an option's code becomes that option.
/// `None` when nothing is left of answers constrained by a contained value set.
pub fn keep_listed_answers(
    item: &Json,
    contained: &[Json],
    answers: Vec<Json>,
) -> Option<Vec<Json>> {
    if let Some(options) = item["answerOption"].as_array() {
        let codings: Vec<&Json> = options
            .iter()
            .filter_map(|o| o.get("valueCoding"))
            .collect();
        return Some(clean(answers, &codings));
    }
    let expansion = item["answerValueSet"]
        .as_str()
        .and_then(|reference| reference.strip_prefix('#'))
        .and_then(|id| contained.iter().find(|r| r["id"] == id))
        .and_then(|value_set| value_set["expansion"]["contains"].as_array());
    let Some(expansion) = expansion else {
        return Some(answers);
    };
    let codings: Vec<&Json> = expansion.iter().collect();
    let cleaned = clean(answers, &codings);
    (!cleaned.is_empty()).then_some(cleaned)
}

fn clean(answers: Vec<Json>, options: &[&Json]) -> Vec<Json> {
    answers
        .into_iter()
        .filter_map(|answer| {
            if let Some(text) = answer["valueString"].as_str() {
                return Some(
                    options
                        .iter()
                        .find(|o| o["code"].as_str() == Some(text))
                        .map(|o| json!({ "valueCoding": relevant_coding(o) }))
                        .unwrap_or(answer),
                );
            }
            match answer.get("valueCoding") {
                Some(coding) => options
                    .iter()
                    .any(|o| o["code"] == coding["code"])
                    .then_some(answer),
                None => Some(answer),
            }
        })
        .collect()
}

fn repeats(item: &Json) -> bool {
    item["repeats"].as_bool().unwrap_or(false)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_code_picks_the_answer_option_with_only_the_relevant_coding_elements() {
        let item = json!({"type": "choice", "answerOption": [
            {"valueCoding": {"system": "s", "code": "a", "display": "A", "designation": []}}]});
        assert_eq!(
            answers_for(&item, &[json!("a")]),
            [json!({"valueCoding": {"system": "s", "code": "a", "display": "A"}})]
        );
    }

    #[test]
    fn values_take_the_items_type_and_only_the_first_counts_unless_it_repeats() {
        let date = json!({"type": "date"});
        assert_eq!(
            answers_for(
                &date,
                &[json!("2025-08-07T07:38:03.107+00:00"), json!("2020-01-01")]
            ),
            [json!({"valueDate": "2025-08-07"})]
        );
        let decimal = json!({"type": "decimal", "repeats": true});
        assert_eq!(
            answers_for(&decimal, &[json!(1.5), json!(2)]),
            [json!({"valueDecimal": 1.5}), json!({"valueDecimal": 2})]
        );
        let text = json!({"type": "string"});
        assert_eq!(
            answers_for(&text, &[json!(7)]),
            [json!({"valueString": "7"})]
        );
        let quantity = json!({"type": "quantity"});
        assert_eq!(
            answers_for(&quantity, &[json!({"value": 80, "unit": "kg"})]),
            [json!({"valueQuantity": {"value": 80, "unit": "kg"}})]
        );
    }

    #[test]
    fn codings_outside_the_options_are_dropped() {
        let item = json!({"type": "choice", "answerOption": [{"valueCoding": {"code": "a"}}]});
        let kept = keep_listed_answers(
            &item,
            &[],
            vec![
                json!({"valueCoding": {"code": "a"}}),
                json!({"valueCoding": {"code": "z"}}),
                json!({"valueString": "a"}),
            ],
        );
        assert_eq!(
            kept,
            Some(vec![
                json!({"valueCoding": {"code": "a"}}),
                json!({"valueCoding": {"code": "a"}})
            ])
        );
    }
}
