//! Compiles a syntax tree into an evaluation tree with resolved functions, literals and types.

use super::functions::{self, ArgMode, Func};
use crate::fhirpath::model::{self, TypeId};
use crate::fhirpath::syntax::{BinOp, Expr, ExprKind, Literal, Span};

use crate::fhirpath::value::{Quantity, Temporal, Value};
use rust_decimal::Decimal;
use std::str::FromStr;
use std::sync::Arc;

/// Namespace of a type specifier.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ns {
    /// Not qualified.
    Any,
    /// `System.`
    System,
    /// `FHIR.`
    Fhir,
}

/// A resolved type specifier.
#[derive(Debug, Clone)]
pub struct TypeSpec {
    /// Namespace qualifier.
    pub ns: Ns,
    /// Unqualified name.
    pub name: String,
    /// FHIR type id, if the name is a FHIR type.
    pub fhir: Option<TypeId>,
}

/// A built-in or caller-supplied `%variable`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum VarRef {
    /// `%resource`
    Resource,
    /// `%rootResource`
    RootResource,
    /// `%context`
    Context,
    /// `%questionnaire`
    Questionnaire,
    /// `%qitem`
    QItem,
    /// `%ucum`
    Ucum,
    /// `%sct`
    Sct,
    /// `%loinc`
    Loinc,
    /// `%vs-xxx` / `%ext-xxx`
    Url(String),
    /// Caller-supplied variable.
    Named(String),
}

/// A member name with a per-node cache of the model lookup (hit when the parent type repeats).
#[derive(Debug)]
pub struct Member {
    /// Element name.
    pub name: Box<str>,
    /// `_name`: the JSON key of a primitive's id/extension sibling.
    pub ext_key: Box<str>,
    /// Cached lookups (4 slots keyed by parent type), see [`crate::fhirpath::eval::nav`].
    pub cache: [std::sync::atomic::AtomicU64; 4],
}

impl Member {
    /// A member with an empty cache.
    pub fn new(name: &str) -> Self {
        Member {
            name: name.into(),
            ext_key: format!("_{name}").into(),
            cache: Default::default(),
        }
    }
}

impl Clone for Member {
    fn clone(&self) -> Self {
        Member::new(&self.name)
    }
}

/// An evaluation tree node.
#[derive(Debug, Clone)]
pub enum Node {
    /// `{}`
    Empty,
    /// A literal value.
    Lit(Value<'static>),
    /// A constant collection of two or more values (from constant folding, e.g. `'a' | 'b'`).
    Lits(Vec<Value<'static>>),
    /// A leading identifier: a member of the focus, or a type name filter.
    Ident(Box<Member>, Option<TypeId>),
    /// `.name`
    Member(Box<Node>, Box<Member>),
    /// `%var`
    Var(VarRef),
    /// `$this`
    This,
    /// `$index`
    Index,
    /// `$total`
    Total,
    /// Function call (target is `None` for implicit `$this`).
    Call(Func, Option<Box<Node>>, Vec<Node>, Option<TypeSpec>, Span),
    /// `a[i]`
    Indexer(Box<Node>, Box<Node>),
    /// Unary minus.
    Neg(Box<Node>, Span),
    /// Binary operator.
    Bin(BinOp, Box<Node>, Box<Node>, Span),
    /// `is`
    Is(Box<Node>, TypeSpec),
    /// `as`
    As(Box<Node>, TypeSpec),
}

/// A compile (semantic) error.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message} (at offset {offset})")]
pub struct CompileError {
    /// Byte offset.
    pub offset: usize,
    /// Description.
    pub message: String,
}

/// Builds a compile error at a span.
pub fn err(span: Span, m: impl Into<String>) -> CompileError {
    CompileError {
        offset: span.start,
        message: m.into(),
    }
}

/// Resolves a type specifier name (possibly `System.X` / `FHIR.x`).
pub fn type_spec(name: &str) -> TypeSpec {
    let (ns, n) = match name.split_once('.') {
        Some(("System", n)) => (Ns::System, n),
        Some(("FHIR", n)) => (Ns::Fhir, n),
        _ => (Ns::Any, name),
    };
    let fhir = if ns == Ns::System {
        None
    } else {
        model::r4().type_id(n)
    };
    TypeSpec {
        ns,
        name: n.to_string(),
        fhir,
    }
}

const SYSTEM_TYPES: &[&str] = &[
    "Boolean", "Integer", "Decimal", "String", "Date", "DateTime", "Time", "Quantity", "Any",
];

fn checked_type(name: &str, span: Span) -> Result<TypeSpec, CompileError> {
    let t = type_spec(name);
    let system_ok = t.ns == Ns::System || SYSTEM_TYPES.contains(&t.name.as_str());
    if t.fhir.is_none() && !system_ok {
        return Err(err(span, format!("unknown type '{name}'")));
    }
    Ok(t)
}

fn type_arg(e: &Expr) -> Option<String> {
    match &e.kind {
        ExprKind::Identifier(n) => Some(n.clone()),
        ExprKind::Member(t, n) => type_arg(t).map(|p| format!("{p}.{n}")),
        _ => None,
    }
}

/// Builds a literal value.
pub fn literal(l: &Literal, span: Span) -> Result<Node, CompileError> {
    Ok(match l {
        Literal::Empty => Node::Empty,
        Literal::Bool(b) => Node::Lit(Value::Bool(*b)),
        Literal::String(s) => Node::Lit(Value::string(s.clone())),
        Literal::Integer(i) => Node::Lit(Value::Int(*i)),
        Literal::Decimal(d) => Node::Lit(Value::Dec(
            Decimal::from_str(d).map_err(|_| err(span, "invalid decimal"))?,
        )),
        Literal::Date(d) => Node::Lit(Value::Temporal(
            Temporal::parse_date(d).ok_or_else(|| err(span, format!("invalid date @{d}")))?,
        )),
        Literal::DateTime(d) => Node::Lit(Value::Temporal(
            Temporal::parse_datetime(d)
                .ok_or_else(|| err(span, format!("invalid dateTime @{d}")))?,
        )),
        Literal::Time(t) => Node::Lit(Value::Temporal(
            Temporal::parse_time(t).ok_or_else(|| err(span, format!("invalid time @T{t}")))?,
        )),
        Literal::Quantity(n, u, _) => {
            let v = Decimal::from_str(n).map_err(|_| err(span, "invalid number"))?;
            Node::Lit(Value::Quantity(Arc::new(Quantity::new(v, u))))
        }
    })
}

fn var(name: &str) -> VarRef {
    match name {
        "resource" => VarRef::Resource,
        "rootResource" => VarRef::RootResource,
        "context" => VarRef::Context,
        "questionnaire" => VarRef::Questionnaire,
        "qitem" => VarRef::QItem,
        "ucum" => VarRef::Ucum,
        "sct" => VarRef::Sct,
        "loinc" => VarRef::Loinc,
        n if n.starts_with("vs-") || n.starts_with("ext-") => VarRef::Url(n.to_string()),
        n => VarRef::Named(n.to_string()),
    }
}

/// Compiles a syntax tree.
pub fn compile(e: &Expr) -> Result<Node, CompileError> {
    compile_inner(e).map(super::fold::fold)
}

fn compile_inner(e: &Expr) -> Result<Node, CompileError> {
    Ok(match &e.kind {
        ExprKind::Literal(l) => literal(l, e.span)?,
        ExprKind::Identifier(n) => {
            let ty = if n.starts_with(|c: char| c.is_ascii_uppercase()) {
                model::r4().type_id(n)
            } else {
                None
            };
            Node::Ident(Box::new(Member::new(n)), ty)
        }
        ExprKind::Variable(n) => Node::Var(var(n)),
        ExprKind::This => Node::This,
        ExprKind::Index => Node::Index,
        ExprKind::Total => Node::Total,
        ExprKind::Call(n, args) => call(n, None, args, e.span)?,
        ExprKind::Method(t, n, args) => {
            // report errors at the method name (just after the `.`), not at the start of the chain
            let at = Span {
                start: (t.span.end + 1).min(e.span.end),
                end: e.span.end,
            };
            call(n, Some(Box::new(compile(t)?)), args, at)?
        }
        ExprKind::Member(t, n) => Node::Member(Box::new(compile(t)?), Box::new(Member::new(n))),
        ExprKind::Indexer(t, i) => Node::Indexer(Box::new(compile(t)?), Box::new(compile(i)?)),
        ExprKind::Polarity(neg, x) => {
            let inner = compile(x)?;
            if !*neg {
                inner
            } else {
                match inner {
                    Node::Lit(Value::Int(i)) => Node::Lit(Value::Int(-i)),
                    Node::Lit(Value::Dec(d)) => Node::Lit(Value::Dec(-d)),
                    other => Node::Neg(Box::new(other), e.span),
                }
            }
        }
        ExprKind::Binary(op, l, r) => {
            let (l, r) = (compile(l)?, compile(r)?);
            // point at the operator: between the operands
            let at = Span {
                start: (lhs_end(e) + 1).min(e.span.end),
                end: e.span.end,
            };
            super::fold::literal_type_check(*op, &l, &r, at)?;
            Node::Bin(*op, Box::new(l), Box::new(r), at)
        }
        ExprKind::Is(x, t) => Node::Is(Box::new(compile(x)?), checked_type(t, e.span)?),
        ExprKind::As(x, t) => Node::As(Box::new(compile(x)?), checked_type(t, e.span)?),
        ExprKind::Paren(x) => compile(x)?,
    })
}

fn lhs_end(e: &Expr) -> usize {
    match &e.kind {
        ExprKind::Binary(_, l, _) => l.span.end,
        _ => e.span.start,
    }
}

fn call(
    name: &str,
    target: Option<Box<Node>>,
    args: &[Expr],
    span: Span,
) -> Result<Node, CompileError> {
    let info =
        functions::lookup(name).ok_or_else(|| err(span, format!("unknown function '{name}'")))?;
    if args.len() < info.min || args.len() > info.max {
        let want = if info.min == info.max {
            format!("{}", info.min)
        } else {
            format!("{}..{}", info.min, info.max)
        };
        return Err(err(
            span,
            format!(
                "function '{name}' expects {want} argument(s), got {}",
                args.len()
            ),
        ));
    }
    if info.mode == ArgMode::Type {
        let t = type_arg(&args[0])
            .ok_or_else(|| err(args[0].span, format!("'{name}' expects a type name")))?;
        return Ok(Node::Call(
            info.func,
            target,
            Vec::new(),
            Some(checked_type(&t, args[0].span)?),
            span,
        ));
    }
    let args = args.iter().map(compile).collect::<Result<Vec<_>, _>>()?;
    Ok(Node::Call(info.func, target, args, None, span))
}
