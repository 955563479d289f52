//! Time as the core handles it: epoch milliseconds (how drafts and the store keep time) and FHIR
//! instants. Reading the time is the edge's business (`intake::clock`): the core is given it.

use time::OffsetDateTime;

/// Epoch milliseconds of a time.
pub fn millis(at: OffsetDateTime) -> i64 {
    i64::try_from(at.unix_timestamp_nanos() / 1_000_000).unwrap_or(i64::MAX)
}

/// The time at epoch milliseconds.
pub fn from_millis(millis: i64) -> OffsetDateTime {
    OffsetDateTime::from_unix_timestamp_nanos(i128::from(millis) * 1_000_000)
        .unwrap_or(OffsetDateTime::UNIX_EPOCH)
}

/// A FHIR `instant`/`dateTime` in UTC, e.g. `2026-11-22T10:00:00.123Z`.
pub fn fhir_instant(at: OffsetDateTime) -> String {
    let at = at.to_offset(time::UtcOffset::UTC);
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z",
        at.year(),
        u8::from(at.month()),
        at.day(),
        at.hour(),
        at.minute(),
        at.second(),
        at.millisecond()
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn millis_round_trip_and_instants_are_fhir_shaped() {
        let at = datetime!(2026-11-22 10:00:00.123 UTC);
        assert_eq!(from_millis(millis(at)), at);
        assert_eq!(fhir_instant(at), "2026-11-22T10:00:00.123Z");
    }
}
