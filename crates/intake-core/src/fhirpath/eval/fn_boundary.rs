//! `lowBoundary()` / `highBoundary()` for decimals, quantities and temporals.

use crate::fhirpath::value::temporal::days_in_month;
use crate::fhirpath::value::{Precision, Quantity, TKind, Temporal, Value};
use rust_decimal::Decimal;
use std::sync::Arc;

fn dec_boundary(d: Decimal, digits: Option<i64>, high: bool) -> Option<Decimal> {
    let p = digits.unwrap_or(8);
    if !(0..=28).contains(&p) {
        return None;
    }
    let half = Decimal::try_new(5, d.scale() + 1).ok()?;
    let mut r = if high {
        d.checked_add(half)?
    } else {
        d.checked_sub(half)?
    };
    if d.is_zero() && d.scale() == 0 {
        r = if high {
            Decimal::new(5, 1)
        } else {
            Decimal::new(-5, 1)
        };
    }
    let p = p as u32;
    let r = if p < r.scale() {
        let t = r.trunc_with_scale(p);
        if t.is_zero() || t == r {
            t
        } else if high == (r > Decimal::ZERO) {
            // away from zero: ceil for positive highs, floor for negative lows
            if high {
                t + Decimal::new(1, p)
            } else {
                t - Decimal::new(1, p)
            }
        } else {
            t
        }
    } else {
        let mut x = r;
        x.rescale(p);
        x
    };
    Some(r)
}

fn temporal_boundary(t: &Temporal, digits: Option<i64>, high: bool) -> Option<Temporal> {
    let target = match (t.kind, digits) {
        (TKind::Time, None) => Precision::Millisecond,
        (TKind::Date, None) => Precision::Day,
        (_, None) => Precision::Millisecond,
        (TKind::Time, Some(2)) => Precision::Hour,
        (TKind::Time, Some(4)) => Precision::Minute,
        (TKind::Time, Some(6)) => Precision::Second,
        (TKind::Time, Some(9)) => Precision::Millisecond,
        (_, Some(4)) => Precision::Year,
        (_, Some(6)) => Precision::Month,
        (_, Some(8)) => Precision::Day,
        (TKind::DateTime, Some(10)) => Precision::Hour,
        (TKind::DateTime, Some(12)) => Precision::Minute,
        (TKind::DateTime, Some(14)) => Precision::Second,
        (TKind::DateTime, Some(17)) => Precision::Millisecond,
        _ => return None,
    };
    let mut r = *t;
    // "T08 is not legal in FHIR - must be converted to 08:00 internally first" (suite note)
    let t = &if t.kind == TKind::DateTime && t.precision == Precision::Hour {
        r.precision = Precision::Minute;
        r
    } else {
        *t
    };
    if target <= t.precision {
        return Some(t.truncate(target));
    }
    let p = t.precision;
    if p < Precision::Month {
        r.month = if high { 12 } else { 1 };
    }
    if p < Precision::Day {
        r.day = if high {
            days_in_month(r.year, r.month)
        } else {
            1
        };
    }
    if p < Precision::Hour {
        r.hour = if high { 23 } else { 0 };
    }
    if p < Precision::Minute {
        r.minute = if high { 59 } else { 0 };
    }
    if p < Precision::Second {
        r.second = if high { 59 } else { 0 };
    }
    if p < Precision::Millisecond {
        r.millis = if high { 999 } else { 0 };
    }
    r.precision = target;
    if r.kind == TKind::DateTime && r.tz.is_none() && target >= Precision::Hour {
        r.tz = Some(if high { -12 * 60 } else { 14 * 60 });
    }
    Some(r)
}

/// Computes the boundary of a value; `None` when not applicable.
pub fn boundary<'a>(v: &Value<'a>, digits: Option<i64>, high: bool) -> Option<Value<'a>> {
    match v {
        Value::Int(i) => dec_boundary(Decimal::from(*i), digits, high).map(Value::Dec),
        Value::Dec(d) => dec_boundary(*d, digits, high).map(Value::Dec),
        Value::Quantity(q) => dec_boundary(q.value, digits, high)
            .map(|d| Value::Quantity(Arc::new(Quantity::with_unit(d, q.unit.clone())))),
        Value::Temporal(t) => temporal_boundary(t, digits, high).map(Value::Temporal),
        _ => None,
    }
}
