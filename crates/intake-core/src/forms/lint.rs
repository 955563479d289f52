//! The form linter behind `intake forms check`: what the loader cannot know item by item —
//! references, cycles, dead items, repeat scope, value-set codes and translations.

use std::collections::{BTreeMap, BTreeSet};

use super::{Bound, EnableWhen, Expression, Form, Item, ItemKind, Text};
use crate::fhirpath::analysis::analyze;

/// Context variables every form may use.
const LAUNCH_VARIABLES: [&str; 14] = [
    "patient",
    "AllergyIntolerance",
    "MedicationStatement",
    "Condition",
    "appointment",
    "age",
    "today",
    "resource",
    "rootResource",
    "context",
    "questionnaire",
    "qitem",
    "ucum",
    "sct",
];

/// How bad a finding is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Level {
    /// The form must not be used.
    Error,
    /// Probably a mistake.
    Warning,
}

/// One finding, placed in the source.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    /// How bad.
    pub level: Level,
    /// 1-based line.
    pub line: usize,
    /// 1-based column.
    pub column: usize,
    /// What is wrong.
    pub message: String,
}

impl Diagnostic {
    /// `file:line:col: error: message`, as compilers print.
    pub fn render(&self, file: &str) -> String {
        let level = match self.level {
            Level::Error => "error",
            Level::Warning => "warning",
        };
        format!(
            "{file}:{}:{}: {level}: {}",
            self.line, self.column, self.message
        )
    }
}

/// Everything an expression of the form may reference, with the repeating groups around it.
struct Scopes<'f> {
    /// Item id to its chain of enclosing repeating groups (outermost first).
    chains: BTreeMap<&'f str, Vec<&'f str>>,
    items: BTreeMap<&'f str, &'f Item>,
    variables: BTreeSet<&'f str>,
}

/// Lints a compiled form; `source` is its YAML, for positions.
pub fn lint(form: &Form, source: &str) -> Vec<Diagnostic> {
    let mut scopes = Scopes {
        chains: BTreeMap::new(),
        items: BTreeMap::new(),
        variables: BTreeSet::new(),
    };
    for section in &form.sections {
        for item in &section.items {
            index(item, &mut Vec::new(), &mut scopes);
        }
    }
    // Variables, declared launch context and query results are all `%name`s of the form.
    scopes.variables = form
        .variables
        .iter()
        .map(|v| v.name.as_str())
        .chain(form.launch.iter().map(|l| l.name.as_str()))
        .chain(form.queries.iter().map(|q| q.name.as_str()))
        .chain(
            form.items()
                .filter_map(|i| i.population_context.as_ref())
                .map(|v| v.name.as_str()),
        )
        .chain(
            form.items()
                .flat_map(|i| &i.variables)
                .map(|v| v.name.as_str()),
        )
        .collect();
    let mut linter = Linter {
        form,
        source,
        scopes,
        found: Vec::new(),
        depends: BTreeMap::new(),
    };
    for variable in &form.variables {
        linter.expression(&variable.expression, &variable.name, &[], "variable");
    }
    if let Some(crisis) = &form.crisis {
        linter.texts(crisis, "crisis");
    }
    for section in &form.sections {
        linter.texts(&section.title, &section.id);
        if let Some(rule) = &section.enable_when {
            linter.enable_when(rule, &section.id, &[]);
        }
        for item in &section.items {
            linter.item(item, false);
        }
    }
    linter.cycles();
    linter.found.sort_by_key(|d| (d.line, d.column));
    linter.found
}

fn index<'f>(item: &'f Item, chain: &mut Vec<&'f str>, scopes: &mut Scopes<'f>) {
    scopes.chains.insert(item.id.as_str(), chain.clone());
    scopes.items.insert(item.id.as_str(), item);
    if item.kind == ItemKind::Group {
        let repeating = item.repeats;
        if repeating {
            chain.push(item.id.as_str());
        }
        for child in &item.items {
            index(child, chain, scopes);
        }
        if repeating {
            chain.pop();
        }
    }
}

struct Linter<'f> {
    form: &'f Form,
    source: &'f str,
    scopes: Scopes<'f>,
    found: Vec<Diagnostic>,
    /// Item id to the items its calculation and enablement read.
    depends: BTreeMap<String, BTreeSet<String>>,
}

impl Linter<'_> {
    /// Where `id: <id>` is defined, or the start of the file.
    fn position_of_id(&self, id: &str) -> (usize, usize) {
        let pattern = format!("id: {id}");
        for (number, line) in self.source.lines().enumerate() {
            if let Some(column) = line.find(&pattern) {
                let after = line[column + pattern.len()..].chars().next();
                if after.is_none_or(|c| !c.is_ascii_alphanumeric() && c != '_') {
                    return (number + 1, column + 1);
                }
            }
        }
        (1, 1)
    }

    /// Where `needle` first appears after the definition of `id`.
    fn position_near(&self, id: &str, needle: &str) -> (usize, usize) {
        let (start, _) = self.position_of_id(id);
        for (number, line) in self
            .source
            .lines()
            .enumerate()
            .skip(start.saturating_sub(1))
        {
            if let Some(column) = line.find(needle) {
                return (number + 1, column + 1);
            }
        }
        self.position_of_id(id)
    }

    fn report(&mut self, level: Level, (line, column): (usize, usize), message: String) {
        self.found.push(Diagnostic {
            level,
            line,
            column,
            message,
        });
    }

    fn item(&mut self, item: &Item, parent_never: bool) {
        let chain = self
            .scopes
            .chains
            .get(item.id.as_str())
            .cloned()
            .unwrap_or_default();
        self.texts(&item.text, &item.id);
        // A group's variables are worked out inside each instance, so they read its answers.
        let inside: Vec<&str> = chain.iter().copied().chain([item.id.as_str()]).collect();
        for variable in &item.variables {
            self.expression(&variable.expression, &variable.name, &inside, "variable");
        }
        for text in item.help.iter() {
            self.texts(text, &item.id);
        }
        match item.value_set.as_deref().filter(|vs| vs.contains(':')) {
            // A value set named by URL: one finding for its displays, saying how to translate.
            Some(url) => self.value_set_texts(item, url),
            None => {
                for option in &item.options {
                    self.texts(&option.display, &item.id);
                }
            }
        }
        let never = parent_never
            || item
                .enable_when
                .as_ref()
                .is_some_and(|rule| self.never(rule));
        if let Some(rule) = &item.enable_when {
            if !parent_never && never {
                self.report(
                    Level::Error,
                    self.position_near(&item.id, "enable_when"),
                    format!(
                        "`{}` can never be enabled: its condition is always false",
                        item.id
                    ),
                );
            }
            self.enable_when(rule, &item.id, &chain);
        }
        if parent_never && item.required {
            self.report(
                Level::Error,
                self.position_of_id(&item.id),
                format!(
                    "`{}` is required inside a group that can never be enabled",
                    item.id
                ),
            );
        }
        if let Some(expression) = &item.calculated {
            self.expression(expression, &item.id, &chain, "calculation");
        }
        if let Some(expression) = &item.initial {
            self.expression(expression, &item.id, &chain, "initial value");
        }
        if let Some(expression) = &item.answer_expression {
            self.expression(expression, &item.id, &chain, "answer list");
        }
        for constraint in &item.constraints {
            self.texts(&constraint.message, &item.id);
            self.expression(&constraint.expression, &item.id, &chain, "constraint");
        }
        for flag in &item.flags {
            self.texts(&flag.message, &item.id);
            self.expression(&flag.when, &item.id, &chain, "flag");
        }
        if let Some(pattern) = &item.regex {
            self.texts(&pattern.message, &item.id);
        }
        for band in &item.bands {
            self.texts(&band.label, &item.id);
            self.texts(&band.meaning, &item.id);
        }
        if let Some(marker) = &item.marker {
            self.texts(marker, &item.id);
        }
        if item.is_score() {
            self.bands(item);
        }
        for child in &item.items {
            self.item(child, never);
        }
    }

    /// A score's bands must cover its possible range (its `min` to `max`) once: no gap where
    /// a score would have no meaning, no overlap where it would have two.
    fn bands(&mut self, item: &Item) {
        let id = item.id.as_str();
        if item.bands.is_empty() {
            let at = self.position_of_id(id);
            self.report(
                Level::Error,
                at,
                format!("score `{id}` has no `bands`: give each range of it a label and a meaning"),
            );
            return;
        }
        let at = self.position_near(id, "bands:");
        let (Some(Bound::Number(min)), Some(Bound::Number(max))) = (&item.min, &item.max) else {
            self.report(
                Level::Error,
                self.position_of_id(id),
                format!(
                    "score `{id}` needs `min` and `max`, its possible range, for its bands to cover"
                ),
            );
            return;
        };
        // Whole-number scores' bands follow on at the next number; decimal ones share a boundary.
        let step = if item.kind == ItemKind::Integer {
            1.0
        } else {
            0.0
        };
        let mut expected = *min;
        for (index, band) in item.bands.iter().enumerate() {
            if index == 0 && band.min < expected {
                self.report(
                    Level::Error,
                    at,
                    format!(
                        "the bands of `{id}` start at {}, below its `min` {min}",
                        band.min
                    ),
                );
            } else if band.min > expected {
                self.report(
                    Level::Error,
                    at,
                    format!(
                        "the bands of `{id}` leave a gap: no band holds {expected} to {}",
                        band.min - step
                    ),
                );
            } else if band.min < expected {
                self.report(
                    Level::Error,
                    at,
                    format!("the bands of `{id}` overlap: {} is in two bands", band.min),
                );
            }
            expected = band.max + step;
        }
        let last = expected - step;
        if last < *max {
            self.report(
                Level::Error,
                at,
                format!("the bands of `{id}` stop at {last}, short of its `max` {max}"),
            );
        } else if last > *max {
            self.report(
                Level::Error,
                at,
                format!("the bands of `{id}` run to {last}, past its `max` {max}"),
            );
        }
    }

    /// Whether a rule can be seen to be false whatever the answers: an expression that reads
    /// nothing and is not true.
    fn never(&self, rule: &EnableWhen) -> bool {
        let EnableWhen::Expression(expression) = rule else {
            return false;
        };
        if !analyze(expression.source()).variable_names().is_empty() {
            return false;
        }
        let context =
            crate::fhirpath::EvalContext::new(crate::fhirpath::Clock::from_unix_millis(0, 0));
        let result = expression.compiled().evaluate(None, &context);
        !matches!(result.as_ref().map(|c| c.iter().collect::<Vec<_>>()), Ok(v) if v.len() == 1 && matches!(v[0], crate::fhirpath::Value::Bool(true)))
    }

    fn enable_when(&mut self, rule: &EnableWhen, owner: &str, chain: &[&str]) {
        match rule {
            EnableWhen::Expression(expression) => {
                self.expression(expression, owner, chain, "condition")
            }
            EnableWhen::Conditions { conditions, .. } => {
                for condition in conditions {
                    let Some(question) =
                        self.scopes.items.get(condition.question.as_str()).copied()
                    else {
                        let at = self.position_near(owner, &condition.question);
                        self.report(
                            Level::Error,
                            at,
                            format!(
                                "`{owner}` depends on `{}`, which is not an item of this form",
                                condition.question
                            ),
                        );
                        continue;
                    };
                    self.depends
                        .entry(owner.to_owned())
                        .or_default()
                        .insert(question.id.clone());
                    if let Some(code) = condition.answer.get("code").and_then(|c| c.as_str())
                        && question.kind.has_options()
                        && question.kind == ItemKind::Choice
                        // A list searched on the server has no options to check against.
                        && !question.searched_on_server
                        && question.option(code).is_none()
                    {
                        let at = self.position_near(owner, code);
                        self.report(
                            Level::Error,
                            at,
                            format!("`{code}` is not one of the answers of `{}`", question.id),
                        );
                    }
                }
            }
        }
    }

    fn expression(&mut self, expression: &Expression, owner: &str, chain: &[&str], role: &str) {
        let analysis = analyze(expression.source());
        let at = self.position_near(owner, expression.source().lines().next().unwrap_or(""));
        for error in &analysis.errors {
            self.report(
                Level::Error,
                at,
                format!("in the {role} of `{owner}`: {}", error.message),
            );
        }
        for name in analysis.variable_names() {
            if LAUNCH_VARIABLES.contains(&name)
                || self.scopes.variables.contains(name)
                || name.starts_with("vs-")
                || name.starts_with("ext-")
            {
                continue;
            }
            let Some(referenced) = self.scopes.chains.get(name).cloned() else {
                self.report(Level::Error, at, format!("in the {role} of `{owner}`: `%{name}` is neither an item nor a variable of this form"));
                continue;
            };
            if role == "calculation" || role == "condition" {
                self.depends
                    .entry(owner.to_owned())
                    .or_default()
                    .insert(name.to_owned());
            }
            // Outside a repeating group, an item inside it stands for the answers of every instance.
            if !referenced
                .iter()
                .zip(chain.iter().chain(std::iter::repeat(&"")))
                .all(|(a, b)| a == b)
                || referenced.len() > chain.len()
            {
                let group = referenced.last().copied().unwrap_or("");
                self.report(
                    Level::Warning,
                    at,
                    format!("in the {role} of `{owner}`: `%{name}` is inside repeating group `{group}`, so here it holds the answers of every instance"),
                );
            }
        }
    }

    /// The displays of a value set named by URL are the value set's (in English, from the
    /// HL7 core value sets, a site's or a terminology server): a form in other languages
    /// translates them in a `forms/valuesets/` file with that `url`, which the loader prefers.
    fn value_set_texts(&mut self, item: &Item, url: &str) {
        for language in &self.form.languages {
            if item.options.iter().any(|o| !o.display.has(language)) {
                let at = self.position_near(&item.id, "value_set");
                self.report(
                    Level::Error,
                    at,
                    format!(
                        "`{}`: the value set {url} has no `{language}` displays; translate them \
                         in a forms/valuesets/ file whose `url` is {url}",
                        item.id
                    ),
                );
            }
        }
    }

    fn texts(&mut self, text: &Text, owner: &str) {
        for language in &self.form.languages {
            if !text.has(language) {
                let at = self.position_near(owner, text.en());
                self.report(
                    Level::Error,
                    at,
                    format!(
                        "`{owner}`: \"{}\" has no `{language}` translation",
                        text.en()
                    ),
                );
            }
        }
    }

    /// Calculations and conditions that depend on themselves, directly or not.
    fn cycles(&mut self) {
        let mut reported: BTreeSet<String> = BTreeSet::new();
        let owners: Vec<String> = self.depends.keys().cloned().collect();
        for start in owners {
            let mut path = vec![start.clone()];
            if let Some(cycle) = self.find_cycle(&start, &mut path, &mut BTreeSet::new())
                && reported.insert(cycle.iter().min().cloned().unwrap_or_default())
            {
                let at = self.position_of_id(&start);
                self.report(
                    Level::Error,
                    at,
                    format!(
                        "a cycle of calculations and conditions: {}",
                        cycle.join(" -> ")
                    ),
                );
            }
        }
    }

    fn find_cycle(
        &self,
        start: &str,
        path: &mut Vec<String>,
        seen: &mut BTreeSet<String>,
    ) -> Option<Vec<String>> {
        let last = path.last().cloned().unwrap_or_default();
        for next in self.depends.get(&last).into_iter().flatten() {
            if next == start {
                let mut cycle = path.clone();
                cycle.push(start.to_owned());
                return Some(cycle);
            }
            if seen.insert(next.clone()) {
                path.push(next.clone());
                if let Some(cycle) = self.find_cycle(start, path, seen) {
                    return Some(cycle);
                }
                path.pop();
            }
        }
        None
    }
}
