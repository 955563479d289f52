//! The exception queue: held and failed changes, filtered and sorted for staff, and what staff
//! do with them (accept, edit then accept, reject, retry). Each action is one transaction with
//! its audit event naming the staff member.

use sqlx::AssertSqlSafe;
use uuid::Uuid;

use super::{
    AuditEvent, ChangeState, ExceptionItem, Store, StoreError, audit::insert_audit, on_pool,
};
use crate::mapping::{ChangeSummary, HoldReason, ResourceType, Reviewer};

/// Which exceptions to list, and in what order. Every field is optional: the default is the
/// whole queue, oldest first.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct QueueFilter {
    /// Only changes held or failed for this reason.
    pub reason: Option<HoldReason>,
    /// Only changes of this resource type.
    pub resource_type: Option<ResourceType>,
    /// Only held, or only failed, changes.
    pub state: Option<ChangeState>,
    /// Only changes this reviewer decides on.
    pub reviewer: Option<Reviewer>,
    /// The order.
    pub sort: QueueSort,
}

/// The order of the exception queue.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum QueueSort {
    /// What has waited longest first.
    #[default]
    OldestFirst,
    /// What arrived last first.
    NewestFirst,
    /// By patient name, then oldest first.
    Patient,
}

/// What staff did to a change, as stored.
struct Resolution {
    /// The states it applies to, as an SQL list of fixed codes.
    from: &'static str,
    /// The state it leads to.
    to: &'static str,
    /// The audit action.
    action: &'static str,
    /// Ids and codes for the audit event.
    detail: serde_json::Value,
    /// The edited resource and its summary, for an edit.
    edit: Option<(serde_json::Value, ChangeSummary)>,
    /// What a refusal says when the change is in another state.
    refused: &'static str,
}

const HELD_OR_FAILED: &str = "('held', 'failed')";

impl Store {
    /// The exception queue: held and failed changes, oldest first.
    pub async fn list_exceptions(&self) -> Result<Vec<ExceptionItem>, StoreError> {
        self.find_exceptions(&QueueFilter::default()).await
    }

    /// The whole exception queue as `filter` narrows and orders it: for tests and tools; pages
    /// read [`Store::exceptions_page`].
    pub async fn find_exceptions(
        &self,
        filter: &QueueFilter,
    ) -> Result<Vec<ExceptionItem>, StoreError> {
        self.exceptions_page(filter, None, i64::MAX).await
    }

    /// Staff accept a held or failed change: it goes to the outbox now. `detail` adds ids and
    /// codes to the audit event (e.g. that it was part of a bulk action).
    pub async fn approve_change(&self, id: Uuid, actor: &str, now: i64) -> Result<(), StoreError> {
        self.approve_change_with(id, actor, serde_json::json!({}), now)
            .await
    }

    /// [`Store::approve_change`], with more for the audit event.
    pub async fn approve_change_with(
        &self,
        id: Uuid,
        actor: &str,
        detail: serde_json::Value,
        now: i64,
    ) -> Result<(), StoreError> {
        let resolution = Resolution {
            from: HELD_OR_FAILED,
            to: "queued",
            action: "change.approved",
            detail,
            edit: None,
            refused: "this change was already resolved",
        };
        self.resolve(id, resolution, actor, now).await
    }

    /// Staff send a change the EHR refused once more, now. Only a failed change retries.
    pub async fn retry_change(
        &self,
        id: Uuid,
        actor: &str,
        detail: serde_json::Value,
        now: i64,
    ) -> Result<(), StoreError> {
        let resolution = Resolution {
            from: "('failed')",
            to: "queued",
            action: "change.retried",
            detail,
            edit: None,
            refused: "only a change the EHR refused can be retried",
        };
        self.resolve(id, resolution, actor, now).await
    }

    /// Staff edit a held or failed change and accept it: the edited resource replaces the
    /// proposal (the extracted one is kept once, as `original_resource`) and goes to the outbox.
    /// `fields` names what changed, for the audit event; the values stay out of it.
    pub async fn edit_change(
        &self,
        id: Uuid,
        actor: &str,
        edited: (serde_json::Value, ChangeSummary),
        fields: &[&str],
        now: i64,
    ) -> Result<(), StoreError> {
        let resolution = Resolution {
            from: HELD_OR_FAILED,
            to: "queued",
            action: "change.edited",
            detail: serde_json::json!({ "fields": fields }),
            edit: Some(edited),
            refused: "this change was already resolved",
        };
        self.resolve(id, resolution, actor, now).await
    }

    /// Staff reject a held or failed change: it never goes on the chart.
    pub async fn reject_change(
        &self,
        id: Uuid,
        actor: &str,
        reason: &str,
        now: i64,
    ) -> Result<(), StoreError> {
        self.reject_change_with(id, actor, reason, serde_json::json!({}), now)
            .await
    }

    /// [`Store::reject_change`], with more for the audit event (e.g. that it was part of a
    /// bulk action); the reason is always in it.
    pub async fn reject_change_with(
        &self,
        id: Uuid,
        actor: &str,
        reason: &str,
        mut detail: serde_json::Value,
        now: i64,
    ) -> Result<(), StoreError> {
        if let Some(fields) = detail.as_object_mut() {
            fields.insert("reason".to_owned(), reason.into());
        }
        let resolution = Resolution {
            from: HELD_OR_FAILED,
            to: "rejected",
            action: "change.rejected",
            detail,
            edit: None,
            refused: "this change was already resolved",
        };
        self.resolve(id, resolution, actor, now).await
    }

    async fn resolve(
        &self,
        id: Uuid,
        resolution: Resolution,
        actor: &str,
        now: i64,
    ) -> Result<(), StoreError> {
        let audit = AuditEvent {
            at: now,
            actor: actor.to_owned(),
            action: resolution.action,
            subject_kind: "proposed_change",
            subject_id: id,
            detail: resolution.detail,
        };
        let update = format!(
            "UPDATE proposed_changes SET state = $2, next_attempt_at = $3, updated_at = $3 \
             WHERE id = $1 AND state IN {}",
            resolution.from
        );
        let edit = resolution
            .edit
            .as_ref()
            .map(|(resource, summary)| {
                Ok::<_, StoreError>((
                    self.seal_json(super::changes::RESOURCE, id, resource)?,
                    self.seal("proposed_changes.summary", id, &summary.to_stored())?,
                ))
            })
            .transpose()?;
        on_pool!(self, pool => {
            let mut tx = pool.begin_write().await?;
            let updated = sqlx::query(AssertSqlSafe(update))
                .bind(id)
                .bind(resolution.to)
                .bind(now)
                .execute(&mut *tx)
                .await?;
            if updated.rows_affected() == 0 {
                let exists: Option<Uuid> = sqlx::query_scalar("SELECT id FROM proposed_changes WHERE id = $1")
                    .bind(id)
                    .fetch_optional(&mut *tx)
                    .await?;
                return Err(match exists {
                    Some(_) => StoreError::Conflict(resolution.refused),
                    None => StoreError::NotFound,
                });
            }
            if let Some((resource, summary)) = &edit {
                // On the right of SET, `resource` is the value before this statement.
                sqlx::query(
                    "UPDATE proposed_changes SET original_resource = COALESCE(original_resource, resource), \
                     resource = $2, summary = $3 WHERE id = $1",
                )
                .bind(id)
                .bind(resource)
                .bind(summary)
                .execute(&mut *tx)
                .await?;
            }
            insert_audit!(&mut *tx, &audit)?;
            tx.commit().await?;
            Ok(())
        })
    }
}
