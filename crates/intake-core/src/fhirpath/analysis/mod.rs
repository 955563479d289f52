//! Static pass for the form linter: referenced `%variables` and linkIds, and the errors
//! that are known before evaluation (syntax, unknown functions, arity, literal types,
//! unknown type names and — given a root type — unknown element names).

use crate::fhirpath::eval::compile;
use crate::fhirpath::eval::functions;
use crate::fhirpath::model;
use crate::fhirpath::syntax::{BinOp, Expr, ExprKind, Literal, Span, parse};

pub mod infer;
pub use infer::infer;

/// A `%variable` reference.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VarRefUse {
    /// Variable name without `%`.
    pub name: String,
    /// Where it appears.
    pub span: Span,
}

/// A linkId the expression selects items by.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LinkIdUse {
    /// The linkId value.
    pub link_id: String,
    /// Span of the string literal.
    pub span: Span,
}

/// A problem found statically.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    /// Where.
    pub span: Span,
    /// What.
    pub message: String,
}

/// Result of [`analyze`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Analysis {
    /// `%variables` referenced, in source order (duplicates kept).
    pub variables: Vec<VarRefUse>,
    /// linkIds referenced via `where(linkId = '...')`-style filters.
    pub link_ids: Vec<LinkIdUse>,
    /// Errors knowable before evaluation.
    pub errors: Vec<Diagnostic>,
}

impl Analysis {
    /// Distinct variable names.
    pub fn variable_names(&self) -> Vec<&str> {
        let mut v: Vec<&str> = self.variables.iter().map(|v| v.name.as_str()).collect();
        v.sort_unstable();
        v.dedup();
        v
    }

    /// Distinct linkIds.
    pub fn link_id_values(&self) -> Vec<&str> {
        let mut v: Vec<&str> = self.link_ids.iter().map(|v| v.link_id.as_str()).collect();
        v.sort_unstable();
        v.dedup();
        v
    }
}

/// Analyzes an expression without knowing its input type.
pub fn analyze(src: &str) -> Analysis {
    analyze_with_root(src, None)
}

/// Analyzes an expression whose input is of FHIR type `root_type` (e.g. `QuestionnaireResponse`):
/// additionally reports element names that do not exist on the inferred types.
pub fn analyze_with_root(src: &str, root_type: Option<&str>) -> Analysis {
    let mut a = Analysis::default();
    match parse(src) {
        Err(e) => a.errors.push(Diagnostic {
            span: Span {
                start: e.offset,
                end: e.offset,
            },
            message: format!("expected {}, found {}", e.expected, e.found),
        }),
        Ok(ast) => {
            walk(&ast, &mut a);
            let root = root_type.and_then(|t| model::r4().type_id(t));
            if let Some(r) = root {
                let mut errs = Vec::new();
                infer(&ast, &Some(vec![r]), &Some(vec![r]), &mut errs);
                a.errors.extend(errs);
            }
        }
    }
    a
}

fn lit_string(e: &Expr) -> Option<(&str, Span)> {
    match &e.kind {
        ExprKind::Literal(Literal::String(s)) => Some((s, e.span)),
        ExprKind::Paren(x) => lit_string(x),
        _ => None,
    }
}

fn is_link_id(e: &Expr) -> bool {
    match &e.kind {
        ExprKind::Identifier(n) => n == "linkId",
        ExprKind::Member(t, n) => n == "linkId" && matches!(t.kind, ExprKind::This),
        _ => false,
    }
}

fn collect_strings<'e>(e: &'e Expr, out: &mut Vec<(&'e str, Span)>) {
    match &e.kind {
        ExprKind::Binary(BinOp::Union, l, r) => {
            collect_strings(l, out);
            collect_strings(r, out);
        }
        ExprKind::Paren(x) => collect_strings(x, out),
        _ => out.extend(lit_string(e)),
    }
}

fn link_ids_in(e: &Expr, a: &mut Analysis) {
    if let ExprKind::Binary(op, l, r) = &e.kind {
        match op {
            BinOp::Eq | BinOp::Equiv => {
                for (x, y) in [(l, r), (r, l)] {
                    if is_link_id(x)
                        && let Some((s, span)) = lit_string(y)
                    {
                        a.link_ids.push(LinkIdUse {
                            link_id: s.to_string(),
                            span,
                        });
                    }
                }
            }
            BinOp::In if is_link_id(l) => {
                let mut v = Vec::new();
                collect_strings(r, &mut v);
                a.link_ids.extend(v.into_iter().map(|(s, span)| LinkIdUse {
                    link_id: s.to_string(),
                    span,
                }));
            }
            BinOp::And | BinOp::Or => {
                link_ids_in(l, a);
                link_ids_in(r, a);
            }
            _ => {}
        }
    }
    if let ExprKind::Paren(x) = &e.kind {
        link_ids_in(x, a);
    }
}

fn check_call(name: &str, args: &[Expr], span: Span, a: &mut Analysis) {
    match functions::lookup(name) {
        None => a.errors.push(Diagnostic {
            span,
            message: format!("unknown function '{name}'"),
        }),
        Some(info) => {
            if args.len() < info.min || args.len() > info.max {
                a.errors.push(Diagnostic {
                    span,
                    message: format!(
                        "function '{name}' expects {}..{} argument(s), got {}",
                        info.min,
                        info.max,
                        args.len()
                    ),
                });
            }
            if matches!(
                info.func,
                functions::Func::Where
                    | functions::Func::Exists
                    | functions::Func::All
                    | functions::Func::Select
            ) {
                for arg in args {
                    link_ids_in(arg, a);
                }
            }
        }
    }
}

fn walk(e: &Expr, a: &mut Analysis) {
    match &e.kind {
        ExprKind::Variable(n) => a.variables.push(VarRefUse {
            name: n.clone(),
            span: e.span,
        }),
        ExprKind::Call(n, args) | ExprKind::Method(_, n, args) => {
            check_call(n, args, e.span, a);
            const_check(e, a);
        }
        ExprKind::Polarity(..) | ExprKind::Indexer(..) => const_check(e, a),
        ExprKind::Binary(..) | ExprKind::Is(..) | ExprKind::As(..) => {
            // compile the node alone to get literal-type and type-name errors
            if let Err(err) = compile::compile(&shallow(e)) {
                a.errors.push(Diagnostic {
                    span: e.span,
                    message: err.message,
                });
            } else {
                const_check(e, a);
            }
        }
        ExprKind::Literal(l) => {
            if let Err(err) = compile::literal(l, e.span) {
                a.errors.push(Diagnostic {
                    span: e.span,
                    message: err.message,
                });
            }
        }
        _ => {}
    }
    for c in e.children() {
        walk(c, a);
    }
}

/// Reports the error of a literal-only subexpression that always fails (e.g. `'abc'.round()`).
fn const_check(e: &Expr, a: &mut Analysis) {
    if let Ok(node) = compile::compile(e)
        && let Some(m) = crate::fhirpath::eval::fold::const_error(&node)
    {
        a.errors.push(Diagnostic {
            span: e.span,
            message: m,
        });
    }
}

/// A copy of a binary/type node whose non-literal operands are replaced by `{}`.
fn shallow(e: &Expr) -> Expr {
    let cut = |x: &Expr| -> Box<Expr> {
        Box::new(match &x.kind {
            ExprKind::Literal(_) => x.clone(),
            _ => Expr {
                kind: ExprKind::Literal(Literal::Empty),
                span: x.span,
            },
        })
    };
    let kind = match &e.kind {
        ExprKind::Binary(op, l, r) => ExprKind::Binary(*op, cut(l), cut(r)),
        ExprKind::Is(x, t) => ExprKind::Is(cut(x), t.clone()),
        ExprKind::As(x, t) => ExprKind::As(cut(x), t.clone()),
        k => k.clone(),
    };
    Expr { kind, span: e.span }
}
