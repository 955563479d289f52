//! Answers as FHIRPath values: `%item_id` in expressions. Choices become `Coding`s carrying
//! their option's weight as an `ordinalValue` extension, so `weight()` needs no Questionnaire.

use std::{
    collections::HashMap,
    hash::{Hash, Hasher},
    str::FromStr,
    sync::{Arc, OnceLock},
};

use rust_decimal::Decimal;
use serde_json::{Value as Json, json};

use super::{Answer, Answers, iso_date};
use crate::{
    fhirpath::{
        Clock, Coll, EvalContext, Value,
        model::r4,
        value::{Node, Str, Temporal},
    },
    forms::{AnswerOption, Item, ItemKind, OptionType},
};

/// One bound value, owned, so a scope can outlive any single evaluation.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum Bound {
    /// A system value (Boolean, Integer, Decimal, String, Date, DateTime, Time).
    System(BoundValue),
    /// A FHIR element as JSON (a Coding, the Patient), shared: bound again on every pass.
    Element(Arc<Json>, &'static str),
}

/// The system values, in a form that compares and clones cheaply.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum BoundValue {
    Boolean(bool),
    Integer(i64),
    Decimal(Decimal),
    Text(Arc<str>),
    Date(String),
    DateTime(String),
    Time(String),
}

/// A map by the form's own ids, with a fast hasher (the ids are not patient input).
pub(super) type FastMap<K, V> = HashMap<K, V, foldhash::fast::RandomState>;

/// The `%`-variables of one scope: the form, or one instance of a repeating group.
#[derive(Debug, Clone, Default)]
pub(super) struct Scope {
    vars: FastMap<String, Vec<Bound>>,
    codings: Arc<Codings>,
    /// SDC's `%questionnaire`, for forms whose expressions read the response as SDC does.
    questionnaire: Option<Arc<Json>>,
    /// SDC's `%resource`: the answers it is built from, and the response once built.
    response: Option<Arc<(Answers, OnceLock<Json>)>>,
}

/// The value of every option of a form as expressions see it, by item id and code: a FHIR
/// `Coding`, or the integer, date, time or string an option of those types is (SDC answers
/// it as `valueInteger`..., so `%item` is that value). Built once per form.
#[derive(Debug, Default)]
pub(super) struct Codings(FastMap<String, FastMap<String, Bound>>);

impl Codings {
    /// The values of every option of every item in `items`.
    pub fn for_items<'a>(items: impl Iterator<Item = &'a Item>) -> Self {
        let mut codings: FastMap<String, FastMap<String, Bound>> = FastMap::default();
        for item in items.filter(|item| !item.options.is_empty()) {
            let of_item = codings.entry(item.id.clone()).or_default();
            for option in &item.options {
                of_item.insert(option.code.clone(), option_value(item, option));
            }
        }
        Self(codings)
    }

    fn get(&self, item: &Item, code: &str) -> Bound {
        self.0
            .get(item.id.as_str())
            .and_then(|of_item| of_item.get(code))
            .cloned()
            .unwrap_or_else(|| Bound::Element(Arc::new(coding(item, code)), "Coding"))
    }
}

/// An option as expressions see the answer that picks it.
fn option_value(item: &Item, option: &AnswerOption) -> Bound {
    let text = || BoundValue::Text(Arc::from(option.code.as_str()));
    Bound::System(match option.value_type {
        OptionType::Coding => {
            return Bound::Element(Arc::new(coding(item, &option.code)), "Coding");
        }
        OptionType::Integer => option
            .code
            .parse()
            .map_or_else(|_| text(), BoundValue::Integer),
        OptionType::String => text(),
        OptionType::Date => BoundValue::Date(option.code.clone()),
        OptionType::Time => BoundValue::Time(option.code.clone()),
        OptionType::Display => {
            return Bound::Element(Arc::new(json!({ "display": option.code })), "Coding");
        }
    })
}

impl Scope {
    /// An empty scope of a form whose option codings are `codings`.
    pub fn with_codings(codings: Arc<Codings>) -> Self {
        Self {
            vars: FastMap::default(),
            codings,
            questionnaire: None,
            response: None,
        }
    }

    /// An empty scope sharing this one's codings (for a repeat instance).
    pub fn empty_like(&self) -> Self {
        Self::with_codings(self.codings.clone())
    }

    /// Makes `%resource` the response made of `answers`, built only if an expression that reads
    /// it has to run; until then the memo sees it as a hash of the answers.
    pub fn set_response(&mut self, answers: &Answers) {
        let mut hasher = std::collections::hash_map::DefaultHasher::new();
        answers.hash(&mut hasher);
        let fingerprint = i64::from_ne_bytes(hasher.finish().to_ne_bytes());
        self.set(
            "resource",
            vec![Bound::System(BoundValue::Integer(fingerprint))],
        );
        self.response = Some(Arc::new((answers.clone(), OnceLock::new())));
    }

    /// The response `%resource` stands for, built on first use.
    pub fn response(&self, build: impl FnOnce(&Answers) -> Json) -> Option<&Json> {
        self.response
            .as_ref()
            .map(|cell| cell.1.get_or_init(|| build(&cell.0)))
    }

    /// Makes `%questionnaire` (and `weight()` on the response's codings) see `questionnaire`.
    pub fn set_questionnaire(&mut self, questionnaire: Arc<Json>) {
        self.questionnaire = Some(questionnaire);
    }

    /// Binds every answerable item in `items` to its answers in `answers`. Items inside a
    /// repeating group are bound to the answers of all its instances.
    pub fn bind_items(&mut self, items: &[Item], answers: &Answers) {
        for item in items {
            match item.kind {
                ItemKind::Display => {}
                ItemKind::Group if !item.repeats => self.bind_items(&item.items, answers),
                ItemKind::Group => {
                    for instance in answers.get(&item.id) {
                        if let Answer::Group(inner) = instance {
                            self.append_items(&item.items, inner);
                        }
                    }
                }
                _ => {
                    let values = answers
                        .get(&item.id)
                        .iter()
                        .filter_map(|a| bind_answer(item, a, &self.codings))
                        .collect();
                    self.set(&item.id, values);
                }
            }
        }
    }

    /// Like [`Self::bind_items`], adding to what is bound (for the instances of a group).
    fn append_items(&mut self, items: &[Item], answers: &Answers) {
        let mut inner = self.empty_like();
        inner.bind_items(items, answers);
        for (name, values) in inner.vars {
            self.vars.entry(name).or_default().extend(values);
        }
    }

    /// Binds one name.
    pub fn set(&mut self, name: &str, values: Vec<Bound>) {
        self.vars.insert(name.to_owned(), values);
    }

    /// The values bound to a name.
    pub fn get(&self, name: &str) -> &[Bound] {
        self.vars.get(name).map_or(&[], Vec::as_slice)
    }

    /// A context for evaluating an expression that reads `names`, with `overlay` (a repeat
    /// instance) over this scope. Only what the expression reads is converted.
    pub fn context<'a>(
        &'a self,
        overlay: Option<&'a Scope>,
        names: &[String],
        clock: Clock,
    ) -> EvalContext<'a> {
        let mut context = EvalContext::new(clock);
        for name in names {
            let values = overlay
                .map(|scope| scope.get(name))
                .filter(|values| !values.is_empty())
                .unwrap_or_else(|| self.get(name));
            // An unanswered item is an empty collection; only names no scope knows stay
            // undefined (FHIRPath reports those).
            let known = self.vars.contains_key(name)
                || overlay.is_some_and(|scope| scope.vars.contains_key(name));
            if known {
                context.set_var(name, values.iter().map(to_value).collect());
            }
        }
        // `%questionnaire` is the engine's own variable, not a caller one (so is `%resource`,
        // which the evaluator sets when an expression reads it).
        context.questionnaire = self.questionnaire.as_deref();
        context
    }
}

fn to_value(bound: &Bound) -> Value<'_> {
    match bound {
        Bound::Element(json, type_name) => Value::Node(Node::new(
            json,
            r4().type_id(type_name)
                .unwrap_or(crate::fhirpath::model::UNKNOWN),
        )),
        Bound::System(value) => match value {
            BoundValue::Boolean(b) => Value::Bool(*b),
            BoundValue::Integer(n) => Value::Int(*n),
            BoundValue::Decimal(d) => Value::Dec(*d),
            BoundValue::Text(s) => Value::Str(Str::R(s.clone())),
            BoundValue::Date(s) => Temporal::parse_date(s)
                .map_or(Value::Str(Str::R(Arc::from(s.as_str()))), Value::Temporal),
            BoundValue::DateTime(s) => Temporal::parse_datetime(s)
                .map_or(Value::Str(Str::R(Arc::from(s.as_str()))), Value::Temporal),
            BoundValue::Time(s) => Temporal::parse_time(s)
                .map_or(Value::Str(Str::R(Arc::from(s.as_str()))), Value::Temporal),
        },
    }
}

fn bind_answer(item: &Item, answer: &Answer, codings: &Codings) -> Option<Bound> {
    let system = |value| Some(Bound::System(value));
    match answer {
        Answer::Boolean(b) => system(BoundValue::Boolean(*b)),
        Answer::Integer(n) => system(BoundValue::Integer(*n)),
        Answer::Decimal(d) => Decimal::from_str(d)
            .ok()
            .and_then(|d| system(BoundValue::Decimal(d))),
        Answer::Date(d) => system(BoundValue::Date(iso_date(*d))),
        Answer::DateTime(s) => system(BoundValue::DateTime(s.clone())),
        Answer::Time(s) => system(BoundValue::Time(s.clone())),
        Answer::String(s) | Answer::Url(s) | Answer::Reference(s) => {
            system(BoundValue::Text(Arc::from(s.as_str())))
        }
        // As in a QuestionnaireResponse: a FHIR Quantity element, so `.value` and `.code` work
        // and comparisons with quantity literals still convert units.
        Answer::Quantity { value, unit } => {
            let number: serde_json::Number = value.parse().ok()?;
            let display = item
                .unit
                .as_ref()
                .and_then(|u| u.display.clone())
                .unwrap_or_else(|| unit.clone());
            Some(Bound::Element(
                Arc::new(
                    json!({ "value": number, "unit": display, "system": "http://unitsofmeasure.org", "code": unit }),
                ),
                "Quantity",
            ))
        }
        Answer::Choice(code) => Some(codings.get(item, code)),
        Answer::Coding {
            system,
            code,
            display,
        } => Some(Bound::Element(
            Arc::new(json!({ "system": system, "code": code, "display": display })),
            "Coding",
        )),
        Answer::Group(_) => None,
        // As in a QuestionnaireResponse: an Attachment element, without its bytes.
        Answer::Attachment(file) => Some(Bound::Element(
            Arc::new(file.fhir_attachment(item.text.en())),
            "Attachment",
        )),
    }
}

/// The Coding of a chosen option, with its weight as SDC's `ordinalValue`.
pub(super) fn coding(item: &Item, code: &str) -> Json {
    let option = item.option(code);
    let mut coding = json!({ "code": code });
    if let Some(option) = option {
        if let Some(system) = &option.system {
            coding["system"] = json!(system);
        }
        coding["display"] = json!(option.display.en());
        if let Some(weight) = option.weight {
            coding["extension"] =
                json!([{ "url": crate::fhirpath::sdc::ORDINAL_VALUE, "valueDecimal": weight }]);
        }
    }
    coding
}

/// The answer list an `answer_expression` gives: each Coding (by its code, with its system
/// and display), and each plain string, integer, date or time, once, in order.
pub(super) fn options_from(result: &Coll<'_>) -> Vec<AnswerOption> {
    let plain = |code: String, value_type: OptionType| AnswerOption {
        display: crate::forms::Text::english(code.clone()),
        code,
        system: None,
        weight: None,
        value_type,
    };
    let mut out: Vec<AnswerOption> = Vec::new();
    for value in result.iter() {
        let option = match value {
            Value::Str(s) => plain(s.to_string(), OptionType::String),
            Value::Int(n) => plain(n.to_string(), OptionType::Integer),
            Value::Temporal(t) => {
                let text = t.fmt_plain();
                match (text.contains('-'), text.contains(':')) {
                    (true, false) => plain(text, OptionType::Date),
                    (false, true) => plain(text, OptionType::Time),
                    // A date and time is no answer a choice lists.
                    _ => continue,
                }
            }
            Value::Node(node) => match node.json {
                Some(Json::String(s)) => plain(s.clone(), OptionType::String),
                Some(Json::Number(n)) if n.is_i64() => plain(n.to_string(), OptionType::Integer),
                Some(coding @ Json::Object(_)) => {
                    let Some(code) = coding.get("code").and_then(Json::as_str) else {
                        continue;
                    };
                    let display = coding.get("display").and_then(Json::as_str).unwrap_or(code);
                    AnswerOption {
                        code: code.to_owned(),
                        system: coding
                            .get("system")
                            .and_then(Json::as_str)
                            .map(str::to_owned),
                        display: crate::forms::Text::english(display),
                        weight: None,
                        value_type: OptionType::Coding,
                    }
                }
                _ => continue,
            },
            _ => continue,
        };
        if !out.iter().any(|o| o.code == option.code) {
            out.push(option);
        }
    }
    out
}

/// Turns an expression's result back into answers of `item`'s type; values of another type
/// are dropped.
pub(super) fn answers_from(item: &Item, result: &Coll<'_>) -> Vec<Answer> {
    result
        .iter()
        .filter_map(|value| answer_from(item, value))
        .collect()
}

fn answer_from(item: &Item, value: &Value<'_>) -> Option<Answer> {
    Some(match (item.kind, value) {
        (ItemKind::Boolean, Value::Bool(b)) => Answer::Boolean(*b),
        (ItemKind::Integer, Value::Int(n)) => Answer::Integer(*n),
        (ItemKind::Integer, Value::Dec(d)) if d.fract().is_zero() => {
            Answer::Integer(i64::try_from(d.trunc()).ok()?)
        }
        (ItemKind::Decimal, Value::Int(n)) => Answer::Decimal(n.to_string()),
        (ItemKind::Decimal, Value::Dec(d)) => Answer::Decimal(d.normalize().to_string()),
        (ItemKind::Choice | ItemKind::OpenChoice, Value::Str(code))
            if item.option(code).is_some() =>
        {
            Answer::Choice(code.to_string())
        }
        // A value among a choice's integer, date or time options picks that option.
        (ItemKind::Choice | ItemKind::OpenChoice, Value::Int(_) | Value::Temporal(_)) => {
            let code = match value {
                Value::Int(n) => n.to_string(),
                Value::Temporal(t) => t.fmt_plain(),
                _ => return None,
            };
            item.option(&code)?;
            Answer::Choice(code)
        }
        (ItemKind::String | ItemKind::Text | ItemKind::OpenChoice, Value::Str(s)) => {
            Answer::String(s.to_string())
        }
        (ItemKind::String | ItemKind::Text, Value::Int(n)) => Answer::String(n.to_string()),
        (ItemKind::String | ItemKind::Text, Value::Dec(d)) => {
            Answer::String(d.normalize().to_string())
        }
        (ItemKind::Url, Value::Str(s)) => Answer::Url(s.to_string()),
        (ItemKind::Date, Value::Temporal(t)) => {
            let text = t.fmt_plain();
            Answer::Date(
                time::Date::parse(
                    &text,
                    time::macros::format_description!("[year]-[month]-[day]"),
                )
                .ok()?,
            )
        }
        (ItemKind::DateTime, Value::Temporal(t)) => Answer::DateTime(t.fmt_plain()),
        (ItemKind::Time, Value::Temporal(t)) => Answer::Time(t.fmt_plain()),
        // A number calculated for a quantity item is in the item's unit (e.g. a `{score}`).
        (ItemKind::Quantity, Value::Int(_) | Value::Dec(_)) => Answer::Quantity {
            value: match value {
                Value::Int(n) => n.to_string(),
                Value::Dec(d) => d.normalize().to_string(),
                _ => return None,
            },
            unit: item
                .unit
                .as_ref()
                .map(|u| u.code.clone())
                .unwrap_or_default(),
        },
        (ItemKind::Quantity, Value::Quantity(q)) => Answer::Quantity {
            value: q.value.normalize().to_string(),
            unit: q.unit.to_string(),
        },
        (ItemKind::Choice, Value::Node(node)) if item.searched_on_server => {
            return super::answer_from_literal(item, node.json?).ok();
        }
        (ItemKind::Choice | ItemKind::OpenChoice, Value::Node(node)) => {
            let json = node.json?;
            match json.as_str() {
                // A FHIR `code` or `string` (`%med.status`) picks the option with that code, as
                // SDC populate does; an open choice keeps any other as typed text.
                Some(code) if item.option(code).is_some() => Answer::Choice(code.to_owned()),
                Some(text) if item.kind == ItemKind::OpenChoice => Answer::String(text.to_owned()),
                Some(_) => return None,
                None => Answer::Choice(json.get("code")?.as_str()?.to_owned()),
            }
        }
        // A FHIR element from the input (e.g. `%patient.birthDate`, a Quantity): read like a literal.
        (_, Value::Node(node)) => return super::answer_from_literal(item, node.json?).ok(),
        _ => return None,
    })
}
