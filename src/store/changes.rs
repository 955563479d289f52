//! Proposed changes: the outbox the worker drains and the exception queue staff work from.
//! Where each stands is a [`ChangeState`] (the domain's, with its lifecycle).

use sqlx::{AssertSqlSafe, FromRow};
use uuid::Uuid;

use super::{AuditEvent, BeginWrite as _, Store, StoreError, audit::insert_audit, on_pool};
pub use crate::domain::ChangeState;
use crate::{
    domain::PatientName,
    mapping::{ChangeIdentifier, ChangeSummary, HoldReason, ResourceType, Reviewer},
};

/// A stored proposed change.
#[derive(Debug, Clone)]
pub struct ChangeRecord {
    /// Its identifier (also its id here).
    pub identifier: ChangeIdentifier,
    /// The submission it came from.
    pub submission_id: Uuid,
    /// The resource type.
    pub resource_type: ResourceType,
    /// The resource as it will be sent.
    pub resource: serde_json::Value,
    /// What it is, for staff. PHI.
    pub summary: ChangeSummary,
    /// Where it stands.
    pub state: ChangeState,
    /// Why it is held, if it is.
    pub hold_reason: Option<HoldReason>,
    /// Sends tried.
    pub attempts: i64,
    /// The id the EHR gave it, once posted.
    pub ehr_resource_id: Option<String>,
    /// The EHR's words on the last failure.
    pub last_error: Option<String>,
    /// Created, epoch milliseconds.
    pub created_at: i64,
    /// The resource as extracted, when staff edited it before accepting.
    pub original_resource: Option<serde_json::Value>,
    /// Who decides on it while it waits.
    pub reviewer: Reviewer,
}

/// A change in the exception queue, with who and what it belongs to.
#[derive(Debug, Clone)]
pub struct ExceptionItem {
    /// The change.
    pub change: ChangeRecord,
    /// The patient.
    pub patient_name: PatientName,
    /// The form.
    pub form_id: String,
    /// The front desk's markers from the submission's answers ("Call me before the visit").
    pub markers: Vec<String>,
}

/// A change a worker leased for sending.
#[derive(Debug, Clone)]
pub struct ClaimedChange {
    /// Its identifier.
    pub identifier: ChangeIdentifier,
    /// The submission (one request in flight per submission).
    pub submission_id: Uuid,
    /// The resource type.
    pub resource_type: ResourceType,
    /// The resource.
    pub resource: serde_json::Value,
    /// Sends tried, this one included.
    pub attempts: i64,
}

#[derive(FromRow)]
pub(super) struct ChangeRow {
    id: Uuid,
    submission_id: Uuid,
    resource_type: String,
    /// Sealed JSON.
    resource: String,
    /// Sealed: [`ChangeSummary::to_stored`]'s JSON, or (before it) English text.
    summary: String,
    state: String,
    hold_reason: Option<String>,
    attempts: i64,
    ehr_resource_id: Option<String>,
    last_error: Option<String>,
    created_at: i64,
    /// Sealed JSON, under the associated data of `resource` (it is a copy of an earlier one).
    original_resource: Option<String>,
    reviewer: String,
}

/// The columns of a [`ChangeRow`], on `proposed_changes c`.
pub(super) const CHANGE_COLUMNS: &str = "c.id, c.submission_id, c.resource_type, c.resource, c.summary, c.state, \
     c.hold_reason, c.attempts, c.ehr_resource_id, c.last_error, c.created_at, c.original_resource, c.reviewer";

impl Store {
    /// The change a row holds, its sealed columns opened.
    pub(super) fn change_record(&self, row: ChangeRow) -> Result<ChangeRecord, StoreError> {
        Ok(ChangeRecord {
            identifier: ChangeIdentifier(row.id),
            submission_id: row.submission_id,
            resource_type: ResourceType::parse(&row.resource_type)
                .ok_or(StoreError::Corrupt("proposed_changes.resource_type"))?,
            resource: self.unseal_json(RESOURCE, row.id, &row.resource)?,
            summary: ChangeSummary::from_stored(&self.unseal(
                "proposed_changes.summary",
                row.id,
                &row.summary,
            )?),
            state: ChangeState::parse(&row.state)
                .ok_or(StoreError::Corrupt("proposed_changes.state"))?,
            hold_reason: row.hold_reason.as_deref().and_then(HoldReason::parse),
            attempts: row.attempts,
            ehr_resource_id: row.ehr_resource_id,
            last_error: row.last_error,
            created_at: row.created_at,
            original_resource: row
                .original_resource
                .map(|sealed| self.unseal_json(RESOURCE, row.id, &sealed))
                .transpose()?,
            reviewer: Reviewer::parse(&row.reviewer)
                .ok_or(StoreError::Corrupt("proposed_changes.reviewer"))?,
        })
    }
}

/// The associated data of a change's resource, and of the original kept when staff edit it
/// (the edit moves the sealed value from one column to the other, so both use this one).
pub(super) const RESOURCE: &str = "proposed_changes.resource";

#[derive(FromRow)]
struct ClaimRow {
    id: Uuid,
    submission_id: Uuid,
    resource_type: String,
    resource: String,
    attempts: i64,
}

/// Inserts the attempt a claim starts, in its transaction (SQLite; on Postgres the claiming
/// statement inserts it).
macro_rules! record_attempt {
    ($conn:expr, $row:expr, $now:expr) => {{
        let row: &ClaimRow = $row;
        sqlx::query(
            "INSERT INTO change_attempts (change_id, attempt, started_at) VALUES ($1, $2, $3)",
        )
        .bind(row.id)
        .bind(row.attempts)
        .bind($now)
        .execute($conn)
        .await
    }};
}

/// No other change of the row's submission is in flight (one request per submission).
const NONE_IN_FLIGHT: &str = "NOT EXISTS (SELECT 1 FROM proposed_changes o WHERE o.submission_id = c.submission_id \
     AND o.id <> c.id AND o.state = 'sending' AND o.lease_until >= $1)";

/// The first `limit` claimable changes at time `$1`, oldest due first: those due in the outbox
/// and those whose lease ran out (their worker died mid-send; conditional create makes the
/// resend safe), neither with another change of its submission in flight.
///
/// Two ordered reads merged rather than one `OR`: each walks its own index in the claim's
/// order and stops after `limit` rows (the outbox's by migration 0023), where the `OR` read and
/// sorted every due row first, 25–35 ms with 6,000 due and growing with the backlog.
fn due_sql(limit: &str) -> String {
    let read = |state: &str| {
        format!(
            "SELECT * FROM (SELECT c.id, c.submission_id, c.next_attempt_at, c.position FROM proposed_changes c \
             WHERE {state} AND {NONE_IN_FLIGHT} \
             ORDER BY c.next_attempt_at, c.submission_id, c.position LIMIT {limit})"
        )
    };
    format!(
        "{} AS expired UNION ALL {} AS due \
         ORDER BY next_attempt_at, submission_id, position LIMIT {limit}",
        read("c.state = 'sending' AND c.lease_until < $1"),
        read("c.state = 'queued' AND c.next_attempt_at <= $1"),
    )
}

/// Leases one change of the candidates `due` (a query of ids) at `$1` until `$2`.
fn claim_sql(due: &str) -> String {
    format!(
        "UPDATE proposed_changes SET state = 'sending', lease_until = $2, attempts = attempts + 1, updated_at = $1 \
         WHERE id = ({due}) \
         RETURNING id, submission_id, resource_type, resource, attempts"
    )
}

impl Store {
    /// One change.
    pub async fn find_change(&self, id: Uuid) -> Result<ChangeRecord, StoreError> {
        let sql = format!("SELECT {CHANGE_COLUMNS} FROM proposed_changes c WHERE c.id = $1");
        let row: Option<ChangeRow> = on_pool!(self, pool => sqlx::query_as(AssertSqlSafe(sql)).bind(id).fetch_optional(pool).await)?;
        self.change_record(row.ok_or(StoreError::NotFound)?)
    }

    /// Every change of one submission, in extraction order.
    pub async fn changes_for_submission(
        &self,
        submission_id: Uuid,
    ) -> Result<Vec<ChangeRecord>, StoreError> {
        let sql = format!(
            "SELECT {CHANGE_COLUMNS} FROM proposed_changes c WHERE c.submission_id = $1 ORDER BY c.position"
        );
        let rows: Vec<ChangeRow> = on_pool!(self, pool => sqlx::query_as(AssertSqlSafe(sql)).bind(submission_id).fetch_all(pool).await)?;
        rows.into_iter()
            .map(|row| self.change_record(row))
            .collect()
    }

    /// Leases the next due change for `lease_ms`, or `None` when the outbox is empty.
    pub async fn claim_next_change(
        &self,
        now: i64,
        lease_ms: i64,
    ) -> Result<Option<ClaimedChange>, StoreError> {
        // The attempt is recorded in the claim's transaction, before anything is sent.
        let row: Option<ClaimRow> = match &self.backend {
            super::Backend::Sqlite(pool) => {
                // An idle worker polls often: a read first, so that it takes no write lock (the
                // database's only one) when nothing is due. Two probes that each stop at their
                // first row.
                let due: bool = sqlx::query_scalar(
                    "SELECT EXISTS (SELECT 1 FROM proposed_changes WHERE state = 'queued' AND next_attempt_at <= $1) \
                     OR EXISTS (SELECT 1 FROM proposed_changes WHERE state = 'sending' AND lease_until < $1)",
                )
                .bind(now)
                .fetch_one(pool)
                .await?;
                if !due {
                    return Ok(None);
                }
                // SQLite has one writer at a time, so the UPDATE … WHERE id = (SELECT …) is atomic.
                let mut tx = pool.begin_write().await?;
                let due = format!("SELECT id FROM ({}) AS first", due_sql("1"));
                let row: Option<ClaimRow> = sqlx::query_as(AssertSqlSafe(claim_sql(&due)))
                    .bind(now)
                    .bind(now + lease_ms)
                    .fetch_optional(&mut *tx)
                    .await?;
                if let Some(row) = &row {
                    record_attempt!(&mut *tx, row, now)?;
                }
                tx.commit().await?;
                row
            }
            super::Backend::Postgres(pool) => {
                // Workers claim concurrently here, and a statement sees only what was committed
                // when it began: to keep one send in flight per submission, a claimer first takes
                // the submission's advisory lock (held to the end of its transaction), then claims
                // in a new statement, which sees any claim committed before the lock was free.
                // A transaction takes no lock here until it claims, so an idle worker needs no
                // probe first, and a busy one saves its round trip; likewise the attempt is
                // recorded by the claiming statement itself.
                let mut tx = pool.begin_write().await?;
                let candidates =
                    format!("SELECT submission_id FROM ({}) AS candidates", due_sql("8"));
                let candidates: Vec<Uuid> = sqlx::query_scalar(AssertSqlSafe(candidates))
                    .bind(now)
                    .fetch_all(&mut *tx)
                    .await?;
                let mut row: Option<ClaimRow> = None;
                for submission in candidates {
                    let locked: bool = sqlx::query_scalar(
                        "SELECT pg_try_advisory_xact_lock(hashtextextended($1::text, 0))",
                    )
                    .bind(submission)
                    .fetch_one(&mut *tx)
                    .await?;
                    if !locked {
                        continue;
                    }
                    // Within one submission (a handful of rows), locking what it reads.
                    let due = format!(
                        "SELECT c.id FROM proposed_changes c \
                         WHERE ((c.state = 'queued' AND c.next_attempt_at <= $1) OR (c.state = 'sending' AND c.lease_until < $1)) \
                           AND c.submission_id = $3 AND {NONE_IN_FLIGHT} \
                         ORDER BY c.next_attempt_at, c.position LIMIT 1 FOR UPDATE SKIP LOCKED"
                    );
                    let claim = format!(
                        "WITH claimed AS ({}), attempt AS (INSERT INTO change_attempts (change_id, attempt, started_at) \
                         SELECT id, attempts, $1 FROM claimed) SELECT * FROM claimed",
                        claim_sql(&due)
                    );
                    row = sqlx::query_as(AssertSqlSafe(claim))
                        .bind(now)
                        .bind(now + lease_ms)
                        .bind(submission)
                        .fetch_optional(&mut *tx)
                        .await?;
                    if row.is_some() {
                        break;
                    }
                }
                tx.commit().await?;
                row
            }
        };
        row.map(|row| {
            Ok(ClaimedChange {
                identifier: ChangeIdentifier(row.id),
                submission_id: row.submission_id,
                resource_type: ResourceType::parse(&row.resource_type)
                    .ok_or(StoreError::Corrupt("proposed_changes.resource_type"))?,
                resource: self.unseal_json(RESOURCE, row.id, &row.resource)?,
                attempts: row.attempts,
            })
        })
        .transpose()
    }

    /// The EHR acknowledged the change. Like the other outcomes, it applies only if `claim` is
    /// still the change's latest claim: a worker whose lease ran out (and whose change another
    /// worker took over) changes nothing. `false` when it did not apply.
    pub async fn mark_posted(
        &self,
        claim: &ClaimedChange,
        ehr_resource_id: &str,
        now: i64,
    ) -> Result<bool, StoreError> {
        let detail = serde_json::json!({ "ehr_resource_id": ehr_resource_id });
        let ending = Ending {
            state: "posted",
            outcome: "posted",
            hold_reason: None,
            ehr_resource_id: Some(ehr_resource_id),
            error: None,
            next_attempt_at: now,
        };
        self.finish_send(
            claim,
            &ending,
            now,
            AuditEvent::by_worker(claim.identifier.0, "change.posted", now, detail),
        )
        .await
    }

    /// A transient failure: back to the outbox, due at `retry_at`.
    pub async fn reschedule_change(
        &self,
        claim: &ClaimedChange,
        retry_at: i64,
        error: &str,
        now: i64,
    ) -> Result<bool, StoreError> {
        let detail = serde_json::json!({ "retry_at": retry_at });
        let ending = Ending {
            state: "queued",
            outcome: "retry",
            hold_reason: None,
            ehr_resource_id: None,
            error: Some(error),
            next_attempt_at: retry_at,
        };
        self.finish_send(
            claim,
            &ending,
            now,
            AuditEvent::by_worker(claim.identifier.0, "change.retry_scheduled", now, detail),
        )
        .await
    }

    /// The EHR refused the change: into the exception queue with its words.
    pub async fn mark_failed(
        &self,
        claim: &ClaimedChange,
        reason: HoldReason,
        error: &str,
        now: i64,
    ) -> Result<bool, StoreError> {
        let reason = Some(reason.code());
        let ending = Ending {
            state: "failed",
            outcome: "failed",
            hold_reason: reason,
            ehr_resource_id: None,
            error: Some(error),
            next_attempt_at: now,
        };
        self.finish_send(
            claim,
            &ending,
            now,
            AuditEvent::by_worker(
                claim.identifier.0,
                "change.failed",
                now,
                serde_json::json!({}),
            ),
        )
        .await
    }

    async fn finish_send(
        &self,
        claim: &ClaimedChange,
        ending: &Ending<'_>,
        now: i64,
        audit: AuditEvent,
    ) -> Result<bool, StoreError> {
        on_pool!(self, pool => {
            let mut tx = pool.begin_write().await?;
            let applied = sqlx::query(
                "UPDATE proposed_changes SET state = $2, hold_reason = COALESCE($3, hold_reason), \
                 ehr_resource_id = COALESCE($4, ehr_resource_id), last_error = COALESCE($5, last_error), \
                 next_attempt_at = $6, lease_until = NULL, updated_at = $7 \
                 WHERE id = $1 AND state = 'sending' AND attempts = $8",
            )
            .bind(claim.identifier.0)
            .bind(ending.state)
            .bind(ending.hold_reason)
            .bind(ending.ehr_resource_id)
            .bind(ending.error)
            .bind(ending.next_attempt_at)
            .bind(now)
            .bind(claim.attempts)
            .execute(&mut *tx)
            .await?
            .rows_affected()
                == 1;
            if applied {
                sqlx::query(
                    "UPDATE change_attempts SET finished_at = $3, outcome = $4, ehr_words = $5, \
                     ehr_resource_id = $6 WHERE change_id = $1 AND attempt = $2",
                )
                .bind(claim.identifier.0)
                .bind(claim.attempts)
                .bind(now)
                .bind(ending.outcome)
                .bind(ending.error)
                .bind(ending.ehr_resource_id)
                .execute(&mut *tx)
                .await?;
                insert_audit!(&mut *tx, &audit)?;
            }
            tx.commit().await?;
            Ok::<_, sqlx::Error>(applied)
        })
        .map_err(StoreError::from)
    }
}

/// How a send ended, as stored.
struct Ending<'a> {
    state: &'static str,
    outcome: &'static str,
    hold_reason: Option<&'static str>,
    ehr_resource_id: Option<&'a str>,
    error: Option<&'a str>,
    next_attempt_at: i64,
}
