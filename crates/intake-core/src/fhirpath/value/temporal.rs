//! Partial-precision Date, DateTime and Time values with comparison and arithmetic.

/// Which of the three temporal types a value is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TKind {
    /// `Date`
    Date,
    /// `DateTime`
    DateTime,
    /// `Time`
    Time,
}

/// Precision of a temporal value (Time starts at `Hour`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Precision {
    /// Year
    Year,
    /// Month
    Month,
    /// Day
    Day,
    /// Hour
    Hour,
    /// Minute
    Minute,
    /// Second
    Second,
    /// Millisecond
    Millisecond,
}

/// A date, dateTime or time with partial precision and an optional timezone offset.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Temporal {
    /// Kind of value.
    pub kind: TKind,
    /// Year (Date/DateTime).
    pub year: i32,
    /// Month 1-12.
    pub month: u8,
    /// Day 1-31.
    pub day: u8,
    /// Hour 0-23.
    pub hour: u8,
    /// Minute.
    pub minute: u8,
    /// Second.
    pub second: u8,
    /// Milliseconds.
    pub millis: u16,
    /// Precision of the value.
    pub precision: Precision,
    /// Timezone offset in minutes, if given.
    pub tz: Option<i16>,
    /// Whether a zero offset was written as `Z` (kept for output fidelity).
    pub z: bool,
}

fn num(s: &str, range: std::ops::RangeInclusive<u32>) -> Option<u32> {
    if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let v: u32 = s.parse().ok()?;
    range.contains(&v).then_some(v)
}

/// Number of days in a month.
pub fn days_in_month(y: i32, m: u8) -> u8 {
    match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        _ if (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 => 29,
        _ => 28,
    }
}

/// Days since 1970-01-01 for a civil date.
pub fn days_from_civil(y: i32, m: u8, d: u8) -> i64 {
    let y = i64::from(if m <= 2 { y - 1 } else { y });
    let era = if y >= 0 { y } else { y - 399 } / 400;
    let yoe = y - era * 400;
    let m = i64::from(m);
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(d) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// Civil date for days since 1970-01-01.
pub fn civil_from_days(z: i64) -> (i32, u8, u8) {
    let z = z + 719_468;
    let era = if z >= 0 { z } else { z - 146_096 } / 146_097;
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u8;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u8;
    ((if m <= 2 { y + 1 } else { y }) as i32, m, d)
}

impl Temporal {
    fn blank(kind: TKind) -> Self {
        Temporal {
            kind,
            year: 0,
            month: 1,
            day: 1,
            hour: 0,
            minute: 0,
            second: 0,
            millis: 0,
            precision: Precision::Year,
            tz: None,
            z: false,
        }
    }

    /// Parses a date (`YYYY[-MM[-DD]]`).
    pub fn parse_date(s: &str) -> Option<Self> {
        let mut t = Self::blank(TKind::Date);
        t.parse_date_part(s)?;
        Some(t)
    }

    fn parse_date_part(&mut self, s: &str) -> Option<()> {
        let mut parts = s.split('-');
        let y = parts.next()?;
        if y.len() != 4 {
            return None;
        }
        self.year = num(y, 0..=9999)? as i32;
        self.precision = Precision::Year;
        if let Some(m) = parts.next() {
            if m.len() != 2 {
                return None;
            }
            self.month = num(m, 1..=12)? as u8;
            self.precision = Precision::Month;
            if let Some(d) = parts.next() {
                if d.len() != 2 {
                    return None;
                }
                self.day = num(d, 1..=u32::from(days_in_month(self.year, self.month)))? as u8;
                self.precision = Precision::Day;
            }
        }
        if parts.next().is_some() {
            return None;
        }
        Some(())
    }

    fn parse_time_part(&mut self, s: &str) -> Option<()> {
        let mut parts = s.splitn(3, ':');
        let h = parts.next()?;
        if h.len() != 2 {
            return None;
        }
        self.hour = num(h, 0..=23)? as u8;
        self.precision = Precision::Hour;
        if let Some(m) = parts.next() {
            if m.len() != 2 {
                return None;
            }
            self.minute = num(m, 0..=59)? as u8;
            self.precision = Precision::Minute;
            if let Some(sec) = parts.next() {
                let (whole, frac) = match sec.split_once('.') {
                    Some((w, f)) => (w, Some(f)),
                    None => (sec, None),
                };
                if whole.len() != 2 {
                    return None;
                }
                self.second = num(whole, 0..=59)? as u8;
                self.precision = Precision::Second;
                if let Some(f) = frac {
                    if f.is_empty() || !f.bytes().all(|b| b.is_ascii_digit()) {
                        return None;
                    }
                    let mut ms = 0u16;
                    for (i, b) in f.bytes().take(3).enumerate() {
                        ms += u16::from(b - b'0') * [100, 10, 1][i];
                    }
                    self.millis = ms;
                    self.precision = Precision::Millisecond;
                }
            }
        }
        Some(())
    }

    /// Parses a time (`hh[:mm[:ss[.fff]]]`), without the `T`.
    pub fn parse_time(s: &str) -> Option<Self> {
        let mut t = Self::blank(TKind::Time);
        t.parse_time_part(s)?;
        Some(t)
    }

    /// Parses a dateTime (`YYYY[-MM[-DD[Thh[:mm[:ss[.fff]]][tz]]]]`, a trailing `T` allowed).
    pub fn parse_datetime(s: &str) -> Option<Self> {
        let mut t = Self::blank(TKind::DateTime);
        let (d, rest) = match s.split_once('T') {
            Some((d, r)) => (d, Some(r)),
            None => (s, None),
        };
        t.parse_date_part(d)?;
        if let Some(r) = rest {
            if r.is_empty() {
                return Some(t);
            }
            if t.precision != Precision::Day {
                return None;
            }
            let (time, tz) = if let Some(x) = r.strip_suffix('Z') {
                t.z = true;
                (x, Some(0))
            } else if let Some(pos) = r.rfind(['+', '-']) {
                let tz = &r[pos + 1..];
                let (hh, mm) = tz.split_once(':')?;
                if hh.len() != 2 || mm.len() != 2 {
                    return None;
                }
                let off = (num(hh, 0..=14)? * 60 + num(mm, 0..=59)?) as i16;
                (
                    &r[..pos],
                    Some(if r.as_bytes()[pos] == b'-' { -off } else { off }),
                )
            } else {
                (r, None)
            };
            t.parse_time_part(time)?;
            t.tz = tz;
        }
        Some(t)
    }

    /// Parses by kind.
    pub fn parse(kind: TKind, s: &str) -> Option<Self> {
        match kind {
            TKind::Date => Self::parse_date(s),
            TKind::DateTime => Self::parse_datetime(s),
            TKind::Time => Self::parse_time(s),
        }
    }

    /// Number of digits of precision, as returned by `precision()`.
    pub fn precision_digits(&self) -> i64 {
        match (self.kind, self.precision) {
            (TKind::Time, Precision::Hour) => 2,
            (TKind::Time, Precision::Minute) => 4,
            (TKind::Time, Precision::Second) => 6,
            (TKind::Time, _) => 9,
            (_, Precision::Year) => 4,
            (_, Precision::Month) => 6,
            (_, Precision::Day) => 8,
            (_, Precision::Hour) => 10,
            (_, Precision::Minute) => 12,
            (_, Precision::Second) => 14,
            (_, Precision::Millisecond) => 17,
        }
    }
}
