//! Evaluating a form against answers and a launch context: which items are enabled (per
//! repeat instance), calculated values, validation issues and flags; answers of disabled items
//! are removed. The same function runs on every page save and, authoritatively, at submit.

use std::{
    cell::RefCell,
    collections::{BTreeMap, BTreeSet},
    hash::{Hash, Hasher},
    sync::Arc,
};

use serde_json::Value as Json;
use time::Date;

use super::{
    Answer, Answers,
    bind::{Bound, BoundValue, Codings, FastMap, Scope, answers_from},
    iso_date,
    validate::{Issue, check_item},
};
use crate::{
    domain::BirthDate,
    fhirpath::{Clock, Coll, Value},
    forms::{
        AnswerOption, Audience, Condition, EnableWhen, Expression, Form, Item, ItemKind, Operator,
        Severity, Text,
    },
};

/// Calculations and enablement feed each other; they settle within a few passes on any sane
/// form (the linter rejects cycles). The cap stops a cycle that slipped through.
const MAX_PASSES: usize = 8;

/// What the form is evaluated against, besides the answers.
#[derive(Debug, Clone)]
pub struct LaunchContext {
    /// The FHIR Patient (`%patient`). Shared, not copied, by every evaluation.
    pub patient: Option<Arc<Json>>,
    /// The FHIR Appointment (`%appointment`).
    pub appointment: Option<Arc<Json>>,
    /// The date of evaluation (`%today`): the clinic's date at `now_millis`.
    pub today: Date,
    /// The instant `now()` reads, in epoch milliseconds.
    pub now_millis: i64,
    /// The clinic's offset from UTC at `now_millis`, so `now()`, `today()` and `timeOfDay()`
    /// read the clinic's clocks as `%today` does.
    pub utc_offset: time::UtcOffset,
    /// Other named context (`%user`, `%encounter`, search-result Bundles...).
    pub variables: BTreeMap<String, Arc<Json>>,
}

/// A flag raised by the answers.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
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
    /// The enabled items inside repeating groups' instances, as `group.N.item` (enablement
    /// differs from instance to instance); see [`Evaluation::is_field_enabled`].
    pub enabled_fields: BTreeSet<String>,
    /// Calculated values (in the form's scope; inside a repeating group, of its first instance).
    pub calculated: BTreeMap<String, Vec<Answer>>,
    /// The answers offered for enabled items with `candidates` (SDC `candidateExpression`),
    /// for the page to show; never answers themselves. Scoped like `calculated`.
    pub candidates: BTreeMap<String, Vec<Answer>>,
    /// The answer lists of enabled choices with an `answer_expression` (SDC
    /// `answerExpression`), as the answers stand. Scoped like `calculated`.
    pub answer_options: BTreeMap<String, Vec<AnswerOption>>,
    /// What stops submission (and warnings that do not).
    pub issues: Vec<Issue>,
    /// Flags raised, most severe first.
    pub flags: Vec<RaisedFlag>,
    /// The answers with disabled items removed and calculated values written in.
    pub answers: Answers,
}

impl Evaluation {
    /// Whether the field `key` is enabled: an item id outside repeating groups, or
    /// `group.N.item` inside instance `N`.
    pub fn is_field_enabled(&self, key: &str) -> bool {
        if key.contains('.') {
            self.enabled_fields.contains(key)
        } else {
            self.enabled.contains(key)
        }
    }

    /// The issues that stop submission (warnings do not).
    pub fn blocking_issues(&self) -> Vec<Issue> {
        self.issues
            .iter()
            .filter(|issue| issue.blocks())
            .cloned()
            .collect()
    }
}

/// Evaluates `form` against `answers`, from scratch.
pub fn evaluate(form: &Form, launch: &LaunchContext, answers: &Answers) -> Evaluation {
    Evaluator::new(form, launch).evaluate(answers)
}

/// Evaluates one form for one patient again and again as answers change, re-evaluating only
/// the expressions whose inputs changed since the last time.
#[derive(Debug)]
pub struct Evaluator<'f> {
    form: &'f Form,
    clock: Clock,
    base: Scope,
    memo: RefCell<Memo>,
    /// What the form alone decides, worked out once per form.
    facts: Arc<FormFacts>,
    /// The form-level calculated values of the last evaluation: the starting point of the next,
    /// which then usually settles in one pass.
    last: Vec<(String, Vec<Answer>)>,
}

/// What evaluating a form needs that depends on the form alone: worked out on its first
/// evaluation and kept with the form ([`crate::forms::Prepared`]), so a save does not build
/// every option's coding, export the form or scan its expressions again.
#[derive(Debug)]
struct FormFacts {
    /// Every option's FHIR coding.
    codings: Arc<Codings>,
    /// The form as a Questionnaire, for forms whose expressions read `%questionnaire` or
    /// `%resource` as SDC does.
    questionnaire: Option<Arc<Json>>,
    /// Whether an expression reads `%resource`.
    reads_resource: bool,
    /// Calculated items outside repeating groups (their values live at the form's scope).
    form_level: BTreeSet<String>,
}

impl FormFacts {
    fn of(form: &Form) -> Self {
        let reads_resource = reads(form, "resource");
        let mut form_level = BTreeSet::new();
        for section in &form.sections {
            collect_form_level(&section.items, &mut form_level);
        }
        Self {
            codings: Arc::new(Codings::for_items(form.items())),
            questionnaire: (reads_resource || reads(form, "questionnaire"))
                .then(|| Arc::new(crate::forms::sdc::export(form))),
            reads_resource,
            form_level,
        }
    }

    /// The facts kept with `form`, worked out now if this is its first evaluation.
    fn for_form(form: &Form) -> Arc<Self> {
        form.prepared
            .get_or_init(|| Self::of(form))
            .unwrap_or_else(|| Arc::new(Self::of(form)))
    }
}

impl<'f> Evaluator<'f> {
    /// An evaluator with nothing remembered yet.
    pub fn new(form: &'f Form, launch: &LaunchContext) -> Self {
        let clock = Clock::from_unix_millis(launch.now_millis, launch.utc_offset.whole_minutes());
        let facts = FormFacts::for_form(form);
        Self {
            form,
            clock,
            base: base_scope(form, &facts, launch),
            memo: RefCell::default(),
            facts,
            last: Vec::new(),
        }
    }

    /// Evaluates `answers`; expressions whose inputs did not change since the last call are
    /// answered from memory.
    pub fn evaluate(&mut self, answers: &Answers) -> Evaluation {
        let mut start = answers.clone();
        for (id, values) in &self.last {
            start.set(id, values.clone());
        }
        let evaluation = run(
            self.form,
            &self.base,
            self.facts.reads_resource,
            &self.memo,
            self.clock,
            answers,
            start,
        );
        self.last = evaluation
            .calculated
            .iter()
            .filter(|(id, _)| self.facts.form_level.contains(*id))
            .map(|(id, values)| (id.clone(), values.clone()))
            .collect();
        evaluation
    }
}

impl Evaluator<'_> {
    /// The answers an expression gives for `item` over the launch context alone (no answers):
    /// how initial values are computed.
    /// `overlay` binds more names (the population contexts of the groups around `item`).
    pub(super) fn evaluate_for(
        &self,
        item: &Item,
        expression: &Expression,
        overlay: Option<&Scope>,
    ) -> Vec<Answer> {
        let context = self.base.context(overlay, expression.reads(), self.clock);
        expression
            .compiled()
            .evaluate(None, &context)
            .map(|coll| answers_from(item, &coll))
            .unwrap_or_default()
    }

    /// The FHIR elements an expression gives over the launch context (and `overlay`): what a
    /// population context iterates over.
    pub(super) fn values_of(
        &self,
        expression: &Expression,
        overlay: Option<&Scope>,
    ) -> Vec<Arc<Json>> {
        let context = self.base.context(overlay, expression.reads(), self.clock);
        expression
            .compiled()
            .evaluate(None, &context)
            .map(|coll| {
                coll.iter()
                    .filter_map(|value| match value {
                        Value::Node(node) => node.json.map(|j| Arc::new(j.clone())),
                        _ => None,
                    })
                    .collect()
            })
            .unwrap_or_default()
    }
}

/// Whether any expression of the form reads `%name`.
fn reads(form: &Form, name: &str) -> bool {
    let mut expressions: Vec<&Expression> = form.variables.iter().map(|v| &v.expression).collect();
    for section in &form.sections {
        if let Some(EnableWhen::Expression(e)) = &section.enable_when {
            expressions.push(e);
        }
    }
    for item in form.items() {
        if let Some(EnableWhen::Expression(e)) = &item.enable_when {
            expressions.push(e);
        }
        expressions.extend(
            item.calculated
                .iter()
                .chain(&item.initial)
                .chain(&item.candidates)
                .chain(&item.answer_expression),
        );
        expressions.extend(item.variables.iter().map(|v| &v.expression));
        expressions.extend(item.constraints.iter().map(|c| &c.expression));
        expressions.extend(item.flags.iter().map(|f| &f.when));
    }
    expressions
        .iter()
        .any(|e| e.reads().iter().any(|r| r == name))
}

/// Calculated items whose values live at the form's scope (not inside a repeating group).
fn collect_form_level(items: &[Item], out: &mut BTreeSet<String>) {
    for item in items {
        if item.calculated.is_some() {
            out.insert(item.id.clone());
        }
        if item.kind == ItemKind::Group && !item.repeats {
            collect_form_level(&item.items, out);
        }
    }
}

fn run(
    form: &Form,
    base: &Scope,
    reads_resource: bool,
    memo: &RefCell<Memo>,
    clock: Clock,
    answers: &Answers,
    start: Answers,
) -> Evaluation {
    let mut walk = Walk {
        form,
        reads_response: reads_resource && base.get("resource").is_empty(),
        base,
        memo,
        clock,
        enabled: BTreeSet::new(),
        enabled_fields: BTreeSet::new(),
        calculated: BTreeMap::new(),
        candidates: BTreeMap::new(),
        answer_options: BTreeMap::new(),
    };
    // Each pass starts again from the patient's own answers and decides from the previous pass's
    // result (the first from `start`), so an answer is never lost because a calculation it
    // depends on came later.
    let mut current = start;
    // The scope of the pass that settled was made of the answers it settled on: the checks
    // below read the same, so it is not made again.
    let mut settled_root = None;
    for _ in 0..MAX_PASSES {
        walk.enabled.clear();
        walk.enabled_fields.clear();
        walk.calculated.clear();
        walk.candidates.clear();
        walk.answer_options.clear();
        let root = walk.root_scope(&current);
        let here = Here::new(&root, None, clock);
        let mut next = answers.clone();
        for section in &form.sections {
            let enabled = walk.is_enabled(section.enable_when.as_ref(), &here);
            if enabled {
                walk.enabled.insert(section.id.clone());
            }
            walk.items(&section.items, &mut next, &current, &here, enabled);
        }
        let settled = next == current;
        current = next;
        if settled {
            settled_root = Some(root);
            break;
        }
    }
    let root = settled_root.unwrap_or_else(|| walk.root_scope(&current));
    let here = Here::new(&root, None, clock);
    let mut report = Report::default();
    for section in &form.sections {
        if walk.enabled.contains(&section.id) {
            walk.check(&section.items, &current, &here, &mut report);
        }
    }
    report.flags.sort_by_key(|f| f.severity);
    Evaluation {
        enabled: walk.enabled,
        enabled_fields: walk.enabled_fields,
        calculated: walk.calculated,
        candidates: walk.candidates,
        answer_options: walk.answer_options,
        issues: report.issues,
        flags: report.flags,
        answers: current,
    }
}

/// `%patient`, `%appointment`, `%today`, `%age` and the other launch context.
fn base_scope(form: &Form, facts: &FormFacts, launch: &LaunchContext) -> Scope {
    let mut scope = Scope::with_codings(Arc::clone(&facts.codings));
    if let Some(questionnaire) = &facts.questionnaire {
        scope.set_questionnaire(Arc::clone(questionnaire));
    }
    if let Some(patient) = &launch.patient {
        scope.set(
            "patient",
            vec![Bound::Element(Arc::clone(patient), "Patient")],
        );
        let birth = patient
            .get("birthDate")
            .and_then(Json::as_str)
            .and_then(|d| BirthDate::from_chart(d).ok());
        if let Some(birth) = birth {
            scope.set(
                "age",
                vec![Bound::System(BoundValue::Integer(i64::from(
                    birth.age_on(launch.today),
                )))],
            );
        }
    }
    if let Some(appointment) = &launch.appointment {
        scope.set(
            "appointment",
            vec![Bound::Element(Arc::clone(appointment), "Appointment")],
        );
    }
    scope.set(
        "today",
        vec![Bound::System(BoundValue::Date(iso_date(launch.today)))],
    );
    for (name, value) in &launch.variables {
        // An array is a collection; each element's type comes from its `resourceType` (an
        // empty type name leaves it to the engine).
        let values = match value.as_ref() {
            Json::Array(list) => list
                .iter()
                .map(|v| Bound::Element(Arc::new(v.clone()), ""))
                .collect(),
            _ => vec![Bound::Element(Arc::clone(value), "")],
        };
        scope.set(name, values);
    }
    // Other launch context the form declares: the patient where it may be the patient, the
    // appointment where it may be one, else nothing (so reading it gives no value, not an
    // error).
    for declared in &form.launch {
        if launch.variables.contains_key(&declared.name) {
            continue;
        }
        let value = if declared.is_patient() {
            launch
                .patient
                .as_ref()
                .map(|p| Bound::Element(Arc::clone(p), "Patient"))
        } else if declared.types.iter().any(|t| t == "Appointment") {
            launch
                .appointment
                .as_ref()
                .map(|a| Bound::Element(Arc::clone(a), "Appointment"))
        } else {
            None
        };
        scope.set(&declared.name, value.into_iter().collect());
    }
    // A query that was not run, or failed, holds nothing.
    for query in &form.queries {
        if !launch.variables.contains_key(&query.name) {
            scope.set(&query.name, Vec::new());
        }
    }
    scope
}

/// Where expressions are evaluated: the form's scope and the repeat instance, if any.
struct Here<'s> {
    root: &'s Scope,
    instance: Option<&'s Scope>,
    /// Which scope: 0 for the form, else the repeat instance's path.
    key: u64,
    /// The page key of the instance: empty for the form, `group.N.` inside instance `N`.
    prefix: String,
    clock: Clock,
}

impl<'s> Here<'s> {
    fn new(root: &'s Scope, instance: Option<&'s Scope>, clock: Clock) -> Self {
        Self {
            root,
            instance,
            key: 0,
            prefix: String::new(),
            clock,
        }
    }

    fn instance<'t>(&self, scope: &'t Scope, group: &str, index: usize) -> Here<'t>
    where
        's: 't,
    {
        let mut hasher = std::collections::hash_map::DefaultHasher::new();
        (self.key, group, index).hash(&mut hasher);
        Here {
            root: self.root,
            instance: Some(scope),
            key: hasher.finish() | 1,
            prefix: format!("{}{group}.{index}.", self.prefix),
            clock: self.clock,
        }
    }

    /// The values bound to a name here: the instance's, else the form's.
    fn lookup(&self, name: &str) -> &[Bound] {
        self.instance
            .map(|scope| scope.get(name))
            .filter(|values| !values.is_empty())
            .unwrap_or_else(|| self.root.get(name))
    }
}

/// What an expression produced, by expression and scope, with the values it read: it is
/// evaluated again only when one of those changed. This is what makes re-evaluation after one
/// answer touch only what depends on it.
#[derive(Debug, Default)]
pub struct Memo {
    /// By (expression, scope): the values it read, and what it gave.
    entries: FastMap<(usize, u64), Remembered>,
}

#[derive(Debug)]
struct Remembered {
    inputs: Vec<Vec<Bound>>,
    outcome: Outcome,
}

#[derive(Debug, Clone)]
enum Outcome {
    Truth(Option<bool>),
    Answers(Vec<Answer>),
    Values(Vec<Bound>),
}

impl Memo {
    fn recall(&self, expression: &Expression, here: &Here<'_>) -> Option<Outcome> {
        let Remembered { inputs, outcome } =
            self.entries.get(&(expression.identity(), here.key))?;
        let unchanged = expression
            .reads()
            .iter()
            .zip(inputs)
            .all(|(name, before)| before.as_slice() == here.lookup(name));
        unchanged.then(|| outcome.clone())
    }

    fn remember(&mut self, expression: &Expression, here: &Here<'_>, outcome: Outcome) {
        let inputs = expression
            .reads()
            .iter()
            .map(|name| here.lookup(name).to_vec())
            .collect();
        self.entries.insert(
            (expression.identity(), here.key),
            Remembered { inputs, outcome },
        );
    }
}

struct Walk<'f> {
    form: &'f Form,
    /// Whether any expression reads `%resource`.
    reads_response: bool,
    base: &'f Scope,
    memo: &'f RefCell<Memo>,
    clock: Clock,
    enabled: BTreeSet<String>,
    enabled_fields: BTreeSet<String>,
    calculated: BTreeMap<String, Vec<Answer>>,
    candidates: BTreeMap<String, Vec<Answer>>,
    answer_options: BTreeMap<String, Vec<AnswerOption>>,
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
        if self.reads_response {
            scope.set_response(answers);
        }
        for variable in &self.form.variables {
            let values =
                self.eval_bound(&variable.expression, &Here::new(&scope, None, self.clock));
            scope.set(&variable.name, values);
        }
        scope
    }

    fn eval<'s>(&self, expression: &Expression, here: &Here<'s>) -> Option<Coll<'s>> {
        // An expression that fails to evaluate (e.g. `single()` on two answers) counts as empty:
        // the linter reports what can be known statically, and a patient is never blocked by it.
        let mut context = here
            .root
            .context(here.instance, expression.reads(), here.clock);
        if expression.reads().iter().any(|name| name == "resource") {
            // SDC expressions read answers through `%resource`, the response so far.
            context.resource = here.root.response(|answers| {
                serde_json::json!({
                    "resourceType": "QuestionnaireResponse",
                    "status": "in-progress",
                    "item": super::response_items(self.form, answers),
                })
            });
        }
        expression.compiled().evaluate(None, &context).ok()
    }

    fn eval_bound(&self, expression: &Expression, here: &Here<'_>) -> Vec<Bound> {
        if let Some(Outcome::Values(values)) = self.memo.borrow().recall(expression, here) {
            return values;
        }
        let values = self.eval(expression, here).map_or_else(Vec::new, |coll| {
            coll.iter()
                .filter_map(|v| match v {
                    Value::Bool(b) => Some(Bound::System(BoundValue::Boolean(*b))),
                    Value::Int(n) => Some(Bound::System(BoundValue::Integer(*n))),
                    Value::Dec(d) => Some(Bound::System(BoundValue::Decimal(*d))),
                    Value::Str(s) => {
                        Some(Bound::System(BoundValue::Text(std::sync::Arc::from(&**s))))
                    }
                    Value::Node(n) => n
                        .json
                        .map(|j| Bound::Element(Arc::new(j.clone()), "Element")),
                    _ => None,
                })
                .collect()
        });
        self.memo
            .borrow_mut()
            .remember(expression, here, Outcome::Values(values.clone()));
        values
    }

    fn calculate(&self, item: &Item, expression: &Expression, here: &Here<'_>) -> Vec<Answer> {
        if let Some(Outcome::Answers(answers)) = self.memo.borrow().recall(expression, here) {
            return answers;
        }
        let answers = self
            .eval(expression, here)
            .map(|coll| answers_from(item, &coll))
            .unwrap_or_default();
        self.memo
            .borrow_mut()
            .remember(expression, here, Outcome::Answers(answers.clone()));
        answers
    }

    fn truth(&self, expression: &Expression, here: &Here<'_>) -> Option<bool> {
        if let Some(Outcome::Truth(truth)) = self.memo.borrow().recall(expression, here) {
            return truth;
        }
        let truth = self.eval(expression, here).and_then(|result| {
            match result.iter().collect::<Vec<_>>().as_slice() {
                [Value::Bool(b)] => Some(*b),
                // A single non-boolean counts as true, as FHIRPath's boolean evaluation of collections says.
                [_] => Some(true),
                _ => None,
            }
        });
        self.memo
            .borrow_mut()
            .remember(expression, here, Outcome::Truth(truth));
        truth
    }

    fn is_enabled(&self, rule: Option<&EnableWhen>, here: &Here<'_>) -> bool {
        match rule {
            None => true,
            Some(EnableWhen::Expression(expression)) => self.truth(expression, here) == Some(true),
            Some(EnableWhen::Conditions { any, conditions }) => {
                let mut results = conditions.iter().map(|c| self.condition(c, here));
                if *any {
                    results.any(|r| r)
                } else {
                    results.all(|r| r)
                }
            }
        }
    }

    /// A plain SDC condition, on the answers in the nearest scope that binds the question.
    fn condition(&self, condition: &Condition, here: &Here<'_>) -> bool {
        let bound = here
            .instance
            .map(|scope| scope.get(&condition.question))
            .filter(|values| !values.is_empty())
            .unwrap_or_else(|| here.root.get(&condition.question));
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
        here: &Here<'_>,
        parent_enabled: bool,
    ) {
        for item in items {
            let enabled = parent_enabled && self.is_enabled(item.enable_when.as_ref(), here);
            if !enabled {
                answers.remove(&item.id);
                if item.kind == ItemKind::Group && !item.repeats {
                    self.items(&item.items, answers, previous, here, false);
                }
                continue;
            }
            self.enabled.insert(item.id.clone());
            // Outside instances `enabled` says it all; no key to build for every item and pass.
            if !here.prefix.is_empty() {
                self.enabled_fields
                    .insert(format!("{}{}", here.prefix, item.id));
            }
            if let Some(expression) = &item.calculated {
                let result = self.calculate(item, expression, here);
                self.calculated
                    .entry(item.id.clone())
                    .or_insert_with(|| result.clone());
                answers.set(&item.id, result);
            }
            if let Some(expression) = &item.candidates {
                let offered = self.calculate(item, expression, here);
                self.candidates.entry(item.id.clone()).or_insert(offered);
            }
            if let Some(expression) = &item.answer_expression {
                let listed = self
                    .eval(expression, here)
                    .map(|coll| super::bind::options_from(&coll))
                    .unwrap_or_default();
                // An answer the list no longer has is dropped, as a disabled item's is; on an
                // open choice it stays as typed text.
                if let Some(given) = answers.get_mut(&item.id) {
                    for answer in given.iter_mut() {
                        if let Answer::Choice(code) = answer
                            && !listed.iter().any(|o| &o.code == code)
                            && item.kind == ItemKind::OpenChoice
                        {
                            *answer = Answer::String(code.clone());
                        }
                    }
                    given.retain(|answer| match answer {
                        Answer::Choice(code) => listed.iter().any(|o| &o.code == code),
                        _ => true,
                    });
                }
                self.answer_options.entry(item.id.clone()).or_insert(listed);
            }
            match (item.kind, item.repeats) {
                (ItemKind::Group, false) => self.items(&item.items, answers, previous, here, true),
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
                        let mut scope = here
                            .instance
                            .cloned()
                            .unwrap_or_else(|| here.root.empty_like());
                        scope.bind_items(&item.items, prior);
                        self.bind_variables(item, &mut scope, here, index);
                        self.items(
                            &item.items,
                            inner,
                            prior,
                            &here.instance(&scope, &item.id, index),
                            true,
                        );
                    }
                }
                _ => {}
            }
        }
    }

    /// Works out a repeating group's variables in one of its instances, whose answers `scope`
    /// binds, in order (each may read those before it).
    fn bind_variables(&self, group: &Item, scope: &mut Scope, here: &Here<'_>, index: usize) {
        for variable in &group.variables {
            let values = self.eval_bound(
                &variable.expression,
                &here.instance(scope, &group.id, index),
            );
            scope.set(&variable.name, values);
        }
    }

    /// Validation and flags of the enabled items in a scope.
    fn check(&self, items: &[Item], answers: &Answers, here: &Here<'_>, report: &mut Report) {
        for item in items {
            if !self.is_enabled(item.enable_when.as_ref(), here) {
                continue;
            }
            let mut issues = check_item(item, answers.get(&item.id));
            for constraint in &item.constraints {
                if self.truth(&constraint.expression, here) == Some(false) {
                    issues.push(Issue::constraint(item, constraint));
                }
            }
            report.issues.extend(issues.into_iter().map(|mut issue| {
                issue.field = format!("{}{}", here.prefix, item.id);
                issue
            }));
            for flag in &item.flags {
                let already = report.flags.iter().any(|f| f.id == flag.id);
                if !already && self.truth(&flag.when, here) == Some(true) {
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
                (ItemKind::Group, false) => self.check(&item.items, answers, here, report),
                (ItemKind::Group, true) => {
                    for (index, entry) in answers.get(&item.id).iter().enumerate() {
                        if let Answer::Group(inner) = entry {
                            let mut scope = here
                                .instance
                                .cloned()
                                .unwrap_or_else(|| here.root.empty_like());
                            scope.bind_items(&item.items, inner);
                            self.bind_variables(item, &mut scope, here, index);
                            self.check(
                                &item.items,
                                inner,
                                &here.instance(&scope, &item.id, index),
                                report,
                            );
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
        // A choice of plain values against `{ code }`, as forms said it before such answers
        // were bound as values: the option's code is the value as text.
        (Bound::System(value), Json::Object(wanted)) => {
            let code = wanted.get("code")?.as_str()?;
            let same = match value {
                BoundValue::Integer(n) => code.parse() == Ok(*n),
                BoundValue::Text(s) => &**s == code,
                BoundValue::Date(s) | BoundValue::Time(s) => s == code,
                _ => false,
            };
            Some(if same {
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
