//! Invitations (the link a patient opens) and the patient sessions they start.

use sqlx::{AssertSqlSafe, FromRow};
use uuid::Uuid;

use super::{
    Appointment, AuditEvent, Store, StoreError,
    appointments::{APPOINTMENT_COLUMNS, AppointmentRow},
    audit::insert_audit,
    on_pool,
};
pub use crate::domain::InvitationStatus;
use crate::domain::TokenHash;

/// How many wrong answers (dates of birth and one-time codes together) lock a link until staff
/// reissue it.
pub const MAX_FAILED_VERIFICATIONS: i64 = 5;

/// How stale a patient session's `last_seen_at` may grow before a request writes it again, in
/// milliseconds. Writing it on every request made every page view and save a second write
/// (on SQLite, a second turn at the one write lock) for a time only the idle limit (30 minutes
/// by default) and the purge read: a session idles out at most this much early.
pub const SESSION_TOUCH_EVERY: i64 = 60_000;

/// A session's `last_seen_at` as stored once it is read at `now`: moved to `now` when it was
/// last written [`SESSION_TOUCH_EVERY`] or more before, else as it was.
pub fn seen_recorded(last_seen_at: i64, now: i64) -> i64 {
    if now.saturating_sub(last_seen_at) >= SESSION_TOUCH_EVERY {
        now
    } else {
        last_seen_at
    }
}

/// A patient's session, with the invitation and appointment behind it.
#[derive(Debug, Clone)]
pub struct PatientSession {
    /// The invitation.
    pub invitation_id: Uuid,
    /// Its status.
    pub status: InvitationStatus,
    /// When the link stops working, epoch milliseconds.
    pub expires_at: i64,
    /// Whether the patient proved who they are in this session (the date of birth, and the
    /// one-time code where one is asked for).
    pub verified: bool,
    /// Whether the date of birth was right in this session (with a one-time code asked for,
    /// the code is still to come).
    pub birth_date_proven: bool,
    /// The session's CSRF token.
    pub csrf_token: String,
    /// The last request recorded on the session (at most [`SESSION_TOUCH_EVERY`] before the
    /// one before this), epoch milliseconds.
    pub last_seen_at: i64,
    /// The appointment.
    pub appointment: Appointment,
}

/// The outcome of a wrong date of birth.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FailedVerification {
    /// Wrong answers so far.
    pub attempts: i64,
    /// Whether this one locked the link.
    pub locked: bool,
}

#[derive(FromRow)]
struct SessionRow {
    invitation_id: Uuid,
    status: String,
    expires_at: i64,
    verified: bool,
    birth_date_proven: bool,
    csrf_token: String,
    last_seen_at: i64,
    #[sqlx(flatten)]
    appointment: AppointmentRow,
}

impl Store {
    /// Issues a new invitation for an appointment, revoking any earlier open one.
    pub async fn issue_invitation(
        &self,
        appointment_id: Uuid,
        token: &TokenHash,
        expires_at: i64,
        now: i64,
    ) -> Result<Uuid, StoreError> {
        self.issue_invitation_by(appointment_id, token, expires_at, now, "system")
            .await
    }

    /// Starts a patient session on the invitation whose link token hashes to `link`, if the
    /// invitation is open and unexpired. Returns the invitation id.
    pub async fn open_invitation(
        &self,
        link: &TokenHash,
        session: &TokenHash,
        csrf_token: &str,
        now: i64,
    ) -> Result<Option<Uuid>, StoreError> {
        on_pool!(self, pool => {
            let mut tx = pool.begin_write().await?;
            // A write first: on SQLite the transaction takes the write lock at once (waiting its
            // turn) instead of reading and failing to upgrade when another connection wrote
            // meanwhile. It records the first opening, which the worklist shows.
            let found: Option<Uuid> = sqlx::query_scalar(
                "UPDATE invitations SET opened_at = COALESCE(opened_at, $2) \
                 WHERE token_hash = $1 AND status = 'open' AND expires_at > $2 RETURNING id",
            )
            .bind(link.as_str())
            .bind(now)
            .fetch_optional(&mut *tx)
            .await?;
            if let Some(invitation_id) = found {
                sqlx::query(
                    "INSERT INTO patient_sessions (token_hash, invitation_id, csrf_token, created_at, last_seen_at) \
                     VALUES ($1, $2, $3, $4, $4)",
                )
                .bind(session.as_str())
                .bind(invitation_id)
                .bind(csrf_token)
                .bind(now)
                .execute(&mut *tx)
                .await?;
                let audit = AuditEvent::by_patient(invitation_id, "invitation.opened", now, serde_json::json!({}));
                insert_audit!(&mut *tx, &audit)?;
            }
            tx.commit().await?;
            Ok::<_, sqlx::Error>(found)
        })
        .map_err(StoreError::from)
    }

    /// The patient session for a cookie's token.
    pub async fn find_patient_session(
        &self,
        session: &TokenHash,
        now: i64,
    ) -> Result<Option<PatientSession>, StoreError> {
        let sql = format!(
            "SELECT s.invitation_id, i.status, i.expires_at, s.verified, s.birth_date_proven, s.csrf_token, s.last_seen_at, {APPOINTMENT_COLUMNS} \
             FROM patient_sessions s JOIN invitations i ON i.id = s.invitation_id \
             JOIN appointments a ON a.id = i.appointment_id WHERE s.token_hash = $1"
        );
        let row: Option<SessionRow> = on_pool!(self, pool => sqlx::query_as(AssertSqlSafe(sql))
            .bind(session.as_str())
            .fetch_optional(pool)
            .await)?;
        let Some(row) = row else { return Ok(None) };
        if seen_recorded(row.last_seen_at, now) != row.last_seen_at {
            on_pool!(self, pool => sqlx::query("UPDATE patient_sessions SET last_seen_at = $2 WHERE token_hash = $1")
                .bind(session.as_str())
                .bind(now)
                .execute(pool)
                .await.map(drop))?;
        }
        Ok(Some(PatientSession {
            invitation_id: row.invitation_id,
            status: InvitationStatus::parse(&row.status)
                .ok_or(StoreError::Corrupt("invitations.status"))?,
            expires_at: row.expires_at,
            verified: row.verified,
            birth_date_proven: row.birth_date_proven,
            csrf_token: row.csrf_token,
            last_seen_at: row.last_seen_at,
            appointment: self.open_appointment(row.appointment)?.try_into()?,
        }))
    }

    /// Moves a patient session to a new id; `false` when the old one is gone.
    pub async fn renew_patient_session(
        &self,
        session: &TokenHash,
        renewed: &TokenHash,
    ) -> Result<bool, StoreError> {
        let moved = on_pool!(self, pool => sqlx::query("UPDATE patient_sessions SET token_hash = $2 WHERE token_hash = $1")
            .bind(session.as_str())
            .bind(renewed.as_str())
            .execute(pool)
            .await
            .map(|done| done.rows_affected()))?;
        Ok(moved == 1)
    }

    /// Ends a patient session.
    pub async fn delete_patient_session(&self, session: &TokenHash) -> Result<(), StoreError> {
        on_pool!(self, pool => sqlx::query("DELETE FROM patient_sessions WHERE token_hash = $1")
            .bind(session.as_str())
            .execute(pool)
            .await.map(drop))?;
        Ok(())
    }

    /// Records a correct date of birth on the session.
    /// Only while the invitation is open and not locked, so a right guess racing the guesses
    /// that lock it does not get in; `false` when it did not count.
    pub async fn mark_verified(
        &self,
        session: &TokenHash,
        invitation_id: Uuid,
        now: i64,
    ) -> Result<bool, StoreError> {
        self.mark_session(session, invitation_id, now, Proof::Verified)
            .await
    }

    /// Records a right date of birth on a session that must still enter a one-time code. Only
    /// while the invitation is open and not locked; `false` when it did not count.
    pub async fn mark_birth_date_proven(
        &self,
        session: &TokenHash,
        invitation_id: Uuid,
        now: i64,
    ) -> Result<bool, StoreError> {
        self.mark_session(session, invitation_id, now, Proof::BirthDate)
            .await
    }

    /// Records `proof` on the session with its audit event, in one transaction, while the
    /// invitation is open and not locked.
    async fn mark_session(
        &self,
        session: &TokenHash,
        invitation_id: Uuid,
        now: i64,
        proof: Proof,
    ) -> Result<bool, StoreError> {
        // Literal statements: the column is chosen here, never from input.
        let (sql, action) = match proof {
            Proof::Verified => (
                "UPDATE patient_sessions SET verified = TRUE WHERE token_hash = $1 AND EXISTS \
                 (SELECT 1 FROM invitations WHERE id = $2 AND status = 'open' AND failed_attempts < $3)",
                "invitation.verified",
            ),
            Proof::BirthDate => (
                "UPDATE patient_sessions SET birth_date_proven = TRUE WHERE token_hash = $1 AND EXISTS \
                 (SELECT 1 FROM invitations WHERE id = $2 AND status = 'open' AND failed_attempts < $3)",
                "invitation.birth_date_proven",
            ),
        };
        let audit = AuditEvent::by_patient(invitation_id, action, now, serde_json::json!({}));
        on_pool!(self, pool => {
            let mut tx = pool.begin_write().await?;
            let marked = sqlx::query(sql)
                .bind(session.as_str())
                .bind(invitation_id)
                .bind(MAX_FAILED_VERIFICATIONS)
                .execute(&mut *tx)
                .await?
                .rows_affected()
                == 1;
            if marked {
                if matches!(proof, Proof::Verified) {
                    sqlx::query("UPDATE invitations SET verified_at = $2 WHERE id = $1 AND verified_at IS NULL")
                        .bind(invitation_id)
                        .bind(now)
                        .execute(&mut *tx)
                        .await?;
                }
                insert_audit!(&mut *tx, &audit)?;
            }
            tx.commit().await?;
            Ok::<_, sqlx::Error>(marked)
        })
        .map_err(StoreError::from)
    }

    /// Counts a wrong date of birth or one-time code, locking the invitation at the limit. Atomic, so parallel
    /// guesses cannot slip past the limit.
    pub async fn record_failed_verification(
        &self,
        invitation_id: Uuid,
        now: i64,
    ) -> Result<FailedVerification, StoreError> {
        on_pool!(self, pool => {
            let mut tx = pool.begin_write().await?;
            let (attempts, status): (i64, String) = sqlx::query_as(
                "UPDATE invitations SET failed_attempts = failed_attempts + 1, \
                   status = CASE WHEN failed_attempts + 1 >= $2 AND status = 'open' THEN 'locked' ELSE status END \
                 WHERE id = $1 RETURNING failed_attempts, status",
            )
            .bind(invitation_id)
            .bind(MAX_FAILED_VERIFICATIONS)
            .fetch_one(&mut *tx)
            .await?;
            let locked = attempts == MAX_FAILED_VERIFICATIONS && status == "locked";
            let audit = AuditEvent::by_patient(invitation_id, if locked { "invitation.locked" } else { "invitation.verification_failed" }, now, serde_json::json!({ "attempts": attempts }));
            insert_audit!(&mut *tx, &audit)?;
            tx.commit().await?;
            Ok::<_, sqlx::Error>(FailedVerification { attempts, locked })
        })
        .map_err(StoreError::from)
    }
}

/// What a patient session has proven.
#[derive(Debug, Clone, Copy)]
enum Proof {
    /// Who they are: the session may answer.
    Verified,
    /// The date of birth, with a one-time code still to come.
    BirthDate,
}
