//! The clinic's time zone (`INTAKE_TIMEZONE`): where stored UTC instants become the clinic's
//! wall-clock times, and the times staff type become instants. The one place that speaks to the
//! time-zone database (jiff, with the database bundled so a container needs no
//! `/usr/share/zoneinfo`); everything else stays on `time`.

use time::{Date, OffsetDateTime, PrimitiveDateTime, UtcOffset};

/// A time zone by its IANA name, e.g. `America/New_York`; UTC unless the clinic sets one.
#[derive(Clone)]
pub struct ClinicZone {
    name: String,
    zone: jiff::tz::TimeZone,
}

/// A time-zone name the database does not know.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{0}` is not an IANA time zone name such as America/New_York")]
pub struct UnknownZone(pub String);

impl ClinicZone {
    /// Coordinated Universal Time, the default.
    pub fn utc() -> Self {
        Self {
            name: "UTC".to_owned(),
            zone: jiff::tz::TimeZone::UTC,
        }
    }

    /// The zone named `name` (`America/New_York`; letter case is forgiven). `UTC` and
    /// `Etc/UTC` are both plain UTC.
    pub fn parse(name: &str) -> Result<Self, UnknownZone> {
        let name = name.trim();
        if name.eq_ignore_ascii_case("UTC") || name.eq_ignore_ascii_case("Etc/UTC") {
            return Ok(Self::utc());
        }
        // A fixed offset such as `+05:00` is not a clinic's zone: it forgets daylight saving.
        if name.is_empty() || !name.chars().next().is_some_and(char::is_alphabetic) {
            return Err(UnknownZone(name.to_owned()));
        }
        let zone = jiff::tz::TimeZone::get(name).map_err(|_| UnknownZone(name.to_owned()))?;
        Ok(Self {
            name: zone.iana_name().unwrap_or(name).to_owned(),
            zone,
        })
    }

    /// The IANA name, as the database spells it.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Whether this is plain UTC (no zone set): then times say so.
    pub fn is_utc(&self) -> bool {
        self.name == "UTC"
    }

    /// The clinic's offset from UTC at `at`.
    pub fn offset_at(&self, at: OffsetDateTime) -> UtcOffset {
        let seconds = jiff::Timestamp::from_nanosecond(at.unix_timestamp_nanos())
            .map_or(0, |instant| self.zone.to_offset(instant).seconds());
        UtcOffset::from_whole_seconds(seconds).unwrap_or(UtcOffset::UTC)
    }

    /// `at` on the clinic's clocks (the same instant, with the clinic's offset).
    pub fn local(&self, at: OffsetDateTime) -> OffsetDateTime {
        at.to_offset(self.offset_at(at))
    }

    /// Stored epoch milliseconds on the clinic's clocks.
    pub fn local_millis(&self, millis: i64) -> OffsetDateTime {
        self.local(crate::clock::from_millis(millis))
    }

    /// The clinic's date at `now`.
    pub fn today(&self, now: OffsetDateTime) -> Date {
        self.local(now).date()
    }

    /// The instant the clinic's clocks show `local`. A time the clocks skip (the spring-forward
    /// gap) moves forward by the gap: 02:30 on a 02:00→03:00 night is 03:30. A time they show
    /// twice (the fall-back overlap) is the earlier of the two. These are RFC 5545's rules, and
    /// what calendars do.
    pub fn instant(&self, local: PrimitiveDateTime) -> OffsetDateTime {
        let civil = jiff::civil::DateTime::new(
            i16::try_from(local.year()).unwrap_or(i16::MAX),
            i8::try_from(u8::from(local.month())).unwrap_or(1),
            i8::try_from(local.day()).unwrap_or(1),
            i8::try_from(local.hour()).unwrap_or(0),
            i8::try_from(local.minute()).unwrap_or(0),
            i8::try_from(local.second()).unwrap_or(0),
            i32::try_from(local.nanosecond()).unwrap_or(0),
        );
        civil
            .and_then(|civil| self.zone.to_ambiguous_timestamp(civil).compatible())
            .ok()
            .and_then(|instant| {
                OffsetDateTime::from_unix_timestamp_nanos(instant.as_nanosecond()).ok()
            })
            // Only years at the edge of the calendar get here.
            .unwrap_or_else(|| local.assume_utc())
    }

    /// The first millisecond of `day` on the clinic's clocks and of the day after: 24 hours
    /// apart, or 23 and 25 on the days the clocks change.
    pub fn day_millis(&self, day: Date) -> (i64, i64) {
        let start = |day: Date| crate::clock::millis(self.instant(day.midnight()));
        let end = day
            .next_day()
            .map_or_else(|| start(day).saturating_add(86_400_000), start);
        (start(day), end)
    }
}

impl Default for ClinicZone {
    fn default() -> Self {
        Self::utc()
    }
}

impl PartialEq for ClinicZone {
    fn eq(&self, other: &Self) -> bool {
        self.name == other.name
    }
}

impl Eq for ClinicZone {}

impl std::fmt::Debug for ClinicZone {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "ClinicZone({})", self.name)
    }
}

impl std::fmt::Display for ClinicZone {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.name)
    }
}

#[cfg(test)]
mod tests {
    use time::macros::{date, datetime};

    use super::*;

    fn zone(name: &str) -> ClinicZone {
        ClinicZone::parse(name).unwrap()
    }

    #[test]
    fn offsets_follow_the_us_clock_changes_to_the_second() {
        // 2026: clocks go forward on 8 March at 02:00 and back on 1 November at 02:00.
        let table = [
            ("America/New_York", datetime!(2026-01-15 12:00 UTC), -5),
            ("America/New_York", datetime!(2026-03-08 06:59:59 UTC), -5),
            ("America/New_York", datetime!(2026-03-08 07:00 UTC), -4),
            ("America/New_York", datetime!(2026-11-01 05:59:59 UTC), -4),
            ("America/New_York", datetime!(2026-11-01 06:00 UTC), -5),
            ("America/Chicago", datetime!(2026-03-08 07:59:59 UTC), -6),
            ("America/Chicago", datetime!(2026-03-08 08:00 UTC), -5),
            ("America/Denver", datetime!(2026-11-01 07:59:59 UTC), -6),
            ("America/Denver", datetime!(2026-11-01 08:00 UTC), -7),
            ("America/Los_Angeles", datetime!(2026-07-04 12:00 UTC), -7),
            ("America/Los_Angeles", datetime!(2026-12-25 12:00 UTC), -8),
            ("America/Phoenix", datetime!(2026-07-04 12:00 UTC), -7),
            ("America/Phoenix", datetime!(2026-12-25 12:00 UTC), -7),
            ("America/Anchorage", datetime!(2026-07-04 12:00 UTC), -8),
            ("Pacific/Honolulu", datetime!(2026-07-04 12:00 UTC), -10),
            ("America/Puerto_Rico", datetime!(2026-07-04 12:00 UTC), -4),
            ("UTC", datetime!(2026-07-04 12:00 UTC), 0),
        ];
        for (name, at, hours) in table {
            assert_eq!(
                zone(name).offset_at(at),
                UtcOffset::from_hms(hours, 0, 0).unwrap(),
                "{name} at {at}"
            );
        }
    }

    #[test]
    fn clinic_times_become_instants_with_gaps_moving_forward_and_overlaps_taking_the_earlier() {
        let table = [
            // Ordinary days, winter and summer.
            (
                "America/New_York",
                datetime!(2026-01-15 09:30),
                datetime!(2026-01-15 14:30 UTC),
            ),
            (
                "America/New_York",
                datetime!(2026-07-15 09:30),
                datetime!(2026-07-15 13:30 UTC),
            ),
            // Spring forward: 01:59 is still EST, 02:30 does not exist (it is 03:30 EDT), 03:00
            // is EDT.
            (
                "America/New_York",
                datetime!(2026-03-08 01:59),
                datetime!(2026-03-08 06:59 UTC),
            ),
            (
                "America/New_York",
                datetime!(2026-03-08 02:30),
                datetime!(2026-03-08 07:30 UTC),
            ),
            (
                "America/New_York",
                datetime!(2026-03-08 03:00),
                datetime!(2026-03-08 07:00 UTC),
            ),
            // Fall back: 01:30 happens twice; the first (EDT) is taken. 02:00 is EST.
            (
                "America/New_York",
                datetime!(2026-11-01 01:30),
                datetime!(2026-11-01 05:30 UTC),
            ),
            (
                "America/New_York",
                datetime!(2026-11-01 02:00),
                datetime!(2026-11-01 07:00 UTC),
            ),
            (
                "America/Los_Angeles",
                datetime!(2025-03-09 02:15),
                datetime!(2025-03-09 10:15 UTC),
            ),
            (
                "America/Los_Angeles",
                datetime!(2025-11-02 01:15),
                datetime!(2025-11-02 08:15 UTC),
            ),
            (
                "America/Phoenix",
                datetime!(2026-03-08 02:30),
                datetime!(2026-03-08 09:30 UTC),
            ),
            (
                "UTC",
                datetime!(2026-03-08 02:30),
                datetime!(2026-03-08 02:30 UTC),
            ),
        ];
        for (name, local, instant) in table {
            assert_eq!(zone(name).instant(local), instant, "{name} {local}");
        }
    }

    #[test]
    fn an_instant_reads_back_as_the_clinic_time_it_came_from() {
        let new_york = zone("America/New_York");
        let at = new_york.instant(datetime!(2026-12-04 23:30));
        assert_eq!(at, datetime!(2026-12-05 04:30 UTC));
        let local = new_york.local(at);
        assert_eq!(
            (local.date(), local.hour(), local.minute()),
            (date!(2026 - 12 - 04), 23, 30)
        );
        assert_eq!(new_york.today(at), date!(2026 - 12 - 04));
        assert_eq!(new_york.local_millis(crate::clock::millis(at)), local);
    }

    #[test]
    fn a_clinic_day_runs_from_local_midnight_and_is_23_or_25_hours_when_the_clocks_change() {
        let new_york = zone("America/New_York");
        let hour = 3_600_000;
        let table = [
            (date!(2026 - 12 - 04), datetime!(2026-12-04 05:00 UTC), 24),
            (date!(2026 - 03 - 08), datetime!(2026-03-08 05:00 UTC), 23),
            (date!(2026 - 11 - 01), datetime!(2026-11-01 04:00 UTC), 25),
            (date!(2026 - 07 - 01), datetime!(2026-07-01 04:00 UTC), 24),
        ];
        for (day, midnight, hours) in table {
            let (start, end) = new_york.day_millis(day);
            assert_eq!(start, crate::clock::millis(midnight), "{day}");
            assert_eq!(end - start, hours * hour, "{day}");
        }
        assert_eq!(
            ClinicZone::utc().day_millis(date!(1970 - 01 - 02)),
            (86_400_000, 172_800_000)
        );
    }

    #[test]
    fn names_are_iana_names_and_anything_else_is_refused_with_the_value() {
        assert_eq!(zone("america/new_york").name(), "America/New_York");
        assert!(zone("Etc/UTC").is_utc());
        assert!(zone("utc").is_utc());
        assert!(!zone("Europe/Madrid").is_utc());
        for bad in ["Mars/Olympus_Mons", "", "+05:00", "EST5EDT,M3.2.0,M11.1.0"] {
            let error = ClinicZone::parse(bad).unwrap_err();
            assert!(error.to_string().contains(&format!("`{bad}`")), "{error}");
        }
        assert_eq!(
            format!("{:?}", zone("America/Chicago")),
            "ClinicZone(America/Chicago)"
        );
    }
}
