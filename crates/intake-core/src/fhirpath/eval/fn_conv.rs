//! Conversion functions (`toX`/`convertsToX`), `iif`, `type()`, `is()`/`as()`/`ofType()`.

use super::functions::Func;
use super::{R, single};
use crate::fhirpath::value::{Coll, Quantity, TKind, Temporal, Value, ucum};
use rust_decimal::Decimal;
use std::str::FromStr;
use std::sync::Arc;

fn parse_quantity(s: &str) -> Option<Quantity> {
    let s = s.trim();
    let end = s
        .find(|c: char| !(c.is_ascii_digit() || c == '.' || c == '-' || c == '+'))
        .unwrap_or(s.len());
    let (num, rest) = s.split_at(end);
    if num.is_empty() || num.ends_with('.') || num.starts_with('.') {
        return None;
    }
    let v = Decimal::from_str(num).ok()?;
    let rest = rest.trim();
    if rest.is_empty() {
        return Some(Quantity::new(v, "1"));
    }
    if let Some(u) = rest.strip_prefix('\'').and_then(|r| r.strip_suffix('\'')) {
        return Some(Quantity::new(v, u));
    }
    if ucum::calendar_to_ucum(rest).is_some()
        && rest.chars().all(|c| c.is_ascii_lowercase())
        && rest.len() > 2
    {
        return Some(Quantity::new(v, rest));
    }
    None
}

fn is_plain_decimal(s: &str) -> bool {
    let t = s.strip_prefix(['+', '-']).unwrap_or(s);
    let mut parts = t.splitn(2, '.');
    let a = parts.next().unwrap_or("");
    let ok_a = !a.is_empty() && a.bytes().all(|b| b.is_ascii_digit());
    match parts.next() {
        None => ok_a,
        Some(b) => ok_a && !b.is_empty() && b.bytes().all(|c| c.is_ascii_digit()),
    }
}

/// Converts a single value; `None` when not convertible.
pub fn convert<'a>(func: Func, v: &Value<'a>, unit: Option<&str>) -> Option<Value<'a>> {
    let v = v.resolved();
    match func {
        Func::ToBoolean | Func::ConvertsToBoolean => match &v {
            Value::Bool(b) => Some(Value::Bool(*b)),
            Value::Int(1) => Some(Value::Bool(true)),
            Value::Int(0) => Some(Value::Bool(false)),
            Value::Dec(d) if *d == Decimal::ONE => Some(Value::Bool(true)),
            Value::Dec(d) if d.is_zero() => Some(Value::Bool(false)),
            Value::Str(s) => match s.to_lowercase().as_str() {
                "true" | "t" | "yes" | "y" | "1" | "1.0" => Some(Value::Bool(true)),
                "false" | "f" | "no" | "n" | "0" | "0.0" => Some(Value::Bool(false)),
                _ => None,
            },
            _ => None,
        },
        Func::ToInteger | Func::ConvertsToInteger => match &v {
            Value::Int(i) => Some(Value::Int(*i)),
            Value::Bool(b) => Some(Value::Int(i64::from(*b))),
            Value::Str(s) => {
                let t = s.strip_prefix(['+', '-']).unwrap_or(s);
                if !t.is_empty() && t.bytes().all(|b| b.is_ascii_digit()) {
                    s.parse().ok().map(Value::Int)
                } else {
                    None
                }
            }
            _ => None,
        },
        Func::ToDecimal | Func::ConvertsToDecimal => match &v {
            Value::Int(i) => Some(Value::Dec(Decimal::from(*i))),
            Value::Dec(d) => Some(Value::Dec(*d)),
            Value::Bool(b) => Some(Value::Dec(if *b { Decimal::ONE } else { Decimal::ZERO })),
            Value::Str(s) if is_plain_decimal(s) => Decimal::from_str(s).ok().map(Value::Dec),
            _ => None,
        },
        Func::ToString | Func::ConvertsToString => match &v {
            Value::Node(_) | Value::Type(..) => None,
            other => Some(Value::string(other.to_string())),
        },
        Func::ToQuantity | Func::ConvertsToQuantity => {
            let q = match &v {
                Value::Int(i) => Some(Quantity::new(Decimal::from(*i), "1")),
                Value::Dec(d) => Some(Quantity::new(*d, "1")),
                Value::Quantity(q) => Some((**q).clone()),
                Value::Str(s) => parse_quantity(s),
                Value::Bool(b) => Some(Quantity::new(
                    if *b { Decimal::ONE } else { Decimal::ZERO },
                    "1",
                )),
                _ => None,
            }?;
            let q = match unit {
                Some(u) => q.convert(u)?,
                None => q,
            };
            Some(Value::Quantity(Arc::new(q)))
        }
        Func::ToDate | Func::ConvertsToDate => match &v {
            Value::Temporal(t) if t.kind != TKind::Time => {
                let p = t.precision.min(crate::fhirpath::value::Precision::Day);
                Some(Value::Temporal(Temporal {
                    kind: TKind::Date,
                    tz: None,
                    ..t.truncate(p)
                }))
            }
            Value::Str(s) => Temporal::parse_date(s)
                .or_else(|| {
                    Temporal::parse_datetime(s).map(|t| {
                        let p = t.precision.min(crate::fhirpath::value::Precision::Day);
                        Temporal {
                            kind: TKind::Date,
                            tz: None,
                            ..t.truncate(p)
                        }
                    })
                })
                .map(Value::Temporal),
            _ => None,
        },
        Func::ToDateTime | Func::ConvertsToDateTime => match &v {
            Value::Temporal(t) if t.kind != TKind::Time => Some(Value::Temporal(Temporal {
                kind: TKind::DateTime,
                ..*t
            })),
            Value::Str(s) => Temporal::parse_datetime(s).map(Value::Temporal),
            _ => None,
        },
        Func::ToTime | Func::ConvertsToTime => match &v {
            Value::Temporal(t) if t.kind == TKind::Time => Some(Value::Temporal(*t)),
            Value::Str(s) => {
                Temporal::parse_time(s.strip_prefix('T').unwrap_or(s)).map(Value::Temporal)
            }
            _ => None,
        },
        _ => None,
    }
}

/// Runs a `toX` (returns the value or empty) or `convertsToX` (returns a boolean).
pub fn conversion<'a>(func: Func, input: &Coll<'a>, unit: Option<&str>) -> R<'a> {
    let Some(v) = single(input)? else {
        return Ok(Coll::new());
    };
    let r = convert(func, v, unit);
    let converts = matches!(
        func,
        Func::ConvertsToBoolean
            | Func::ConvertsToInteger
            | Func::ConvertsToDecimal
            | Func::ConvertsToString
            | Func::ConvertsToQuantity
            | Func::ConvertsToDate
            | Func::ConvertsToDateTime
            | Func::ConvertsToTime
    );
    if converts {
        Ok(crate::fhirpath::value::coll::coll![Value::Bool(
            r.is_some()
        )])
    } else {
        Ok(r.into_iter().collect())
    }
}

/// `type()` of each item.
pub fn type_of<'a>(input: &Coll<'a>) -> R<'a> {
    Ok(input
        .iter()
        .map(|v| {
            let (ns, n) = v.type_info();
            Value::Type(ns, n)
        })
        .collect())
}
