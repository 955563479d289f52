//! Dates of birth as day, month and year fields in the language's order (the pattern GOV.UK
//! uses), never a date picker: a picker shows mm/dd/yyyy whatever the language and a calendar
//! for a 1958 birth year. The parts post as `dd.<key>`, `dm.<key>` and `dy.<key>` and are
//! joined into the answer field `a.<key>` before anything reads the page.
//! <https://design-system.service.gov.uk/components/date-input/>

use crate::web::i18n::Texts;

const DAY: &str = "dd.";
const MONTH: &str = "dm.";
const YEAR: &str = "dy.";

/// One of the three boxes.
#[derive(Debug, Clone)]
pub struct DatePartView {
    /// The input's HTML id (`<field id>-day`).
    pub id: String,
    /// The posted name (`dd.<key>`).
    pub name: String,
    /// Its label (Day, Month, Year).
    pub label: String,
    /// What is in it.
    pub value: String,
    /// Its `autocomplete` token (`bday-day`.., after the item's `section-*` if any).
    pub autocomplete: String,
    /// Its width: `w2` for day and month, `w4` for the year.
    pub width: &'static str,
}

/// The posted fields with each date typed in parts joined into its answer field `<prefix><key>`
/// as `YYYY-MM-DD` (empty when all three are empty), so a wrong part fails as a date would.
pub fn join_parts(posted: Vec<(String, String)>, prefix: &str) -> Vec<(String, String)> {
    let part = |kind: &str, key: &str| {
        posted
            .iter()
            .find(|(name, _)| name.strip_prefix(kind) == Some(key))
            .map_or("", |(_, value)| value.trim())
    };
    let mut joined = Vec::new();
    for (name, _) in &posted {
        let Some(key) = name.strip_prefix(YEAR) else {
            continue;
        };
        let (year, month, day) = (part(YEAR, key), part(MONTH, key), part(DAY, key));
        let value = if year.is_empty() && month.is_empty() && day.is_empty() {
            String::new()
        } else {
            format!("{year}-{}-{}", two_digits(month), two_digits(day))
        };
        joined.push((format!("{prefix}{key}"), value));
    }
    let mut out: Vec<(String, String)> = posted
        .into_iter()
        .filter(|(name, _)| ![DAY, MONTH, YEAR].iter().any(|p| name.starts_with(p)))
        .collect();
    out.extend(joined);
    out
}

/// `7` as `07`; anything else as typed.
fn two_digits(part: &str) -> String {
    if part.len() == 1 && part.bytes().all(|b| b.is_ascii_digit()) {
        format!("0{part}")
    } else {
        part.to_owned()
    }
}

/// The three boxes of the date field `id` posting under `key`, holding `value` (`YYYY-MM-DD`
/// saved, or as typed), in the order the language writes dates; `section` prefixes their
/// autofill names (`section-subscriber `) for someone else's date of birth.
pub fn parts(id: &str, key: &str, value: &str, section: &str, m: &Texts) -> Vec<DatePartView> {
    let mut split = value.splitn(3, '-');
    let (year, month, day) = (
        split.next().unwrap_or(""),
        split.next().unwrap_or(""),
        split.next().unwrap_or(""),
    );
    let part = |kind: &str,
                suffix: &str,
                label: String,
                value: &str,
                autocomplete: &'static str,
                width: &'static str| DatePartView {
        id: format!("{id}-{suffix}"),
        name: format!("{kind}{key}"),
        label,
        value: value.to_owned(),
        autocomplete: format!("{section}{autocomplete}"),
        width,
    };
    let day = part(DAY, "day", m.date_day(), day, "bday-day", "w2");
    let month = part(MONTH, "month", m.date_month(), month, "bday-month", "w2");
    let year = part(YEAR, "year", m.date_year(), year, "bday-year", "w4");
    if m.date_day_first() {
        vec![day, month, year]
    } else {
        vec![month, day, year]
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::web::i18n::{Language, Texts};

    fn posted(fields: &[(&str, &str)]) -> Vec<(String, String)> {
        fields
            .iter()
            .map(|(n, v)| ((*n).to_owned(), (*v).to_owned()))
            .collect()
    }

    #[test]
    fn three_boxes_join_into_one_iso_date_and_one_digit_parts_are_padded() {
        let joined = join_parts(
            posted(&[
                ("csrf", "x"),
                ("dd.dob", "7"),
                ("dm.dob", "3"),
                ("dy.dob", "1958"),
            ]),
            "a.",
        );
        assert_eq!(joined, posted(&[("csrf", "x"), ("a.dob", "1958-03-07")]));
    }

    #[test]
    fn empty_boxes_are_no_answer_and_a_wrong_part_stays_as_typed() {
        let joined = join_parts(posted(&[("dd.d", ""), ("dm.d", ""), ("dy.d", "")]), "a.");
        assert_eq!(joined, posted(&[("a.d", "")]));
        let joined = join_parts(
            posted(&[("dd.d", "31"), ("dm.d", "13"), ("dy.d", "")]),
            "a.",
        );
        assert_eq!(joined, posted(&[("a.d", "-13-31")]));
        let boxes = parts("f-d", "d", "-13-31", "", &Texts::new(*Language::english()));
        let values: Vec<&str> = boxes.iter().map(|b| b.value.as_str()).collect();
        assert_eq!(values, ["13", "31", ""]);
    }

    #[test]
    fn english_asks_month_first_and_spanish_and_vietnamese_day_first() {
        let order = |code: &str| -> Vec<String> {
            let texts = Texts::new(Language::parse(code).unwrap());
            parts("f-dob", "dob", "1958-03-27", "", &texts)
                .into_iter()
                .map(|b| format!("{}={}", b.autocomplete, b.value))
                .collect()
        };
        assert_eq!(
            order("en"),
            ["bday-month=03", "bday-day=27", "bday-year=1958"]
        );
        assert_eq!(
            order("es"),
            ["bday-day=27", "bday-month=03", "bday-year=1958"]
        );
        assert_eq!(order("vi"), order("es"));
    }
}
