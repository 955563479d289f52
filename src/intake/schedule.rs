//! Scheduling: an appointment for a patient matched on the EHR, and the invitation link for it.

use uuid::Uuid;

use super::{ServiceError, Services, millis_of};
use crate::{
    domain::{PatientIdentifier, SecretToken},
    forms::FormId,
    store::NewAppointment,
};

/// An appointment to schedule.
#[derive(Debug, Clone)]
pub struct ScheduleRequest {
    /// The patient's chart identifier.
    pub patient: PatientIdentifier,
    /// Start, epoch milliseconds.
    pub starts_at: i64,
    /// The visit type.
    pub visit_type: String,
    /// The form to fill in.
    pub form_id: FormId,
}

impl Services {
    /// Matches the patient on the EHR by identifier and stores the appointment with the
    /// chart's name, date of birth and reference.
    pub async fn schedule_appointment(
        &self,
        request: ScheduleRequest,
    ) -> Result<(Uuid, NewAppointment), ServiceError> {
        if self.forms.get(&request.form_id).is_none() {
            return Err(ServiceError::UnknownForm(request.form_id));
        }
        let patient = self
            .ehr
            .find_patient(&request.patient)
            .await?
            .ok_or(ServiceError::PatientNotOnChart)?;
        let birth_date = patient.birth_date.ok_or(ServiceError::NoBirthDateOnChart)?;
        let appointment = NewAppointment {
            patient: request.patient,
            patient_name: patient.name,
            patient_birth_date: birth_date,
            patient_ref: patient.reference,
            starts_at: request.starts_at,
            visit_type: request.visit_type,
            form_id: request.form_id,
        };
        let id = self
            .store
            .insert_appointment(&appointment, self.clock.now_millis())
            .await?;
        Ok((id, appointment))
    }

    /// Issues a fresh invitation link for an appointment (any earlier open link stops working).
    /// The token is returned once, to send; only its hash is stored.
    pub async fn issue_invitation(
        &self,
        appointment_id: Uuid,
    ) -> Result<SecretToken, ServiceError> {
        let token = SecretToken::generate();
        let now = self.clock.now_millis();
        let expires_at = now.saturating_add(millis_of(self.lifetimes.invitation));
        self.store
            .issue_invitation(appointment_id, &token.hash(), expires_at, now)
            .await?;
        Ok(token)
    }
}
