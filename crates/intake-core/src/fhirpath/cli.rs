//! Command-line support: evaluate one expression and render the result like fhirpath.js.

use crate::fhirpath::eval::{Clock, EvalContext, Options};
use crate::fhirpath::value::{Node, Value};
use crate::fhirpath::{Error, compile, json_to_coll};
use serde_json::Value as Json;

/// An error for the command line, with the position in the expression.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{kind} at line {line}, column {column}: {message}")]
pub struct CliError {
    /// `syntax error`, `semantic error` or `evaluation error`.
    pub kind: &'static str,
    /// Description.
    pub message: String,
    /// Byte offset in the expression (0 when unknown).
    pub offset: usize,
    /// 1-based line.
    pub line: usize,
    /// 1-based column.
    pub column: usize,
}

fn cli_error(src: &str, e: &Error) -> CliError {
    let offset = e.offset().unwrap_or(0).min(src.len());
    let p = crate::fhirpath::syntax::ParseError::new(src, offset, "", "");
    let (kind, message) = match e {
        Error::Parse(p) => (
            "syntax error",
            format!("expected {}, found {}", p.expected, p.found),
        ),
        Error::Compile(c) => ("semantic error", c.message.clone()),
        Error::Eval(v) => ("evaluation error", v.message.clone()),
    };
    CliError {
        kind,
        message,
        offset,
        line: p.line,
        column: p.column,
    }
}

/// Renders one value as fhirpath.js does (FHIR JSON for nodes, strings for dates/quantities).
pub fn to_output_json(v: &Value<'_>) -> Json {
    match v {
        Value::Bool(b) => Json::Bool(*b),
        Value::Int(i) => Json::from(*i),
        Value::Dec(d) => {
            let s = d.normalize().to_string();
            s.parse::<i64>()
                .map(Json::from)
                .ok()
                .or_else(|| {
                    s.parse::<f64>()
                        .ok()
                        .and_then(serde_json::Number::from_f64)
                        .map(Json::Number)
                })
                .unwrap_or(Json::String(s))
        }
        Value::Str(s) => Json::String(s.to_string()),
        Value::Temporal(t) => Json::String(t.fmt_plain()),
        Value::Quantity(q) => Json::String(q.to_string()),
        Value::Type(ns, n) => serde_json::json!({ "name": n, "namespace": ns }),
        Value::Node(Node { json, .. }) => json.cloned().unwrap_or(Json::Null),
    }
}

/// Evaluates `expression` on `input` with `vars` (`%name` values; `questionnaire`, `resource`,
/// `context`, `qitem` fill the SDC roles), the clock `now` and the evaluation `options`; returns a
/// JSON array.
pub fn run_cli(
    expression: &str,
    input: Option<Json>,
    vars: Vec<(String, Json)>,
    now: Clock,
    options: Options,
) -> Result<Json, CliError> {
    let compiled = compile(expression).map_err(|e| cli_error(expression, &e))?;
    let mut ctx = EvalContext::new(now);
    ctx.options = options;
    for (name, v) in &vars {
        match name.as_str() {
            "questionnaire" => ctx.questionnaire = Some(v),
            "resource" => ctx.resource = Some(v),
            "rootResource" => ctx.root_resource = Some(v),
            "context" => ctx.context = Some(v),
            "qitem" => ctx.qitem = Some(v),
            _ => ctx
                .variables
                .insert(name.clone(), json_to_coll(v))
                .map_or((), |_| ()),
        }
    }
    let result = compiled
        .evaluate(input.as_ref(), &ctx)
        .map_err(|e| cli_error(expression, &Error::Eval(e)))?;
    Ok(Json::Array(
        result
            .iter()
            .map(to_output_json)
            .filter(|j| !j.is_null())
            .collect(),
    ))
}
