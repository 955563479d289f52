//! An EHR `Appointment` as the schedule sync reads it, and the facts about a visit that the
//! form rules look at. Pure: the caller hands in FHIR JSON and gets typed values back.
//! Spec: <https://hl7.org/fhir/R4/appointment.html>

use std::fmt;

use serde_json::Value;
use time::OffsetDateTime;

/// A code as rules name it and appointments carry it: a system and a code, or a code alone
/// (which a rule then matches in any system).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Code {
    /// The code system's URI, when known.
    pub system: Option<String>,
    /// The code.
    pub code: String,
}

impl Code {
    /// Reads `system|code` or `code`.
    pub fn parse(text: &str) -> Option<Self> {
        let text = text.trim();
        let (system, code) = match text.rsplit_once('|') {
            Some((system, code)) => (Some(system.trim()).filter(|s| !s.is_empty()), code.trim()),
            None => (None, text),
        };
        (!code.is_empty()).then(|| Self {
            system: system.map(str::to_owned),
            code: code.to_owned(),
        })
    }

    /// Whether a rule's code (`self`) names `coding`: the codes are equal, and so are the
    /// systems when the rule gives one.
    pub fn names(&self, coding: &Self) -> bool {
        self.code == coding.code
            && self
                .system
                .as_ref()
                .is_none_or(|system| coding.system.as_ref() == Some(system))
    }

    /// The codings of a CodeableConcept.
    fn of_concept(concept: &Value) -> impl Iterator<Item = Self> + '_ {
        concept["coding"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|coding| {
                Some(Self {
                    system: coding["system"].as_str().map(str::to_owned),
                    code: coding["code"].as_str()?.to_owned(),
                })
            })
    }
}

impl fmt::Display for Code {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.system {
            Some(system) => write!(f, "{system}|{}", self.code),
            None => f.write_str(&self.code),
        }
    }
}

/// The patient's administrative sex as the chart records it (`Patient.gender`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Sex {
    /// `female`.
    Female,
    /// `male`.
    Male,
    /// `other`.
    Other,
    /// `unknown`.
    Unknown,
}

impl Sex {
    /// Reads `Patient.gender`.
    pub fn from_fhir(gender: &str) -> Option<Self> {
        match gender {
            "female" => Some(Self::Female),
            "male" => Some(Self::Male),
            "other" => Some(Self::Other),
            "unknown" => Some(Self::Unknown),
            _ => None,
        }
    }

    /// The FHIR code.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Female => "female",
            Self::Male => "male",
            Self::Other => "other",
            Self::Unknown => "unknown",
        }
    }
}

/// What an Appointment's FHIR `status` means for Intake.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ScheduleStatus {
    /// `booked`, `pending`, `arrived` or `checked-in`: the visit is on and gets a form.
    Active,
    /// `cancelled` or `entered-in-error`: close its link.
    Cancelled,
    /// Anything else (`proposed`, `waitlist`, `fulfilled`, `noshow`): not Intake's business.
    Other,
}

impl ScheduleStatus {
    /// Classifies `Appointment.status`.
    pub fn from_fhir(status: &str) -> Self {
        match status {
            "booked" | "pending" | "arrived" | "checked-in" => Self::Active,
            "cancelled" | "entered-in-error" => Self::Cancelled,
            _ => Self::Other,
        }
    }
}

/// An Appointment read from the EHR. Holds ids and codes only, no patient data.
#[derive(Debug, Clone, PartialEq)]
pub struct EhrAppointment {
    /// `Appointment.id`.
    pub id: String,
    /// `meta.versionId` (else `meta.lastUpdated`, else empty): the sync leaves an appointment
    /// whose version it already has alone.
    pub version: String,
    /// Its status.
    pub status: ScheduleStatus,
    /// `Appointment.start`, when it has one.
    pub starts_at: Option<OffsetDateTime>,
    /// The `Patient` participant's reference (`Patient/123`).
    pub patient: Option<String>,
    /// `Appointment.serviceType` codings.
    pub service_types: Vec<Code>,
    /// `Appointment.appointmentType` codings.
    pub appointment_types: Vec<Code>,
    /// The visit's name for staff: the appointment type's or service type's text or display,
    /// else the description, else "Visit".
    pub visit_type: String,
}

impl EhrAppointment {
    /// Reads an Appointment resource; `None` for anything else or one without an id.
    pub fn from_fhir(resource: &Value) -> Option<Self> {
        if resource["resourceType"] != "Appointment" {
            return None;
        }
        let id = resource["id"].as_str()?.to_owned();
        let version = resource["meta"]["versionId"]
            .as_str()
            .or_else(|| resource["meta"]["lastUpdated"].as_str())
            .unwrap_or_default()
            .to_owned();
        let starts_at = resource["start"].as_str().and_then(|start| {
            OffsetDateTime::parse(start, &time::format_description::well_known::Rfc3339).ok()
        });
        let patient = resource["participant"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|p| p["actor"]["reference"].as_str())
            .find(|r| r.starts_with("Patient/") && r.len() > "Patient/".len())
            .map(str::to_owned);
        let service_types: Vec<Code> = resource["serviceType"]
            .as_array()
            .into_iter()
            .flatten()
            .flat_map(Code::of_concept)
            .collect();
        let appointment_types: Vec<Code> = Code::of_concept(&resource["appointmentType"]).collect();
        Some(Self {
            id,
            version,
            status: ScheduleStatus::from_fhir(resource["status"].as_str().unwrap_or_default()),
            starts_at,
            patient,
            service_types,
            appointment_types,
            visit_type: visit_name(resource),
        })
    }
}

/// What staff call the visit.
fn visit_name(resource: &Value) -> String {
    let concept_name = |concept: &Value| {
        concept["text"]
            .as_str()
            .or_else(|| concept["coding"][0]["display"].as_str())
            .map(str::to_owned)
    };
    concept_name(&resource["appointmentType"])
        .or_else(|| concept_name(&resource["serviceType"][0]))
        .or_else(|| resource["description"].as_str().map(str::to_owned))
        .map(|name| name.trim().to_owned())
        .filter(|name| !name.is_empty())
        .unwrap_or_else(|| "Visit".to_owned())
}

/// What the form rules look at.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct VisitFacts {
    /// The appointment's service types.
    pub service_types: Vec<Code>,
    /// The appointment's appointment types.
    pub appointment_types: Vec<Code>,
    /// The patient's age in whole years on the day of the visit, when the chart has a birth date.
    pub age: Option<i32>,
    /// The patient's sex on the chart.
    pub sex: Option<Sex>,
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn an_appointment_gives_its_id_version_start_patient_and_codes() {
        let appointment = EhrAppointment::from_fhir(&json!({
            "resourceType": "Appointment", "id": "a1", "meta": {"versionId": "3"},
            "status": "booked", "start": "2026-11-23T09:30:00-05:00",
            "serviceType": [{"coding": [{"system": "urn:clinic:service", "code": "mental-health"}], "text": "Mental health"}],
            "appointmentType": {"coding": [{"system": "http://terminology.hl7.org/CodeSystem/v2-0276", "code": "FOLLOWUP", "display": "A follow up visit"}]},
            "participant": [
                {"actor": {"reference": "Practitioner/d1"}, "status": "accepted"},
                {"actor": {"reference": "Patient/p1"}, "status": "accepted"}
            ]
        }))
        .unwrap();
        assert_eq!(
            (appointment.id.as_str(), appointment.version.as_str()),
            ("a1", "3")
        );
        assert_eq!(appointment.status, ScheduleStatus::Active);
        assert_eq!(appointment.patient.as_deref(), Some("Patient/p1"));
        assert_eq!(
            appointment.starts_at.unwrap().unix_timestamp(),
            time::macros::datetime!(2026-11-23 14:30 UTC).unix_timestamp()
        );
        assert_eq!(
            appointment.service_types[0].to_string(),
            "urn:clinic:service|mental-health"
        );
        assert_eq!(appointment.appointment_types[0].code, "FOLLOWUP");
        assert_eq!(appointment.visit_type, "A follow up visit");
    }

    #[test]
    fn an_appointment_without_a_patient_or_start_still_reads_so_the_sync_can_say_why() {
        let appointment = EhrAppointment::from_fhir(&json!({
            "resourceType": "Appointment", "id": "a2", "status": "pending",
            "participant": [{"actor": {"reference": "Location/room-1"}}]
        }))
        .unwrap();
        assert_eq!(appointment.patient, None);
        assert_eq!(appointment.starts_at, None);
        assert_eq!(appointment.visit_type, "Visit");
        assert!(
            EhrAppointment::from_fhir(&json!({"resourceType": "Patient", "id": "p"})).is_none()
        );
    }

    #[test]
    fn statuses_sort_into_on_cancelled_and_not_ours() {
        for (status, meaning) in [
            ("booked", ScheduleStatus::Active),
            ("pending", ScheduleStatus::Active),
            ("arrived", ScheduleStatus::Active),
            ("checked-in", ScheduleStatus::Active),
            ("cancelled", ScheduleStatus::Cancelled),
            ("entered-in-error", ScheduleStatus::Cancelled),
            ("proposed", ScheduleStatus::Other),
            ("noshow", ScheduleStatus::Other),
            ("fulfilled", ScheduleStatus::Other),
        ] {
            assert_eq!(ScheduleStatus::from_fhir(status), meaning, "{status}");
        }
    }

    #[test]
    fn a_rule_code_without_a_system_names_that_code_in_any_system() {
        let coding = Code::parse("urn:clinic:service|mental-health").unwrap();
        assert!(Code::parse("mental-health").unwrap().names(&coding));
        assert!(
            Code::parse("urn:clinic:service|mental-health")
                .unwrap()
                .names(&coding)
        );
        assert!(
            !Code::parse("urn:other|mental-health")
                .unwrap()
                .names(&coding)
        );
        assert!(!Code::parse("dental").unwrap().names(&coding));
        assert_eq!(Code::parse("  "), None);
        assert_eq!(Code::parse("urn:x|"), None);
    }
}
