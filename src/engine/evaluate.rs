//! Evaluating a form against answers and a launch context: which items are enabled (per
//! repeat instance), calculated values, validation issues and flags; answers of disabled items
//! are removed. The same function runs on every page save and, authoritatively, at submit.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value as Json;
use time::Date;

use super::{
    Answer, Answers,
    bind::{Bound, BoundValue, Scope, answers_from},
    iso_date,
    validate::{Issue, check_item},
};
use crate::{
    fhirpath::{Clock, Coll, Value},
    forms::{
        Audience, Condition, EnableWhen, Expression, Form, Item, ItemKind, Operator, Severity, Text,
    },
};

/// Calculations and enablement feed each other; they settle within a few passes on any sane
/// form (the linter rejects cycles). The cap stops a cycle that slipped through.
const MAX_PASSES: usize = 8;

/// What the form is evaluated against, besides the answers.
#[derive(Debug, Clone)]
pub struct LaunchContext {
    /// The FHIR Patient (`%patient`).
    pub patient: Option<Json>,
    /// The FHIR Appointment (`%appointment`).
    pub appointment: Option<Json>,
    /// The date of evaluation (`%today`).
    pub today: Date,
    /// The instant `now()` reads, in epoch milliseconds.
    pub now_millis: i64,
    /// Other named context (`%user`, `%encounter`, search-result Bundles...).
    pub variables: BTreeMap<String, Json>,
}

/// A flag raised by the answers.
#[derive(Debug, Clone, PartialEq)]
pub struct RaisedFlag {
    /// The flag's id.
    pub id: String,
    /// The item that declares it.
    pub item_id: String,
    /// How serious.
    pub severity: Severity,
    /// What it says.
    pub message: Text,
    /// Who sees it.
    pub audience: Vec<Audience>,
}

/// The outcome of one evaluation.
#[derive(Debug, Clone)]
pub struct Evaluation {
    /// Ids of sections and items enabled in at least one place.
    pub enabled: BTreeSet<String>,
    /// Calculated values (in the form's scope; inside a repeating group, of its first instance).
    pub calculated: BTreeMap<String, Vec<Answer>>,
    /// What stops submission (and warnings that do not).
    pub issues: Vec<Issue>,
    /// Flags raised, most severe first.
    pub flags: Vec<RaisedFlag>,
    /// The answers with disabled items removed and calculated values written in.
    pub answers: Answers,
}

/// Evaluates `form` against `answers`.
pub fn evaluate(form: &Form, launch: &LaunchContext, answers: &Answers) -> Evaluation {
    let clock = Clock::from_unix_millis(launch.now_millis, 0);
    let base = base_scope(form, launch, clock);
    let mut walk = Walk {
        form,
        base: &base,
        clock,
        enabled: BTreeSet::new(),
        calculated: BTreeMap::new(),
    };
    // Each pass starts again from the patient's own answers and decides from the previous pass's
    // result, so an answer is never lost because a calculation it depends on came later.
    let mut current = answers.clone();
    for _ in 0..MAX_PASSES {
        walk.enabled.clear();
        walk.calculated.clear();
        let root = walk.root_scope(&current);
        let mut next = answers.clone();
        for section in &form.sections {
            let enabled = walk.is_enabled(section.enable_when.as_ref(), &root, None);
            if enabled {
                walk.enabled.insert(section.id.clone());
            }
            walk.items(&section.items, &mut next, &current, &root, None, enabled);
        }
        let settled = next == current;
        current = next;
        if settled {
            break;
        }
    }
    let root = walk.root_scope(&current);
    let mut report = Report::default();
    for section in &form.sections {
        if walk.enabled.contains(&section.id) {
            walk.check(&section.items, &current, &root, None, &mut report);
        }
    }
    report.flags.sort_by_key(|f| f.severity);
    Evaluation {
        enabled: walk.enabled,
        calculated: walk.calculated,
        issues: report.issues,
        flags: report.flags,
        answers: current,
    }
}

/// `%patient`, `%appointment`, `%today`, `%age`.
fn base_scope(form: &Form, launch: &LaunchContext, clock: Clock) -> Scope {
    let mut scope = Scope::default();
    if let Some(patient) = &launch.patient {
        scope.set("patient", vec![Bound::Element(patient.clone(), "Patient")]);
        let birth = patient
            .get("birthDate")
            .and_then(Json::as_str)
            .and_then(|d| {
                Date::parse(d, time::macros::format_description!("[year]-[month]-[day]")).ok()
            });
        if let Some(birth) = birth {
            let age = crate::domain::BirthDate::from_chart(&iso_date(birth))
                .map(|b| b.age_on(launch.today));
            if let Ok(age) = age {
                scope.set(
                    "age",
                    vec![Bound::System(BoundValue::Integer(i64::from(age)))],
                );
            }
        }
    }
    if let Some(appointment) = &launch.appointment {
        scope.set(
            "appointment",
            vec![Bound::Element(appointment.clone(), "Appointment")],
        );
    }
    scope.set(
        "today",
        vec![Bound::System(BoundValue::Date(iso_date(launch.today)))],
    );
    let _ = (form, clock);
    scope
}

struct Walk<'f> {
    form: &'f Form,
    base: &'f Scope,
    clock: Clock,
    enabled: BTreeSet<String>,
    calculated: BTreeMap<String, Vec<Answer>>,
}

#[derive(Default)]
struct Report {
    issues: Vec<Issue>,
    flags: Vec<RaisedFlag>,
}

impl Walk<'_> {
    /// The form's scope: launch context, every item's answers, then the form's variables.
    fn root_scope(&self, answers: &Answers) -> Scope {
        let mut scope = self.base.clone();
        for section in &self.form.sections {
            scope.bind_items(&section.items, answers);
        }
        for variable in &self.form.variables {
            let values = self.eval_bound(&variable.expression, &scope, None);
            scope.set(&variable.name, values);
        }
        scope
    }

    fn eval<'s>(
        &self,
        expression: &Expression,
        root: &'s Scope,
        instance: Option<&'s Scope>,
    ) -> Option<Coll<'s>> {
        let context = root.context(instance, self.clock);
        // An expression that fails to evaluate (e.g. `single()` on two answers) counts as empty:
        // the linter reports what can be known statically, and a patient is never blocked by it.
        expression.compiled().evaluate(None, &context).ok()
    }

    fn eval_bound(
        &self,
        expression: &Expression,
        root: &Scope,
        instance: Option<&Scope>,
    ) -> Vec<Bound> {
        self.eval(expression, root, instance)
            .map_or_else(Vec::new, |coll| {
                coll.iter()
                    .filter_map(|v| match v {
                        Value::Bool(b) => Some(Bound::System(BoundValue::Boolean(*b))),
                        Value::Int(n) => Some(Bound::System(BoundValue::Integer(*n))),
                        Value::Dec(d) => Some(Bound::System(BoundValue::Decimal(*d))),
                        Value::Str(s) => {
                            Some(Bound::System(BoundValue::Text(std::sync::Arc::from(&**s))))
                        }
                        Value::Node(n) => n.json.map(|j| Bound::Element(j.clone(), "Element")),
                        _ => None,
                    })
                    .collect()
            })
    }

    fn truth(
        &self,
        expression: &Expression,
        root: &Scope,
        instance: Option<&Scope>,
    ) -> Option<bool> {
        let result = self.eval(expression, root, instance)?;
        match result.iter().collect::<Vec<_>>().as_slice() {
            [Value::Bool(b)] => Some(*b),
            [] => None,
            // A single non-boolean counts as true, as FHIRPath's boolean evaluation of collections says.
            [_] => Some(true),
            _ => None,
        }
    }

    fn is_enabled(
        &self,
        rule: Option<&EnableWhen>,
        root: &Scope,
        instance: Option<&Scope>,
    ) -> bool {
        match rule {
            None => true,
            Some(EnableWhen::Expression(expression)) => {
                self.truth(expression, root, instance) == Some(true)
            }
            Some(EnableWhen::Conditions { any, conditions }) => {
                let mut results = conditions.iter().map(|c| self.condition(c, root, instance));
                if *any {
                    results.any(|r| r)
                } else {
                    results.all(|r| r)
                }
            }
        }
    }

    /// A plain SDC condition, on the answers in the nearest scope that binds the question.
    fn condition(&self, condition: &Condition, root: &Scope, instance: Option<&Scope>) -> bool {
        let bound = instance
            .map(|scope| scope.get(&condition.question))
            .filter(|values| !values.is_empty())
            .unwrap_or_else(|| root.get(&condition.question));
        if condition.operator == Operator::Exists {
            return condition.answer.as_bool().unwrap_or(true) != bound.is_empty();
        }
        if bound.is_empty() {
            return false;
        }
        let compare = |b: &Bound| compare_to_literal(b, &condition.answer);
        match condition.operator {
            Operator::Equal => bound
                .iter()
                .any(|b| compare(b) == Some(std::cmp::Ordering::Equal)),
            Operator::NotEqual => bound
                .iter()
                .all(|b| compare(b) != Some(std::cmp::Ordering::Equal)),
            Operator::Greater => bound
                .iter()
                .any(|b| compare(b) == Some(std::cmp::Ordering::Greater)),
            Operator::Less => bound
                .iter()
                .any(|b| compare(b) == Some(std::cmp::Ordering::Less)),
            Operator::GreaterOrEqual => bound.iter().any(|b| compare(b).is_some_and(|o| o.is_ge())),
            Operator::LessOrEqual => bound.iter().any(|b| compare(b).is_some_and(|o| o.is_le())),
            Operator::Exists => false,
        }
    }

    /// One pass over a list of items in a scope: decide enablement and calculated values from
    /// `previous` (the last pass's result, aligned with `answers`), and write them into `answers`.
    fn items(
        &mut self,
        items: &[Item],
        answers: &mut Answers,
        previous: &Answers,
        root: &Scope,
        instance: Option<&Scope>,
        parent_enabled: bool,
    ) {
        for item in items {
            let enabled =
                parent_enabled && self.is_enabled(item.enable_when.as_ref(), root, instance);
            if !enabled {
                answers.remove(&item.id);
                if item.kind == ItemKind::Group && !item.repeats {
                    self.items(&item.items, answers, previous, root, instance, false);
                }
                continue;
            }
            self.enabled.insert(item.id.clone());
            if let Some(expression) = &item.calculated {
                let result = self
                    .eval(expression, root, instance)
                    .map(|coll| answers_from(item, &coll))
                    .unwrap_or_default();
                self.calculated
                    .entry(item.id.clone())
                    .or_insert_with(|| result.clone());
                answers.set(&item.id, result);
            }
            match (item.kind, item.repeats) {
                (ItemKind::Group, false) => {
                    self.items(&item.items, answers, previous, root, instance, true)
                }
                (ItemKind::Group, true) => {
                    let before = previous.get(&item.id).to_vec();
                    let Some(instances) = answers.get_mut(&item.id) else {
                        continue;
                    };
                    for (index, entry) in instances.iter_mut().enumerate() {
                        let (Answer::Group(inner), Some(Answer::Group(prior))) =
                            (entry, before.get(index))
                        else {
                            continue;
                        };
                        let mut scope = instance.cloned().unwrap_or_default();
                        scope.bind_items(&item.items, prior);
                        self.items(&item.items, inner, prior, root, Some(&scope), true);
                    }
                }
                _ => {}
            }
        }
    }

    /// Validation and flags of the enabled items in a scope.
    fn check(
        &self,
        items: &[Item],
        answers: &Answers,
        root: &Scope,
        instance: Option<&Scope>,
        report: &mut Report,
    ) {
        for item in items {
            if !self.is_enabled(item.enable_when.as_ref(), root, instance) {
                continue;
            }
            report
                .issues
                .extend(check_item(item, answers.get(&item.id)));
            for constraint in &item.constraints {
                if self.truth(&constraint.expression, root, instance) == Some(false) {
                    report.issues.push(Issue::constraint(item, constraint));
                }
            }
            for flag in &item.flags {
                let already = report.flags.iter().any(|f| f.id == flag.id);
                if !already && self.truth(&flag.when, root, instance) == Some(true) {
                    report.flags.push(RaisedFlag {
                        id: flag.id.clone(),
                        item_id: item.id.clone(),
                        severity: flag.severity,
                        message: flag.message.clone(),
                        audience: flag.audience.clone(),
                    });
                }
            }
            match (item.kind, item.repeats) {
                (ItemKind::Group, false) => {
                    self.check(&item.items, answers, root, instance, report)
                }
                (ItemKind::Group, true) => {
                    for entry in answers.get(&item.id) {
                        if let Answer::Group(inner) = entry {
                            let mut scope = instance.cloned().unwrap_or_default();
                            scope.bind_items(&item.items, inner);
                            self.check(&item.items, inner, root, Some(&scope), report);
                        }
                    }
                }
                _ => {}
            }
        }
    }
}

/// Compares a bound answer with a literal from a plain condition.
fn compare_to_literal(bound: &Bound, literal: &Json) -> Option<std::cmp::Ordering> {
    match (bound, literal) {
        (Bound::Element(coding, _), Json::Object(wanted)) => {
            let code = wanted.get("code")?;
            let same_system = wanted
                .get("system")
                .is_none_or(|s| coding.get("system") == Some(s));
            Some(if coding.get("code") == Some(code) && same_system {
                std::cmp::Ordering::Equal
            } else {
                std::cmp::Ordering::Less
            })
        }
        (Bound::System(BoundValue::Boolean(b)), Json::Bool(l)) => Some(b.cmp(l)),
        (Bound::System(BoundValue::Integer(n)), Json::Number(l)) => {
            (*n as f64).partial_cmp(&l.as_f64()?)
        }
        (Bound::System(BoundValue::Decimal(d)), Json::Number(l)) => {
            d.to_string().parse::<f64>().ok()?.partial_cmp(&l.as_f64()?)
        }
        (Bound::Element(quantity, "Quantity"), Json::Number(l)) => {
            quantity.get("value")?.as_f64()?.partial_cmp(&l.as_f64()?)
        }
        (Bound::System(BoundValue::Text(s)), Json::String(l)) => Some((**s).cmp(l.as_str())),
        (
            Bound::System(BoundValue::Date(s) | BoundValue::DateTime(s) | BoundValue::Time(s)),
            Json::String(l),
        ) => Some(s.as_str().cmp(l.as_str())),
        _ => None,
    }
}
