//! One-time codes: at most one current code per invitation, kept as a hash with its expiry,
//! used once, and a count of the codes sent on the link.

use sqlx::FromRow;
use uuid::Uuid;

use super::{
    AuditEvent, MAX_FAILED_VERIFICATIONS, Store, StoreError, audit::insert_audit, on_pool,
};
use crate::domain::{CodeHash, TokenHash};

/// The invitation's current code, as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredCode {
    /// The code's hash.
    pub hash: CodeHash,
    /// When it was sent, epoch milliseconds.
    pub sent_at: i64,
    /// When it stops working, epoch milliseconds.
    pub expires_at: i64,
    /// Whether it was used.
    pub used: bool,
    /// How many codes were sent on this link, this one included.
    pub sends: i64,
}

impl StoredCode {
    /// Whether it can still be entered: unused and unexpired.
    pub fn is_live(&self, now: i64) -> bool {
        !self.used && now < self.expires_at
    }
}

/// When a new code may replace the current one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CodeRules {
    /// A live code is replaced at most this often, in milliseconds.
    pub min_interval: i64,
    /// At most this many codes are sent on one link.
    pub max_sends: i64,
}

/// What became of a request for a new code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CodeIssue {
    /// Stored; the count of codes sent on the link, this one included.
    Issued {
        /// Codes sent on the link.
        sends: i64,
    },
    /// The live code is too recent to replace; a new one may be sent from this time on.
    TooSoon {
        /// Epoch milliseconds.
        next_at: i64,
    },
    /// The link has had all the codes it may have.
    NoMoreCodes,
}

#[derive(FromRow)]
struct CodeRow {
    code_hash: String,
    sent_at: i64,
    expires_at: i64,
    used_at: Option<i64>,
    sends: i64,
}

impl From<CodeRow> for StoredCode {
    fn from(row: CodeRow) -> Self {
        Self {
            hash: CodeHash::from_stored(row.code_hash),
            sent_at: row.sent_at,
            expires_at: row.expires_at,
            used: row.used_at.is_some(),
            sends: row.sends,
        }
    }
}

impl Store {
    /// The invitation's current code, if one was ever sent.
    pub async fn load_code(&self, invitation_id: Uuid) -> Result<Option<StoredCode>, StoreError> {
        let row: Option<CodeRow> = on_pool!(self, pool => sqlx::query_as(
            "SELECT code_hash, sent_at, expires_at, used_at, sends FROM one_time_codes WHERE invitation_id = $1",
        )
        .bind(invitation_id)
        .fetch_optional(pool)
        .await)?;
        Ok(row.map(StoredCode::from))
    }

    /// Stores a new code for the invitation in place of the current one, if `rules` allow: a
    /// live code is replaced no sooner than `min_interval` after it was sent, and no link gets
    /// more than `max_sends` codes. Atomic, so parallel requests cannot slip past either rule.
    pub async fn issue_code(
        &self,
        invitation_id: Uuid,
        code: &CodeHash,
        now: i64,
        expires_at: i64,
        rules: CodeRules,
    ) -> Result<CodeIssue, StoreError> {
        let issued: Option<i64> = on_pool!(self, pool => {
            let mut tx = pool.begin_write().await?;
            let sends: Option<i64> = sqlx::query_scalar(
                "INSERT INTO one_time_codes (invitation_id, code_hash, sent_at, expires_at, used_at, sends) \
                 VALUES ($1, $2, $3, $4, NULL, 1) \
                 ON CONFLICT (invitation_id) DO UPDATE SET code_hash = excluded.code_hash, \
                   sent_at = excluded.sent_at, expires_at = excluded.expires_at, used_at = NULL, \
                   sends = one_time_codes.sends + 1 \
                 WHERE one_time_codes.sends < $5 AND (one_time_codes.used_at IS NOT NULL \
                   OR one_time_codes.expires_at <= $3 OR one_time_codes.sent_at + $6 <= $3) \
                 RETURNING sends",
            )
            .bind(invitation_id)
            .bind(code.as_str())
            .bind(now)
            .bind(expires_at)
            .bind(rules.max_sends)
            .bind(rules.min_interval)
            .fetch_optional(&mut *tx)
            .await?;
            if let Some(sends) = sends {
                let audit = AuditEvent::by_patient(invitation_id, "invitation.code_sent", now, serde_json::json!({ "sends": sends }));
                insert_audit!(&mut *tx, &audit)?;
            }
            tx.commit().await?;
            Ok::<_, sqlx::Error>(sends)
        })?;
        if let Some(sends) = issued {
            return Ok(CodeIssue::Issued { sends });
        }
        let current = self
            .load_code(invitation_id)
            .await?
            .ok_or(StoreError::NotFound)?;
        Ok(if current.sends >= rules.max_sends {
            CodeIssue::NoMoreCodes
        } else {
            CodeIssue::TooSoon {
                next_at: current.sent_at.saturating_add(rules.min_interval),
            }
        })
    }

    /// Ends the current code now (it could not be delivered), so a new one may be sent at once.
    pub async fn expire_code(&self, invitation_id: Uuid, now: i64) -> Result<(), StoreError> {
        on_pool!(self, pool => sqlx::query(
            "UPDATE one_time_codes SET expires_at = $2 WHERE invitation_id = $1 AND expires_at > $2",
        )
        .bind(invitation_id)
        .bind(now)
        .execute(pool)
        .await.map(drop))?;
        Ok(())
    }

    /// Uses the code that hashes to `code` and verifies the session, in one transaction: only
    /// an unused, unexpired code, only once, only in a session whose date of birth was right,
    /// and only while the invitation is open and not locked. `false` when nothing counted.
    pub async fn redeem_code(
        &self,
        session: &TokenHash,
        invitation_id: Uuid,
        code: &CodeHash,
        now: i64,
    ) -> Result<bool, StoreError> {
        let audit = AuditEvent::by_patient(
            invitation_id,
            "invitation.verified",
            now,
            serde_json::json!({ "with": "one_time_code" }),
        );
        on_pool!(self, pool => {
            let mut tx = pool.begin_write().await?;
            let used = sqlx::query(
                "UPDATE one_time_codes SET used_at = $3 \
                 WHERE invitation_id = $1 AND code_hash = $2 AND used_at IS NULL AND expires_at > $3",
            )
            .bind(invitation_id)
            .bind(code.as_str())
            .bind(now)
            .execute(&mut *tx)
            .await?
            .rows_affected()
                == 1;
            let verified = used
                && sqlx::query(
                    "UPDATE patient_sessions SET verified = TRUE \
                     WHERE token_hash = $1 AND invitation_id = $2 AND birth_date_proven AND EXISTS \
                     (SELECT 1 FROM invitations WHERE id = $2 AND status = 'open' AND failed_attempts < $3)",
                )
                .bind(session.as_str())
                .bind(invitation_id)
                .bind(MAX_FAILED_VERIFICATIONS)
                .execute(&mut *tx)
                .await?
                .rows_affected()
                    == 1;
            if verified {
                sqlx::query("UPDATE invitations SET verified_at = $2 WHERE id = $1 AND verified_at IS NULL")
                    .bind(invitation_id)
                    .bind(now)
                    .execute(&mut *tx)
                    .await?;
                insert_audit!(&mut *tx, &audit)?;
                tx.commit().await?;
            } else {
                tx.rollback().await?;
            }
            Ok::<_, sqlx::Error>(verified)
        })
        .map_err(StoreError::from)
    }
}
