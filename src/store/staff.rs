//! Staff accounts and their server-side sessions.

use sqlx::FromRow;
use uuid::Uuid;

use super::{Store, StoreError, on_pool};
use crate::domain::TokenHash;

/// What a staff member may do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StaffRole {
    /// Front desk: appointments, invitations, the exception queue.
    FrontDesk,
    /// Clinician: pre-visit summaries.
    Clinician,
}

impl StaffRole {
    /// The stored code.
    pub fn code(self) -> &'static str {
        match self {
            Self::FrontDesk => "front_desk",
            Self::Clinician => "clinician",
        }
    }

    fn parse(code: &str) -> Result<Self, StoreError> {
        match code {
            "front_desk" => Ok(Self::FrontDesk),
            "clinician" => Ok(Self::Clinician),
            _ => Err(StoreError::Corrupt("staff_users.role")),
        }
    }
}

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
}

#[derive(FromRow)]
struct UserRow {
    id: Uuid,
    username: String,
    display_name: String,
    role: String,
    password_hash: String,
}

impl TryFrom<UserRow> for StaffUser {
    type Error = StoreError;
    fn try_from(row: UserRow) -> Result<Self, StoreError> {
        Ok(Self {
            id: row.id,
            username: row.username,
            display_name: row.display_name,
            role: StaffRole::parse(&row.role)?,
            password_hash: row.password_hash,
        })
    }
}

#[derive(FromRow)]
struct SessionRow {
    #[sqlx(flatten)]
    user: UserRow,
    csrf_token: String,
    last_seen_at: i64,
    created_at: i64,
}

impl Store {
    /// Creates the account, or sets a new password and role on an existing one.
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
        let row: Option<UserRow> = on_pool!(self, pool => sqlx::query_as(
            "SELECT id, username, display_name, role, password_hash FROM staff_users WHERE username = $1",
        )
        .bind(username)
        .fetch_optional(pool)
        .await)?;
        row.map(StaffUser::try_from).transpose()
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

    /// The session for a cookie's token, marking it seen at `now`.
    pub async fn find_staff_session(
        &self,
        token: &TokenHash,
        now: i64,
    ) -> Result<Option<StaffSession>, StoreError> {
        let row: Option<SessionRow> = on_pool!(self, pool => sqlx::query_as(
            "SELECT u.id, u.username, u.display_name, u.role, u.password_hash, \
                    s.csrf_token, s.last_seen_at, s.created_at \
             FROM staff_sessions s JOIN staff_users u ON u.id = s.user_id WHERE s.token_hash = $1",
        )
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
            created_at: row.created_at,
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
