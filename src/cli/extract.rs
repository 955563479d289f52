//! `intake extract --form FORM --response QR.json [--context NAME=FILE.json ...] [--now DATETIME]`:
//! SDC `$extract`, printing the transaction Bundle. What could not be extracted is reported on
//! stderr as warnings; the Bundle still prints and the exit code stays 0.

use std::{collections::BTreeMap, io::Write, path::Path, process::ExitCode};

use serde_json::Value as Json;

use super::{now_from, print, questionnaire_for, read_contexts, read_json, usage_error};
use crate::{
    fhirpath::Clock,
    forms::{ExtractHook, Form, sdc::to_pretty_json},
    mapping::sdc::{DerivedIds, ExtractRequest, extract},
};

mod posting;

/// Extracts and prints the Bundle (with `for_posting`, what Intake would post); exits 2 naming
/// the file when an input cannot be used.
pub async fn run(
    form: &str,
    response: &Path,
    contexts: &[String],
    now: Option<&str>,
    for_posting: bool,
) -> ExitCode {
    match extract_to_json(form, response, contexts, now, for_posting).await {
        Ok(output) => {
            print(&output);
            ExitCode::SUCCESS
        }
        Err(message) => usage_error(&message),
    }
}

async fn extract_to_json(
    form: &str,
    response_file: &Path,
    contexts: &[String],
    now: Option<&str>,
    for_posting: bool,
) -> Result<String, String> {
    let (questionnaire, yaml_form) = questionnaire_for(form).await?;
    if let Some(form) = yaml_form.as_ref().filter(|_| !for_posting) {
        warn_about_hooks_without_markup(form);
    }
    let response = read_json(response_file)?;
    if response.get("resourceType").and_then(Json::as_str) != Some("QuestionnaireResponse") {
        return Err(format!(
            "{}: not a QuestionnaireResponse",
            response_file.display()
        ));
    }
    let variables: BTreeMap<String, Json> = read_contexts(contexts)?.into_iter().collect();
    let clock = Clock::from_unix_millis(crate::clock::millis(now_from(now)?), 0);
    let request = ExtractRequest {
        questionnaire: &questionnaire,
        response: &response,
        variables: &variables,
        clock,
    };
    if for_posting {
        let bundle = posting::bundle(
            yaml_form.as_deref(),
            &request,
            crate::clock::fhir_instant(now_from(now)?),
        )?;
        return Ok(to_pretty_json(&bundle));
    }
    let extracted = extract(&request, &mut DerivedIds::for_response(&response));
    warn(&extracted.issues);
    Ok(to_pretty_json(&extracted.bundle))
}

/// Each line as a warning on stderr.
fn warn(lines: &[impl std::fmt::Display]) {
    let mut stderr = std::io::stderr().lock();
    for line in lines {
        drop(writeln!(stderr, "intake: warning: {line}"));
    }
}

/// The export marks `extract: observation` items for SDC observation-based extraction, but has
/// no SDC markup (templates) for the other hooks yet, so `$extract` leaves their answers out;
/// say so rather than print a Bundle that silently lacks them.
fn warn_about_hooks_without_markup(form: &Form) {
    let mut stderr = std::io::stderr().lock();
    for item in form.items() {
        let Some(hook) = item.extract.filter(|h| *h != ExtractHook::Observation) else {
            continue;
        };
        let hook = serde_json::to_value(hook).unwrap_or_default();
        let hook = hook.as_str().unwrap_or_default();
        drop(writeln!(
            stderr,
            "intake: warning: item `{}` (extract: {hook}): the SDC export has no template for \
             this hook, so $extract does not extract it",
            item.id
        ));
    }
}
