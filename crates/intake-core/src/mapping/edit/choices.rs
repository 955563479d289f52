//! The statuses staff choose in plain words, and a code chosen from a code list.

use serde_json::{Value, json};

use crate::domain::Message;

/// One status as staff choose it: the FHIR code, its display, and the words on the page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StatusChoice {
    /// The FHIR code.
    pub code: &'static str,
    /// The code system's display, for the Coding (FHIR's own words, not the page's).
    pub display: &'static str,
    /// The message id of what staff read (`locales/<language>/changes.ftl`).
    pub words_id: &'static str,
}

impl StatusChoice {
    /// What staff read.
    pub fn words(&self) -> Message {
        Message::new(self.words_id)
    }
}

const fn choice(code: &'static str, display: &'static str, words_id: &'static str) -> StatusChoice {
    StatusChoice {
        code,
        display,
        words_id,
    }
}

/// `MedicationStatement.status` in the words of someone asked about a medicine.
/// Spec: <https://hl7.org/fhir/R4/valueset-medication-statement-status.html>
pub const MEDICATION_STATUSES: [StatusChoice; 8] = [
    choice("active", "Active", "edit-medication-active"),
    choice("intended", "Intended", "edit-medication-intended"),
    choice("on-hold", "On Hold", "edit-medication-on-hold"),
    choice("stopped", "Stopped", "edit-medication-stopped"),
    choice("completed", "Completed", "edit-medication-completed"),
    choice("not-taken", "Not Taken", "edit-medication-not-taken"),
    choice("unknown", "Unknown", "edit-medication-unknown"),
    choice(
        "entered-in-error",
        "Entered in Error",
        "edit-medication-entered-in-error",
    ),
];

/// `AllergyIntolerance.clinicalStatus`.
/// Spec: <https://hl7.org/fhir/R4/valueset-allergyintolerance-clinical.html>
pub const ALLERGY_CLINICAL: [StatusChoice; 3] = [
    choice("active", "Active", "edit-allergy-clinical-active"),
    choice("inactive", "Inactive", "edit-allergy-clinical-inactive"),
    choice("resolved", "Resolved", "edit-allergy-clinical-resolved"),
];

/// `AllergyIntolerance.verificationStatus`.
/// Spec: <https://hl7.org/fhir/R4/valueset-allergyintolerance-verification.html>
pub const ALLERGY_VERIFICATION: [StatusChoice; 4] = [
    choice(
        "unconfirmed",
        "Unconfirmed",
        "edit-allergy-verification-unconfirmed",
    ),
    choice(
        "confirmed",
        "Confirmed",
        "edit-allergy-verification-confirmed",
    ),
    choice("refuted", "Refuted", "edit-allergy-verification-refuted"),
    choice(
        "entered-in-error",
        "Entered in Error",
        "edit-allergy-verification-entered-in-error",
    ),
];

/// `Condition.clinicalStatus`.
/// Spec: <https://hl7.org/fhir/R4/valueset-condition-clinical.html>
pub const CONDITION_CLINICAL: [StatusChoice; 6] = [
    choice("active", "Active", "edit-condition-clinical-active"),
    choice(
        "recurrence",
        "Recurrence",
        "edit-condition-clinical-recurrence",
    ),
    choice("relapse", "Relapse", "edit-condition-clinical-relapse"),
    choice("inactive", "Inactive", "edit-condition-clinical-inactive"),
    choice(
        "remission",
        "Remission",
        "edit-condition-clinical-remission",
    ),
    choice("resolved", "Resolved", "edit-condition-clinical-resolved"),
];

/// `Condition.verificationStatus`.
/// Spec: <https://hl7.org/fhir/R4/valueset-condition-ver-status.html>
pub const CONDITION_VERIFICATION: [StatusChoice; 6] = [
    choice(
        "unconfirmed",
        "Unconfirmed",
        "edit-condition-verification-unconfirmed",
    ),
    choice(
        "provisional",
        "Provisional",
        "edit-condition-verification-provisional",
    ),
    choice(
        "differential",
        "Differential",
        "edit-condition-verification-differential",
    ),
    choice(
        "confirmed",
        "Confirmed",
        "edit-condition-verification-confirmed",
    ),
    choice("refuted", "Refuted", "edit-condition-verification-refuted"),
    choice(
        "entered-in-error",
        "Entered in Error",
        "edit-condition-verification-entered-in-error",
    ),
];

/// The code of a status element: a plain `code` (`MedicationStatement.status`) or a
/// terminology CodeableConcept's first coding.
pub(super) fn status_code(value: &Value) -> String {
    value
        .as_str()
        .or_else(|| value["coding"][0]["code"].as_str())
        .unwrap_or_default()
        .to_owned()
}

/// A terminology CodeableConcept for `choice` in `code_system` (under
/// `http://terminology.hl7.org/CodeSystem/`).
pub(super) fn status_concept(code_system: &str, choice: &StatusChoice) -> Value {
    json!({ "coding": [{
        "system": format!("http://terminology.hl7.org/CodeSystem/{code_system}"),
        "code": choice.code,
        "display": choice.display,
    }] })
}

/// The code systems a chosen code may come from.
pub const CODE_SYSTEMS: [(&str, &str); 2] = [
    ("http://www.nlm.nih.gov/research/umls/rxnorm", "RxNorm"),
    ("http://snomed.info/sct", "SNOMED CT"),
];

/// The longest code or display a chosen code may have.
const MAX_CODE_CHARS: usize = 64;
const MAX_DISPLAY_CHARS: usize = 500;

/// A code chosen from a code list, as the edit form carries it: `system|code|display`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChosenCode {
    /// The code system's URI: RxNorm or SNOMED CT.
    pub system: String,
    /// The code.
    pub code: String,
    /// Its words in the code list.
    pub display: String,
}

/// What the edit form's code field says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CodeChoice {
    /// Leave the entry uncoded: the words alone.
    None,
    /// Code it so.
    Code(ChosenCode),
}

impl ChosenCode {
    /// The form value: `system|code|display`.
    pub fn form_value(&self) -> String {
        format!("{}|{}|{}", self.system, self.code, self.display)
    }

    /// "RxNorm 6809", as clinicians name a code.
    pub fn system_and_code(&self) -> String {
        let name = CODE_SYSTEMS
            .iter()
            .find(|(uri, _)| *uri == self.system)
            .map_or(self.system.as_str(), |(_, name)| name);
        format!("{name} {}", self.code)
    }

    /// The first coding of `concept` from an accepted system, if it has one.
    pub fn of_concept(concept: &Value) -> Option<Self> {
        concept["coding"].as_array()?.iter().find_map(|coding| {
            let system = coding["system"].as_str()?;
            let code = coding["code"].as_str()?;
            CODE_SYSTEMS
                .iter()
                .any(|(uri, _)| *uri == system)
                .then(|| Self {
                    system: system.to_owned(),
                    code: code.to_owned(),
                    display: coding["display"].as_str().unwrap_or(code).to_owned(),
                })
        })
    }
}

/// What staff read beside a code not from the lists: a message id of
/// `locales/<language>/changes.ftl`.
pub const CODE_NOT_LISTED: &str = "edit-error-code-not-listed";

impl CodeChoice {
    /// Reads the form value: empty or `none` for no code, else `system|code|display` with an
    /// accepted system, a code of letters and digits, and a display.
    /// A refused value is [`CODE_NOT_LISTED`], a message id.
    pub fn parse(raw: &str) -> Result<Self, &'static str> {
        let raw = raw.trim();
        if raw.is_empty() || raw == "none" {
            return Ok(Self::None);
        }
        let refused = || CODE_NOT_LISTED;
        let mut parts = raw.splitn(3, '|');
        let (Some(system), Some(code), Some(display)) = (parts.next(), parts.next(), parts.next())
        else {
            return Err(refused());
        };
        let (code, display) = (code.trim(), display.trim());
        let fits = CODE_SYSTEMS.iter().any(|(uri, _)| *uri == system)
            && !code.is_empty()
            && code.len() <= MAX_CODE_CHARS
            && code
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '.')
            && !display.is_empty()
            && display.chars().count() <= MAX_DISPLAY_CHARS;
        if !fits {
            return Err(refused());
        }
        Ok(Self::Code(ChosenCode {
            system: system.to_owned(),
            code: code.to_owned(),
            display: display.to_owned(),
        }))
    }
}
