//! FHIRPath engine: parser, compiler, evaluator, FHIR R4 type model, SDC helpers and static analysis.
//!
//! Typical use: [`compile`] once, then [`CompiledExpression::evaluate`] many times with an
//! [`EvalContext`] that carries `%`-variables, SDC roles and the [`Clock`]:
//!
//! ```
//! use intake::fhirpath::{Clock, EvalContext, compile};
//! let expr = compile("name.where(use = 'official').given.first()").unwrap();
//! let patient = serde_json::json!({"resourceType": "Patient", "name": [{"use": "official", "given": ["Ann"]}]});
//! let ctx = EvalContext::new(Clock::parse("2024-01-02T10:00:00Z").unwrap());
//! let out = expr.evaluate(Some(&patient), &ctx).unwrap();
//! assert_eq!(out[0].to_string(), "Ann");
//! ```
//!
//! Modules: [`syntax`] (lexer, parser, tree, printer), [`eval`] (compiler, evaluator, functions),
//! [`value`] (values, decimals, dates, UCUM quantities), [`model`] (FHIR R4 types), [`sdc`]
//! (`weight()`, form contexts), [`analysis`] (static pass for the linter), [`cli`] (`run_cli`).

pub mod analysis;
pub mod cli;
pub mod eval;
pub mod model;
pub mod sdc;
pub mod syntax;
pub mod value;

pub use cli::{CliError, run_cli};
pub use eval::compile::CompileError;
pub use eval::context::json_to_coll;
pub use eval::{Clock, EvalContext, EvalError, Options};
pub use syntax::{Expr, ParseError, parse};
pub use value::{Coll, Value};

use serde_json::Value as Json;

/// Any error from compiling or evaluating an expression.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Error {
    /// Syntax error.
    #[error(transparent)]
    Parse(#[from] ParseError),
    /// Semantic error found at compile time (unknown function, arity, literal types).
    #[error("semantic error: {0}")]
    Compile(#[from] CompileError),
    /// Error raised during evaluation.
    #[error("evaluation error: {0}")]
    Eval(#[from] EvalError),
}

impl Error {
    /// Byte offset of the error in the expression, when known.
    pub fn offset(&self) -> Option<usize> {
        match self {
            Error::Parse(p) => Some(p.offset),
            Error::Compile(c) => Some(c.offset),
            Error::Eval(e) => e.offset,
        }
    }
}

/// A parsed and compiled expression; cheap to evaluate many times.
#[derive(Debug, Clone)]
pub struct CompiledExpression {
    source: String,
    ast: Expr,
    root: eval::compile::Node,
    uses_input: bool,
}

/// Parses and compiles an expression.
pub fn compile(src: &str) -> Result<CompiledExpression, Error> {
    let ast = parse(src)?;
    let root = eval::compile::compile(&ast)?;
    let uses_input = eval::fold::uses_input(&root);
    Ok(CompiledExpression {
        source: src.to_string(),
        ast,
        root,
        uses_input,
    })
}

impl CompiledExpression {
    /// The source text.
    pub fn source(&self) -> &str {
        &self.source
    }

    /// The syntax tree.
    pub fn ast(&self) -> &Expr {
        &self.ast
    }

    /// Evaluates against `input` (the focus; `%resource`/`%context` default to it).
    pub fn evaluate<'a>(
        &self,
        input: Option<&'a Json>,
        ctx: &EvalContext<'a>,
    ) -> Result<Coll<'a>, EvalError> {
        if ctx.options.strict
            && let Some(root) = input.and_then(value::resource_type)
        {
            self.check_strict(root)?;
        }
        let focus: Coll<'a> = if self.uses_input {
            input.map(json_to_coll).unwrap_or_default()
        } else {
            Coll::Empty
        };
        self.evaluate_values(&focus, ctx)
    }

    /// Strict-mode static check of element names against the input's type.
    pub fn check_strict(&self, root: model::TypeId) -> Result<(), EvalError> {
        let mut errs = Vec::new();
        let t = Some(vec![root]);
        analysis::infer(&self.ast, &t, &t, &mut errs);
        match errs.into_iter().next() {
            Some(d) => Err(EvalError {
                message: d.message,
                offset: Some(d.span.start),
            }),
            None => Ok(()),
        }
    }

    /// Evaluates against an arbitrary focus collection.
    pub fn evaluate_values<'a>(
        &self,
        focus: &[Value<'a>],
        ctx: &EvalContext<'a>,
    ) -> Result<Coll<'a>, EvalError> {
        let ev = eval::Evaluator { ctx, input: focus };
        ev.eval(
            &self.root,
            eval::Frame {
                focus,
                index: None,
                total: None,
            },
        )
    }
}

/// One-shot helper: compile and evaluate.
pub fn evaluate<'a>(
    src: &str,
    input: Option<&'a Json>,
    ctx: &EvalContext<'a>,
) -> Result<Coll<'a>, Error> {
    Ok(compile(src)?.evaluate(input, ctx)?)
}
