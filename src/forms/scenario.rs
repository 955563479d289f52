//! Scenario tests for forms (`forms/<id>.test.yaml`): a launch context and answers in, the
//! expected enabled items, calculated values, flags and issues out.

use std::collections::{BTreeMap, BTreeSet};

use serde::Deserialize;
use serde_json::{Map, Value as Json};
use time::{Date, macros::format_description};

use super::{Form, Item, ItemKind, LoadError};
use crate::engine::{Answer, Answers, LaunchContext, evaluate};

/// A scenario file.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScenarioFile {
    /// The form's id.
    pub form: String,
    /// The cases.
    pub cases: Vec<Case>,
}

/// One case.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Case {
    /// What the case shows, as a sentence.
    pub name: String,
    /// The evaluation date, `YYYY-MM-DD`.
    #[serde(default)]
    pub today: Option<String>,
    /// The FHIR Patient.
    #[serde(default)]
    pub patient: Option<Json>,
    /// The FHIR Appointment.
    #[serde(default)]
    pub appointment: Option<Json>,
    /// Item id to answer(s).
    #[serde(default)]
    pub answers: Map<String, Json>,
    /// What must come out.
    #[serde(default)]
    pub expect: Expect,
}

/// The expectations of a case; what is left out is not checked.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Expect {
    /// Ids enabled in at least one place.
    #[serde(default)]
    pub enabled: Vec<String>,
    /// Ids enabled nowhere.
    #[serde(default)]
    pub disabled: Vec<String>,
    /// Item id to calculated value.
    #[serde(default)]
    pub calculated: Map<String, Json>,
    /// Exactly the flags raised.
    #[serde(default)]
    pub flags: Option<Vec<String>>,
    /// Exactly the items with issues.
    #[serde(default)]
    pub issues: Option<Vec<String>>,
}

/// The outcome of one case: empty `failures` means it passed.
#[derive(Debug, Clone)]
pub struct CaseResult {
    /// The case's name.
    pub name: String,
    /// What did not match, one line each.
    pub failures: Vec<String>,
}

/// Reads a scenario file.
pub fn load_scenarios(file: &str, source: &str) -> Result<ScenarioFile, LoadError> {
    super::yaml::parse(file, source)
}

/// Runs every case of `scenarios` against `form`.
/// Messages about issues read in `words` (English for the designer's terminal).
pub fn run_scenarios(
    form: &Form,
    scenarios: &ScenarioFile,
    words: &dyn crate::domain::Translate,
) -> Vec<CaseResult> {
    scenarios
        .cases
        .iter()
        .map(|case| run_case(form, case, words))
        .collect()
}

impl Case {
    /// The launch context the case describes: its patient and appointment (their
    /// `resourceType` filled in), evaluated at noon UTC on `today` (2026-01-01 when left out).
    pub fn launch_context(&self) -> Result<LaunchContext, String> {
        let today = self.today.as_deref().unwrap_or("2026-01-01");
        let today = Date::parse(today, format_description!("[year]-[month]-[day]"))
            .map_err(|_| format!("`today: {today}` is not a date"))?;
        let with_type = |resource: &Option<Json>, kind: &str| {
            resource.clone().map(|mut r| {
                if let Some(object) = r.as_object_mut() {
                    object
                        .entry("resourceType")
                        .or_insert_with(|| Json::from(kind));
                }
                std::sync::Arc::new(r)
            })
        };
        Ok(LaunchContext {
            patient: with_type(&self.patient, "Patient"),
            appointment: with_type(&self.appointment, "Appointment"),
            today,
            now_millis: crate::clock::millis(today.midnight().assume_utc()) + 12 * 3_600_000,
            utc_offset: time::UtcOffset::UTC,
            // A chart with nothing on file: `%MedicationStatement` and the others are empty
            // Bundles, as when the patient has none.
            variables: crate::mapping::ChartSnapshot::default()
                .variables()
                .into_iter()
                .collect(),
        })
    }

    /// The case's answers to `form`, as the engine holds them.
    pub fn answers(&self, form: &Form) -> Result<Answers, String> {
        answers_from_yaml(
            form.sections.iter().flat_map(|s| s.items.iter()),
            &self.answers,
        )
    }
}

fn run_case(form: &Form, case: &Case, words: &dyn crate::domain::Translate) -> CaseResult {
    let mut failures = Vec::new();
    let inputs = case
        .launch_context()
        .and_then(|launch| Ok((launch, case.answers(form)?)));
    let (launch, answers) = match inputs {
        Ok(inputs) => inputs,
        Err(problem) => {
            return CaseResult {
                name: case.name.clone(),
                failures: vec![problem],
            };
        }
    };
    let result = evaluate(form, &launch, &answers);
    let expect = &case.expect;
    for id in expect
        .enabled
        .iter()
        .filter(|id| !result.enabled.contains(*id))
    {
        failures.push(format!("expected `{id}` to be enabled, but it is not"));
    }
    for id in expect
        .disabled
        .iter()
        .filter(|id| result.enabled.contains(*id))
    {
        failures.push(format!("expected `{id}` to be disabled, but it is enabled"));
    }
    for (id, wanted) in &expect.calculated {
        let got: Vec<Json> = result
            .calculated
            .get(id)
            .map(|a| a.iter().map(answer_to_yaml).collect())
            .unwrap_or_default();
        let matches = match wanted {
            Json::Array(list) => &got == list,
            Json::Null => got.is_empty(),
            single => got.len() == 1 && same_value(&got[0], single),
        };
        if !matches {
            failures.push(format!(
                "expected `{id}` to be calculated as {wanted}, got {}",
                Json::from(got)
            ));
        }
    }
    if let Some(wanted) = &expect.flags {
        let got: BTreeSet<&str> = result.flags.iter().map(|f| f.id.as_str()).collect();
        let wanted: BTreeSet<&str> = wanted.iter().map(String::as_str).collect();
        if got != wanted {
            failures.push(format!("expected flags {wanted:?}, got {got:?}"));
        }
    }
    if let Some(wanted) = &expect.issues {
        let got: BTreeSet<&str> = result.issues.iter().map(|i| i.item_id.as_str()).collect();
        let wanted: BTreeSet<&str> = wanted.iter().map(String::as_str).collect();
        if got != wanted {
            let detail: Vec<String> = result
                .issues
                .iter()
                .map(|i| format!("{}: {}", i.item_id, i.kind.message(words)))
                .collect();
            failures.push(format!(
                "expected issues on {wanted:?}, got {got:?} ({})",
                detail.join("; ")
            ));
        }
    }
    CaseResult {
        name: case.name.clone(),
        failures,
    }
}

fn same_value(got: &Json, wanted: &Json) -> bool {
    match (got, wanted) {
        (Json::Number(a), Json::Number(b)) => a.as_f64() == b.as_f64(),
        (Json::Object(a), Json::Object(b)) => b.iter().all(|(k, v)| a.get(k) == Some(v)),
        _ => got == wanted,
    }
}

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
        (ItemKind::Choice | ItemKind::OpenChoice, Json::Object(coding)) => {
            let code = coding
                .get("code")
                .and_then(Json::as_str)
                .ok_or_else(wrong)?;
            if item.option(code).is_none() && item.kind == ItemKind::Choice {
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

/// An answer as a scenario file writes it.
fn answer_to_yaml(answer: &Answer) -> Json {
    match answer {
        Answer::Boolean(b) => Json::Bool(*b),
        Answer::Integer(n) => Json::from(*n),
        Answer::Decimal(d) => d
            .parse::<f64>()
            .map(Json::from)
            .unwrap_or_else(|_| Json::from(d.clone())),
        Answer::Choice(code) => serde_json::json!({ "code": code }),
        Answer::Quantity { value, unit } => {
            serde_json::json!({ "value": value.parse::<f64>().unwrap_or_default(), "unit": unit })
        }
        other => Json::from(other.to_input()),
    }
}
