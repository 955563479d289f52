//! How times and languages read on staff pages, times on the clinic's clocks.

use super::staff_texts::StaffTexts;
use crate::{domain::ClinicZone, forms::FormId, intake::FormCatalog};

/// A form as staff know it: its title with its id, "Before your visit (previsit-basic)", as
/// two forms may share a title; the id alone when no form in service has it.
pub fn form_name(forms: &FormCatalog, id: &str) -> String {
    match FormId::parse(id).and_then(|id| forms.get(&id)) {
        Some(form) => StaffTexts.form_named(
            form.title.in_language(StaffTexts.language().code()),
            form.id.as_str(),
        ),
        None => id.to_owned(),
    }
}

/// `23 Nov 2026, 09:00`, on the clinic's clocks.
pub fn when(zone: &ClinicZone, millis: i64) -> String {
    let at = zone.local_millis(millis);
    StaffTexts.time_at(
        at.day(),
        u8::from(at.month()),
        at.year(),
        format!("{:02}:{:02}", at.hour(), at.minute()),
    )
}

/// `09:00`, on the clinic's clocks.
pub fn time_of_day(zone: &ClinicZone, millis: i64) -> String {
    let at = zone.local_millis(millis);
    format!("{:02}:{:02}", at.hour(), at.minute())
}

/// How long ago, coarsely: `just now`, `12 min`, `3 h`, `2 d`.
pub fn age(millis: i64, now: i64) -> String {
    let minutes = (now - millis).max(0) / 60_000;
    match minutes {
        0 => StaffTexts.age_just_now(),
        1..=59 => StaffTexts.age_minutes(minutes),
        60..=2879 => StaffTexts.age_hours(minutes / 60),
        _ => StaffTexts.age_days(minutes / 1440),
    }
}

/// The language a patient answered in, for staff: "Answered in Vietnamese". The language's
/// English name comes from its own folder (`locales/<code>/meta.ftl`), so a new language needs
/// no code here either.
pub fn answered_in(code: Option<&str>) -> String {
    match code {
        None => StaffTexts.answered_in_unknown(),
        Some(code) => match crate::i18n::Language::parse(code) {
            Some(language) => StaffTexts.answered_in(language.text("language-english-name")),
            None => StaffTexts.answered_in_other(code),
        },
    }
}

/// A message's purpose in words: "Invitation", "Reminder".
pub fn purpose(code: &str) -> String {
    match code {
        "invitation" => StaffTexts.purpose_invitation(),
        "reminder" => StaffTexts.purpose_reminder(),
        "one_time_code" => StaffTexts.purpose_one_time_code(),
        "urgent_alert" => StaffTexts.purpose_urgent_alert(),
        _ => StaffTexts.purpose_other(),
    }
}

/// How a message goes, in words: "Email", "Text message".
pub fn channel(code: &str) -> String {
    match code {
        "email" => StaffTexts.channel_email(),
        "sms" => StaffTexts.channel_sms(),
        "webhook" => StaffTexts.channel_webhook(),
        "log" => StaffTexts.channel_log(),
        _ => StaffTexts.channel_other(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_and_ages_read_plainly() {
        let at = crate::clock::millis(time::macros::datetime!(2026-11-23 09:05 UTC));
        assert_eq!(when(&ClinicZone::utc(), at), "23 Nov 2026, 09:05");
        assert_eq!(age(0, 30_000), "just now");
        assert_eq!(age(0, 12 * 60_000), "12 min");
        assert_eq!(age(0, 3 * 3_600_000), "3 h");
        assert_eq!(age(0, 50 * 3_600_000), "2 d");
    }

    #[test]
    fn times_read_on_the_clinics_clocks() {
        let new_york = ClinicZone::parse("America/New_York").unwrap();
        let winter = crate::clock::millis(time::macros::datetime!(2026-12-04 14:30 UTC));
        let summer = crate::clock::millis(time::macros::datetime!(2026-07-01 02:15 UTC));
        assert_eq!(when(&new_york, winter), "4 Dec 2026, 09:30");
        assert_eq!(when(&new_york, summer), "30 Jun 2026, 22:15");
        assert_eq!(time_of_day(&new_york, winter), "09:30");
    }
}
