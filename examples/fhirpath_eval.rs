//! Evaluates expressions (one per line on stdin) against a JSON input file and prints one
//! JSON line per expression: the result array (`run_cli`) or `{"error": ...}`.
//! Usage: `fhirpath_eval <input.json> < expressions.txt`

use intake::fhirpath::{Clock, Options, run_cli};
use std::io::BufRead;

#[expect(
    clippy::print_stdout,
    clippy::unwrap_used,
    reason = "a command-line example"
)]
fn main() {
    let path = std::env::args().nth(1).unwrap();
    let input: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let now = Clock::parse("2024-01-02T10:00:00.000+00:00").unwrap();
    for line in std::io::stdin().lock().lines() {
        let expr = line.unwrap();
        match run_cli(&expr, Some(input.clone()), vec![], now, Options::default()) {
            Ok(v) => println!("{v}"),
            Err(e) => println!("{}", serde_json::json!({ "error": e.to_string() })),
        }
    }
}
