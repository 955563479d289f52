//! Math functions.

use super::compile::Node;
use super::functions::Func;
use super::{EvalError, Evaluator, Frame, R, single};
use crate::fhirpath::value::{Coll, Quantity, Value};
use rust_decimal::Decimal;
use rust_decimal::prelude::{FromPrimitive, ToPrimitive};
use std::sync::Arc;

fn from_f64<'a>(x: f64) -> R<'a> {
    if !x.is_finite() {
        return Ok(Coll::new());
    }
    Ok(Decimal::from_f64(x)
        .map(|d| Value::Dec(d.normalize()))
        .into_iter()
        .collect())
}

fn to_i<'a>(d: Decimal) -> R<'a> {
    Ok(d.to_i64().map(Value::Int).into_iter().collect())
}

impl<'a> Evaluator<'_, 'a> {
    pub(super) fn math_fn(
        &self,
        func: Func,
        input: Coll<'a>,
        args: &[Node],
        f: Frame<'_, 'a>,
    ) -> R<'a> {
        let Some(v) = single(&input)? else {
            return Ok(Coll::new());
        };
        let v = v.resolved();
        if let Value::Quantity(q) = &v {
            if func == Func::Abs {
                return Ok(crate::fhirpath::value::coll::coll![Value::Quantity(
                    Arc::new(Quantity::with_unit(q.value.abs(), q.unit.clone()))
                )]);
            }
            return Err(EvalError::new("math function on a quantity"));
        }
        let (d, is_int) = match v {
            Value::Int(i) => (Decimal::from(i), true),
            Value::Dec(d) => (d, false),
            _ => return Err(EvalError::new("math function on a non-number")),
        };
        let fl = d.to_f64().unwrap_or(f64::NAN);
        match func {
            Func::Abs => Ok(crate::fhirpath::value::coll::coll![if is_int {
                Value::Int(d.abs().to_i64().unwrap_or(0))
            } else {
                Value::Dec(d.abs())
            }]),
            Func::Ceiling => to_i(d.ceil()),
            Func::Floor => to_i(d.floor()),
            Func::Truncate => to_i(d.trunc()),
            Func::Exp => from_f64(fl.exp()),
            Func::Ln => from_f64(fl.ln()),
            Func::Sqrt => from_f64(fl.sqrt()),
            Func::Log => {
                let b = self.arg(args, 0, f)?;
                let Some(b) = single(&b)?.and_then(|x| match x.resolved() {
                    Value::Int(i) => Some(i as f64),
                    Value::Dec(d) => d.to_f64(),
                    _ => None,
                }) else {
                    return Ok(Coll::new());
                };
                from_f64(fl.ln() / b.ln())
            }
            Func::Power => {
                let e = self.arg(args, 0, f)?;
                let Some(e) = single(&e)?.map(Value::resolved) else {
                    return Ok(Coll::new());
                };
                match (is_int, e) {
                    (true, Value::Int(x)) if x >= 0 => {
                        let base = d.to_i64().unwrap_or(0);
                        Ok(u32::try_from(x)
                            .ok()
                            .and_then(|x| base.checked_pow(x))
                            .map(Value::Int)
                            .into_iter()
                            .collect())
                    }
                    (_, Value::Int(x)) => from_f64(fl.powf(x as f64)),
                    (_, Value::Dec(x)) => from_f64(fl.powf(x.to_f64().unwrap_or(f64::NAN))),
                    _ => Ok(Coll::new()),
                }
            }
            Func::Round => {
                let p = self.int_arg(args, 0, f)?.unwrap_or(0);
                if p < 0 {
                    return Err(EvalError::new("round() precision must be >= 0"));
                }
                let r = d.round_dp_with_strategy(
                    p as u32,
                    rust_decimal::RoundingStrategy::MidpointAwayFromZero,
                );
                Ok(crate::fhirpath::value::coll::coll![Value::Dec(r)])
            }
            _ => Err(EvalError::new("internal: not a math function")),
        }
    }
}
