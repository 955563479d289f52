//! `intake forms check [PATH...]` and `intake forms test [PATH...]`: forms checked and tested
//! like code. Both print like a compiler and exit 1 when anything is wrong.

use std::{collections::BTreeMap, path::PathBuf, process::ExitCode, sync::Arc};

use super::{print, usage_error};
use crate::{
    app::form_files,
    forms::{
        Form, Level, ValueSet, is_value_set_file, lint, load_form_with, load_scenarios,
        load_value_set, run_scenarios, sdc::ValueSetSource,
    },
    terminology::CodeLookup,
};

/// Forms compiled from files, each with its file and source, and the load errors met.
pub(super) struct Compiled {
    pub forms: Vec<(String, String, Arc<Form>)>,
    pub errors: Vec<String>,
}

impl Compiled {
    /// Every load error, then every lint finding, as compiler-style lines; and the error count.
    pub fn problems(&self) -> (Vec<String>, usize) {
        let mut lines = self.errors.clone();
        let mut errors = self.errors.len();
        for (file, source, form) in &self.forms {
            for diagnostic in lint(form, source) {
                errors += usize::from(diagnostic.level == Level::Error);
                lines.push(diagnostic.render(file));
            }
        }
        (lines, errors)
    }
}

/// The paths given, or `forms` when none.
pub(super) fn paths_or_default(paths: &[PathBuf]) -> Vec<PathBuf> {
    if paths.is_empty() {
        vec![PathBuf::from("forms")]
    } else {
        paths.to_vec()
    }
}

async fn compile(paths: &[PathBuf]) -> Result<Compiled, String> {
    let files = form_files(&paths_or_default(paths)).map_err(|e| e.to_string())?;
    let codes = site_codes()?;
    let lists = codes
        .answer_lists_for_forms(files.iter().map(|(_, text)| text.as_str()))
        .await;
    Ok(compile_files(&files, &lists))
}

/// The code lists this environment configures (`INTAKE_VALUESETS_DIR`,
/// `INTAKE_TERMINOLOGY_URL`, `INTAKE_TERMINOLOGY_DIR`, besides the HL7 core value sets), as the
/// server reads them: forms check, test, export and preview resolve `value_set` URLs as
/// `intake serve` does.
pub(super) fn site_codes() -> Result<CodeLookup, String> {
    let lookup = |name: &str| std::env::var(name).ok().filter(|v| !v.is_empty());
    let settings = crate::config::terminology_settings(&lookup).map_err(|e| e.to_string())?;
    CodeLookup::load(&settings).map_err(|e| e.to_string())
}

/// Compiles value sets, then forms, keeping going past errors so all of them are reported; a
/// `value_set` given as a canonical URL is expanded by `lists`.
pub(super) fn compile_files(files: &[(String, String)], lists: &dyn ValueSetSource) -> Compiled {
    let mut errors = Vec::new();
    let mut value_sets: BTreeMap<String, ValueSet> = BTreeMap::new();
    for (file, source) in files.iter().filter(|(f, _)| is_value_set_file(f)) {
        match load_value_set(file, source) {
            Ok(set) => {
                value_sets.insert(set.id.clone(), set);
            }
            Err(error) => errors.push(error.to_string()),
        }
    }
    let mut forms = Vec::new();
    for (file, source) in files
        .iter()
        .filter(|(f, _)| !is_value_set_file(f) && !f.ends_with(".test.yaml"))
    {
        match load_form_with(file, source, &value_sets, lists) {
            Ok(form) => forms.push((file.clone(), source.clone(), Arc::new(form))),
            Err(error) => errors.push(error.to_string()),
        }
    }
    Compiled { forms, errors }
}

/// `intake forms check`.
pub async fn check(paths: &[PathBuf]) -> ExitCode {
    let compiled = match compile(paths).await {
        Ok(compiled) => compiled,
        Err(message) => return usage_error(&message),
    };
    let (lines, errors) = compiled.problems();
    let warnings = lines.len() - errors;
    for line in &lines {
        print(line);
    }
    print(&format!(
        "{} forms checked: {errors} errors, {warnings} warnings",
        compiled.forms.len()
    ));
    if errors == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}

/// `intake forms test`.
pub async fn test(paths: &[PathBuf]) -> ExitCode {
    let compiled = match compile(paths).await {
        Ok(compiled) => compiled,
        Err(message) => return usage_error(&message),
    };
    for error in &compiled.errors {
        print(error);
    }
    let (mut passed, mut failed) = (0, compiled.errors.len());
    for (file, _, form) in &compiled.forms {
        let test_file = file.trim_end_matches(".yaml").to_owned() + ".test.yaml";
        let Ok(source) = std::fs::read_to_string(&test_file) else {
            print(&format!("{file}: warning: no scenario tests ({test_file})"));
            continue;
        };
        let scenarios = match load_scenarios(&test_file, &source) {
            Ok(scenarios) if scenarios.form == form.id.as_str() => scenarios,
            Ok(scenarios) => {
                print(&format!(
                    "{test_file}: error: tests form `{}`, but {file} is `{}`",
                    scenarios.form, form.id
                ));
                failed += 1;
                continue;
            }
            Err(error) => {
                print(&error.to_string());
                failed += 1;
                continue;
            }
        };
        for result in run_scenarios(form, &scenarios, crate::i18n::Language::english()) {
            if result.failures.is_empty() {
                passed += 1;
                print(&format!("ok     {test_file}: {}", result.name));
            } else {
                failed += 1;
                print(&format!("FAILED {test_file}: {}", result.name));
                for failure in &result.failures {
                    print(&format!("         {failure}"));
                }
            }
        }
    }
    print(&format!("{passed} passed, {failed} failed"));
    if failed == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}

/// `intake forms export FORM --format fhir`: prints the form (an id in `forms/` or a YAML file)
/// as an R4 SDC Questionnaire.
pub async fn export(form: &str, format: &str) -> ExitCode {
    if format != "fhir" {
        return usage_error(&format!("--format {format}: the only format is `fhir`"));
    }
    let path = PathBuf::from(form);
    let by_file = path.is_file();
    let compiled = match compile(&[if by_file {
        path
    } else {
        PathBuf::from("forms")
    }])
    .await
    {
        Ok(compiled) => compiled,
        Err(message) => return usage_error(&message),
    };
    let found = compiled.forms.iter().find(|(file, _, f)| {
        if by_file {
            true
        } else {
            f.id.as_str() == form || file == form
        }
    });
    let Some((_, _, found)) = found else {
        let mut message = format!("no form `{form}` in forms/");
        for error in &compiled.errors {
            message.push('\n');
            message.push_str(error);
        }
        return usage_error(&message);
    };
    print(&crate::forms::sdc::to_pretty_json(
        &crate::forms::sdc::export(found),
    ));
    ExitCode::SUCCESS
}

/// `intake forms import FILE.json [--output FILE.yaml]`: writes an SDC Questionnaire as a form
/// file (to stdout, or to `output`); exits 2 naming the unsupported feature when it cannot.
/// Answer lists from value sets outside the Questionnaire are written out as options, expanded
/// from the HL7 core value sets, `INTAKE_VALUESETS_DIR`, or `INTAKE_TERMINOLOGY_URL`'s server;
/// one that none expands is named.
pub async fn import(file: &std::path::Path, output: Option<&std::path::Path>) -> ExitCode {
    let json = match std::fs::read_to_string(file) {
        Ok(text) => match serde_json::from_str::<serde_json::Value>(&text) {
            Ok(json) => json,
            Err(error) => return usage_error(&format!("{}: not JSON: {error}", file.display())),
        },
        Err(error) => return usage_error(&format!("{}: {error}", file.display())),
    };
    let imported = match import_questionnaire(&json, file).await {
        Ok(imported) => imported,
        Err(error) => return usage_error(&error),
    };
    match output {
        None => {
            print(imported.yaml.trim_end());
            ExitCode::SUCCESS
        }
        Some(output) => match std::fs::write(output, &imported.yaml) {
            Ok(()) => ExitCode::SUCCESS,
            Err(error) => usage_error(&format!("{}: {error}", output.display())),
        },
    }
}

/// Imports the Questionnaire read from `file` with the answer lists this environment's
/// terminology settings give (`INTAKE_VALUESETS_DIR`, `INTAKE_TERMINOLOGY_URL`, besides the
/// built-in HL7 core value sets): what `intake forms import` and `intake evaluate` both run.
pub(super) async fn import_questionnaire(
    json: &serde_json::Value,
    file: &std::path::Path,
) -> Result<crate::forms::sdc::Imported, String> {
    let codes = site_codes()?;
    let answer_lists = codes.answer_lists(json).await;
    crate::forms::sdc::import_yaml_with(json, &answer_lists)
        .map_err(|error| format!("{}: {error}", file.display()))
}
