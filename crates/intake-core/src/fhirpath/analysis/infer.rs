//! Static type inference over the FHIR model: which element names exist on a path.

use super::Diagnostic;
use crate::fhirpath::eval::compile::{self, Ns};
use crate::fhirpath::eval::functions;
use crate::fhirpath::model::{self, TypeId, TypeKind};
use crate::fhirpath::syntax::{Expr, ExprKind, Span};

/// Possible FHIR types of a collection (`None` = unknown).
type Types = Option<Vec<TypeId>>;

fn member_types(types: &[TypeId], name: &str, span: Span, errs: &mut Vec<Diagnostic>) -> Types {
    let m = model::r4();
    let mut out = Vec::new();
    for &t in types {
        if let Some(el) = m.element(t, name) {
            for &ct in &el.types {
                // abstract Resource-typed elements (contained, entry.resource) lose precision
                if m.name(ct) == "Resource" || ct == model::UNKNOWN {
                    return None;
                }
                out.push(ct);
            }
        }
    }
    if out.is_empty() {
        let tn: Vec<&str> = types.iter().map(|t| m.name(*t)).collect();
        let choice = types.iter().any(|t| m.is_choice_expansion(*t, name));
        let msg = if choice {
            format!(
                "'{name}' is not a valid path on {}: use the choice element name (e.g. 'value')",
                tn.join("|")
            )
        } else {
            format!("{} has no element '{name}'", tn.join("|"))
        };
        errs.push(Diagnostic { span, message: msg });
        return None;
    }
    out.sort_unstable();
    out.dedup();
    Some(out)
}

/// Infers the FHIR types an expression yields; records unknown-element errors.
pub fn infer(e: &Expr, focus: &Types, root: &Types, errs: &mut Vec<Diagnostic>) -> Types {
    let m = model::r4();
    match &e.kind {
        ExprKind::Identifier(n) => {
            if let (Some(t), Some(f)) = (m.type_id(n), focus)
                && m.kind(t) == Some(TypeKind::Resource)
            {
                if f.iter().any(|x| m.is_subtype(*x, t)) {
                    return Some(vec![t]);
                }
                if f.iter().all(|x| m.kind(*x) == Some(TypeKind::Resource)) {
                    errs.push(Diagnostic {
                        span: e.span,
                        message: format!("the input is not a {n}"),
                    });
                    return None;
                }
            }
            member_types(focus.as_deref()?, n, e.span, errs)
        }
        ExprKind::Member(t, n) => {
            let tt = infer(t, focus, root, errs)?;
            member_types(&tt, n, e.span, errs)
        }
        ExprKind::Paren(x) => infer(x, focus, root, errs),
        ExprKind::This => focus.clone(),
        ExprKind::Variable(v) if v == "resource" || v == "rootResource" || v == "context" => {
            root.clone()
        }
        ExprKind::As(x, t) => {
            infer(x, focus, root, errs);
            let ts = compile::type_spec(t);
            ts.fhir.filter(|_| ts.ns != Ns::System).map(|t| vec![t])
        }
        ExprKind::Method(t, name, args) => {
            let tt = infer(t, focus, root, errs);
            method_types(name, args, &tt, root, errs)
        }
        ExprKind::Call(name, args) => method_types(name, args, focus, root, errs),
        _ => {
            for c in e.children() {
                infer(c, focus, root, errs);
            }
            None
        }
    }
}

fn method_types(
    name: &str,
    args: &[Expr],
    input: &Types,
    root: &Types,
    errs: &mut Vec<Diagnostic>,
) -> Types {
    use functions::Func;
    let info = functions::lookup(name)?;
    match info.func {
        Func::Where
        | Func::Exists
        | Func::All
        | Func::Select
        | Func::Repeat
        | Func::Aggregate
        | Func::Sort => {
            let mut last = None;
            for a in args {
                last = infer(a, input, root, errs);
            }
            match info.func {
                Func::Where | Func::Sort => input.clone(),
                Func::Select => last,
                _ => None,
            }
        }
        Func::First
        | Func::Last
        | Func::Tail
        | Func::Skip
        | Func::Take
        | Func::Single
        | Func::Distinct => input.clone(),
        Func::OfType | Func::As => {
            let t = args.first().map(|a| a.to_string())?;
            let ts = compile::type_spec(&t);
            ts.fhir.filter(|_| ts.ns != Ns::System).map(|t| vec![t])
        }
        _ => None,
    }
}
