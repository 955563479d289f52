//! The designer's live preview: a patient session on any form, for a synthetic demo patient,
//! already past the date-of-birth check.

use super::{ScheduleRequest, ServiceError, Services};
use crate::{
    domain::{PatientIdentifier, SecretToken},
    forms::FormId,
};

impl Services {
    /// Opens a verified patient session on a new appointment for `form_id` (for the demo
    /// patient Rosa Delgado) and returns the session's token, for the session cookie.
    pub async fn start_preview(&self, form_id: FormId) -> Result<SecretToken, ServiceError> {
        let request = ScheduleRequest {
            patient: PatientIdentifier {
                system: super::demo::DEMO_MRN_SYSTEM.into(),
                value: "MRN-1001".into(),
            },
            starts_at: self.clock.now_millis() + 86_400_000,
            visit_type: "Form preview".into(),
            form_id,
        };
        let (appointment, _) = self.schedule_appointment(request).await?;
        let link = self.issue_invitation(appointment).await?;
        let session = SecretToken::generate();
        let now = self.clock.now_millis();
        let invitation = self
            .store
            .open_invitation(
                &link.hash(),
                &session.hash(),
                SecretToken::generate().expose(),
                now,
            )
            .await?
            .ok_or(ServiceError::NotFound)?;
        self.store
            .mark_verified(&session.hash(), invitation, now)
            .await?;
        Ok(session)
    }
}
