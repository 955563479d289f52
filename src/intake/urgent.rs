//! Urgent flags after the submission: staff acknowledge them (who, when, note; audited), the
//! clinician's list leads with those nobody has, and one unacknowledged past
//! `INTAKE_FLAG_ESCALATE_MINUTES` is sent once more to the escalation contact.

use std::time::Duration;

use tokio_util::sync::CancellationToken;
use uuid::Uuid;

use super::{ServiceError, Services};
use crate::{
    notify::urgent::{AlertContext, escalation},
    store::{OpenUrgentFlag, StaffAudit, StaffSession, StoreError, staff_actor},
};

/// The longest acknowledgement note kept.
pub const MAX_NOTE_CHARS: usize = 500;

/// How many unacknowledged urgent flags the clinician's list shows at its top.
pub const OPEN_FLAGS_SHOWN: i64 = 50;

/// How an acknowledgement went.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Acknowledged {
    /// Recorded.
    Done,
    /// Someone acknowledged it first; theirs stands.
    Already,
}

impl Services {
    /// What every alert of a submission's urgent flags needs.
    pub(crate) fn alert_context(
        &self,
        submission_id: Uuid,
        appointment_id: Uuid,
    ) -> AlertContext<'_> {
        AlertContext {
            clinic: &self.clinic.name,
            public_url: &self.messaging.public_url,
            submission_id,
            appointment_id,
        }
    }

    /// Records that `staff` acknowledged an urgent flag, with their note (trimmed, at most
    /// [`MAX_NOTE_CHARS`]), audited with the address it came from.
    pub async fn acknowledge_urgent_flag(
        &self,
        staff: &StaffSession,
        urgent_flag_id: Uuid,
        note: &str,
        source: &str,
    ) -> Result<Acknowledged, ServiceError> {
        let note: String = note.trim().chars().take(MAX_NOTE_CHARS).collect();
        let event = StaffAudit {
            at: self.clock.now_millis(),
            actor: staff_actor(staff.user.id),
            action: "urgent_flag.acknowledged",
            subject_kind: "urgent_flag",
            subject_id: urgent_flag_id,
            // The note may name the patient's situation: it is kept on the flag, not here.
            detail: serde_json::json!({ "noted": !note.is_empty() }),
            source: Some(source.to_owned()),
        };
        match self
            .store
            .acknowledge_urgent_flag(urgent_flag_id, staff.user.id, &note, &event)
            .await
        {
            Ok(()) => Ok(Acknowledged::Done),
            Err(StoreError::Conflict(_)) => Ok(Acknowledged::Already),
            Err(other) => Err(other.into()),
        }
    }

    /// The urgent flags of some submissions, with their acknowledgements.
    pub async fn urgent_flags_of(
        &self,
        submission_ids: &[Uuid],
    ) -> Result<Vec<crate::store::UrgentFlagRecord>, ServiceError> {
        Ok(self
            .store
            .urgent_flags_of_submissions(submission_ids)
            .await?)
    }

    /// The form's crisis text, when the submission on this link raised a flag meant for the
    /// patient: what they are told to do now (call or text 988, or 911), in the form's words.
    pub async fn crisis_text(
        &self,
        session: &crate::store::PatientSession,
    ) -> Result<Option<crate::forms::Text>, ServiceError> {
        let Some((form_id, flags)) = self
            .store
            .flags_of_invitation(session.invitation_id)
            .await?
        else {
            return Ok(None);
        };
        let for_patient = flags
            .iter()
            .any(|f| f.audience.contains(&crate::forms::Audience::Patient));
        let form = crate::forms::FormId::parse(&form_id).and_then(|id| self.forms.get(&id));
        Ok(form.filter(|_| for_patient).and_then(|f| f.crisis.clone()))
    }

    /// The oldest unacknowledged urgent flags (at most [`OPEN_FLAGS_SHOWN`]) and how many
    /// there are.
    pub async fn open_urgent_flags(&self) -> Result<(Vec<OpenUrgentFlag>, i64), ServiceError> {
        Ok(self.store.open_urgent_flags(OPEN_FLAGS_SHOWN).await?)
    }

    /// Escalates every urgent flag whose time came unacknowledged, each once however many
    /// workers run this at the same moment. Returns how many this call escalated.
    pub async fn escalate_urgent_flags(&self) -> Result<usize, ServiceError> {
        let mut escalated = 0;
        loop {
            let now = self.clock.now_millis();
            let settings = &self.messaging.urgent;
            let claimed = self
                .store
                .escalate_next_urgent_flag(now, |due| {
                    escalation(
                        due.id,
                        settings,
                        self.alert_context(due.submission_id, due.appointment_id),
                        now,
                    )
                })
                .await?;
            match claimed {
                Some(due) => {
                    tracing::warn!(urgent_flag = %due.id, "urgent flag escalated: nobody acknowledged it in time");
                    escalated += 1;
                }
                None => return Ok(escalated),
            }
        }
    }
}

/// Escalates due urgent flags every `every` until `shutdown` fires.
pub async fn run_escalation(services: Services, every: Duration, shutdown: CancellationToken) {
    loop {
        if let Err(error) = services.escalate_urgent_flags().await {
            tracing::error!(%error, "urgent flag escalation failed");
        }
        tokio::select! {
            () = shutdown.cancelled() => break,
            () = tokio::time::sleep(every) => {}
        }
    }
}
