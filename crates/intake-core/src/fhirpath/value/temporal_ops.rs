//! Temporal comparison, arithmetic, truncation and formatting.

use super::temporal::{
    Precision, TKind, Temporal, civil_from_days, days_from_civil, days_in_month,
};
use std::cmp::Ordering;
use std::fmt;

impl Temporal {
    /// Milliseconds since epoch (UTC-normalised when a timezone is present; local otherwise).
    pub fn epoch_millis(&self) -> i64 {
        let days = if self.kind == TKind::Time {
            0
        } else {
            days_from_civil(self.year, self.month, self.day)
        };
        let ms = ((days * 24 + i64::from(self.hour)) * 60 + i64::from(self.minute)) * 60_000
            + i64::from(self.second) * 1000
            + i64::from(self.millis);
        ms - i64::from(self.tz.unwrap_or(0)) * 60_000
    }

    /// Sets fields from epoch milliseconds, keeping kind, precision and timezone.
    pub fn with_epoch_millis(&self, ms: i64) -> Self {
        let local = ms + i64::from(self.tz.unwrap_or(0)) * 60_000;
        let days = local.div_euclid(86_400_000);
        let rem = local.rem_euclid(86_400_000);
        let mut t = *self;
        if t.kind != TKind::Time {
            let (y, m, d) = civil_from_days(days);
            t.year = y;
            t.month = m;
            t.day = d;
        }
        t.hour = (rem / 3_600_000) as u8;
        t.minute = (rem / 60_000 % 60) as u8;
        t.second = (rem / 1000 % 60) as u8;
        t.millis = (rem % 1000) as u16;
        t
    }

    /// Compares two values. `None` when the result is unknown (different precision)
    /// or the kinds are incompatible.
    pub fn compare(&self, other: &Self) -> Option<Ordering> {
        let kinds_ok =
            self.kind == other.kind || (self.kind != TKind::Time && other.kind != TKind::Time);
        if !kinds_ok {
            return None;
        }
        if self.tz.is_some() != other.tz.is_some()
            && self.precision >= Precision::Hour
            && other.precision >= Precision::Hour
        {
            return None;
        }
        let (a, b) = if self.tz.is_some() != other.tz.is_some() || self.tz == other.tz {
            (*self, *other)
        } else {
            (self.to_utc(), other.to_utc())
        };
        let fields = |t: &Temporal| -> [i64; 6] {
            [
                i64::from(t.year),
                i64::from(t.month),
                i64::from(t.day),
                i64::from(t.hour),
                i64::from(t.minute),
                i64::from(t.second) * 1000 + i64::from(t.millis),
            ]
        };
        let (fa, fb) = (fields(&a), fields(&b));
        let start = if self.kind == TKind::Time { 3 } else { 0 };
        let pa = prec_index(a.precision);
        let pb = prec_index(b.precision);
        for i in start..6 {
            if i > pa || i > pb {
                return if pa == pb {
                    Some(Ordering::Equal)
                } else {
                    None
                };
            }
            match fa[i].cmp(&fb[i]) {
                Ordering::Equal => {}
                o => return Some(o),
            }
        }
        Some(Ordering::Equal)
    }

    /// Converts to UTC when a timezone is present and precision reaches hours.
    pub fn to_utc(&self) -> Self {
        match self.tz {
            Some(off) if off != 0 && self.precision >= Precision::Hour => {
                let ms = self.epoch_millis();
                Temporal {
                    tz: Some(0),
                    ..*self
                }
                .with_epoch_millis(ms)
            }
            _ => *self,
        }
    }

    /// Adds a calendar quantity (`unit` is a normalised calendar unit).
    pub fn add(&self, amount: i64, unit: Precision) -> Option<Self> {
        let mut t = *self;
        t.z = false;
        match unit {
            Precision::Year => {
                t.year = i32::try_from(i64::from(t.year) + amount).ok()?;
                t.day = t.day.min(days_in_month(t.year, t.month));
            }
            Precision::Month => {
                let total =
                    (i64::from(t.year) * 12 + i64::from(t.month) - 1).checked_add(amount)?;
                t.year = i32::try_from(total.div_euclid(12)).ok()?;
                t.month = (total.rem_euclid(12) + 1) as u8;
                t.day = t.day.min(days_in_month(t.year, t.month));
            }
            _ => {
                let ms = match unit {
                    Precision::Day => amount.checked_mul(86_400_000)?,
                    Precision::Hour => amount.checked_mul(3_600_000)?,
                    Precision::Minute => amount.checked_mul(60_000)?,
                    Precision::Second => amount.checked_mul(1000)?,
                    _ => amount,
                };
                if t.kind == TKind::Time {
                    let v = t.epoch_millis().checked_add(ms)?.rem_euclid(86_400_000);
                    t = t.with_epoch_millis(v);
                } else {
                    t = t.with_epoch_millis(t.epoch_millis().checked_add(ms)?);
                }
            }
        }
        if !(1..=9999).contains(&t.year) && t.kind != TKind::Time {
            return None;
        }
        Some(t)
    }

    /// Renders in FHIRPath literal form without the leading `@`.
    pub fn fmt_plain(&self) -> String {
        let mut s = String::new();
        if self.kind != TKind::Time {
            s.push_str(&format!("{:04}", self.year));
            if self.precision >= Precision::Month {
                s.push_str(&format!("-{:02}", self.month));
            }
            if self.precision >= Precision::Day {
                s.push_str(&format!("-{:02}", self.day));
            }
            if self.kind == TKind::DateTime && self.precision >= Precision::Hour {
                s.push('T');
            }
        }
        if self.kind == TKind::Time
            || (self.kind == TKind::DateTime && self.precision >= Precision::Hour)
        {
            s.push_str(&format!("{:02}", self.hour));
            if self.precision >= Precision::Minute {
                s.push_str(&format!(":{:02}", self.minute));
            }
            if self.precision >= Precision::Second {
                s.push_str(&format!(":{:02}", self.second));
            }
            if self.precision >= Precision::Millisecond {
                s.push_str(&format!(".{:03}", self.millis));
            }
            if self.kind == TKind::DateTime
                && let Some(tz) = self.tz
            {
                if tz == 0 && self.z {
                    s.push('Z');
                } else {
                    let sign = if tz < 0 { '-' } else { '+' };
                    s.push_str(&format!("{sign}{:02}:{:02}", tz.abs() / 60, tz.abs() % 60));
                }
            }
        }
        s
    }

    /// Truncates to a coarser precision.
    pub fn truncate(&self, p: Precision) -> Self {
        let mut t = *self;
        if p < t.precision {
            t.precision = p;
            if p < Precision::Millisecond {
                t.millis = 0;
            }
            if p < Precision::Second {
                t.second = 0;
            }
            if p < Precision::Minute {
                t.minute = 0;
            }
            if p < Precision::Hour {
                t.hour = 0;
                t.tz = if t.kind == TKind::DateTime {
                    t.tz
                } else {
                    None
                };
            }
            if p < Precision::Day {
                t.day = 1;
            }
            if p < Precision::Month {
                t.month = 1;
            }
        }
        t
    }
}

fn prec_index(p: Precision) -> usize {
    match p {
        Precision::Year => 0,
        Precision::Month => 1,
        Precision::Day => 2,
        Precision::Hour => 3,
        Precision::Minute => 4,
        Precision::Second | Precision::Millisecond => 5,
    }
}

impl fmt::Display for Temporal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.kind == TKind::Time {
            write!(f, "@T{}", self.fmt_plain())
        } else {
            write!(f, "@{}", self.fmt_plain())
        }
    }
}
