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

/// Inserts an [`AuditEvent`] on a connection or transaction of either backend.
macro_rules! insert_audit {
    ($conn:expr, $event:expr) => {{
        let event: &$crate::store::AuditEvent = $event;
        sqlx::query(
            "INSERT INTO audit_events (id, at, actor, action, subject_kind, subject_id, detail) \
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(uuid::Uuid::now_v7())
        .bind(event.at)
        .bind(&event.actor)
        .bind(event.action)
        .bind(event.subject_kind)
        .bind(event.subject_id)
        .bind(sqlx::types::Json(&event.detail))
        .execute($conn)
        .await
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
