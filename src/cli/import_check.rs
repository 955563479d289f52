//! `intake forms import-check PATH...`: how many SDC Questionnaires import and run. Each JSON
//! Questionnaire found is imported exactly as `intake forms import` imports it (the HL7 core
//! value sets, `INTAKE_VALUESETS_DIR`, and `INTAKE_TERMINOLOGY_URL`'s server only when it is
//! set), the YAML written is compiled on its own and linted, and the form is run with generated
//! answers (`scenario::trial_run`): it must submit, and its QuestionnaireResponse must have the
//! Questionnaire's structure. One line per file, the rate, then the refusals by feature.

use std::{
    collections::BTreeMap,
    path::{Path, PathBuf},
    process::ExitCode,
};

use serde_json::Value as Json;

use super::{print, usage_error};
use crate::forms::{Level, lint, load_yaml, sdc};

/// Why a file does not import and run: the message (naming item and feature) and the feature
/// alone, for the tally.
struct Refusal {
    message: String,
    feature: String,
}

/// `intake forms import-check`.
pub async fn run(paths: &[PathBuf]) -> ExitCode {
    let mut files = Vec::new();
    for path in paths {
        if let Err(error) = json_files(path, &mut files) {
            return usage_error(&format!("{}: {error}", path.display()));
        }
    }
    let codes = match super::forms::site_codes() {
        Ok(codes) => codes,
        Err(message) => return usage_error(&message),
    };
    let (mut checked, mut running, mut others) = (0_usize, 0_usize, 0_usize);
    let mut by_feature: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for file in &files {
        let name = file.display().to_string();
        let json = match std::fs::read_to_string(file)
            .map_err(|e| e.to_string())
            .and_then(|text| serde_json::from_str::<Json>(&text).map_err(|e| e.to_string()))
        {
            Ok(json) if json["resourceType"] == "Questionnaire" => json,
            // Responses, ValueSets and the like beside the Questionnaires.
            Ok(_) => {
                others += 1;
                continue;
            }
            Err(error) => {
                print(&format!("skip  {name}: not JSON: {error}"));
                continue;
            }
        };
        checked += 1;
        let answer_lists = codes.answer_lists(&json).await;
        match import_and_run(&name, &json, &answer_lists) {
            Ok(()) => {
                running += 1;
                print(&format!("ok    {name}"));
            }
            Err(refusal) => {
                print(&format!("no    {name}: {}", refusal.message));
                by_feature.entry(refusal.feature).or_default().push(name);
            }
        }
    }
    let percent = if checked == 0 {
        0.0
    } else {
        100.0 * running as f64 / checked as f64
    };
    if others > 0 {
        print(&format!(
            "({others} other JSON files, not Questionnaires, left out)"
        ));
    }
    print(&format!(
        "imported and running: {running} of {checked} ({percent:.1}%)"
    ));
    if !by_feature.is_empty() {
        print("refused, by feature:");
        let mut tally: Vec<_> = by_feature.into_iter().collect();
        tally.sort_by(|a, b| b.1.len().cmp(&a.1.len()).then_with(|| a.0.cmp(&b.0)));
        for (feature, names) in tally {
            print(&format!("  {:>3}  {feature}", names.len()));
        }
    }
    ExitCode::SUCCESS
}

/// Imports `json` as `intake forms import` does, compiles the YAML it writes on its own, lints
/// it, and runs the form with generated answers.
fn import_and_run(
    name: &str,
    json: &Json,
    answer_lists: &crate::terminology::AnswerLists<'_>,
) -> Result<(), Refusal> {
    let imported = sdc::import_yaml_with(json, answer_lists).map_err(|error| Refusal {
        feature: error.feature(),
        message: error.to_string(),
    })?;
    let form = load_yaml(name, &imported.yaml).map_err(|error| Refusal {
        message: format!("the YAML it imports as does not compile: {error}"),
        feature: "import: the YAML written does not compile".to_owned(),
    })?;
    // SDC cannot say what a score means, so a score's bands are left for the designer to write
    // before the form is used; any other lint error counts.
    let errors: Vec<String> = lint(&form, &imported.yaml)
        .into_iter()
        .filter(|d| d.level == Level::Error && !d.message.contains("has no `bands`"))
        .map(|d| d.render(name))
        .collect();
    if !errors.is_empty() {
        return Err(Refusal {
            message: format!(
                "the imported form does not lint clean: {}",
                errors.join("; ")
            ),
            feature: "import: lint error".to_owned(),
        });
    }
    crate::scenario::trial_run(&form, crate::i18n::Language::english())
        .and_then(|run| run.check(json))
        .map_err(|failure| Refusal {
            feature: failure.feature().to_owned(),
            message: failure.to_string(),
        })
}

/// The `.json` files at `path` (a file, or a directory searched recursively), sorted.
fn json_files(path: &Path, out: &mut Vec<PathBuf>) -> std::io::Result<()> {
    if !path.is_dir() {
        out.push(path.to_owned());
        return Ok(());
    }
    let mut entries: Vec<PathBuf> = std::fs::read_dir(path)?
        .map(|entry| entry.map(|e| e.path()))
        .collect::<Result<_, _>>()?;
    entries.sort();
    for entry in entries {
        if entry.is_dir() {
            json_files(&entry, out)?;
        } else if entry.extension().is_some_and(|e| e == "json") {
            out.push(entry);
        }
    }
    Ok(())
}
