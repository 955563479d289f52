//! Compile-time passes: constant folding, input-use detection and literal operand type checks.

use super::compile::{CompileError, Node, VarRef, err};
use super::functions::{self, ArgMode, Func};
use super::{Clock, EvalContext, Evaluator, Frame};
use crate::fhirpath::syntax::{BinOp, Span};
use crate::fhirpath::value::{Coll, Value};

fn is_const(n: &Node) -> bool {
    matches!(n, Node::Lit(_) | Node::Lits(_) | Node::Empty)
}

/// Constant folding: evaluates operator/function nodes whose operands are all literals.
/// Nodes whose evaluation fails are left alone so the error surfaces at run time.
pub fn fold(n: Node) -> Node {
    match eval_const(&n) {
        Some(Ok(Coll::Empty)) => Node::Empty,
        Some(Ok(Coll::One(v))) => Node::Lit(v),
        Some(Ok(Coll::Many(v))) if v.len() <= 64 => Node::Lits(v),
        _ => n,
    }
}

/// The error a constant (literal-only) node raises, if any: a type error knowable statically.
pub fn const_error(n: &Node) -> Option<String> {
    match eval_const(n)? {
        Err(e) => Some(e.message),
        Ok(_) => None,
    }
}

/// Evaluates a node whose operands are all constants; `None` if it is not constant.
fn eval_const(n: &Node) -> Option<Result<Coll<'static>, super::EvalError>> {
    let pure = |f: &Func| {
        functions::info(*f).mode != ArgMode::Lambda
            && !matches!(
                f,
                Func::Now
                    | Func::Today
                    | Func::TimeOfDay
                    | Func::Resolve
                    | Func::Weight
                    | Func::Ordinal
                    | Func::Extension
                    | Func::ConformsTo
                    | Func::MemberOf
                    | Func::Children
                    | Func::Descendants
                    | Func::Subsumes
                    | Func::SubsumedBy
                    | Func::ElementDefinition
                    | Func::Slice
            )
    };
    let foldable = match n {
        Node::Bin(_, l, r, _) => is_const(l) && is_const(r),
        Node::Neg(x, _) | Node::Is(x, _) | Node::As(x, _) => is_const(x),
        Node::Indexer(t, i) => is_const(t) && is_const(i),
        Node::Call(f, Some(t), args, _, _) => pure(f) && is_const(t) && args.iter().all(is_const),
        _ => false,
    };
    if !foldable {
        return None;
    }
    let ctx = EvalContext::new(Clock::from_unix_millis(0, 0));
    let ev = Evaluator {
        ctx: &ctx,
        input: &[],
    };
    Some(ev.eval(
        n,
        Frame {
            focus: &[],
            index: None,
            total: None,
        },
    ))
}

/// Whether evaluating the tree reads the input (focus) at all.
pub fn uses_input(n: &Node) -> bool {
    match n {
        Node::Ident(..) | Node::This | Node::Call(_, None, ..) => true,
        Node::Var(v) => matches!(v, VarRef::Resource | VarRef::RootResource | VarRef::Context),
        Node::Empty | Node::Lit(_) | Node::Lits(_) | Node::Index | Node::Total => false,
        Node::Member(t, _) | Node::Neg(t, _) | Node::Is(t, _) | Node::As(t, _) => uses_input(t),
        Node::Indexer(a, b) | Node::Bin(_, a, b, _) => uses_input(a) || uses_input(b),
        Node::Call(_, Some(t), args, ..) => uses_input(t) || args.iter().any(uses_input),
    }
}

/// Rejects operators applied to literals of incompatible types (e.g. `'a' + 1`).
pub fn literal_type_check(op: BinOp, l: &Node, r: &Node, span: Span) -> Result<(), CompileError> {
    let (Node::Lit(a), Node::Lit(b)) = (l, r) else {
        return Ok(());
    };
    use Value::{Dec, Int, Quantity, Str, Temporal};
    let bad = match op {
        BinOp::Add => !matches!(
            (a, b),
            (Int(_) | Dec(_), Int(_) | Dec(_))
                | (Str(_), Str(_))
                | (Quantity(_), Quantity(_))
                | (Temporal(_), Quantity(_))
        ),
        BinOp::Sub => !matches!(
            (a, b),
            (Int(_) | Dec(_), Int(_) | Dec(_))
                | (Quantity(_), Quantity(_))
                | (Temporal(_), Quantity(_))
        ),
        BinOp::Mul | BinOp::Div => !matches!(
            (a, b),
            (Int(_) | Dec(_), Int(_) | Dec(_))
                | (Quantity(_), Quantity(_))
                | (Quantity(_), Int(_) | Dec(_))
                | (Int(_) | Dec(_), Quantity(_))
        ),
        BinOp::IntDiv | BinOp::Mod => !matches!(
            (a, b),
            (Int(_) | Dec(_), Int(_) | Dec(_)) | (Quantity(_), Quantity(_))
        ),
        BinOp::Concat => !matches!((a, b), (Str(_), Str(_))),
        BinOp::Lt | BinOp::Le | BinOp::Gt | BinOp::Ge => !matches!(
            (a, b),
            (Int(_) | Dec(_), Int(_) | Dec(_))
                | (Str(_), Str(_))
                | (Quantity(_), Quantity(_))
                | (Temporal(_), Temporal(_))
        ),
        _ => false,
    };
    if bad {
        return Err(err(
            span,
            format!(
                "operator '{}' cannot be applied to {} and {}",
                op.symbol(),
                a.type_info().1,
                b.type_info().1
            ),
        ));
    }
    Ok(())
}
