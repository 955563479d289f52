//! What a new staff password must be: at least 12 characters and not one of the 30,000 most
//! common passwords (the list zxcvbn ships; origin and licence in `data/README.md`). Length and a
//! block list are what NIST SP 800-63B asks for; composition rules are not.

use std::{collections::HashSet, io::Read, sync::LazyLock};

/// Fewest characters a new password may have.
pub const MIN_PASSWORD_CHARS: usize = 12;
/// Most characters: argon2 takes longer inputs, but nothing typed needs more.
pub const MAX_PASSWORD_CHARS: usize = 1024;

/// The bundled list, gzip-compressed (about 130 KB; 240 KB as text).
const COMMON_GZ: &[u8] = include_bytes!("data/common-passwords.txt.gz");

/// The list as a set, read on first use: a lookup is one hash.
static COMMON: LazyLock<HashSet<String>> = LazyLock::new(|| {
    let mut text = String::new();
    // The file is part of the binary and a test reads it, so it cannot fail at run time; were
    // it ever broken, an empty list (length rule only) is the safer failure than a panic.
    if flate2::read::GzDecoder::new(COMMON_GZ)
        .read_to_string(&mut text)
        .is_err()
    {
        text.clear();
    }
    text.lines().map(str::to_owned).collect()
});

/// A password that meets the rules, ready to hash. Its `Debug` never shows it.
pub struct NewPassword(String);

/// Why a new password was refused, in words staff can act on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum PasswordRuleError {
    /// Too short.
    #[error("a password needs at least 12 characters")]
    TooShort,
    /// Absurdly long.
    #[error("a password can have at most 1024 characters")]
    TooLong,
    /// On the list of common passwords.
    #[error("that password is one of the most common passwords; choose another")]
    Common,
}

impl PasswordRuleError {
    /// What staff read: a message id of `locales/<language>/staff.ftl`, a sentence alone and,
    /// as its `.in-sentence` attribute, a clause inside another.
    pub fn message(self) -> crate::domain::Message {
        crate::domain::Message::new(match self {
            Self::TooShort => "password-too-short",
            Self::TooLong => "password-too-long",
            Self::Common => "password-common",
        })
    }

    /// Every message id [`PasswordRuleError::message`] gives.
    pub const MESSAGE_IDS: [&str; 3] =
        ["password-too-short", "password-too-long", "password-common"];
}

impl NewPassword {
    /// Checks a typed password against the rules.
    pub fn parse(raw: &str) -> Result<Self, PasswordRuleError> {
        let chars = raw.chars().count();
        if chars < MIN_PASSWORD_CHARS {
            return Err(PasswordRuleError::TooShort);
        }
        if chars > MAX_PASSWORD_CHARS {
            return Err(PasswordRuleError::TooLong);
        }
        if is_common(raw) {
            return Err(PasswordRuleError::Common);
        }
        Ok(Self(raw.to_owned()))
    }

    /// The password, for hashing.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for NewPassword {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("NewPassword([redacted])")
    }
}

/// Whether a password is on the bundled list (which is lower case, so case does not help).
pub fn is_common(password: &str) -> bool {
    COMMON.contains(&password.to_lowercase())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_bundled_list_holds_thirty_thousand_passwords() {
        assert_eq!(COMMON.len(), 30_000);
        assert!(is_common("password") && is_common("123456"));
    }

    #[test]
    fn a_long_common_password_is_refused_whatever_its_case() {
        assert_eq!(
            NewPassword::parse("1qaz2wsx3edc").unwrap_err(),
            PasswordRuleError::Common
        );
        assert_eq!(
            NewPassword::parse("1QAZ2WSX3EDC").unwrap_err(),
            PasswordRuleError::Common
        );
    }

    #[test]
    fn short_passwords_are_refused_and_long_uncommon_ones_accepted() {
        assert_eq!(
            NewPassword::parse("short-pw").unwrap_err(),
            PasswordRuleError::TooShort
        );
        assert_eq!(
            NewPassword::parse(&"x".repeat(1025)).unwrap_err(),
            PasswordRuleError::TooLong
        );
        let accepted = NewPassword::parse("plum kettle harbour 42").unwrap();
        assert_eq!(accepted.expose(), "plum kettle harbour 42");
        assert_eq!(format!("{accepted:?}"), "NewPassword([redacted])");
    }
}
