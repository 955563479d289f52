//! Equality, equivalence and ordering of FHIRPath values.

use super::{Node, Value};
use rust_decimal::Decimal;
use serde_json::Value as Json;
use std::cmp::Ordering;

fn num(v: &Value<'_>) -> Option<Decimal> {
    match v {
        Value::Int(i) => Some(Decimal::from(*i)),
        Value::Dec(d) => Some(*d),
        _ => None,
    }
}

/// `=` on two single values; `None` means the result is empty.
pub fn equal(a: &Value<'_>, b: &Value<'_>) -> Option<bool> {
    if let (Value::Node(x), Value::Node(y)) = (a, b)
        && let (Some(p), Some(q)) = (x.json, y.json)
        && std::ptr::eq(p, q)
        && x.ext == y.ext
        && (p.is_object() || p.is_string())
    {
        return Some(true);
    }
    if let (Some(x), Some(y)) = (a.plain_str(), b.plain_str()) {
        return Some(x == y);
    }
    if let (Value::Node(x), Value::Node(y)) = (a, b)
        && x.prim().is_none()
        && y.prim().is_none()
    {
        return Some(
            x.json == y.json && x.json.is_some()
                || (x.json.is_none() && y.json.is_none() && x.ext == y.ext),
        );
    }
    let (a, b) = (a.resolved(), b.resolved());
    match (&a, &b) {
        (Value::Bool(x), Value::Bool(y)) => Some(x == y),
        (Value::Int(x), Value::Int(y)) => Some(x == y),
        (Value::Str(x), Value::Str(y)) => Some(**x == **y),
        (Value::Temporal(x), Value::Temporal(y)) => {
            if (x.kind == super::TKind::Time) != (y.kind == super::TKind::Time) {
                return Some(false);
            }
            x.compare(y).map(|o| o == Ordering::Equal)
        }
        (Value::Quantity(x), Value::Quantity(y)) => {
            if x.is_calendar() != y.is_calendar() {
                let cal = if x.is_calendar() { x } else { y };
                if matches!(super::ucum::calendar_to_ucum(&cal.unit), Some("a" | "mo")) {
                    return None;
                }
            }
            x.compare(y).map(|o| o == Ordering::Equal)
        }
        (Value::Type(a1, b1), Value::Type(a2, b2)) => Some(a1 == a2 && b1 == b2),
        _ => match (num(&a), num(&b)) {
            (Some(x), Some(y)) => Some(x == y),
            _ => Some(false),
        },
    }
}

/// Case-insensitive comparison with whitespace runs normalised, without allocating.
fn str_equiv(a: &str, b: &str) -> bool {
    let mut x = a
        .split_whitespace()
        .flat_map(|w| std::iter::once(None).chain(w.chars().flat_map(char::to_lowercase).map(Some)))
        .skip(1);
    let mut y = b
        .split_whitespace()
        .flat_map(|w| std::iter::once(None).chain(w.chars().flat_map(char::to_lowercase).map(Some)))
        .skip(1);
    loop {
        match (x.next(), y.next()) {
            (None, None) => return true,
            (p, q) if p == q => {}
            _ => return false,
        }
    }
}

fn json_equiv(a: &Json, b: &Json) -> bool {
    json_equiv_at(a, b, 0)
}

fn json_equiv_at(a: &Json, b: &Json, depth: usize) -> bool {
    if depth > 256 {
        return false;
    }
    match (a, b) {
        (Json::String(x), Json::String(y)) => str_equiv(x, y),
        (Json::Array(x), Json::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(p, q)| json_equiv_at(p, q, depth + 1))
        }
        (Json::Object(x), Json::Object(y)) => {
            let keys = |m: &serde_json::Map<String, Json>| {
                m.keys().filter(|k| *k != "id").cloned().collect::<Vec<_>>()
            };
            keys(x) == keys(y)
                && x.iter()
                    .filter(|(k, _)| *k != "id")
                    .all(|(k, v)| y.get(k).is_some_and(|w| json_equiv_at(v, w, depth + 1)))
        }
        _ => a == b,
    }
}

/// Rounds both decimals to the smaller scale and compares.
fn dec_equiv(x: Decimal, y: Decimal) -> bool {
    let s = x.scale().min(y.scale());
    x.round_dp(s) == y.round_dp(s)
}

/// `~` on two single values.
pub fn equivalent(a: &Value<'_>, b: &Value<'_>) -> bool {
    if let (Value::Node(x), Value::Node(y)) = (a, b)
        && let (Some(p), Some(q)) = (x.json, y.json)
        && std::ptr::eq(p, q)
    {
        return true;
    }
    if let (Some(x), Some(y)) = (a.plain_str(), b.plain_str()) {
        return x == y || str_equiv(x, y);
    }
    if let (Value::Node(Node { json: Some(x), .. }), Value::Node(Node { json: Some(y), .. })) =
        (a, b)
        && (x.is_object() || y.is_object())
    {
        return json_equiv(x, y);
    }
    let (a, b) = (a.resolved(), b.resolved());
    match (&a, &b) {
        (Value::Str(x), Value::Str(y)) => str_equiv(x, y),
        (Value::Temporal(x), Value::Temporal(y)) => {
            let p = |t: &super::Temporal| t.precision.min(super::Precision::Second);
            p(x) == p(y) && x.compare(y) == Some(Ordering::Equal)
        }
        (Value::Quantity(x), Value::Quantity(y)) => match y.convert(&x.unit) {
            Some(yc) => dec_equiv(x.value, yc.value) || x.compare(y) == Some(Ordering::Equal),
            None => false,
        },
        _ => match (num(&a), num(&b)) {
            (Some(x), Some(y)) => dec_equiv(x, y),
            _ => equal(&a, &b).unwrap_or(false),
        },
    }
}

/// A FHIR Quantity node read without allocating.
fn node_quantity(v: &Value<'_>) -> Option<super::Quantity> {
    match v {
        Value::Node(n)
            if crate::fhirpath::model::r4().prim_kind(n.ty)
                == crate::fhirpath::model::PrimKind::Quantity =>
        {
            super::Quantity::from_json(n.json?)
        }
        _ => None,
    }
}

/// Ordering for `<`, `>` etc. `Ok(None)` means empty; `Err` means incomparable types.
pub fn compare(a: &Value<'_>, b: &Value<'_>) -> Result<Option<Ordering>, String> {
    // FHIR Quantity element vs quantity literal: no Arc allocation
    match (a, b) {
        (Value::Node(_), Value::Quantity(y)) => {
            if let Some(x) = node_quantity(a) {
                return Ok(x.compare(y));
            }
        }
        (Value::Quantity(x), Value::Node(_)) => {
            if let Some(y) = node_quantity(b) {
                return Ok(x.compare(&y));
            }
        }
        _ => {}
    }
    let (a, b) = (a.resolved(), b.resolved());
    Ok(match (&a, &b) {
        (Value::Str(x), Value::Str(y)) => Some((**x).cmp(&**y)),
        (Value::Temporal(x), Value::Temporal(y)) => {
            if (x.kind == super::TKind::Time) != (y.kind == super::TKind::Time) {
                return Err("cannot compare time with date".into());
            }
            x.compare(y)
        }
        (Value::Quantity(x), Value::Quantity(y)) => x.compare(y),
        _ => match (num(&a), num(&b)) {
            (Some(x), Some(y)) => Some(x.cmp(&y)),
            _ => {
                return Err(format!(
                    "cannot compare {} with {}",
                    a.type_info().1,
                    b.type_info().1
                ));
            }
        },
    })
}
