//! Arithmetic on single values: numbers, strings, quantities and date/time + duration.

use super::{EvalError, R, single};
use crate::fhirpath::syntax::BinOp;
use crate::fhirpath::value::{Coll, Precision, Quantity, Value, ucum};
use rust_decimal::Decimal;
use std::sync::Arc;

/// Unary minus.
pub fn negate(v: Coll<'_>) -> R<'_> {
    let Some(x) = single(&v)? else {
        return Ok(Coll::new());
    };
    Ok(crate::fhirpath::value::coll::coll![match x.resolved() {
        Value::Int(i) => Value::Int(
            i.checked_neg()
                .ok_or_else(|| EvalError::new("integer overflow"))?
        ),
        Value::Dec(d) => Value::Dec(-d),
        Value::Quantity(q) =>
            Value::Quantity(Arc::new(Quantity::with_unit(-q.value, q.unit.clone()))),
        _ => return Err(EvalError::new("unary minus needs a number or quantity")),
    }])
}

fn dec(v: &Value<'_>) -> Option<Decimal> {
    match v {
        Value::Int(i) => Some(Decimal::from(*i)),
        Value::Dec(d) => Some(*d),
        _ => None,
    }
}

fn calendar_precision(unit: &str) -> Option<(Precision, i64)> {
    let u = ucum::calendar_to_ucum(unit).unwrap_or(unit);
    Some(match u {
        "a" => (Precision::Year, 1),
        "mo" => (Precision::Month, 1),
        "wk" => (Precision::Day, 7),
        "d" => (Precision::Day, 1),
        "h" => (Precision::Hour, 1),
        "min" => (Precision::Minute, 1),
        "s" => (Precision::Second, 1),
        "ms" => (Precision::Millisecond, 1),
        _ => return None,
    })
}

fn quantity_unit_mul(a: &str, b: &str, div: bool) -> String {
    match (a, b, div) {
        ("1", u, false) => u.to_string(),
        (u, "1", _) => u.to_string(),
        (u, v, false) => format!("{u}.{v}"),
        ("1", v, true) => format!("/{v}"),
        (u, v, true) => format!("{u}/{v}"),
    }
}

/// Arithmetic on two single resolved values; `Ok(None)` means empty.
pub fn arith<'a>(op: BinOp, x: &Value<'a>, y: &Value<'a>) -> Result<Option<Value<'a>>, EvalError> {
    use Value::*;
    let r = match (x, y) {
        (Int(a), Int(c)) => match op {
            BinOp::Add => a.checked_add(*c).map(Int),
            BinOp::Sub => a.checked_sub(*c).map(Int),
            BinOp::Mul => a.checked_mul(*c).map(Int),
            BinOp::Div => {
                if *c == 0 {
                    None
                } else {
                    Decimal::from(*a)
                        .checked_div(Decimal::from(*c))
                        .map(|d| Dec(d.normalize()))
                }
            }
            BinOp::IntDiv => a.checked_div(*c).map(Int),
            BinOp::Mod => a.checked_rem(*c).map(Int),
            _ => None,
        },
        (Str(a), Str(c)) if op == BinOp::Add => {
            super::check_len(a.len() + c.len())?;
            Some(Value::string(format!("{}{}", &**a, &**c)))
        }
        (Temporal(t), Quantity(q)) if matches!(op, BinOp::Add | BinOp::Sub) => {
            let Some((p, mult)) =
                calendar_precision(&q.unit).filter(|_| !matches!(&*q.unit, "a" | "mo"))
            else {
                return Err(EvalError::new(format!("cannot add '{}' to a date", q.unit)));
            };
            let amount = q.value.trunc();
            let too_large = || EvalError::new("quantity too large");
            let amount = i64::try_from(amount)
                .map_err(|_| too_large())?
                .checked_mul(mult)
                .ok_or_else(too_large)?;
            let amount = if op == BinOp::Sub {
                amount.checked_neg().ok_or_else(too_large)?
            } else {
                amount
            };
            t.add(amount, p).map(|mut r| {
                r.precision = t.precision;
                Temporal(r)
            })
        }
        (Quantity(a), Quantity(c)) => match op {
            BinOp::Add | BinOp::Sub => {
                let Some(cv) = c.convert(&a.unit) else {
                    return Ok(None);
                };
                let v = if op == BinOp::Add {
                    a.value.checked_add(cv.value)
                } else {
                    a.value.checked_sub(cv.value)
                };
                v.map(|v| {
                    Quantity(Arc::new(crate::fhirpath::value::Quantity::with_unit(
                        v,
                        a.unit.clone(),
                    )))
                })
            }
            BinOp::Mul | BinOp::Div => {
                let div = op == BinOp::Div;
                let v = if div {
                    a.value.checked_div(c.value)
                } else {
                    a.value.checked_mul(c.value)
                };
                let ua = ucum::calendar_to_ucum(&a.unit).unwrap_or(&a.unit);
                let uc = ucum::calendar_to_ucum(&c.unit).unwrap_or(&c.unit);
                v.map(|v| {
                    Quantity(Arc::new(crate::fhirpath::value::Quantity::new(
                        v,
                        &quantity_unit_mul(ua, uc, div),
                    )))
                })
            }
            _ => None,
        },
        (Quantity(a), n) if matches!(op, BinOp::Mul | BinOp::Div) && dec(n).is_some() => {
            let n = dec(n).unwrap_or_default();
            let v = if op == BinOp::Mul {
                a.value.checked_mul(n)
            } else {
                a.value.checked_div(n)
            };
            v.map(|v| {
                Quantity(Arc::new(crate::fhirpath::value::Quantity::with_unit(
                    v,
                    a.unit.clone(),
                )))
            })
        }
        (n, Quantity(a)) if op == BinOp::Mul && dec(n).is_some() => {
            let n = dec(n).unwrap_or_default();
            a.value.checked_mul(n).map(|v| {
                Quantity(Arc::new(crate::fhirpath::value::Quantity::with_unit(
                    v,
                    a.unit.clone(),
                )))
            })
        }
        _ => {
            let (Some(a), Some(c)) = (dec(x), dec(y)) else {
                return Err(EvalError::new(format!(
                    "operator '{}' cannot be applied to {} and {}",
                    op.symbol(),
                    x.type_info().1,
                    y.type_info().1
                )));
            };
            match op {
                BinOp::Add => a.checked_add(c).map(Dec),
                BinOp::Sub => a.checked_sub(c).map(Dec),
                BinOp::Mul => a.checked_mul(c).map(Dec),
                BinOp::Div => {
                    if c.is_zero() {
                        None
                    } else {
                        a.checked_div(c).map(|d| Dec(d.normalize()))
                    }
                }
                BinOp::IntDiv => {
                    if c.is_zero() {
                        None
                    } else {
                        a.checked_div(c)
                            .and_then(|d| i64::try_from(d.trunc()).ok())
                            .map(Int)
                    }
                }
                BinOp::Mod => {
                    if c.is_zero() {
                        None
                    } else {
                        a.checked_rem(c).map(Dec)
                    }
                }
                _ => None,
            }
        }
    };
    Ok(r)
}
