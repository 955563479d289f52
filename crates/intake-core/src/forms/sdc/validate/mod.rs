//! Whether a QuestionnaireResponse has its Questionnaire's structure: every item where the
//! Questionnaire puts it, with its text, as often as it may appear, with answers of its type,
//! and, in a completed response, every required item that is enabled answered.
//! Spec: <https://hl7.org/fhir/R4/questionnaireresponse.html#invs>,
//! <https://hl7.org/fhir/R4/questionnaire-definitions.html#Questionnaire.item.type>

use std::collections::BTreeMap;

use serde_json::Value as Json;

use super::url;

/// One way a response departs from its Questionnaire, with where (`item[0].answer[0].item[1]`).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{at}: {problem}")]
pub struct ResponseIssue {
    /// The response item, as a path from the response's root.
    pub at: String,
    /// What is wrong there.
    pub problem: ShapeError,
}

/// What can be wrong with a response item against its Questionnaire.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ShapeError {
    /// A response item has no `linkId`.
    #[error("an item has no linkId")]
    NoLinkId,
    /// The Questionnaire has no item with this linkId.
    #[error("`{0}` is not an item of the Questionnaire")]
    Unknown(String),
    /// The item exists, under another parent (`None`: at the top level).
    #[error("`{link_id}` belongs under {}", .parent.as_ref().map_or("the top level".to_owned(), |p| format!("`{p}`")))]
    WrongPlace {
        /// The item.
        link_id: String,
        /// Where the Questionnaire has it.
        parent: Option<String>,
    },
    /// Siblings are not in the Questionnaire's order.
    #[error("`{0}` comes after an item the Questionnaire puts after it")]
    OutOfOrder(String),
    /// An item that does not repeat appears more than once among its siblings (a question
    /// appears once, holding all its answers).
    #[error("`{0}` appears {1} times")]
    Repeated(String, usize),
    /// A repeating group has more or fewer instances than `minOccurs`/`maxOccurs` allow.
    #[error("`{link_id}` appears {count} times; the Questionnaire allows {min} to {max}")]
    Occurrences {
        /// The item.
        link_id: String,
        /// How many times it appears (or how many answers it has).
        count: usize,
        /// Fewest allowed.
        min: usize,
        /// Most allowed.
        max: usize,
    },
    /// The item's text is not the Questionnaire's.
    #[error("the text of `{link_id}` is {found:?}; the Questionnaire has {expected:?}")]
    Text {
        /// The item.
        link_id: String,
        /// The response's text.
        found: String,
        /// The Questionnaire's, if any.
        expected: Option<String>,
    },
    /// A group or display item has answers.
    #[error("`{0}` is a {1} item and has answers")]
    AnswerOnNonQuestion(String, String),
    /// A display item has items.
    #[error("`{0}` is a display item and has items")]
    ItemsOnDisplay(String),
    /// A question has answers and items directly under it: with answers, its children belong
    /// in them (qrs-1).
    #[error("question `{0}` has answers and items outside them")]
    ItemsOnQuestion(String),
    /// An item has neither answers nor items.
    #[error("`{0}` has neither answers nor items")]
    Empty(String),
    /// A question that does not repeat has more than one answer.
    #[error("`{0}` does not repeat and has {1} answers")]
    TooManyAnswers(String, usize),
    /// An answer's value is not of the item's type.
    #[error("`{link_id}` has a {found} answer, which its type {item_type} does not take")]
    WrongType {
        /// The item.
        link_id: String,
        /// The Questionnaire's type.
        item_type: String,
        /// The answer's `value[x]`, or `no value`.
        found: String,
    },
    /// A choice's answer is none of its options.
    #[error("`{link_id}` has the answer {answer}, which is none of its options")]
    NotAnOption {
        /// The item.
        link_id: String,
        /// The answer, as JSON.
        answer: String,
    },
    /// A required item that is enabled has no answer in a completed response.
    #[error("`{0}` is required and has no answer")]
    Unanswered(String),
}

/// Checks `response` against `questionnaire`'s structure. `enabled` says whether an item (by
/// linkId) is enabled; required items are checked only when the response is `completed` (or
/// `amended`) and only those enabled. Returns every issue found, in the response's order.
pub fn validate_response(
    questionnaire: &Json,
    response: &Json,
    enabled: &dyn Fn(&str) -> bool,
) -> Vec<ResponseIssue> {
    let completed = matches!(
        response.get("status").and_then(Json::as_str),
        Some("completed" | "amended")
    );
    let mut parents = BTreeMap::new();
    index_parents(list(questionnaire, "item"), None, &mut parents);
    let mut check = Check {
        questionnaire,
        parents,
        enabled,
        completed,
        issues: Vec::new(),
    };
    check.siblings(list(questionnaire, "item"), list(response, "item"), "");
    check.issues
}

/// Each linkId of the Questionnaire, with the linkId of the item it is under.
fn index_parents<'q>(
    items: &'q [Json],
    parent: Option<&'q str>,
    out: &mut BTreeMap<&'q str, Option<&'q str>>,
) {
    for item in items {
        if let Some(link_id) = str_of(item, "linkId") {
            out.insert(link_id, parent);
            index_parents(list(item, "item"), Some(link_id), out);
        }
    }
}

struct Check<'q, 'e> {
    questionnaire: &'q Json,
    parents: BTreeMap<&'q str, Option<&'q str>>,
    enabled: &'e dyn Fn(&str) -> bool,
    completed: bool,
    issues: Vec<ResponseIssue>,
}

impl Check<'_, '_> {
    fn issue(&mut self, at: &str, problem: ShapeError) {
        // An issue about a list of siblings is reported at the item holding them.
        let at = match at.trim_end_matches('.') {
            "" => "QuestionnaireResponse",
            at => at,
        };
        self.issues.push(ResponseIssue {
            at: at.to_owned(),
            problem,
        });
    }

    /// The response items `given` answering the Questionnaire items `declared` (the top level,
    /// or the children of one item), found at `path`.
    fn siblings(&mut self, declared: &[Json], given: &[Json], path: &str) {
        let mut furthest = 0;
        let mut counts: BTreeMap<usize, usize> = BTreeMap::new();
        for (n, item) in given.iter().enumerate() {
            let at = format!("{path}item[{n}]");
            let Some(link_id) = str_of(item, "linkId") else {
                self.issue(&at, ShapeError::NoLinkId);
                continue;
            };
            let Some(index) = declared
                .iter()
                .position(|d| str_of(d, "linkId") == Some(link_id))
            else {
                let problem = match self.parents.get(link_id) {
                    Some(parent) => ShapeError::WrongPlace {
                        link_id: link_id.to_owned(),
                        parent: parent.map(str::to_owned),
                    },
                    None => ShapeError::Unknown(link_id.to_owned()),
                };
                self.issue(&at, problem);
                continue;
            };
            if index < furthest {
                self.issue(&at, ShapeError::OutOfOrder(link_id.to_owned()));
            }
            furthest = furthest.max(index);
            *counts.entry(index).or_default() += 1;
            self.item(&declared[index], item, &at);
        }
        for (index, definition) in declared.iter().enumerate() {
            let count = counts.get(&index).copied().unwrap_or(0);
            let link_id = str_of(definition, "linkId").unwrap_or_default();
            let group = str_of(definition, "type") == Some("group");
            let repeats = definition.get("repeats").and_then(Json::as_bool) == Some(true);
            if count > 1 && !(group && repeats) {
                self.issue(path, ShapeError::Repeated(link_id.to_owned(), count));
            }
            let required = self.completed && (self.enabled)(link_id);
            if group && repeats {
                self.occurrences(definition, link_id, count, required, path);
            }
            let asked = definition.get("required").and_then(Json::as_bool) == Some(true);
            if required && asked && count == 0 && str_of(definition, "type") != Some("display") {
                self.issue(path, ShapeError::Unanswered(link_id.to_owned()));
            }
        }
    }

    /// `minOccurs`/`maxOccurs` of a repeating item against `count` (instances or answers), in
    /// a completed response (one in progress may hold too many while the patient fixes it);
    /// the minimum only where the item is `required` to be answered (enabled).
    fn occurrences(
        &mut self,
        definition: &Json,
        link_id: &str,
        count: usize,
        required: bool,
        at: &str,
    ) {
        let bound = |url: &str| {
            list(definition, "extension")
                .iter()
                .find(|e| str_of(e, "url") == Some(url))
                .and_then(|e| e.get("valueInteger"))
                .and_then(Json::as_u64)
                .and_then(|n| usize::try_from(n).ok())
        };
        let min = bound(url::MIN_OCCURS).unwrap_or(0);
        let max = bound(url::MAX_OCCURS).unwrap_or(usize::MAX);
        let too_few = required && count > 0 && count < min;
        if self.completed && (too_few || count > max) {
            self.issue(
                at,
                ShapeError::Occurrences {
                    link_id: link_id.to_owned(),
                    count,
                    min,
                    max,
                },
            );
        }
    }

    fn item(&mut self, definition: &Json, item: &Json, at: &str) {
        let link_id = str_of(definition, "linkId").unwrap_or_default();
        let expected = str_of(definition, "text");
        if let Some(found) = str_of(item, "text")
            && Some(found) != expected
        {
            self.issue(
                at,
                ShapeError::Text {
                    link_id: link_id.to_owned(),
                    found: found.to_owned(),
                    expected: expected.map(str::to_owned),
                },
            );
        }
        let item_type = str_of(definition, "type").unwrap_or("group");
        let answers = list(item, "answer");
        let children = list(item, "item");
        match item_type {
            "group" | "display" if !answers.is_empty() => self.issue(
                at,
                ShapeError::AnswerOnNonQuestion(link_id.to_owned(), item_type.to_owned()),
            ),
            "display" if !children.is_empty() => {
                self.issue(at, ShapeError::ItemsOnDisplay(link_id.to_owned()));
            }
            "display" => {}
            "group" if children.is_empty() => {
                self.issue(at, ShapeError::Empty(link_id.to_owned()));
            }
            "group" => {
                let path = format!("{at}.");
                self.siblings(list(definition, "item"), children, &path);
            }
            _ => self.question(definition, item, at),
        }
    }

    fn question(&mut self, definition: &Json, item: &Json, at: &str) {
        let link_id = str_of(definition, "linkId").unwrap_or_default();
        let item_type = str_of(definition, "type").unwrap_or_default();
        let answers = list(item, "answer");
        let direct = list(item, "item");
        let mut nested: Vec<&str> = Vec::new();
        match (answers.is_empty(), direct.is_empty()) {
            (true, true) => self.issue(at, ShapeError::Empty(link_id.to_owned())),
            // Without an answer, a question's children sit right under it.
            (true, false) => {
                nested.extend(direct.iter().filter_map(|c| str_of(c, "linkId")));
                self.siblings_of_answer(definition, direct, at);
            }
            (false, false) => self.issue(at, ShapeError::ItemsOnQuestion(link_id.to_owned())),
            (false, true) => {}
        }
        let repeats = definition.get("repeats").and_then(Json::as_bool) == Some(true);
        if !repeats && answers.len() > 1 {
            self.issue(
                at,
                ShapeError::TooManyAnswers(link_id.to_owned(), answers.len()),
            );
        }
        if repeats {
            let required = self.completed && (self.enabled)(link_id);
            self.occurrences(definition, link_id, answers.len(), required, at);
        }
        let allowed = allowed_values(definition, item_type);
        let options = options(self.questionnaire, definition);
        for (n, answer) in answers.iter().enumerate() {
            let at = format!("{at}.answer[{n}]");
            let value = answer
                .as_object()
                .and_then(|m| m.iter().find(|(k, _)| k.starts_with("value")));
            match value {
                Some((key, _)) if allowed.as_ref().is_some_and(|a| !a.contains(&key.as_str())) => {
                    self.issue(&at, wrong_type(link_id, item_type, key));
                }
                None => self.issue(&at, wrong_type(link_id, item_type, "no value")),
                Some((key, value)) => {
                    let open = item_type == "open-choice" && key == "valueString";
                    if let Some(options) = &options
                        && !open
                        && !options.iter().any(|o| same_option(o, key, value))
                    {
                        self.issue(
                            &at,
                            ShapeError::NotAnOption {
                                link_id: link_id.to_owned(),
                                answer: format!("{{{key:?}: {value}}}"),
                            },
                        );
                    }
                }
            }
            let children = list(answer, "item");
            nested.extend(children.iter().filter_map(|c| str_of(c, "linkId")));
            if !children.is_empty() {
                self.siblings_of_answer(definition, children, &at);
            }
        }
        if self.completed {
            for child in list(definition, "item") {
                let child_id = str_of(child, "linkId").unwrap_or_default();
                let asked = child.get("required").and_then(Json::as_bool) == Some(true);
                if asked && (self.enabled)(child_id) && !nested.contains(&child_id) {
                    self.issue(at, ShapeError::Unanswered(child_id.to_owned()));
                }
            }
        }
    }

    /// The items under one answer of a question (or under the question, without answers): its
    /// children, checked as siblings, but required ones counted over all of its answers (by
    /// [`Check::question`]).
    fn siblings_of_answer(&mut self, definition: &Json, children: &[Json], at: &str) {
        let completed = std::mem::replace(&mut self.completed, false);
        let path = format!("{at}.");
        self.siblings(list(definition, "item"), children, &path);
        self.completed = completed;
    }
}

fn wrong_type(link_id: &str, item_type: &str, found: &str) -> ShapeError {
    ShapeError::WrongType {
        link_id: link_id.to_owned(),
        item_type: item_type.to_owned(),
        found: found.to_owned(),
    }
}

/// The `value[x]` keys an answer to an item of `item_type` may have; `None` when any may (a
/// type this check does not know).
fn allowed_values(definition: &Json, item_type: &str) -> Option<Vec<&'static str>> {
    let mut allowed: Vec<&'static str> = match item_type {
        "boolean" => vec!["valueBoolean"],
        "decimal" => vec!["valueDecimal"],
        "integer" => vec!["valueInteger"],
        "date" => vec!["valueDate"],
        "dateTime" => vec!["valueDateTime"],
        "time" => vec!["valueTime"],
        "string" | "text" => vec!["valueString"],
        "url" => vec!["valueUri"],
        "choice" | "coding" => vec!["valueCoding"],
        "open-choice" => vec!["valueCoding", "valueString"],
        "attachment" => vec!["valueAttachment"],
        "reference" => vec!["valueReference"],
        "quantity" => vec!["valueQuantity"],
        _ => return None,
    };
    // A choice among strings, integers or dates (`answerOption.valueString`...) is answered
    // with the option's type.
    if matches!(item_type, "choice" | "open-choice") {
        for option in list(definition, "answerOption") {
            if let Some(key) = option
                .as_object()
                .and_then(|m| m.keys().find(|k| k.starts_with("value")))
                .and_then(|k| VALUE_KEYS.iter().find(|known| **known == k.as_str()))
                && !allowed.contains(key)
            {
                allowed.push(key);
            }
        }
    }
    Some(allowed)
}

const VALUE_KEYS: [&str; 6] = [
    "valueCoding",
    "valueString",
    "valueInteger",
    "valueDate",
    "valueTime",
    "valueReference",
];

/// The options of a choice (`answerOption`, or the concepts of a contained `answerValueSet`) as
/// `(value[x] key, value)`; `None` when they cannot be known here (no list, or a value set
/// outside the Questionnaire).
fn options(questionnaire: &Json, definition: &Json) -> Option<Vec<(String, Json)>> {
    let item_type = str_of(definition, "type")?;
    // Strings or numbers with an answer list (R5 style): the list constrains them too.
    let listable = matches!(item_type, "choice" | "open-choice" | "coding");
    if !listable && definition.get("answerOption").is_none() {
        return None;
    }
    let listed: Vec<(String, Json)> = list(definition, "answerOption")
        .iter()
        .filter_map(|o| {
            let (key, value) = o
                .as_object()?
                .iter()
                .find(|(k, _)| k.starts_with("value"))?;
            Some((key.clone(), value.clone()))
        })
        .collect();
    if !listed.is_empty() {
        return Some(listed);
    }
    let reference = str_of(definition, "answerValueSet")?;
    let set = list(questionnaire, "contained").iter().find(|c| {
        str_of(c, "resourceType") == Some("ValueSet")
            && (reference.strip_prefix('#') == str_of(c, "id")
                || Some(reference) == str_of(c, "url"))
    })?;
    let mut codes = Vec::new();
    let mut stack: Vec<&Json> = list(&set["expansion"], "contains").iter().collect();
    while let Some(concept) = stack.pop() {
        stack.extend(list(concept, "contains"));
        codes.push(("valueCoding".to_owned(), concept.clone()));
    }
    for include in list(&set["compose"], "include") {
        // A whole code system or a filter is not knowable here.
        let concepts = include.get("concept").and_then(Json::as_array)?;
        for concept in concepts {
            let mut coding = concept.clone();
            if let (Some(system), Some(m)) = (include.get("system"), coding.as_object_mut()) {
                m.insert("system".into(), system.clone());
            }
            codes.push(("valueCoding".to_owned(), coding));
        }
    }
    (!codes.is_empty()).then_some(codes)
}

/// Whether an answer's `key: value` is the option: the same code (and system, when both have
/// one) for a Coding, the same value otherwise.
fn same_option(option: &(String, Json), key: &str, value: &Json) -> bool {
    if option.0 != key {
        return false;
    }
    if key != "valueCoding" {
        return option.1 == *value;
    }
    let code = |c: &Json| c.get("code").and_then(Json::as_str).map(str::to_owned);
    let system = |c: &Json| c.get("system").and_then(Json::as_str).map(str::to_owned);
    code(&option.1) == code(value)
        && match (system(&option.1), system(value)) {
            (Some(a), Some(b)) => a == b,
            _ => true,
        }
}

fn list<'a>(value: &'a Json, key: &str) -> &'a [Json] {
    value
        .get(key)
        .and_then(Json::as_array)
        .map_or(&[], Vec::as_slice)
}

fn str_of<'a>(value: &'a Json, key: &str) -> Option<&'a str> {
    value.get(key).and_then(Json::as_str)
}

#[cfg(test)]
mod tests;
