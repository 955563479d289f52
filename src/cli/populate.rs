//! `intake populate --form FORM [--context NAME=FILE.json ...] [--ehr FOLDER|URL] [--now DATETIME]`:
//! SDC `$populate` on the form model the patient pages run, printing the in-progress
//! QuestionnaireResponse. A Questionnaire is imported as `intake forms import` does (one the
//! importer refuses exits 2 with its reason, naming the item and the feature); a YAML form is
//! compiled. The launch context is gathered as when a patient's draft starts: with `--ehr` (a
//! file-drop folder or a FHIR base URL) and a patient with an id, their allergies, medications
//! and conditions on file (`%AllergyIntolerance`...), then the form's own searches. A
//! `--context` binds a %-variable: a launch context (`patient`, `appointment`, `user`,
//! `encounter`) or a search result, which is then not read. A search that could not be read is
//! a warning on stderr; the response still prints and the exit code stays 0.

use std::{
    collections::BTreeMap, io::Write, path::Path, process::ExitCode, sync::Arc, time::Duration,
};

use async_trait::async_trait;
use serde_json::Value as Json;

use super::{now_from, print, read_contexts, read_json, usage_error};
use crate::{
    ehr::{ChartSource, EhrError, FhirRest, FileDrop, form_queries, read_on_file},
    engine::LaunchContext,
    fhirpath::Clock,
    forms::{Form, sdc::to_pretty_json},
    mapping::{ChartContext, ChartSnapshot},
    populate::{Displays, populate},
};

/// Populates and prints the response; exits 2 naming the input that cannot be used.
pub async fn run(
    form: &str,
    contexts: &[String],
    ehr: Option<&str>,
    now: Option<&str>,
) -> ExitCode {
    match populate_to_json(form, contexts, ehr, now).await {
        Ok(output) => {
            print(&output);
            ExitCode::SUCCESS
        }
        Err(message) => usage_error(&message),
    }
}

async fn populate_to_json(
    form: &str,
    contexts: &[String],
    ehr: Option<&str>,
    now: Option<&str>,
) -> Result<String, String> {
    let form = form_for(form).await?;
    let mut bound: BTreeMap<String, Json> = read_contexts(contexts)?.into_iter().collect();
    let now = now_from(now)?;
    let clock = Clock::from_unix_millis(crate::clock::millis(now), 0);
    let source = chart_source(ehr)?;
    let mut warnings = Vec::new();
    let mut chart = ChartSnapshot {
        patient: bound.remove("patient"),
        ..ChartSnapshot::default()
    };
    let patient_id = chart.patient.as_ref().and_then(|p| p["id"].as_str());
    if let (Some(_), Some(id)) = (ehr, patient_id) {
        match read_on_file(source.as_ref(), id).await {
            Ok(resources) => chart.resources = resources,
            Err(e) => warnings.push(format!("the chart's entries on file: {e}")),
        }
    }
    let (queries, failed) = form_queries(
        source.as_ref(),
        &form,
        chart.patient.as_ref(),
        clock,
        |name| bound.contains_key(name),
    )
    .await;
    chart.queries = queries;
    for failure in failed {
        warnings.push(format!("query {}: {}", failure.name, failure.error));
    }
    let context = ChartContext::of(Some(&chart));
    let appointment = bound.remove("appointment").map(Arc::new);
    let mut variables = context.variables;
    variables.extend(
        bound
            .into_iter()
            .map(|(name, value)| (name, Arc::new(value))),
    );
    let launch = LaunchContext {
        patient: context.patient,
        appointment,
        today: now.date(),
        now_millis: crate::clock::millis(now),
        utc_offset: time::UtcOffset::UTC,
        variables,
    };
    let response = populate(&form, &launch, &Displays::for_form(&form));
    let mut stderr = std::io::stderr().lock();
    for warning in &warnings {
        drop(writeln!(stderr, "intake: warning: {warning}"));
    }
    Ok(to_pretty_json(&response))
}

/// The form: a Questionnaire JSON file imported, or a YAML form (a file, or an id in `forms/`).
async fn form_for(form: &str) -> Result<Arc<Form>, String> {
    if form.ends_with(".json") {
        let path = Path::new(form);
        let questionnaire = read_json(path)?;
        let imported = super::forms::import_questionnaire(&questionnaire, path).await?;
        return Ok(Arc::new(imported.form));
    }
    super::evaluate::load_form(form).await
}

/// The EHR the form's searches run on: a FHIR base URL or a file-drop folder.
fn chart_source(ehr: Option<&str>) -> Result<Box<dyn ChartSource>, String> {
    Ok(match ehr {
        None => Box::new(NoChart),
        Some(url) if url.starts_with("http://") || url.starts_with("https://") => Box::new(
            FhirRest::new(url, Duration::from_secs(30)).map_err(|e| format!("--ehr {url}: {e}"))?,
        ),
        Some(folder) => {
            if !Path::new(folder).is_dir() {
                return Err(format!("--ehr {folder}: no such folder"));
            }
            Box::new(FileDrop::new(folder).map_err(|e| format!("--ehr {folder}: {e}"))?)
        }
    })
}

/// No EHR given: every search goes unanswered, saying how to answer it.
struct NoChart;

#[async_trait]
impl ChartSource for NoChart {
    async fn search(&self, _query: &str) -> Result<Json, EhrError> {
        Err(EhrError::Unexpected(
            "no EHR to ask (give --ehr, or bind the variable with --context)".into(),
        ))
    }
}
