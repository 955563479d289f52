//! Staff roles and the second-factor policy: domain states, used by SQL, services and pages.

/// What a staff member may do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum StaffRole {
    /// Front desk: appointments, invitations, the exception queue.
    FrontDesk,
    /// Clinician: pre-visit summaries.
    Clinician,
    /// Admin: staff accounts and the audit log; sees no patient pages.
    Admin,
}

impl StaffRole {
    /// Every role, in the order pages list them.
    pub const ALL: [Self; 3] = [Self::FrontDesk, Self::Clinician, Self::Admin];

    /// The stored code, also what the CLI's `--role` takes.
    pub fn code(self) -> &'static str {
        match self {
            Self::FrontDesk => "front_desk",
            Self::Clinician => "clinician",
            Self::Admin => "admin",
        }
    }

    /// The role a stored or typed code names.
    pub fn parse(code: &str) -> Option<Self> {
        Self::ALL
            .into_iter()
            .find(|role| role.code() == code.trim())
    }

    /// Every message id of [`Self::message`].
    pub const MESSAGE_IDS: [&'static str; 3] = ["role-front-desk", "role-clinician", "role-admin"];

    /// The role in the users' words: `locales/en/admin.ftl`, rendered at the edge.
    pub fn message(self) -> super::Message {
        super::Message::new(match self {
            Self::FrontDesk => Self::MESSAGE_IDS[0],
            Self::Clinician => Self::MESSAGE_IDS[1],
            Self::Admin => Self::MESSAGE_IDS[2],
        })
    }
}

/// `INTAKE_STAFF_MFA`: who must sign in with a second factor. Admins always must, so there is
/// no setting that turns it off for them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum MfaPolicy {
    /// Admins only (the default).
    #[default]
    Admins,
    /// Every staff account.
    Required,
}

impl MfaPolicy {
    /// The setting's value, `admins` or `required`.
    pub fn parse(text: &str) -> Option<Self> {
        match text.trim() {
            "admins" => Some(Self::Admins),
            "required" => Some(Self::Required),
            _ => None,
        }
    }

    /// Whether an account with `role` must have a second factor.
    pub fn requires(self, role: StaffRole) -> bool {
        role == StaffRole::Admin || self == Self::Required
    }
}

/// A login name: 1 to 64 lower-case letters, digits, `.`, `_` or `-`, starting with a letter
/// or digit. Kept narrow so a name never needs escaping anywhere it is shown or logged.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Username(String);

/// Why a login name was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "a username is 1 to 64 lower-case letters, digits, `.`, `_` or `-`, starting with a letter or digit"
)]
pub struct UsernameError;

impl UsernameError {
    /// What staff read: a message id of `locales/<language>/admin.ftl`.
    pub const MESSAGE_ID: &str = "username-malformed";
}

impl Username {
    /// Parses a typed name (surrounding spaces ignored; upper case refused rather than folded, so
    /// the name stored is the name typed).
    pub fn parse(raw: &str) -> Result<Self, UsernameError> {
        let name = raw.trim();
        let allowed = |c: char| c.is_ascii_lowercase() || c.is_ascii_digit() || "._-".contains(c);
        let starts_well = name
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_lowercase() || c.is_ascii_digit());
        if name.len() <= 64 && starts_well && name.chars().all(allowed) {
            Ok(Self(name.to_owned()))
        } else {
            Err(UsernameError)
        }
    }

    /// The name.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_role_reads_back_from_its_code() {
        for role in StaffRole::ALL {
            assert_eq!(StaffRole::parse(role.code()), Some(role));
        }
        assert_eq!(StaffRole::parse("superuser"), None);
    }

    #[test]
    fn admins_always_need_a_second_factor_and_others_only_when_required() {
        assert!(MfaPolicy::Admins.requires(StaffRole::Admin));
        assert!(!MfaPolicy::Admins.requires(StaffRole::FrontDesk));
        assert!(MfaPolicy::Required.requires(StaffRole::Clinician));
        assert_eq!(MfaPolicy::parse("off"), None);
    }

    #[test]
    fn usernames_are_plain_lower_case_names() {
        assert_eq!(Username::parse(" alice.b ").unwrap().as_str(), "alice.b");
        for bad in ["", "Alice", "-x", "a b", "ali<ce>", &"a".repeat(65)] {
            assert_eq!(Username::parse(bad), Err(UsernameError), "{bad:?}");
        }
    }
}
