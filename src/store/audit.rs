//! Audit events, written in the same transaction as the change they record.

use serde_json::Value;
use uuid::Uuid;

/// One audited action. `detail` holds ids and codes, never PHI.
#[derive(Debug, Clone)]
pub struct AuditEvent {
    /// When, in epoch milliseconds.
    pub at: i64,
    /// Who: `staff:<uuid>`, `patient:<invitation uuid>`, `worker` or `system`.
    pub actor: String,
    /// What, e.g. `change.approved`.
    pub action: &'static str,
    /// The kind of thing acted on, e.g. `proposed_change`.
    pub subject_kind: &'static str,
    /// Its id.
    pub subject_id: Uuid,
    /// Ids and codes that explain the event.
    pub detail: Value,
}

impl AuditEvent {
    /// Something a patient did on an invitation.
    pub fn by_patient(invitation_id: Uuid, action: &'static str, at: i64, detail: Value) -> Self {
        Self {
            at,
            actor: format!("patient:{invitation_id}"),
            action,
            subject_kind: "invitation",
            subject_id: invitation_id,
            detail,
        }
    }

    /// Something Intake decided about a proposed change on its own (the posting policy).
    pub fn by_system(change_id: Uuid, action: &'static str, at: i64, detail: Value) -> Self {
        Self {
            at,
            actor: "system".into(),
            action,
            subject_kind: "proposed_change",
            subject_id: change_id,
            detail,
        }
    }

    /// Something the write-back worker did to a proposed change.
    pub fn by_worker(change_id: Uuid, action: &'static str, at: i64, detail: Value) -> Self {
        Self {
            at,
            actor: "worker".into(),
            action,
            subject_kind: "proposed_change",
            subject_id: change_id,
            detail,
        }
    }
}

/// Appends an [`AuditEvent`] to the `records` chain on a transaction of either backend
/// (`&mut *tx`); see [`insert_chained`](super::audit_chain::insert_chained).
macro_rules! insert_audit {
    ($conn:expr, $event:expr) => {{
        let event: &$crate::store::AuditEvent = $event;
        $crate::store::audit_chain::insert_chained!(
            $conn,
            $crate::store::audit_chain::RECORDS_CHAIN,
            $crate::store::audit_chain::LinkFields {
                id: uuid::Uuid::now_v7(),
                at: event.at,
                actor: &event.actor,
                action: event.action,
                subject_kind: event.subject_kind,
                subject_id: event.subject_id,
                detail: &event.detail,
                source: None,
                patient: None,
            }
        )
    }};
}
pub(crate) use insert_audit;

impl super::Store {
    /// The audit trail of one subject, oldest first: `(at, actor, action)`.
    pub async fn audit_trail(
        &self,
        subject_id: Uuid,
    ) -> Result<Vec<(i64, String, String)>, super::StoreError> {
        let rows = super::on_pool!(self, pool => sqlx::query_as(
            "SELECT at, actor, action FROM audit_events WHERE subject_id = $1 ORDER BY at, id",
        )
        .bind(subject_id)
        .fetch_all(pool)
        .await)?;
        Ok(rows)
    }
}
