//! Changes to staff accounts, each in one transaction with its audit event: creating,
//! disabling, new passwords, roles, second-factor enrolment; and the per-username count of
//! failed sign-ins.

use uuid::Uuid;

use super::{StaffAudit, Store, StoreError, on_pool, staff_audit::insert_staff_audit};
use crate::domain::{StaffRole, TokenHash};

/// A new account.
#[derive(Debug, Clone)]
pub struct NewStaffUser {
    /// The login name (already parsed).
    pub username: String,
    /// The name shown.
    pub display_name: String,
    /// What they may do.
    pub role: StaffRole,
    /// The argon2id hash of the initial password.
    pub password_hash: String,
}

/// A change to an existing account.
#[derive(Debug, Clone)]
pub enum AccountChange {
    /// It can no longer sign in; its sessions end.
    Disable,
    /// It can sign in again.
    Enable,
    /// A new role; its sessions end so no page opened under the old role stays open.
    Role(StaffRole),
    /// Forgets the authenticator and the recovery codes (a lost phone); roles that need a
    /// second factor set one up again at the next sign-in. Sessions end.
    ForgetSecondFactor,
    /// A new password hash. `must_change` after a reset; sessions end except `keep` (the
    /// session of someone changing their own password).
    Password {
        /// The argon2id hash.
        hash: String,
        /// Whether the next sign-in must choose another.
        must_change: bool,
        /// The session that stays open.
        keep: Option<TokenHash>,
    },
}

impl Store {
    /// Creates an account with an initial password that must be changed at first sign-in.
    /// `Conflict` when the username is taken.
    pub async fn create_staff_user(
        &self,
        new: &NewStaffUser,
        audit: &StaffAudit,
    ) -> Result<Uuid, StoreError> {
        let id = Uuid::now_v7();
        let audit = StaffAudit {
            subject_id: id,
            ..audit.clone()
        };
        on_pool!(self, pool => {
            let mut tx = pool.begin_write().await?;
            sqlx::query(
                "INSERT INTO staff_users (id, username, display_name, role, password_hash, created_at, \
                 must_change_password, updated_at) VALUES ($1, $2, $3, $4, $5, $6, TRUE, $6)",
            )
            .bind(id)
            .bind(&new.username)
            .bind(&new.display_name)
            .bind(new.role.code())
            .bind(&new.password_hash)
            .bind(audit.at)
            .execute(&mut *tx)
            .await
            .map_err(|e| StoreError::conflict_on_unique(e, "that username is taken"))?;
            insert_staff_audit!(&mut *tx, &audit, None)?;
            tx.commit().await?;
        });
        Ok(id)
    }

    /// Applies one change to an account and records `audit` with it. `NotFound` for no such
    /// account.
    pub async fn change_staff_user(
        &self,
        id: Uuid,
        change: &AccountChange,
        audit: &StaffAudit,
    ) -> Result<(), StoreError> {
        let now = audit.at;
        on_pool!(self, pool => {
            let mut tx = pool.begin_write().await?;
            let updated = match change {
                AccountChange::Disable => sqlx::query(
                    "UPDATE staff_users SET disabled_at = $2, updated_at = $2 WHERE id = $1",
                ).bind(id).bind(now).execute(&mut *tx).await?,
                AccountChange::Enable => sqlx::query(
                    "UPDATE staff_users SET disabled_at = NULL, updated_at = $2 WHERE id = $1",
                ).bind(id).bind(now).execute(&mut *tx).await?,
                AccountChange::Role(role) => sqlx::query(
                    "UPDATE staff_users SET role = $2, updated_at = $3 WHERE id = $1",
                ).bind(id).bind(role.code()).bind(now).execute(&mut *tx).await?,
                AccountChange::ForgetSecondFactor => {
                    sqlx::query("DELETE FROM staff_recovery_codes WHERE user_id = $1")
                        .bind(id)
                        .execute(&mut *tx)
                        .await?;
                    sqlx::query(
                        "UPDATE staff_users SET totp_secret = NULL, totp_pending = NULL, \
                         totp_last_step = NULL, updated_at = $2 WHERE id = $1",
                    ).bind(id).bind(now).execute(&mut *tx).await?
                }
                AccountChange::Password { hash, must_change, .. } => sqlx::query(
                    "UPDATE staff_users SET password_hash = $2, must_change_password = $3, \
                     updated_at = $4 WHERE id = $1",
                ).bind(id).bind(hash).bind(*must_change).bind(now).execute(&mut *tx).await?,
            };
            if updated.rows_affected() == 0 {
                return Err(StoreError::NotFound);
            }
            let keep = match change {
                AccountChange::Password { keep: Some(token), .. } => token.as_str().to_owned(),
                _ => String::new(),
            };
            if !matches!(change, AccountChange::Enable) {
                sqlx::query("DELETE FROM staff_sessions WHERE user_id = $1 AND token_hash <> $2")
                    .bind(id)
                    .bind(keep)
                    .execute(&mut *tx)
                    .await?;
            }
            insert_staff_audit!(&mut *tx, audit, None)?;
            tx.commit().await?;
        });
        Ok(())
    }

    /// Keeps a TOTP secret offered at enrolment until a code from it confirms it.
    pub async fn offer_totp(&self, id: Uuid, secret_base32: &str) -> Result<(), StoreError> {
        on_pool!(self, pool => sqlx::query("UPDATE staff_users SET totp_pending = $2 WHERE id = $1")
            .bind(id)
            .bind(secret_base32)
            .execute(pool)
            .await
            .map(drop))?;
        Ok(())
    }

    /// The secrets of an account: `(enrolled, offered, last step used)`, base32.
    pub async fn totp_secrets(
        &self,
        id: Uuid,
    ) -> Result<(Option<String>, Option<String>, Option<i64>), StoreError> {
        let row = on_pool!(self, pool => sqlx::query_as(
            "SELECT totp_secret, totp_pending, totp_last_step FROM staff_users WHERE id = $1",
        )
        .bind(id)
        .fetch_optional(pool)
        .await)?;
        row.ok_or(StoreError::NotFound)
    }

    /// Confirms the offered secret (if it is still `secret`): it becomes the account's second
    /// factor, `step` is spent, the recovery codes replace any earlier ones, and `session` has
    /// passed the second factor. `Conflict` when the offer changed meanwhile.
    pub async fn enrol_totp(
        &self,
        id: Uuid,
        secret_base32: &str,
        step: i64,
        recovery_hashes: &[String],
        session: &TokenHash,
        audit: &StaffAudit,
    ) -> Result<(), StoreError> {
        on_pool!(self, pool => {
            let mut tx = pool.begin_write().await?;
            let done = sqlx::query(
                "UPDATE staff_users SET totp_secret = totp_pending, totp_pending = NULL, \
                 totp_last_step = $3, updated_at = $4 WHERE id = $1 AND totp_pending = $2",
            )
            .bind(id)
            .bind(secret_base32)
            .bind(step)
            .bind(audit.at)
            .execute(&mut *tx)
            .await?;
            if done.rows_affected() == 0 {
                return Err(StoreError::Conflict("the set-up code changed; scan the new one"));
            }
            sqlx::query("DELETE FROM staff_recovery_codes WHERE user_id = $1")
                .bind(id)
                .execute(&mut *tx)
                .await?;
            for hash in recovery_hashes {
                sqlx::query("INSERT INTO staff_recovery_codes (user_id, code_hash) VALUES ($1, $2)")
                    .bind(id)
                    .bind(hash)
                    .execute(&mut *tx)
                    .await?;
            }
            sqlx::query("UPDATE staff_sessions SET second_factor_at = $2 WHERE token_hash = $1")
                .bind(session.as_str())
                .bind(audit.at)
                .execute(&mut *tx)
                .await?;
            insert_staff_audit!(&mut *tx, audit, None)?;
            tx.commit().await?;
        });
        Ok(())
    }

    /// Spends a TOTP step, if it is later than the last one spent, and marks `session` as past
    /// the second factor. `false` when the step was already used (a replayed code).
    pub async fn spend_totp_step(
        &self,
        id: Uuid,
        step: i64,
        session: &TokenHash,
        audit: &StaffAudit,
    ) -> Result<bool, StoreError> {
        on_pool!(self, pool => {
            let mut tx = pool.begin_write().await?;
            let spent = sqlx::query(
                "UPDATE staff_users SET totp_last_step = $2 WHERE id = $1 \
                 AND (totp_last_step IS NULL OR totp_last_step < $2)",
            )
            .bind(id)
            .bind(step)
            .execute(&mut *tx)
            .await?;
            if spent.rows_affected() == 0 {
                return Ok(false);
            }
            sqlx::query("UPDATE staff_sessions SET second_factor_at = $2 WHERE token_hash = $1")
                .bind(session.as_str())
                .bind(audit.at)
                .execute(&mut *tx)
                .await?;
            insert_staff_audit!(&mut *tx, audit, None)?;
            tx.commit().await?;
        });
        Ok(true)
    }

    /// Spends a recovery code, if it is one of the account's unused ones, and marks `session`
    /// as past the second factor.
    pub async fn spend_recovery_code(
        &self,
        id: Uuid,
        code_hash: &str,
        session: &TokenHash,
        audit: &StaffAudit,
    ) -> Result<bool, StoreError> {
        on_pool!(self, pool => {
            let mut tx = pool.begin_write().await?;
            let spent = sqlx::query(
                "UPDATE staff_recovery_codes SET used_at = $3 \
                 WHERE user_id = $1 AND code_hash = $2 AND used_at IS NULL",
            )
            .bind(id)
            .bind(code_hash)
            .bind(audit.at)
            .execute(&mut *tx)
            .await?;
            if spent.rows_affected() == 0 {
                return Ok(false);
            }
            sqlx::query("UPDATE staff_sessions SET second_factor_at = $2 WHERE token_hash = $1")
                .bind(session.as_str())
                .bind(audit.at)
                .execute(&mut *tx)
                .await?;
            insert_staff_audit!(&mut *tx, audit, None)?;
            tx.commit().await?;
        });
        Ok(true)
    }

    /// Recovery codes not yet used.
    pub async fn unused_recovery_codes(&self, id: Uuid) -> Result<i64, StoreError> {
        let count = on_pool!(self, pool => sqlx::query_scalar(
            "SELECT COUNT(*) FROM staff_recovery_codes WHERE user_id = $1 AND used_at IS NULL",
        )
        .bind(id)
        .fetch_one(pool)
        .await)?;
        Ok(count)
    }

    /// Failed sign-ins for a username since its last success: `(failures, last at)`.
    pub async fn sign_in_failures(&self, username: &str) -> Result<(u32, i64), StoreError> {
        let row: Option<(i64, i64)> = on_pool!(self, pool => sqlx::query_as(
            "SELECT failures, last_failed_at FROM sign_in_failures WHERE username = $1",
        )
        .bind(username)
        .fetch_optional(pool)
        .await)?;
        Ok(row.map_or((0, 0), |(n, at)| (u32::try_from(n).unwrap_or(u32::MAX), at)))
    }

    /// Counts one failed sign-in (password or second factor) for a username, and records
    /// `audit` with it. Rows of names not tried for a day are dropped on the way, so names that
    /// belong to no one do not pile up.
    pub async fn record_sign_in_failure(
        &self,
        username: &str,
        audit: &StaffAudit,
    ) -> Result<(), StoreError> {
        let now = audit.at;
        on_pool!(self, pool => {
            let mut tx = pool.begin_write().await?;
            sqlx::query("DELETE FROM sign_in_failures WHERE last_failed_at < $1")
                .bind(now - 86_400_000)
                .execute(&mut *tx)
                .await?;
            sqlx::query(
                "INSERT INTO sign_in_failures (username, failures, last_failed_at) VALUES ($1, 1, $2) \
                 ON CONFLICT (username) DO UPDATE SET failures = sign_in_failures.failures + 1, \
                 last_failed_at = excluded.last_failed_at",
            )
            .bind(username)
            .bind(now)
            .execute(&mut *tx)
            .await?;
            insert_staff_audit!(&mut *tx, audit, None)?;
            tx.commit().await?;
        });
        Ok(())
    }

    /// Forgets the failures of a username after a successful sign-in.
    pub async fn clear_sign_in_failures(&self, username: &str) -> Result<(), StoreError> {
        on_pool!(self, pool => sqlx::query("DELETE FROM sign_in_failures WHERE username = $1")
            .bind(username)
            .execute(pool)
            .await
            .map(drop))?;
        Ok(())
    }
}
