//! A patient's date of birth: a real calendar date, not in the future, at most 130 years ago.

use std::fmt;

use serde::{Deserialize, Serialize};
use time::{Date, Month, macros::format_description};

/// A date of birth. Its `Debug` output is redacted: a birth date is PHI.
#[derive(Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct BirthDate(Date);

/// Why a typed date of birth was not accepted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum BirthDateError {
    /// Not a date in `YYYY-MM-DD` form (what `<input type=date>` sends).
    #[error("Enter the date as month, day and year.")]
    NotADate,
    /// A date after today.
    #[error("A date of birth cannot be in the future.")]
    InTheFuture,
    /// More than 130 years ago.
    #[error("That date is more than 130 years ago.")]
    TooLongAgo,
}

impl BirthDate {
    /// Parses `YYYY-MM-DD` and checks it against `today`.
    pub fn parse(raw: &str, today: Date) -> Result<Self, BirthDateError> {
        let date = Self::parse_calendar_date(raw)?;
        if date > today {
            return Err(BirthDateError::InTheFuture);
        }
        if today.year() - date.year() > 130 {
            return Err(BirthDateError::TooLongAgo);
        }
        Ok(Self(date))
    }

    /// Parses a date the chart already holds (FHIR `date`), without the plausibility checks.
    pub fn from_chart(raw: &str) -> Result<Self, BirthDateError> {
        Self::parse_calendar_date(raw).map(Self)
    }

    fn parse_calendar_date(raw: &str) -> Result<Date, BirthDateError> {
        let format = format_description!("[year]-[month]-[day]");
        Date::parse(raw.trim(), &format).map_err(|_| BirthDateError::NotADate)
    }

    /// The calendar date.
    pub fn date(self) -> Date {
        self.0
    }

    /// Age in whole years on `today`.
    pub fn age_on(self, today: Date) -> i32 {
        let mut age = today.year() - self.0.year();
        if (today.month() as u8, today.day()) < (self.0.month() as u8, self.0.day()) {
            age -= 1;
        }
        age
    }

    /// The date as FHIR writes it (`YYYY-MM-DD`).
    pub fn to_fhir(self) -> String {
        let (year, month, day) = (self.0.year(), u8::from(self.0.month()), self.0.day());
        format!("{year:04}-{month:02}-{day:02}")
    }

    /// The date for people, e.g. `14 March 1961`.
    pub fn to_display(self) -> String {
        let month = match self.0.month() {
            Month::January => "January",
            Month::February => "February",
            Month::March => "March",
            Month::April => "April",
            Month::May => "May",
            Month::June => "June",
            Month::July => "July",
            Month::August => "August",
            Month::September => "September",
            Month::October => "October",
            Month::November => "November",
            Month::December => "December",
        };
        format!("{} {month} {}", self.0.day(), self.0.year())
    }
}

impl fmt::Debug for BirthDate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("BirthDate([redacted])")
    }
}

impl TryFrom<String> for BirthDate {
    type Error = BirthDateError;
    fn try_from(raw: String) -> Result<Self, Self::Error> {
        Self::from_chart(&raw)
    }
}

impl From<BirthDate> for String {
    fn from(date: BirthDate) -> Self {
        date.to_fhir()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    const TODAY: Date = date!(2026 - 11 - 22);

    #[test]
    fn a_real_past_date_is_accepted() {
        let dob = BirthDate::parse("1961-03-14", TODAY).unwrap();
        assert_eq!(dob.to_fhir(), "1961-03-14");
        assert_eq!(dob.to_display(), "14 March 1961");
    }

    #[test]
    fn impossible_future_and_ancient_dates_are_rejected() {
        assert_eq!(
            BirthDate::parse("1961-02-30", TODAY),
            Err(BirthDateError::NotADate)
        );
        assert_eq!(
            BirthDate::parse("14/03/1961", TODAY),
            Err(BirthDateError::NotADate)
        );
        assert_eq!(
            BirthDate::parse("2026-11-23", TODAY),
            Err(BirthDateError::InTheFuture)
        );
        assert_eq!(
            BirthDate::parse("1890-01-01", TODAY),
            Err(BirthDateError::TooLongAgo)
        );
    }

    #[test]
    fn age_counts_a_birthday_only_once_it_has_passed() {
        let dob = BirthDate::parse("2000-11-23", TODAY).unwrap();
        assert_eq!(dob.age_on(TODAY), 25);
        assert_eq!(dob.age_on(date!(2026 - 11 - 23)), 26);
    }

    #[test]
    fn debug_output_never_shows_the_date() {
        let dob = BirthDate::parse("1961-03-14", TODAY).unwrap();
        assert_eq!(format!("{dob:?}"), "BirthDate([redacted])");
    }
}
