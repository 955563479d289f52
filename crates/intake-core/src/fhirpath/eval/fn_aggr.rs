//! Aggregate functions `sum()`, `min()`, `max()`, `avg()` (FHIRPath 3.0, used by SDC forms).

use super::arith::arith;
use super::functions::Func;
use super::{EvalError, R};
use crate::fhirpath::syntax::BinOp;
use crate::fhirpath::value::compare::compare;
use crate::fhirpath::value::{Coll, Value};
use rust_decimal::Decimal;
use std::cmp::Ordering;

/// Runs an aggregate function over the input collection.
pub fn aggregate_fn<'a>(func: Func, input: &Coll<'a>) -> R<'a> {
    let items: Vec<Value<'a>> = input.iter().map(Value::resolved).collect();
    match func {
        Func::Sum | Func::Avg => {
            let mut total: Option<Value<'a>> = None;
            for v in &items {
                total = Some(match total {
                    None => v.clone(),
                    Some(t) => {
                        arith(BinOp::Add, &t, v)?.ok_or_else(|| EvalError::new("sum() overflow"))?
                    }
                });
            }
            if func == Func::Sum {
                return Ok(crate::fhirpath::value::coll::coll![
                    total.unwrap_or(Value::Int(0))
                ]);
            }
            let Some(t) = total else {
                return Ok(Coll::new());
            };
            let n = Value::Dec(Decimal::from(items.len() as i64));
            let t = match t {
                Value::Int(i) => Value::Dec(Decimal::from(i)),
                t => t,
            };
            Ok(arith(BinOp::Div, &t, &n)?.into_iter().collect())
        }
        _ => {
            let want = if func == Func::Min {
                Ordering::Less
            } else {
                Ordering::Greater
            };
            let mut best: Option<&Value<'a>> = None;
            for v in &items {
                best = match best {
                    None => Some(v),
                    Some(b) => match compare(v, b).map_err(EvalError::new)? {
                        Some(o) if o == want => Some(v),
                        Some(_) => Some(b),
                        None => return Ok(Coll::new()),
                    },
                };
            }
            Ok(best.cloned().into_iter().collect())
        }
    }
}
