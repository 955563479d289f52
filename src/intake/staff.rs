//! Staff sign-in, sessions and sign-out.

use super::{ServiceError, Services, millis_of};
use crate::{auth::verify_password, domain::SecretToken, store::StaffSession};

/// Password checks allowed at once.
static PASSWORD_CHECKS: tokio::sync::Semaphore = tokio::sync::Semaphore::const_new(4);

impl Services {
    /// Checks a username and password and opens a session. `None` for a wrong password or an
    /// unknown user alike, taking the same time for both.
    pub async fn log_in(
        &self,
        username: &str,
        password: &str,
    ) -> Result<Option<SecretToken>, ServiceError> {
        let user = self.store.find_staff_user(username.trim()).await?;
        let stored = user.as_ref().map(|u| u.password_hash.clone());
        let password = password.to_owned();
        // argon2 is deliberately slow and takes 19 MiB a check: keep it off the async workers,
        // and run at most a few at once so a flood of sign-ins cannot exhaust memory.
        let _permit = PASSWORD_CHECKS
            .acquire()
            .await
            .map_err(|e| ServiceError::Internal(format!("password checks stopped: {e}")))?;
        let matched =
            tokio::task::spawn_blocking(move || verify_password(&password, stored.as_deref()))
                .await
                .map_err(|e| {
                    ServiceError::Internal(format!("password check did not finish: {e}"))
                })?;
        let Some(user) = user.filter(|_| matched) else {
            return Ok(None);
        };
        let session = SecretToken::generate();
        let csrf = SecretToken::generate();
        self.store
            .create_staff_session(
                &session.hash(),
                user.id,
                csrf.expose(),
                self.clock.now_millis(),
            )
            .await?;
        Ok(Some(session))
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

    /// Ends a staff session.
    pub async fn log_out(&self, token: &SecretToken) -> Result<(), ServiceError> {
        Ok(self.store.delete_staff_session(&token.hash()).await?)
    }
}
