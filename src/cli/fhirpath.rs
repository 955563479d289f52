//! `intake fhirpath EXPRESSION [--input FILE.json] [--var NAME=FILE.json ...] [--now DATETIME]`

use std::{path::Path, process::ExitCode};

use super::{print, usage_error};
use crate::fhirpath::{Clock, run_cli};

/// Evaluates the expression and prints the result as a JSON array; exits 2 with the position on
/// stderr when the expression does not parse or evaluate, or an input cannot be read.
pub fn evaluate(
    expression: &str,
    input: Option<&Path>,
    vars: &[String],
    now: Option<&str>,
) -> ExitCode {
    match run(expression, input, vars, now) {
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
    let clock = match now {
        Some(text) => Clock::parse(text)
            .ok_or_else(|| format!("--now {text}: not a dateTime like 2026-11-22T10:00:00Z"))?,
        None => system_clock(),
    };
    let result = run_cli(expression, input, vars, clock).map_err(|e| format!("fhirpath: {e}"))?;
    serde_json::to_string_pretty(&result).map_err(|e| e.to_string())
}

fn read_json(path: &Path) -> Result<serde_json::Value, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
    serde_json::from_str(&text).map_err(|e| {
        format!(
            "{}:{}:{}: not JSON: {e}",
            path.display(),
            e.line(),
            e.column()
        )
    })
}

fn system_clock() -> Clock {
    let now = crate::clock::millis(time::OffsetDateTime::now_utc());
    Clock::from_unix_millis(now, 0)
}
