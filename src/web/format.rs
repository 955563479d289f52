//! How times and languages read on staff pages.

use crate::clock::from_millis;

/// `23 Nov 2026, 09:00` (UTC until clinics get a time-zone setting).
pub fn when(millis: i64) -> String {
    let at = from_millis(millis);
    let month = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ][usize::from(u8::from(at.month())) - 1];
    format!(
        "{} {month} {}, {:02}:{:02}",
        at.day(),
        at.year(),
        at.hour(),
        at.minute()
    )
}

/// How long ago, coarsely: `just now`, `12 min`, `3 h`, `2 d`.
pub fn age(millis: i64, now: i64) -> String {
    let minutes = (now - millis).max(0) / 60_000;
    match minutes {
        0 => "just now".to_owned(),
        1..=59 => format!("{minutes} min"),
        60..=2879 => format!("{} h", minutes / 60),
        _ => format!("{} d", minutes / 1440),
    }
}

/// The language a patient answered in, for staff: "Answered in Vietnamese". The language's
/// English name comes from its own folder (`locales/<code>/meta.ftl`), so a new language needs
/// no code here either.
pub fn answered_in(code: Option<&str>) -> String {
    match code {
        None => "Answered in a language not recorded".to_owned(),
        Some(code) => match crate::i18n::Language::parse(code) {
            Some(language) => format!("Answered in {}", language.text("language-english-name")),
            None => format!("Answered in another language ({code})"),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_and_ages_read_plainly() {
        let at = crate::clock::millis(time::macros::datetime!(2026-11-23 09:05 UTC));
        assert_eq!(when(at), "23 Nov 2026, 09:05");
        assert_eq!(age(0, 30_000), "just now");
        assert_eq!(age(0, 12 * 60_000), "12 min");
        assert_eq!(age(0, 3 * 3_600_000), "3 h");
        assert_eq!(age(0, 50 * 3_600_000), "2 d");
    }
}
