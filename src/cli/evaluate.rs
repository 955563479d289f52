//! `intake evaluate --form FORM --response QR.json [--context NAME=FILE.json ...] [--now DATETIME]`:
//! the engine's verdict on a response, as JSON, for analysts checking a questionnaire.

use std::{collections::BTreeMap, path::Path, process::ExitCode, sync::Arc};

use serde_json::{Value as Json, json};

use super::{now_from, print, read_contexts, read_json, usage_error};
use crate::{
    app::form_files,
    engine::{LaunchContext, answers_from_response, evaluate},
    forms::{Form, FormId, FormLibrary},
    mapping::response_items,
};

/// Evaluates and prints `{"enabled", "calculated", "issues", "flags", "response"}`.
pub async fn run(form: &str, response: &Path, contexts: &[String], now: Option<&str>) -> ExitCode {
    match evaluate_to_json(form, response, contexts, now).await {
        Ok(output) => {
            print(&output);
            ExitCode::SUCCESS
        }
        Err(message) => usage_error(&message),
    }
}

async fn evaluate_to_json(
    form: &str,
    response_file: &Path,
    contexts: &[String],
    now: Option<&str>,
) -> Result<String, String> {
    let form = if form.ends_with(".json") {
        let path = Path::new(form);
        Arc::new(
            super::forms::import_questionnaire(&read_json(path)?, path)
                .await?
                .form,
        )
    } else {
        load_form(form).await?
    };
    let response = read_json(response_file)?;
    let answers = answers_from_response(&form, &response)
        .map_err(|e| format!("{}: {e}", response_file.display()))?;
    let mut patient = None;
    let mut appointment = None;
    let mut variables = BTreeMap::new();
    for (name, value) in read_contexts(contexts)? {
        match name.as_str() {
            "patient" => patient = Some(Arc::new(value)),
            "appointment" => appointment = Some(Arc::new(value)),
            _ => {
                variables.insert(name, Arc::new(value));
            }
        }
    }
    let now = now_from(now)?;
    let launch = LaunchContext {
        patient,
        appointment,
        today: now.date(),
        now_millis: crate::clock::millis(now),
        utc_offset: time::UtcOffset::UTC,
        variables,
    };
    let result = evaluate(&form, &launch, &answers);
    let mut evaluated = response.clone();
    evaluated["item"] = Json::from(response_items(&form, &result.answers));
    // Items are named as the Questionnaire names them; a page-only section is not in it.
    let link_id = |id: &str| form.link_id_of(id).map(str::to_owned);
    let calculated: serde_json::Map<String, Json> = result
        .calculated
        .iter()
        .filter_map(|(id, answers)| {
            let item = form.item(id);
            let values: Vec<Json> = answers
                .iter()
                .filter_map(|a| item.and_then(|i| crate::mapping::answer_value(i, a)))
                .filter_map(|v| v.as_object().and_then(|o| o.values().next().cloned()))
                .collect();
            Some((
                link_id(id)?,
                if values.len() == 1 {
                    values[0].clone()
                } else {
                    Json::from(values)
                },
            ))
        })
        .collect();
    let output = json!({
        "enabled": result.enabled.iter().filter_map(|id| link_id(id)).collect::<Vec<_>>(),
        "calculated": calculated,
        "issues": result.issues.iter().map(|i| json!({
            "linkId": link_id(&i.item_id), "severity": format!("{:?}", i.severity).to_lowercase(), "message": i.kind.message(crate::i18n::Language::english()),
        })).collect::<Vec<_>>(),
        "flags": result.flags.iter().map(|f| json!({
            "id": f.id, "linkId": link_id(&f.item_id), "severity": format!("{:?}", f.severity).to_lowercase(), "message": f.message.en(),
        })).collect::<Vec<_>>(),
        "response": evaluated,
    });
    serde_json::to_string_pretty(&output).map_err(|e| e.to_string())
}

/// A form given as a YAML file, or as the id of a form in `forms/`.
pub(super) async fn load_form(arg: &str) -> Result<Arc<Form>, String> {
    let path = Path::new(arg);
    let (files, id) = if path.is_file() {
        (
            form_files(&[path.to_path_buf()]).map_err(|e| format!("{arg}: {e}"))?,
            None,
        )
    } else {
        (
            form_files(&[Path::new("forms").to_path_buf()]).map_err(|e| format!("forms: {e}"))?,
            FormId::parse(arg),
        )
    };
    let codes = super::forms::site_codes()?;
    let lists = codes
        .answer_lists_for_forms(files.iter().map(|(_, s)| s.as_str()))
        .await;
    let library =
        FormLibrary::compile_with(files.iter().map(|(f, s)| (f.as_str(), s.as_str())), &lists)
            .map_err(|e| e.to_string())?;
    match id {
        Some(id) => library
            .get(&id)
            .ok_or_else(|| format!("no form `{id}` in forms/")),
        None => library
            .iter()
            .next()
            .cloned()
            .ok_or_else(|| format!("{arg}: no form in the file")),
    }
}
