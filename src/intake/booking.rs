//! Appointments the front desk adds (walk-ins, clinics whose EHR gives no schedule feed): find
//! the patient on the EHR by record number, or by name and date of birth, suggest the form the
//! rules pick, and book it. Also what the patient pages ask about a cancelled visit.

use uuid::Uuid;

use super::{ServiceError, Services, sync::record_identifier};
use crate::{
    domain::{BirthDate, PatientIdentifier, SecretToken},
    ehr::{ChartPatient, chart_patient},
    forms::FormId,
    schedule::{Code, FormChoice, VisitFacts},
    store::{Booking, NewAppointment},
};

/// How the front desk looks a patient up.
#[derive(Debug, Clone)]
pub enum PatientLookup {
    /// By medical record number (any identifier system).
    RecordNumber(String),
    /// By family name, given name and date of birth.
    NameAndBirthDate {
        /// Family name (or its start).
        family: String,
        /// Given name (or its start).
        given: String,
        /// Date of birth.
        birth_date: BirthDate,
    },
}

/// A patient found on the chart.
#[derive(Debug, Clone)]
pub struct FoundPatient {
    /// What the chart holds.
    pub chart: ChartPatient,
    /// The identifier staff know them by.
    pub identifier: PatientIdentifier,
}

/// What a look-up found.
#[derive(Debug, Clone)]
pub enum LookupOutcome {
    /// Exactly one patient.
    Found(Box<FoundPatient>),
    /// No one.
    NotFound,
    /// More than one: staff must narrow it (a guess could invite the wrong person).
    Several(usize),
}

/// An appointment the front desk books.
#[derive(Debug, Clone)]
pub struct DeskBooking {
    /// The chart's reference to the patient found (`Patient/123`).
    pub patient_ref: String,
    /// Start, epoch milliseconds.
    pub starts_at: i64,
    /// The visit type's code (`system|code` or `code`), if one was picked.
    pub visit_code: Option<Code>,
    /// The visit's name for staff.
    pub visit_type: String,
    /// The form.
    pub form_id: FormId,
}

/// A visit type the front desk can pick: the codes the form rules look at.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VisitTypeOption {
    /// The code as `system|code` or `code`.
    pub value: String,
    /// What staff read, e.g. "Mental health".
    pub label: String,
}

impl Services {
    /// Looks a patient up on the EHR.
    pub async fn look_up_patient(
        &self,
        lookup: &PatientLookup,
    ) -> Result<LookupOutcome, ServiceError> {
        let encode = |text: &str| {
            url::form_urlencoded::byte_serialize(text.trim().as_bytes()).collect::<String>()
        };
        let query = match lookup {
            PatientLookup::RecordNumber(mrn) => format!("Patient?identifier={}", encode(mrn)),
            PatientLookup::NameAndBirthDate {
                family,
                given,
                birth_date,
            } => format!(
                "Patient?family={}&given={}&birthdate={}",
                encode(family),
                encode(given),
                birth_date.to_fhir()
            ),
        };
        let bundle = self.ehr.search(&query).await?;
        let found: Vec<FoundPatient> = bundle["entry"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|e| e.get("resource"))
            .filter(|r| r["resourceType"] == "Patient")
            .filter_map(|r| {
                Some(FoundPatient {
                    chart: chart_patient(r)?,
                    identifier: record_identifier(r),
                })
            })
            .collect();
        Ok(match found.len() {
            0 => LookupOutcome::NotFound,
            1 => found
                .into_iter()
                .next()
                .map_or(LookupOutcome::NotFound, |p| {
                    LookupOutcome::Found(Box::new(p))
                }),
            n => LookupOutcome::Several(n),
        })
    }

    /// The form the rules pick for this patient's visit, and why.
    pub fn suggest_form(
        &self,
        patient: &ChartPatient,
        visit_code: Option<&Code>,
        starts_at: i64,
    ) -> Option<FormChoice> {
        let day = self.clinic.zone.local_millis(starts_at).date();
        let facts = VisitFacts {
            service_types: visit_code.into_iter().cloned().collect(),
            appointment_types: visit_code.into_iter().cloned().collect(),
            age: patient.birth_date.map(|b| b.age_on(day)),
            sex: patient.sex,
        };
        self.schedule.rules.choose(&facts)
    }

    /// The visit types to offer: every code the rules name, in the rules' order.
    pub fn visit_types(&self) -> Vec<VisitTypeOption> {
        let mut options: Vec<VisitTypeOption> = Vec::new();
        for rule in &self.schedule.rules.rules {
            for code in rule.service_types.iter().chain(&rule.appointment_types) {
                let value = code.to_string();
                if options.iter().all(|o| o.value != value) {
                    options.push(VisitTypeOption {
                        label: label_of(&code.code),
                        value,
                    });
                }
            }
        }
        options
    }

    /// Books a visit the front desk added, re-reading the patient from the chart (the page's
    /// hidden fields are not trusted for who the patient is).
    pub async fn book_at_desk(
        &self,
        staff_id: Uuid,
        request: DeskBooking,
    ) -> Result<Uuid, ServiceError> {
        if self.forms.get(&request.form_id).is_none() {
            return Err(ServiceError::UnknownForm(request.form_id));
        }
        let (patient, identifier) = self
            .read_chart_patient(&request.patient_ref)
            .await?
            .ok_or(ServiceError::PatientNotOnChart)?;
        let birth_date = patient.birth_date.ok_or(ServiceError::NoBirthDateOnChart)?;
        let booking = Booking {
            appointment: NewAppointment {
                patient: identifier,
                patient_name: patient.name,
                patient_birth_date: birth_date,
                patient_ref: patient.reference,
                starts_at: request.starts_at,
                visit_type: request.visit_type,
                form_id: request.form_id,
            },
            ehr: None,
            mobile: patient.mobile,
            email: patient.email,
            language: patient.language,
        };
        self.store
            .insert_booking(
                &booking,
                &format!("staff:{staff_id}"),
                self.clock.now_millis(),
            )
            .await?
            .ok_or(ServiceError::Conflict("the appointment was already booked"))
    }

    /// Whether a link's visit was cancelled (the link itself is then revoked).
    pub async fn link_cancelled(&self, raw_link: &str) -> Result<bool, ServiceError> {
        let Some(link) = SecretToken::parse(raw_link) else {
            return Ok(false);
        };
        Ok(self.store.link_cancelled(&link.hash()).await?)
    }

    /// Whether an appointment was cancelled.
    pub async fn appointment_cancelled(&self, appointment_id: Uuid) -> Result<bool, ServiceError> {
        Ok(self.store.appointment_status(appointment_id).await?
            == crate::domain::AppointmentStatus::Cancelled)
    }
}

/// A code as staff read it: `mental-health` → "Mental health", `CHECKUP` → "Checkup".
fn label_of(code: &str) -> String {
    let words = code.replace(['-', '_'], " ").to_lowercase();
    let mut chars = words.chars();
    chars
        .next()
        .map(|first| first.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    #[test]
    fn codes_read_as_words() {
        assert_eq!(super::label_of("mental-health"), "Mental health");
        assert_eq!(super::label_of("CHECKUP"), "Checkup");
    }
}
