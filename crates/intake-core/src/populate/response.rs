//! Building the QuestionnaireResponse items: answers from `initialExpression` (or `initial`),
//! one instance of a repeating group per `itemPopulationContext` result, and nothing for items
//! that got no answer.

use serde_json::{Value as Json, json};

use super::{
    Evaluation,
    answer::{answers_for, initial_answers, keep_listed_answers},
    extension_expression,
};

const INITIAL_EXPRESSION: &str =
    "http://hl7.org/fhir/uv/sdc/StructureDefinition/sdc-questionnaire-initialExpression";
pub(super) const ITEM_POPULATION_CONTEXT: &str =
    "http://hl7.org/fhir/uv/sdc/StructureDefinition/sdc-questionnaire-itemPopulationContext";

/// The response items for the questionnaire's top-level items. Every top-level item appears,
/// answered or not (as the reference implementation does).
pub fn top_level_items(questionnaire: &Json, eval: &mut Evaluation<'_>) -> Vec<Json> {
    let mut out = Vec::new();
    for item in children(questionnaire) {
        let built = build_item(item, eval);
        if built.is_empty() {
            out.push(bare(item));
        } else {
            out.extend(built);
        }
    }
    out
}

/// One item: a question, a group (recursively) or a repeating group's instances.
fn build_item(item: &Json, eval: &mut Evaluation<'_>) -> Vec<Json> {
    let kids = children(item);
    if kids.is_empty() {
        return question(item, eval).into_iter().collect();
    }
    if item["type"] == "group" && item["repeats"].as_bool() == Some(true) {
        return repeat_instances(item, eval);
    }
    let items: Vec<Json> = kids.iter().flat_map(|k| build_item(k, eval)).collect();
    let answers = if item["type"] == "group" {
        None
    } else {
        question_answers(item, eval)
    };
    if items.is_empty() && answers.is_none() {
        return Vec::new();
    }
    let mut out = bare(item);
    if !items.is_empty() {
        out["item"] = Json::from(items);
    }
    if let Some(answers) = answers {
        out["answer"] = Json::from(answers);
    }
    vec![out]
}

/// A question without children: its `initialExpression` result, else its `initial` values.
fn question(item: &Json, eval: &mut Evaluation<'_>) -> Option<Json> {
    let answers = question_answers(item, eval)?;
    let mut out = bare(item);
    out["answer"] = Json::from(answers);
    Some(out)
}

fn question_answers(item: &Json, eval: &mut Evaluation<'_>) -> Option<Vec<Json>> {
    if let Some(expression) = extension_expression(item, INITIAL_EXPRESSION) {
        let values = eval.values(expression, &item["linkId"], None);
        if !values.is_empty() {
            return keep_listed_answers(item, eval.contained(), answers_for(item, &values));
        }
    }
    item.get("initial").map(|_| initial_answers(item))
}

/// A repeating group: one instance per result of the `itemPopulationContext` its children's
/// expressions read, each child evaluated with that one result bound to the context's name.
fn repeat_instances(group: &Json, eval: &mut Evaluation<'_>) -> Vec<Json> {
    let Some((name, contexts)) = population_context(group, eval) else {
        return Vec::new();
    };
    let mut instances = Vec::new();
    for context in contexts {
        let mut items = Vec::new();
        for child in children(group) {
            if let Some(expression) = extension_expression(child, INITIAL_EXPRESSION) {
                let values = eval.values(expression, &child["linkId"], Some((&name, &context)));
                if values.first().is_some_and(|v| v != "") {
                    let answers = answers_for(child, &values);
                    if let Some(answers) = keep_listed_answers(child, eval.contained(), answers) {
                        let mut out = bare(child);
                        out["answer"] = Json::from(answers);
                        items.push(out);
                    }
                }
            }
            if extension_expression(child, ITEM_POPULATION_CONTEXT).is_some() {
                eval.with_variable(&name, &context, |eval| {
                    items.extend(build_item(child, eval));
                });
            }
        }
        let mut instance = bare(group);
        instance["item"] = Json::from(items);
        instances.push(instance);
    }
    instances
}

/// The population context a repeating group's children read (`%Name.…` in the first child
/// expression that names one, declared on the group or an ancestor), with its results here.
fn population_context(group: &Json, eval: &mut Evaluation<'_>) -> Option<(String, Vec<Json>)> {
    let (name, expression) = children(group).iter().find_map(|child| {
        let expression = extension_expression(child, INITIAL_EXPRESSION)?["expression"].as_str()?;
        let name = context_name(expression)?;
        let declared = eval.population_context(name)?;
        Some((name.to_owned(), declared))
    })?;
    let values = eval.values(&expression, &group["linkId"], None);
    Some((name, values))
}

/// The `Name` in an expression that starts from `%Name.`.
fn context_name(expression: &str) -> Option<&str> {
    let start = expression.find('%')? + 1;
    let end = start + expression[start..].find('.')?;
    Some(&expression[start..end])
}

fn children(item: &Json) -> &[Json] {
    item["item"]
        .as_array()
        .map(Vec::as_slice)
        .unwrap_or_default()
}

/// `{linkId, text}` of an item.
fn bare(item: &Json) -> Json {
    let mut out = json!({ "linkId": item["linkId"] });
    if let Some(text) = item.get("text").filter(|t| t.is_string()) {
        out["text"] = text.clone();
    }
    out
}

/// Drops answers that are empty (no answer, or an empty first text) and items left with
/// nothing, keeping the top level as it is.
pub fn without_empty_answers(items: Vec<Json>) -> Vec<Json> {
    items
        .into_iter()
        .map(|item| match item.get("item").and_then(Json::as_array) {
            Some(kids) if !kids.is_empty() => {
                let mut item = item.clone();
                item["item"] = Json::from(prune(kids.clone()));
                item
            }
            _ => item,
        })
        .collect()
}

fn prune(items: Vec<Json>) -> Vec<Json> {
    items
        .into_iter()
        .filter_map(|mut item| {
            match item.get("item").and_then(Json::as_array) {
                Some(kids) if !kids.is_empty() => {
                    item["item"] = Json::from(prune(kids.clone()));
                    return Some(item);
                }
                _ => {}
            }
            let empty = match item["answer"].as_array() {
                None => true,
                Some(answers) => answers.first().is_some_and(|a| a["valueString"] == ""),
            };
            (!empty).then_some(item)
        })
        .collect()
}
