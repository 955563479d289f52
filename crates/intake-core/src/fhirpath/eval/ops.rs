//! Operators: arithmetic, string concatenation, comparison, equality, logic, membership.

use super::{EvalError, Evaluator, Frame, R, single, to_bool};
use crate::fhirpath::eval::compile::Node;
use crate::fhirpath::syntax::BinOp;
use crate::fhirpath::value::compare::{compare, equal, equivalent};
use crate::fhirpath::value::{Coll, Value};
use std::cmp::Ordering;

fn b<'a>(v: Option<bool>) -> Coll<'a> {
    v.map(Value::Bool).into_iter().collect()
}

/// Whether `x` is in `c` (by equality).
pub fn contains_value(c: &[Value<'_>], x: &Value<'_>) -> bool {
    c.iter().any(|y| equal(x, y) == Some(true))
}

/// Collection equality (`=`).
pub fn coll_equal(l: &[Value<'_>], r: &[Value<'_>]) -> Option<bool> {
    if l.is_empty() || r.is_empty() {
        return None;
    }
    if l.len() != r.len() {
        return Some(false);
    }
    let mut res = Some(true);
    for (x, y) in l.iter().zip(r) {
        match equal(x, y) {
            Some(true) => {}
            Some(false) => return Some(false),
            None => res = None,
        }
    }
    res
}

/// Collection equivalence (`~`), order-independent.
pub fn coll_equiv(l: &[Value<'_>], r: &[Value<'_>]) -> bool {
    if l.len() != r.len() {
        return false;
    }
    let mut used = vec![false; r.len()];
    for x in l {
        match r
            .iter()
            .enumerate()
            .position(|(i, y)| !used[i] && equivalent(x, y))
        {
            Some(i) => used[i] = true,
            None => return false,
        }
    }
    true
}

/// Union without duplicates.
pub fn union<'a>(l: Coll<'a>, r: Coll<'a>) -> Coll<'a> {
    let mut out: Coll<'a> = Coll::with_capacity(l.len() + r.len());
    let mut seen = super::dedup::Dedup::default();
    for v in l.into_iter().chain(r) {
        if !seen.contains(&out, &v) {
            out.push(v);
            seen.inserted(&out);
        }
    }
    out
}

impl<'a> Evaluator<'_, 'a> {
    pub(super) fn binary(&self, op: BinOp, l: &Node, r: &Node, f: Frame<'_, 'a>) -> R<'a> {
        match op {
            BinOp::And => {
                let a = to_bool(&self.eval(l, f)?)?;
                if a == Some(false) {
                    return Ok(b(Some(false)));
                }
                let c = to_bool(&self.eval(r, f)?)?;
                return Ok(b(match (a, c) {
                    (_, Some(false)) => Some(false),
                    (Some(true), Some(true)) => Some(true),
                    _ => None,
                }));
            }
            BinOp::Or => {
                let a = to_bool(&self.eval(l, f)?)?;
                if a == Some(true) {
                    return Ok(b(Some(true)));
                }
                let c = to_bool(&self.eval(r, f)?)?;
                return Ok(b(match (a, c) {
                    (_, Some(true)) => Some(true),
                    (Some(false), Some(false)) => Some(false),
                    _ => None,
                }));
            }
            BinOp::Implies => {
                let a = to_bool(&self.eval(l, f)?)?;
                if a == Some(false) {
                    return Ok(b(Some(true)));
                }
                let c = to_bool(&self.eval(r, f)?)?;
                return Ok(b(match (a, c) {
                    (_, Some(true)) => Some(true),
                    (Some(true), Some(false)) => Some(false),
                    _ => None,
                }));
            }
            _ => {}
        }
        let lv = self.eval(l, f)?;
        let rv = self.eval(r, f)?;
        Ok(match op {
            BinOp::Xor => match (to_bool(&lv)?, to_bool(&rv)?) {
                (Some(x), Some(y)) => b(Some(x != y)),
                _ => Coll::new(),
            },
            BinOp::Union => {
                super::check_items(lv.len() + rv.len())?;
                union(lv, rv)
            }
            BinOp::Eq => b(coll_equal(&lv, &rv)),
            BinOp::Ne => b(coll_equal(&lv, &rv).map(|x| !x)),
            BinOp::Equiv => b(Some(coll_equiv(&lv, &rv))),
            BinOp::NotEquiv => b(Some(!coll_equiv(&lv, &rv))),
            BinOp::In | BinOp::Contains => {
                let (item, coll) = if op == BinOp::In { (lv, rv) } else { (rv, lv) };
                match single(&item)? {
                    None => Coll::new(),
                    Some(x) => b(Some(contains_value(&coll, x))),
                }
            }
            BinOp::Concat => {
                let s1 = single(&lv)?.map(ToString::to_string).unwrap_or_default();
                let s2 = single(&rv)?.map(ToString::to_string).unwrap_or_default();
                super::check_len(s1.len() + s2.len())?;
                crate::fhirpath::value::coll::coll![Value::string(s1 + &s2)]
            }
            BinOp::Lt | BinOp::Le | BinOp::Gt | BinOp::Ge => {
                let (Some(x), Some(y)) = (single(&lv)?, single(&rv)?) else {
                    return Ok(Coll::new());
                };
                let o = compare(x, y).map_err(EvalError::new)?;
                b(o.map(|o| match op {
                    BinOp::Lt => o == Ordering::Less,
                    BinOp::Le => o != Ordering::Greater,
                    BinOp::Gt => o == Ordering::Greater,
                    _ => o != Ordering::Less,
                }))
            }
            _ => {
                let (Some(x), Some(y)) = (single(&lv)?, single(&rv)?) else {
                    return Ok(Coll::new());
                };
                super::arith::arith(op, &x.resolved(), &y.resolved())?
                    .into_iter()
                    .collect()
            }
        })
    }
}
