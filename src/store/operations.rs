//! What operators run against the database: a consistent copy (SQLite), the retention purge,
//! and how busy the connection pool is.

use super::{Backend, Store, StoreError, on_pool};

/// The instants before which things are no longer needed, epoch milliseconds, computed by the
/// caller from the clock and the retention periods.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetentionCutoffs {
    /// Now: one-time codes that expired before it go, when their link can no longer be used.
    pub now: i64,
    /// A draft never submitted whose visit started before this goes.
    pub drafts_visit_before: i64,
    /// A submission made before this, whose changes are all posted or rejected, loses its answers.
    pub answers_submitted_before: i64,
    /// A staff session last seen before this has ended (idle).
    pub staff_seen_before: i64,
    /// A staff session created before this has ended (absolute limit).
    pub staff_created_before: i64,
    /// A patient session last seen before this has ended.
    pub patient_seen_before: i64,
}

/// How many of each thing one purge deleted. Counts only: what they were is never listed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PurgeCounts {
    /// Drafts never submitted, past their visit.
    pub drafts: u64,
    /// Chart reads made for those drafts.
    pub chart_reads: u64,
    /// Submissions whose answers were emptied.
    pub answers: u64,
    /// Expired one-time codes of links no longer usable.
    pub one_time_codes: u64,
    /// Ended staff sessions.
    pub staff_sessions: u64,
    /// Ended patient sessions.
    pub patient_sessions: u64,
    /// Photos and drawn signatures, gone with the drafts and answers that named them.
    pub attachments: u64,
}

impl PurgeCounts {
    /// `(what, count)` pairs, in the words of the log and the metric's `kind` label.
    pub fn by_kind(&self) -> [(&'static str, u64); 7] {
        [
            ("draft", self.drafts),
            ("chart_read", self.chart_reads),
            ("submission_answers", self.answers),
            ("one_time_code", self.one_time_codes),
            ("staff_session", self.staff_sessions),
            ("patient_session", self.patient_sessions),
            ("attachment", self.attachments),
        ]
    }
}

/// The connection pool: open connections in use and idle, and the most it opens.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PoolUse {
    /// Connections lent out.
    pub in_use: u64,
    /// Connections open and idle.
    pub idle: u64,
    /// The pool's limit.
    pub max: u64,
}

/// A draft nobody submitted, whose visit is over: the draft and its chart read. (Macros, not
/// constants: sqlx takes only literal SQL, and `concat!` only literals.)
macro_rules! abandoned {
    () => { "SELECT i.id FROM invitations i JOIN appointments a ON a.id = i.appointment_id \
     WHERE a.starts_at < $1 AND NOT EXISTS (SELECT 1 FROM submissions s WHERE s.invitation_id = i.id)"
    };
}

/// Submissions old enough whose every change is on the chart or was rejected, answers not yet
/// emptied (an empty JSON object is how emptied answers read back: no answers).
macro_rules! settled {
    () => {
        "SELECT s.id FROM submissions s WHERE s.submitted_at < $1 AND s.answers <> '{}' \
     AND NOT EXISTS (SELECT 1 FROM proposed_changes c WHERE c.submission_id = s.id \
                     AND c.state NOT IN ('posted', 'rejected'))"
    };
}

impl Store {
    /// Writes a consistent copy of a SQLite database to `to` while it is in use (`VACUUM INTO`
    /// reads one snapshot). `None` on Postgres, whose tool for this is `pg_dump`.
    pub async fn backup_to(&self, to: &std::path::Path) -> Result<Option<()>, StoreError> {
        match &self.backend {
            Backend::Sqlite(pool) => {
                sqlx::query("VACUUM INTO $1")
                    .bind(to.display().to_string())
                    .execute(pool)
                    .await?;
                Ok(Some(()))
            }
            Backend::Postgres(_) => Ok(None),
        }
    }

    /// Deletes what the cutoffs say is no longer needed, in one transaction. Audit events are
    /// never deleted; the changes a submission proposed (as posted) stay.
    pub async fn purge(&self, cutoffs: &RetentionCutoffs) -> Result<PurgeCounts, StoreError> {
        on_pool!(self, pool => {
            let mut tx = pool.begin_write().await?;
            let drafts = sqlx::query(concat!("DELETE FROM drafts WHERE invitation_id IN (", abandoned!(), ")"))
                .bind(cutoffs.drafts_visit_before).execute(&mut *tx).await?.rows_affected();
            // Files go with the answers that name them.
            let abandoned_files = sqlx::query(concat!("DELETE FROM attachments WHERE invitation_id IN (", abandoned!(), ")"))
                .bind(cutoffs.drafts_visit_before).execute(&mut *tx).await?.rows_affected();
            let settled_files = sqlx::query(concat!("DELETE FROM attachments WHERE invitation_id IN \
                 (SELECT invitation_id FROM submissions WHERE id IN (", settled!(), "))"))
                .bind(cutoffs.answers_submitted_before).execute(&mut *tx).await?.rows_affected();
            let chart_reads = sqlx::query(concat!("DELETE FROM chart_reads WHERE invitation_id IN (", abandoned!(), ")"))
                .bind(cutoffs.drafts_visit_before).execute(&mut *tx).await?.rows_affected();
            // A submitted invitation's draft holds the same answers: it goes with them (first,
            // while the answers still mark the submission as not yet emptied).
            sqlx::query(concat!("DELETE FROM drafts WHERE invitation_id IN \
                 (SELECT invitation_id FROM submissions WHERE id IN (", settled!(), "))"))
                .bind(cutoffs.answers_submitted_before).execute(&mut *tx).await?;
            let answers = sqlx::query(concat!("UPDATE submissions SET answers = '{}' WHERE id IN (", settled!(), ")"))
                .bind(cutoffs.answers_submitted_before).execute(&mut *tx).await?.rows_affected();
            // A code's row also counts the codes a link was sent: it stays while the link works.
            let one_time_codes = sqlx::query("DELETE FROM one_time_codes WHERE expires_at < $1 AND invitation_id IN \
                 (SELECT id FROM invitations WHERE status <> 'open' OR expires_at < $1)")
                .bind(cutoffs.now).execute(&mut *tx).await?.rows_affected();
            let staff_sessions = sqlx::query("DELETE FROM staff_sessions WHERE last_seen_at < $1 OR created_at < $2")
                .bind(cutoffs.staff_seen_before).bind(cutoffs.staff_created_before)
                .execute(&mut *tx).await?.rows_affected();
            let patient_sessions = sqlx::query("DELETE FROM patient_sessions WHERE last_seen_at < $1")
                .bind(cutoffs.patient_seen_before).execute(&mut *tx).await?.rows_affected();
            tx.commit().await?;
            let attachments = abandoned_files + settled_files;
            let counts = PurgeCounts { drafts, chart_reads, answers, one_time_codes, staff_sessions, patient_sessions, attachments };
            Ok::<_, sqlx::Error>(counts)
        })
        .map_err(StoreError::from)
    }

    /// How busy the connection pool is.
    pub fn pool_use(&self) -> PoolUse {
        let (size, idle, max) = match &self.backend {
            Backend::Sqlite(pool) => (
                pool.size(),
                pool.num_idle(),
                pool.options().get_max_connections(),
            ),
            Backend::Postgres(pool) => (
                pool.size(),
                pool.num_idle(),
                pool.options().get_max_connections(),
            ),
        };
        let idle = u64::try_from(idle).unwrap_or(u64::MAX);
        PoolUse {
            in_use: u64::from(size).saturating_sub(idle),
            idle,
            max: u64::from(max),
        }
    }
}
