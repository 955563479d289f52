//! Staff sign-in, sessions and sign-out. Each username (known or not) waits a growing delay
//! after repeated failures; a correct password opens a session that may still have steps to
//! pass (second factor, new password, authenticator set-up) before the staff pages.

use serde_json::json;
use uuid::Uuid;

use super::{ServiceError, Services, millis_of};
use crate::{
    auth::{PendingStep, SignInState, next_step, on_password_thread, verify_password, wait_left},
    domain::SecretToken,
    store::{StaffAudit, StaffSession, staff_actor},
};

/// What a sign-in attempt came to.
#[derive(Debug)]
pub enum SignInOutcome {
    /// A session; the staff pages send it through any steps left.
    SignedIn(SecretToken),
    /// Wrong username or password (the same answer for both); `wait` says how long until the
    /// next attempt for this username will be checked, if it must wait.
    Refused {
        /// Seconds to wait before the next attempt.
        wait: Option<u64>,
    },
    /// Too many recent failures for this username: not checked; try again in this many seconds.
    Wait(u64),
}

/// The key failures are counted under: the username as typed, trimmed and in lower case, so
/// unknown names take exactly the path known ones do.
pub(super) fn throttle_key(username: &str) -> String {
    username.trim().to_lowercase()
}

/// A staff audit event by the staff member `user` (or `anonymous`) at `source`.
pub(super) fn staff_event(
    at: i64,
    user: Option<Uuid>,
    action: &'static str,
    detail: serde_json::Value,
    source: &str,
) -> StaffAudit {
    StaffAudit {
        at,
        actor: user.map_or_else(|| "anonymous".to_owned(), staff_actor),
        action,
        subject_kind: "staff_user",
        subject_id: user.unwrap_or(Uuid::nil()),
        detail,
        source: Some(source.to_owned()),
    }
}

impl Services {
    /// Checks a username and password from `source` and opens a session. A wrong password, an
    /// unknown user and a disabled account get the same answer in the same time.
    pub async fn log_in(
        &self,
        username: &str,
        password: &str,
        source: &str,
    ) -> Result<SignInOutcome, ServiceError> {
        let key = throttle_key(username);
        let (failures, last) = self.store.sign_in_failures(&key).await?;
        if let Some(seconds) = wait_left(failures, last, self.clock.now_millis()) {
            return Ok(SignInOutcome::Wait(seconds));
        }
        let user = self.store.find_staff_user(username.trim()).await?;
        let stored = user
            .as_ref()
            .filter(|u| u.disabled_at.is_none())
            .map(|u| u.password_hash.clone());
        let password = password.to_owned();
        // argon2 is deliberately slow and takes 19 MiB a check: one at a time, on the password
        // thread, so a flood of sign-ins queues instead of exhausting memory.
        let matched = on_password_thread(move || verify_password(&password, stored.as_deref()))
            .await
            .map_err(|e| ServiceError::Internal(format!("password check did not finish: {e}")))?;
        let now = self.clock.now_millis();
        let known = user.as_ref().map(|u| u.id);
        let Some(user) = user.filter(|u| matched && u.disabled_at.is_none()) else {
            let event = staff_event(
                now,
                known,
                "staff.sign_in_failed",
                json!({ "username": key }),
                source,
            );
            self.store.record_sign_in_failure(&key, &event).await?;
            return Ok(SignInOutcome::Refused {
                wait: wait_left(failures.saturating_add(1), now, now),
            });
        };
        self.store.clear_sign_in_failures(&key).await?;
        let session = SecretToken::generate();
        let csrf = SecretToken::generate();
        self.store
            .create_staff_session(&session.hash(), user.id, csrf.expose(), now)
            .await?;
        let event = staff_event(now, Some(user.id), "staff.signed_in", json!({}), source);
        self.store.record_staff_audit(&event).await?;
        Ok(SignInOutcome::SignedIn(session))
    }

    /// The staff session for a cookie, unless it has been idle or open too long.
    pub async fn staff_session(
        &self,
        token: &SecretToken,
    ) -> Result<Option<StaffSession>, ServiceError> {
        let now = self.clock.now_millis();
        let Some(session) = self.store.find_staff_session(&token.hash(), now).await? else {
            return Ok(None);
        };
        let idle = now
            > session
                .last_seen_at
                .saturating_add(millis_of(self.lifetimes.staff_idle));
        let too_old = now
            > session
                .created_at
                .saturating_add(millis_of(self.lifetimes.staff_max));
        if idle || too_old {
            self.store.delete_staff_session(&token.hash()).await?;
            return Ok(None);
        }
        Ok(Some(session))
    }

    /// The step a session must still pass before the staff pages, if any.
    pub fn sign_in_step(&self, session: &StaffSession) -> Option<PendingStep> {
        let state = SignInState {
            role: session.user.role,
            enrolled: session.user.totp_enrolled,
            second_factor_done: session.second_factor_at.is_some(),
            must_change_password: session.user.must_change_password,
        };
        next_step(state, self.staff_mfa)
    }

    /// Ends a staff session.
    pub async fn log_out(
        &self,
        token: &SecretToken,
        session: &StaffSession,
        source: &str,
    ) -> Result<(), ServiceError> {
        self.store.delete_staff_session(&token.hash()).await?;
        let event = staff_event(
            self.clock.now_millis(),
            Some(session.user.id),
            "staff.signed_out",
            json!({}),
            source,
        );
        Ok(self.store.record_staff_audit(&event).await?)
    }
}
