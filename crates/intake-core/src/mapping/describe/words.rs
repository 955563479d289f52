//! FHIR values as phrases: codes and concepts, statuses, dates, quantities. The words are
//! message ids of `locales/<language>/changes.ftl`; what the record or the patient wrote stays
//! as written.

use serde_json::Value;

use crate::domain::{Joiner, Phrase};

/// Known code systems by the names clinicians use (proper names, the same in every language).
const SYSTEMS: [(&str, &str); 7] = [
    ("http://snomed.info/sct", "SNOMED CT"),
    ("http://www.nlm.nih.gov/research/umls/rxnorm", "RxNorm"),
    ("http://loinc.org", "LOINC"),
    ("http://hl7.org/fhir/sid/icd-10-cm", "ICD-10-CM"),
    ("http://hl7.org/fhir/sid/icd-10", "ICD-10"),
    ("http://hl7.org/fhir/sid/ndc", "NDC"),
    ("http://unitsofmeasure.org", "UCUM"),
];

/// The codes Intake shows in words, from the value sets of the statuses, criticality and sex
/// it describes, with their message ids. Each message has an `.in-sentence` form.
pub(crate) const CODES: [(&str, &str); 31] = [
    ("active", "fhir-code-active"),
    ("inactive", "fhir-code-inactive"),
    ("resolved", "fhir-code-resolved"),
    ("recurrence", "fhir-code-recurrence"),
    ("relapse", "fhir-code-relapse"),
    ("remission", "fhir-code-remission"),
    ("unconfirmed", "fhir-code-unconfirmed"),
    ("provisional", "fhir-code-provisional"),
    ("differential", "fhir-code-differential"),
    ("confirmed", "fhir-code-confirmed"),
    ("refuted", "fhir-code-refuted"),
    ("entered-in-error", "fhir-code-entered-in-error"),
    ("intended", "fhir-code-intended"),
    ("stopped", "fhir-code-stopped"),
    ("on-hold", "fhir-code-on-hold"),
    ("completed", "fhir-code-completed"),
    ("not-taken", "fhir-code-not-taken"),
    ("unknown", "fhir-code-unknown"),
    ("registered", "fhir-code-registered"),
    ("preliminary", "fhir-code-preliminary"),
    ("final", "fhir-code-final"),
    ("amended", "fhir-code-amended"),
    ("corrected", "fhir-code-corrected"),
    ("cancelled", "fhir-code-cancelled"),
    ("in-progress", "fhir-code-in-progress"),
    ("low", "fhir-code-low"),
    ("high", "fhir-code-high"),
    ("unable-to-assess", "fhir-code-unable-to-assess"),
    ("male", "fhir-code-male"),
    ("female", "fhir-code-female"),
    ("other", "fhir-code-other"),
];

/// The short names of the months, `1` to `12`; each has an `.in-sentence` form.
pub(crate) const MONTHS: [&str; 12] = [
    "month-short-1",
    "month-short-2",
    "month-short-3",
    "month-short-4",
    "month-short-5",
    "month-short-6",
    "month-short-7",
    "month-short-8",
    "month-short-9",
    "month-short-10",
    "month-short-11",
    "month-short-12",
];

/// What a CodeableConcept names: its text, else its first coding's display, else its code.
pub(super) fn concept(value: &Value) -> Option<String> {
    let text = value["text"]
        .as_str()
        .map(str::trim)
        .filter(|t| !t.is_empty());
    text.map(str::to_owned).or_else(|| {
        value["coding"].as_array()?.iter().find_map(|coding| {
            coding["display"]
                .as_str()
                .or_else(|| coding["code"].as_str())
                .map(str::to_owned)
        })
    })
}

/// The codes of a CodeableConcept, e.g. "SNOMED CT 91936005"; "not coded" when it has none,
/// which is what an EHR that requires a coded entry refuses.
pub(super) fn codes(value: &Value) -> Phrase {
    let codes: Vec<String> = value["coding"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|coding| {
            let code = coding["code"].as_str()?;
            let system = coding["system"].as_str().unwrap_or_default();
            let name = SYSTEMS
                .iter()
                .find(|(uri, _)| *uri == system)
                .map_or(system, |(_, name)| name);
            Some(if name.is_empty() {
                code.to_owned()
            } else {
                format!("{name} {code}")
            })
        })
        .collect();
    if codes.is_empty() {
        Phrase::said("describe-not-coded")
    } else {
        joined(
            codes.into_iter().map(Phrase::Verbatim).collect(),
            Joiner::Comma,
        )
    }
}

/// `items` as one list, or the one item alone.
pub(super) fn joined(mut items: Vec<Phrase>, by: Joiner) -> Phrase {
    if items.len() == 1 {
        items.remove(0)
    } else {
        Phrase::Joined { items, by }
    }
}

/// The code of a terminology CodeableConcept (`clinicalStatus`, `verificationStatus`) or a
/// plain `code` element, in words.
pub(super) fn status(value: &Value) -> Option<Phrase> {
    let code = value.as_str().or_else(|| {
        value["coding"]
            .as_array()?
            .iter()
            .find_map(|c| c["code"].as_str())
    })?;
    Some(code_in_words(code))
}

/// `on-hold` → "On hold", `unconfirmed` → "Unconfirmed (as the patient reported it)". A code
/// outside the value sets Intake describes is shown as the code, spaced and capitalised.
pub(super) fn code_in_words(code: &str) -> Phrase {
    if let Some((_, id)) = CODES.iter().find(|(known, _)| *known == code) {
        return Phrase::said(id);
    }
    let spaced = code.replace('-', " ");
    let mut chars = spaced.chars();
    Phrase::Verbatim(chars.next().map_or_else(String::new, |first| {
        first.to_uppercase().chain(chars).collect()
    }))
}

/// A FHIR date or dateTime as a date people read: `4 Mar 2019`, `Mar 2019`, `2019`.
pub(super) fn date(text: &str) -> Phrase {
    let day_part = text.split('T').next().unwrap_or(text);
    let mut parts = day_part.split('-');
    let (year, month, day) = (parts.next(), parts.next(), parts.next());
    let month = month
        .and_then(|m| m.parse::<usize>().ok())
        .and_then(|m| MONTHS.get(m.wrapping_sub(1)))
        .map(|id| Phrase::said(id));
    let year_of = |year: &str| Phrase::verbatim(year);
    match (year, month, day.and_then(|d| d.parse::<u8>().ok())) {
        (Some(year), Some(month), Some(day)) => Phrase::composed(
            "describe-date-day",
            vec![
                ("day", Phrase::Verbatim(day.to_string())),
                ("month", month),
                ("year", year_of(year)),
            ],
        ),
        (Some(year), Some(month), None) => Phrase::composed(
            "describe-date-month",
            vec![("month", month), ("year", year_of(year))],
        ),
        (Some(year), None, _) => year_of(year),
        _ => Phrase::verbatim(text),
    }
}

/// Yes or no.
pub(super) fn yes_no(yes: bool) -> Phrase {
    Phrase::said(if yes { "describe-yes" } else { "describe-no" })
}

/// A Quantity: `37.5 °C`, `120 mm[Hg]` shows its unit as written.
pub(super) fn quantity(value: &Value) -> Option<String> {
    let number = match &value["value"] {
        Value::Number(n) => n.to_string(),
        _ => return None,
    };
    // A UCUM annotation alone (`{score}`) is no unit to a reader.
    let unit = value["unit"]
        .as_str()
        .or_else(|| value["code"].as_str())
        .filter(|unit| !(unit.starts_with('{') && unit.ends_with('}')));
    Some(match unit {
        Some(unit) if !unit.is_empty() => format!("{number} {unit}"),
        _ => number,
    })
}

/// The `note[].text` of a resource, joined by line breaks.
pub(super) fn notes(resource: &Value) -> Option<String> {
    let texts: Vec<&str> = resource["note"]
        .as_array()?
        .iter()
        .filter_map(|n| n["text"].as_str())
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .collect();
    (!texts.is_empty()).then(|| texts.join("\n"))
}
