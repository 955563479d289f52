//! FHIRPath syntax: tokens, syntax tree and parser.

pub mod ast;
pub mod lexer;
pub mod parser;
pub mod print;

pub use ast::{BinOp, Expr, ExprKind, Literal, Span};
pub use parser::{MAX_DEPTH, parse};

/// A syntax error with its position and what the parser expected there.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("syntax error at line {line}, column {column}: expected {expected}, found {found}")]
pub struct ParseError {
    /// Byte offset in the expression.
    pub offset: usize,
    /// 1-based line.
    pub line: usize,
    /// 1-based column (in characters).
    pub column: usize,
    /// What was expected.
    pub expected: String,
    /// What was found instead.
    pub found: String,
}

impl ParseError {
    /// Builds an error at byte `offset` of `src`.
    pub fn new(src: &str, offset: usize, expected: &str, found: &str) -> Self {
        let offset = offset.min(src.len());
        let mut o = offset;
        while !src.is_char_boundary(o) {
            o -= 1;
        }
        let before = &src[..o];
        let line = before.matches('\n').count() + 1;
        let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
        ParseError {
            offset,
            line,
            column,
            expected: expected.to_string(),
            found: found.to_string(),
        }
    }
}
