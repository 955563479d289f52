//! Staff accounts and their server-side sessions.

use sqlx::FromRow;
use uuid::Uuid;

use super::{Store, StoreError, on_pool};
pub use crate::domain::StaffRole;
use crate::domain::TokenHash;

/// A staff account.
#[derive(Debug, Clone)]
pub struct StaffUser {
    /// Its id.
    pub id: Uuid,
    /// The login name.
    pub username: String,
    /// The name shown in the header and the audit trail.
    pub display_name: String,
    /// What they may do.
    pub role: StaffRole,
    /// The argon2id PHC string.
    pub password_hash: String,
    /// Whether the next sign-in must choose a new password (after an initial one or a reset).
    pub must_change_password: bool,
    /// When the account was disabled; a disabled account cannot sign in.
    pub disabled_at: Option<i64>,
    /// Whether an authenticator app is enrolled.
    pub totp_enrolled: bool,
    /// When it was made, epoch milliseconds.
    pub created_at: i64,
}

/// A logged-in staff member's session.
#[derive(Debug, Clone)]
pub struct StaffSession {
    /// Who.
    pub user: StaffUser,
    /// The session's CSRF token, checked on every POST.
    pub csrf_token: String,
    /// Last request, epoch milliseconds.
    pub last_seen_at: i64,
    /// Login time, epoch milliseconds.
    pub created_at: i64,
    /// When this session passed the second factor, if it has.
    pub second_factor_at: Option<i64>,
}

/// The columns of [`UserRow`], qualified by the alias `u`.
const USER_COLUMNS: &str = "u.id, u.username, u.display_name, u.role, u.password_hash, \
     u.must_change_password, u.disabled_at, u.totp_secret IS NOT NULL AS totp_enrolled, u.created_at";

#[derive(FromRow)]
struct UserRow {
    id: Uuid,
    username: String,
    display_name: String,
    role: String,
    password_hash: String,
    must_change_password: bool,
    disabled_at: Option<i64>,
    totp_enrolled: bool,
    created_at: i64,
}

impl TryFrom<UserRow> for StaffUser {
    type Error = StoreError;
    fn try_from(row: UserRow) -> Result<Self, StoreError> {
        Ok(Self {
            id: row.id,
            username: row.username,
            display_name: row.display_name,
            role: StaffRole::parse(&row.role).ok_or(StoreError::Corrupt("staff_users.role"))?,
            password_hash: row.password_hash,
            must_change_password: row.must_change_password,
            disabled_at: row.disabled_at,
            totp_enrolled: row.totp_enrolled,
            created_at: row.created_at,
        })
    }
}

#[derive(FromRow)]
struct SessionRow {
    #[sqlx(flatten)]
    user: UserRow,
    csrf_token: String,
    last_seen_at: i64,
    session_created_at: i64,
    second_factor_at: Option<i64>,
}

impl Store {
    /// Creates the account, or sets a new password and role on an existing one (the demo and
    /// tests; staff accounts are made through [`Store::create_staff_user`]).
    pub async fn upsert_staff_user(
        &self,
        username: &str,
        display_name: &str,
        role: StaffRole,
        password_hash: &str,
        now: i64,
    ) -> Result<Uuid, StoreError> {
        let id: Uuid = on_pool!(self, pool => sqlx::query_scalar(
            "INSERT INTO staff_users (id, username, display_name, role, password_hash, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6) \
             ON CONFLICT (username) DO UPDATE SET display_name = excluded.display_name, \
             role = excluded.role, password_hash = excluded.password_hash RETURNING id",
        )
        .bind(Uuid::now_v7())
        .bind(username)
        .bind(display_name)
        .bind(role.code())
        .bind(password_hash)
        .bind(now)
        .fetch_one(pool)
        .await)?;
        // A new password ends every session opened with the old one.
        on_pool!(self, pool => sqlx::query("DELETE FROM staff_sessions WHERE user_id = $1").bind(id).execute(pool).await.map(drop))?;
        Ok(id)
    }

    /// The account with this login name.
    pub async fn find_staff_user(&self, username: &str) -> Result<Option<StaffUser>, StoreError> {
        let row: Option<UserRow> = on_pool!(self, pool => sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT {USER_COLUMNS} FROM staff_users u WHERE u.username = $1"
        )))
        .bind(username)
        .fetch_optional(pool)
        .await)?;
        row.map(StaffUser::try_from).transpose()
    }

    /// The account with this id.
    pub async fn find_staff_user_by_id(&self, id: Uuid) -> Result<Option<StaffUser>, StoreError> {
        let row: Option<UserRow> = on_pool!(self, pool => sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT {USER_COLUMNS} FROM staff_users u WHERE u.id = $1"
        )))
        .bind(id)
        .fetch_optional(pool)
        .await)?;
        row.map(StaffUser::try_from).transpose()
    }

    /// Accounts in username order, after `after` (the last name of the previous page).
    pub async fn list_staff_users(
        &self,
        after: Option<&str>,
        limit: u32,
    ) -> Result<Vec<StaffUser>, StoreError> {
        let rows: Vec<UserRow> = on_pool!(self, pool => sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT {USER_COLUMNS} FROM staff_users u WHERE u.username > $1 \
             ORDER BY u.username LIMIT $2"
        )))
        .bind(after.unwrap_or(""))
        .bind(i64::from(limit))
        .fetch_all(pool)
        .await)?;
        rows.into_iter().map(StaffUser::try_from).collect()
    }

    /// Opens a session for `user_id`.
    pub async fn create_staff_session(
        &self,
        token: &TokenHash,
        user_id: Uuid,
        csrf_token: &str,
        now: i64,
    ) -> Result<(), StoreError> {
        on_pool!(self, pool => sqlx::query(
            "INSERT INTO staff_sessions (token_hash, user_id, csrf_token, created_at, last_seen_at) \
             VALUES ($1, $2, $3, $4, $4)",
        )
        .bind(token.as_str())
        .bind(user_id)
        .bind(csrf_token)
        .bind(now)
        .execute(pool)
        .await.map(drop))?;
        Ok(())
    }

    /// The session for a cookie's token, marking it seen at `now`. A disabled account has none.
    pub async fn find_staff_session(
        &self,
        token: &TokenHash,
        now: i64,
    ) -> Result<Option<StaffSession>, StoreError> {
        let row: Option<SessionRow> = on_pool!(self, pool => sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT {USER_COLUMNS}, s.csrf_token, s.last_seen_at, \
                    s.created_at AS session_created_at, s.second_factor_at \
             FROM staff_sessions s JOIN staff_users u ON u.id = s.user_id \
             WHERE s.token_hash = $1 AND u.disabled_at IS NULL"
        )))
        .bind(token.as_str())
        .fetch_optional(pool)
        .await)?;
        let Some(row) = row else { return Ok(None) };
        on_pool!(self, pool => sqlx::query("UPDATE staff_sessions SET last_seen_at = $2 WHERE token_hash = $1")
            .bind(token.as_str())
            .bind(now)
            .execute(pool)
            .await.map(drop))?;
        Ok(Some(StaffSession {
            user: row.user.try_into()?,
            csrf_token: row.csrf_token,
            last_seen_at: row.last_seen_at,
            created_at: row.session_created_at,
            second_factor_at: row.second_factor_at,
        }))
    }

    /// Ends a session.
    pub async fn delete_staff_session(&self, token: &TokenHash) -> Result<(), StoreError> {
        on_pool!(self, pool => sqlx::query("DELETE FROM staff_sessions WHERE token_hash = $1")
            .bind(token.as_str())
            .execute(pool)
            .await.map(drop))?;
        Ok(())
    }
}
