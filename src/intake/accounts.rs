//! Managing staff accounts: add, list, disable, enable, reset a password, change a role. The
//! same use cases serve `intake staff …` on the command line and the admin pages; each change is
//! one transaction with its audit event.

use std::sync::Arc;

use serde_json::json;
use uuid::Uuid;

use super::ServiceError;
use crate::{
    auth::{NewPassword, PasswordRuleError, generate_password, hash_password, on_password_thread},
    clock::Clock,
    domain::{StaffRole, Username, UsernameError},
    store::{AccountChange, NewStaffUser, StaffAudit, StaffUser, Store, staff_actor},
};

/// Who is changing accounts, and from where.
#[derive(Debug, Clone)]
pub struct Actor {
    /// The staff member, or `None` for the command line.
    pub user_id: Option<Uuid>,
    /// Their client address, or `None` for the command line.
    pub source: Option<String>,
}

impl Actor {
    /// Someone at the server's command line (who can already read the database).
    pub fn command_line() -> Self {
        Self {
            user_id: None,
            source: None,
        }
    }

    /// A signed-in staff member at `source`.
    pub fn staff(user_id: Uuid, source: impl ToString) -> Self {
        Self {
            user_id: Some(user_id),
            source: Some(source.to_string()),
        }
    }

    /// The audit event of `action` on account `subject` by this actor.
    pub fn audit(
        &self,
        at: i64,
        action: &'static str,
        subject: Uuid,
        detail: serde_json::Value,
    ) -> StaffAudit {
        StaffAudit {
            at,
            actor: self.user_id.map_or_else(|| "cli".to_owned(), staff_actor),
            action,
            subject_kind: "staff_user",
            subject_id: subject,
            detail,
            source: self.source.clone(),
        }
    }
}

/// Why an account change was refused, in words for the person who asked.
#[derive(Debug, thiserror::Error)]
pub enum AccountError {
    /// The username is malformed.
    #[error(transparent)]
    Username(#[from] UsernameError),
    /// The password breaks a rule.
    #[error(transparent)]
    Password(#[from] PasswordRuleError),
    /// No such role.
    #[error("`{0}` is not a role: use admin, front_desk or clinician")]
    Role(String),
    /// `--password-stdin` read nothing.
    #[error("no password on standard input")]
    NoPassword,
    /// The display name is empty or too long.
    #[error("a display name is 1 to 100 characters")]
    DisplayName,
    /// Someone has that username.
    #[error("the username `{0}` is taken")]
    Taken(String),
    /// No account has that username.
    #[error("no account has the username `{0}`")]
    NoSuchAccount(String),
    /// An admin may not disable or demote their own account (nobody could undo it from the
    /// pages if they were the last admin).
    #[error("you cannot disable your own account or change your own role")]
    OwnAccount,
    /// Storage or hashing failed.
    #[error(transparent)]
    Service(#[from] ServiceError),
}

impl AccountError {
    /// What staff read, as a message id of `locales/<language>/{admin,staff}.ftl`; `None` for
    /// a failure of ours, which has no words for staff.
    pub fn message(&self) -> Option<crate::domain::Message> {
        use crate::domain::Message;
        Some(match self {
            Self::Username(_) => Message::new(UsernameError::MESSAGE_ID),
            Self::Password(rule) => rule.message(),
            Self::Role(role) => Message::new("account-no-such-role").with("role", role),
            Self::NoPassword => Message::new("account-no-password"),
            Self::DisplayName => Message::new("account-display-name"),
            Self::Taken(username) => Message::new("account-taken").with("username", username),
            Self::NoSuchAccount(username) => {
                Message::new("account-no-such-account").with("username", username)
            }
            Self::OwnAccount => Message::new("account-own"),
            Self::Service(_) => return None,
        })
    }

    /// Every message id [`AccountError::message`] gives besides the password rules'.
    pub const MESSAGE_IDS: [&str; 7] = [
        UsernameError::MESSAGE_ID,
        "account-no-such-role",
        "account-no-password",
        "account-display-name",
        "account-taken",
        "account-no-such-account",
        "account-own",
    ];
}

/// The account use cases, over the store and a clock; cheap to clone.
#[derive(Debug, Clone)]
pub struct StaffAccounts {
    store: Store,
    clock: Arc<dyn Clock>,
}

/// A new account and, unless one was given, its generated initial password.
#[derive(Debug)]
pub struct AddedAccount {
    /// Its id.
    pub id: Uuid,
    /// The one-time password to hand over (when none was given).
    pub initial_password: Option<String>,
}

impl StaffAccounts {
    /// The use cases on `store`, timed by `clock`.
    pub fn new(store: Store, clock: Arc<dyn Clock>) -> Self {
        Self { store, clock }
    }

    /// Creates an account whose password must be changed at its first sign-in. With no
    /// `password`, one is generated and returned to hand over once.
    pub async fn add(
        &self,
        username: &str,
        display_name: Option<&str>,
        role: StaffRole,
        password: Option<&str>,
        by: &Actor,
    ) -> Result<AddedAccount, AccountError> {
        let username = Username::parse(username)?;
        let display_name = display_name
            .map(str::trim)
            .filter(|n| !n.is_empty())
            .unwrap_or(username.as_str())
            .to_owned();
        if display_name.chars().count() > 100 {
            return Err(AccountError::DisplayName);
        }
        let (password, generated) = match password {
            Some(typed) => (NewPassword::parse(typed)?, false),
            None => (NewPassword::parse(&generate_password())?, true),
        };
        let hash = hash(password.expose()).await?;
        let new = NewStaffUser {
            username: username.as_str().to_owned(),
            display_name,
            role,
            password_hash: hash,
        };
        let audit = by.audit(
            self.clock.now_millis(),
            "staff.account_added",
            Uuid::nil(),
            json!({ "username": username.as_str(), "role": role.code() }),
        );
        let id =
            self.store.create_staff_user(&new, &audit).await.map_err(
                |e| match ServiceError::from(e) {
                    ServiceError::Conflict(_) => AccountError::Taken(username.as_str().to_owned()),
                    other => AccountError::Service(other),
                },
            )?;
        Ok(AddedAccount {
            id,
            initial_password: generated.then(|| password.expose().to_owned()),
        })
    }

    /// A page of accounts in username order, after `after`.
    pub async fn list(
        &self,
        after: Option<&str>,
        limit: u32,
    ) -> Result<Vec<StaffUser>, ServiceError> {
        Ok(self.store.list_staff_users(after, limit).await?)
    }

    /// The account with this username.
    pub async fn find(&self, username: &str) -> Result<StaffUser, AccountError> {
        self.store
            .find_staff_user(username.trim())
            .await
            .map_err(ServiceError::from)?
            .ok_or_else(|| AccountError::NoSuchAccount(username.trim().to_owned()))
    }

    /// Disables an account: it cannot sign in and its sessions end now.
    pub async fn disable(&self, username: &str, by: &Actor) -> Result<(), AccountError> {
        let user = self.not_own(username, by).await?;
        self.change(
            &user,
            AccountChange::Disable,
            "staff.account_disabled",
            json!({}),
            by,
        )
        .await
    }

    /// Lets a disabled account sign in again.
    pub async fn enable(&self, username: &str, by: &Actor) -> Result<(), AccountError> {
        let user = self.find(username).await?;
        self.change(
            &user,
            AccountChange::Enable,
            "staff.account_enabled",
            json!({}),
            by,
        )
        .await
    }

    /// Gives an account a new generated password, which must be changed at the next sign-in;
    /// its sessions end. Returns the password, to hand over once.
    pub async fn reset_password(&self, username: &str, by: &Actor) -> Result<String, AccountError> {
        let user = self.find(username).await?;
        let password = generate_password();
        let change = AccountChange::Password {
            hash: hash(&password).await?,
            must_change: true,
            keep: None,
        };
        self.change(&user, change, "staff.password_reset", json!({}), by)
            .await?;
        Ok(password)
    }

    /// Forgets an account's authenticator and recovery codes (a lost phone); it sets up a new
    /// one at its next sign-in if its role needs one. Its sessions end.
    pub async fn reset_authenticator(
        &self,
        username: &str,
        by: &Actor,
    ) -> Result<(), AccountError> {
        let user = self.find(username).await?;
        let change = AccountChange::ForgetSecondFactor;
        self.change(&user, change, "staff.second_factor_reset", json!({}), by)
            .await
    }

    /// Gives an account another role; its sessions end.
    pub async fn change_role(
        &self,
        username: &str,
        role: StaffRole,
        by: &Actor,
    ) -> Result<(), AccountError> {
        let user = self.not_own(username, by).await?;
        let detail = json!({ "from": user.role.code(), "to": role.code() });
        self.change(
            &user,
            AccountChange::Role(role),
            "staff.role_changed",
            detail,
            by,
        )
        .await
    }

    async fn not_own(&self, username: &str, by: &Actor) -> Result<StaffUser, AccountError> {
        let user = self.find(username).await?;
        if by.user_id == Some(user.id) {
            return Err(AccountError::OwnAccount);
        }
        Ok(user)
    }

    async fn change(
        &self,
        user: &StaffUser,
        change: AccountChange,
        action: &'static str,
        mut detail: serde_json::Value,
        by: &Actor,
    ) -> Result<(), AccountError> {
        detail["username"] = json!(user.username);
        let audit = by.audit(self.clock.now_millis(), action, user.id, detail);
        self.store
            .change_staff_user(user.id, &change, &audit)
            .await
            .map_err(ServiceError::from)?;
        Ok(())
    }
}

/// Hashes a password on the password thread (argon2 is deliberately slow and large).
pub(super) async fn hash(password: &str) -> Result<String, ServiceError> {
    let password = password.to_owned();
    on_password_thread(move || hash_password(&password))
        .await
        .map_err(|e| ServiceError::Internal(format!("hashing did not finish: {e}")))?
        .map_err(|e| ServiceError::Internal(e.to_string()))
}
