//! The second factor: setting up an authenticator app (a secret offered, confirmed by a code,
//! ten recovery codes shown once), checking a code at sign-in (each 30-second step accepted
//! once), recovery codes, and the forced password change after an initial password or a reset.

use serde_json::json;

use super::{
    ServiceError, Services,
    accounts::hash,
    staff::{staff_event, throttle_key},
};
use crate::{
    auth::{
        NewPassword, PasswordRuleError, RECOVERY_CODES, RecoveryCode, TotpSecret, hash_typed,
        looks_like_recovery_code, on_password_thread, verify_password, wait_left,
    },
    domain::SecretToken,
    store::{AccountChange, StaffSession},
};

/// What a typed second-factor code came to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CodeCheck {
    /// Accepted: the session may go on.
    Accepted,
    /// Wrong, already used, or not a code.
    Refused,
    /// Too many recent failures: not checked; wait this many seconds.
    Wait(u64),
}

/// An authenticator set-up on offer: the secret and the URI its QR code carries.
#[derive(Debug)]
pub struct Enrolment {
    /// The secret, also shown as text for typing into an app.
    pub secret: TotpSecret,
    /// `otpauth://totp/…`.
    pub uri: String,
}

/// What confirming a set-up came to.
#[derive(Debug)]
pub enum EnrolOutcome {
    /// Enrolled: the recovery codes, to show once.
    Enrolled(Vec<RecoveryCode>),
    /// The code did not match the secret on offer.
    WrongCode,
}

/// Why a new password was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum PasswordChangeError {
    /// It breaks a rule.
    #[error(transparent)]
    Rule(#[from] PasswordRuleError),
    /// The two copies differ.
    #[error("the two passwords differ")]
    Mismatch,
    /// It is the password being replaced.
    #[error("choose a password other than the one you were given")]
    Unchanged,
}

impl PasswordChangeError {
    /// What staff read: a message id of `locales/<language>/staff.ftl`, a sentence alone and,
    /// as its `.in-sentence` attribute, a clause inside another.
    pub fn message(&self) -> crate::domain::Message {
        match self {
            Self::Rule(rule) => rule.message(),
            Self::Mismatch => crate::domain::Message::new("password-mismatch"),
            Self::Unchanged => crate::domain::Message::new("password-unchanged"),
        }
    }

    /// Every message id [`PasswordChangeError::message`] gives besides the rules'.
    pub const MESSAGE_IDS: [&str; 2] = ["password-mismatch", "password-unchanged"];
}

impl Services {
    /// Offers a new authenticator secret to the session's user (replacing any earlier offer).
    pub async fn offer_enrolment(&self, session: &StaffSession) -> Result<Enrolment, ServiceError> {
        let secret = TotpSecret::generate();
        self.store
            .offer_totp(session.user.id, &secret.to_base32())
            .await?;
        let uri = secret.otpauth_uri(&self.clinic.name, &session.user.username);
        Ok(Enrolment { secret, uri })
    }

    /// Confirms the secret on offer with a code from the app: it becomes the account's second
    /// factor, the session has passed it, and ten recovery codes are made.
    pub async fn confirm_enrolment(
        &self,
        session: &StaffSession,
        token: &SecretToken,
        secret: &str,
        code: &str,
        source: &str,
    ) -> Result<EnrolOutcome, ServiceError> {
        let now = self.clock.now_millis();
        let (_, offered, _) = self.store.totp_secrets(session.user.id).await?;
        let Some(offered) = offered.filter(|o| o == secret.trim()) else {
            return Err(ServiceError::Conflict(
                "the set-up code changed; scan the new one",
            ));
        };
        let Some(step) = TotpSecret::from_base32(&offered)
            .and_then(|s| s.accepts(code, now.div_euclid(1000), None))
        else {
            return Ok(EnrolOutcome::WrongCode);
        };
        let codes: Vec<RecoveryCode> = (0..RECOVERY_CODES)
            .map(|_| RecoveryCode::generate())
            .collect();
        let hashes: Vec<String> = codes.iter().map(RecoveryCode::hash).collect();
        let event = staff_event(
            now,
            Some(session.user.id),
            "staff.second_factor_enrolled",
            json!({ "recovery_codes": RECOVERY_CODES }),
            source,
        );
        self.store
            .enrol_totp(
                session.user.id,
                &offered,
                step,
                &hashes,
                &token.hash(),
                &event,
            )
            .await?;
        Ok(EnrolOutcome::Enrolled(codes))
    }

    /// Checks a code from the authenticator app, or a recovery code, for a session waiting at
    /// the second factor. Failures count toward the username's sign-in delay.
    pub async fn check_second_factor(
        &self,
        session: &StaffSession,
        token: &SecretToken,
        typed: &str,
        source: &str,
    ) -> Result<CodeCheck, ServiceError> {
        let user = &session.user;
        let key = throttle_key(&user.username);
        let now = self.clock.now_millis();
        let (failures, last) = self.store.sign_in_failures(&key).await?;
        if let Some(seconds) = wait_left(failures, last, now) {
            return Ok(CodeCheck::Wait(seconds));
        }
        let accepted = if looks_like_recovery_code(typed) {
            let event = staff_event(
                now,
                Some(user.id),
                "staff.recovery_code_used",
                json!({}),
                source,
            );
            self.store
                .spend_recovery_code(user.id, &hash_typed(typed), &token.hash(), &event)
                .await?
        } else {
            let (secret, _, last_step) = self.store.totp_secrets(user.id).await?;
            let step = secret
                .as_deref()
                .and_then(TotpSecret::from_base32)
                .and_then(|s| s.accepts(typed, now.div_euclid(1000), last_step));
            match step {
                Some(step) => {
                    let event = staff_event(
                        now,
                        Some(user.id),
                        "staff.second_factor_used",
                        json!({}),
                        source,
                    );
                    self.store
                        .spend_totp_step(user.id, step, &token.hash(), &event)
                        .await?
                }
                None => false,
            }
        };
        if accepted {
            self.store.clear_sign_in_failures(&key).await?;
            return Ok(CodeCheck::Accepted);
        }
        let event = staff_event(
            now,
            Some(user.id),
            "staff.second_factor_failed",
            json!({}),
            source,
        );
        self.store.record_sign_in_failure(&key, &event).await?;
        Ok(CodeCheck::Refused)
    }

    /// Sets the new password a session's user must choose; the session stays open, any other
    /// ends.
    pub async fn change_own_password(
        &self,
        session: &StaffSession,
        token: &SecretToken,
        new: &str,
        again: &str,
        source: &str,
    ) -> Result<Result<(), PasswordChangeError>, ServiceError> {
        let password = match NewPassword::parse(new) {
            Ok(password) => password,
            Err(rule) => return Ok(Err(rule.into())),
        };
        if new != again {
            return Ok(Err(PasswordChangeError::Mismatch));
        }
        let (typed, stored) = (new.to_owned(), session.user.password_hash.clone());
        let same = on_password_thread(move || verify_password(&typed, Some(&stored)))
            .await
            .map_err(|e| ServiceError::Internal(format!("password check did not finish: {e}")))?;
        if same {
            return Ok(Err(PasswordChangeError::Unchanged));
        }
        let change = AccountChange::Password {
            hash: hash(password.expose()).await?,
            must_change: false,
            keep: Some(token.hash()),
        };
        let event = staff_event(
            self.clock.now_millis(),
            Some(session.user.id),
            "staff.password_changed",
            json!({}),
            source,
        );
        self.store
            .change_staff_user(session.user.id, &change, &event)
            .await?;
        Ok(Ok(()))
    }
}
