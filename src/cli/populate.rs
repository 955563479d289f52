//! `intake populate --form FORM [--context NAME=FILE.json ...] [--ehr FOLDER|URL] [--now DATETIME]`:
//! SDC `$populate`, printing the in-progress QuestionnaireResponse. A `--context` binds a
//! %-variable: a launch context (`patient`, `user`, `encounter`) or the result Bundle of one of
//! the form's queries, which then is not run. Queries left are run on `--ehr` (a file-drop
//! folder or a FHIR base URL); without it they are reported as unanswered. What could not be
//! read or evaluated goes to stderr as warnings; the response still prints and the exit code
//! stays 0.

use std::{io::Write, process::ExitCode, time::Duration};

use async_trait::async_trait;
use serde_json::Value as Json;

use super::{now_from, print, questionnaire_for, read_contexts, usage_error};
use crate::{
    ehr::{ChartSource, EhrError, FhirRest, FileDrop, resolve_context},
    fhirpath::Clock,
    forms::sdc::to_pretty_json,
    populate::{Displays, LaunchContext, populate},
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
    let (questionnaire, _) = questionnaire_for(form).await?;
    let mut launch = LaunchContext::default();
    for (name, value) in read_contexts(contexts)? {
        match name.as_str() {
            "patient" => launch.patient = Some(value),
            "user" => launch.user = Some(value),
            "encounter" => launch.encounter = Some(value),
            _ => launch.others.push((name, value)),
        }
    }
    let clock = Clock::from_unix_millis(crate::clock::millis(now_from(now)?), 0);
    let source = chart_source(ehr)?;
    let (variables, mut issues) =
        resolve_context(&questionnaire, &launch, source.as_ref(), clock).await;
    let populated = populate(
        &questionnaire,
        &variables,
        clock,
        &Displays::from_questionnaire(&questionnaire),
    );
    issues.extend(populated.issues);
    let mut stderr = std::io::stderr().lock();
    for issue in &issues {
        drop(writeln!(stderr, "intake: warning: {issue}"));
    }
    Ok(to_pretty_json(&populated.response))
}

/// The EHR the form's queries run on: a FHIR base URL or a file-drop folder.
fn chart_source(ehr: Option<&str>) -> Result<Box<dyn ChartSource>, String> {
    Ok(match ehr {
        None => Box::new(NoChart),
        Some(url) if url.starts_with("http://") || url.starts_with("https://") => Box::new(
            FhirRest::new(url, Duration::from_secs(30)).map_err(|e| format!("--ehr {url}: {e}"))?,
        ),
        Some(folder) => {
            if !std::path::Path::new(folder).is_dir() {
                return Err(format!("--ehr {folder}: no such folder"));
            }
            Box::new(FileDrop::new(folder).map_err(|e| format!("--ehr {folder}: {e}"))?)
        }
    })
}

/// No EHR given: every query goes unanswered, saying how to answer it.
struct NoChart;

#[async_trait]
impl ChartSource for NoChart {
    async fn search(&self, _query: &str) -> Result<Json, EhrError> {
        Err(EhrError::Unexpected(
            "no EHR to ask (give --ehr, or bind the variable with --context)".into(),
        ))
    }
}
