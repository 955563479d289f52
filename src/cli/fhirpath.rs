//! `intake fhirpath EXPRESSION [--input FILE.json] [--var NAME=FILE.json ...] [--now DATETIME] [--strict]`

use std::{path::Path, process::ExitCode};

use super::{now_from, print, read_json, usage_error};
use crate::fhirpath::{Clock, Options, run_cli};

/// Evaluates the expression and prints the result as a JSON array; exits 2 with the position on
/// stderr when the expression does not parse or evaluate, or an input cannot be read.
pub fn evaluate(
    expression: &str,
    input: Option<&Path>,
    vars: &[String],
    now: Option<&str>,
    strict: bool,
) -> ExitCode {
    match run(expression, input, vars, now, Options::command(strict)) {
        Ok(output) => {
            print(&output);
            ExitCode::SUCCESS
        }
        Err(message) => usage_error(&message),
    }
}

fn run(
    expression: &str,
    input: Option<&Path>,
    vars: &[String],
    now: Option<&str>,
    options: Options,
) -> Result<String, String> {
    let input = input.map(read_json).transpose()?;
    let vars = vars
        .iter()
        .map(|binding| {
            let (name, file) = binding
                .split_once('=')
                .ok_or_else(|| format!("--var {binding}: expected NAME=FILE.json"))?;
            Ok((
                name.trim_start_matches('%').to_owned(),
                read_json(Path::new(file))?,
            ))
        })
        .collect::<Result<Vec<_>, String>>()?;
    let clock = Clock::from_unix_millis(crate::clock::millis(now_from(now)?), 0);
    let result =
        run_cli(expression, input, vars, clock, options).map_err(|e| format!("fhirpath: {e}"))?;
    serde_json::to_string_pretty(&result).map_err(|e| e.to_string())
}
