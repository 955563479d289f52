//! FHIR values in plain words: codes and concepts, statuses, dates, quantities.

use serde_json::Value;

/// Known code systems by the names clinicians use.
const SYSTEMS: [(&str, &str); 7] = [
    ("http://snomed.info/sct", "SNOMED CT"),
    ("http://www.nlm.nih.gov/research/umls/rxnorm", "RxNorm"),
    ("http://loinc.org", "LOINC"),
    ("http://hl7.org/fhir/sid/icd-10-cm", "ICD-10-CM"),
    ("http://hl7.org/fhir/sid/icd-10", "ICD-10"),
    ("http://hl7.org/fhir/sid/ndc", "NDC"),
    ("http://unitsofmeasure.org", "UCUM"),
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
pub(super) fn codes(value: &Value) -> String {
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
        "not coded".to_owned()
    } else {
        codes.join(", ")
    }
}

/// The code of a terminology CodeableConcept (`clinicalStatus`, `verificationStatus`) or a
/// plain `code` element, in words.
pub(super) fn status(value: &Value) -> Option<String> {
    let code = value.as_str().or_else(|| {
        value["coding"]
            .as_array()?
            .iter()
            .find_map(|c| c["code"].as_str())
    })?;
    Some(code_in_words(code))
}

/// `on-hold` → "On hold", `unconfirmed` → "Unconfirmed (as the patient reported it)".
pub(super) fn code_in_words(code: &str) -> String {
    match code {
        "unconfirmed" => "Unconfirmed (as the patient reported it)".to_owned(),
        "provisional" => "Provisional".to_owned(),
        "not-taken" => "Not taken".to_owned(),
        "entered-in-error" => "Entered in error".to_owned(),
        other => {
            let spaced = other.replace('-', " ");
            let mut chars = spaced.chars();
            chars.next().map_or_else(String::new, |first| {
                first.to_uppercase().chain(chars).collect()
            })
        }
    }
}

/// A FHIR date or dateTime as a date people read: `4 Mar 2019`, `Mar 2019`, `2019`.
pub(super) fn date(text: &str) -> String {
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let day_part = text.split('T').next().unwrap_or(text);
    let mut parts = day_part.split('-');
    let (year, month, day) = (parts.next(), parts.next(), parts.next());
    let month_name = month
        .and_then(|m| m.parse::<usize>().ok())
        .and_then(|m| MONTHS.get(m.wrapping_sub(1)));
    match (year, month_name, day.and_then(|d| d.parse::<u8>().ok())) {
        (Some(year), Some(month), Some(day)) => format!("{day} {month} {year}"),
        (Some(year), Some(month), None) => format!("{month} {year}"),
        (Some(year), None, _) => year.to_owned(),
        _ => text.to_owned(),
    }
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

/// How a change is named in a headline: "Penicillin allergy", "Lisinopril 10 mg".
pub(super) fn title(kind: &str, subject: &str) -> String {
    let lower = subject.to_lowercase();
    match kind {
        "Allergy" if !lower.contains("allerg") => format!("{subject} allergy"),
        "Demographics" => format!("Details of {subject}"),
        "Answers" => format!("Answers to {subject}"),
        _ => subject.to_owned(),
    }
}
