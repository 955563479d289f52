//! Scenario tests for forms (`forms/<id>.test.yaml`): a launch context and answers in, the
//! expected enabled items, calculated values, flags and issues out. Above the engine and the
//! mapping (it runs the one over an empty chart from the other), so not part of `forms`.

mod trial;

pub use trial::{TrialFailure, TrialRun, generated_answers, trial_launch, trial_run};

use std::collections::BTreeSet;

use serde::Deserialize;
use serde_json::{Map, Value as Json};
use time::{Date, macros::format_description};

use crate::{
    engine::{Answer, Answers, LaunchContext, answers_from_yaml, evaluate},
    forms::{Form, LoadError, parse_yaml},
};

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
    parse_yaml(file, source)
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
        Answer::Coding {
            system,
            code,
            display,
        } => serde_json::json!({ "system": system, "code": code, "display": display }),
        Answer::Quantity { value, unit } => {
            serde_json::json!({ "value": value.parse::<f64>().unwrap_or_default(), "unit": unit })
        }
        other => Json::from(other.to_input()),
    }
}
