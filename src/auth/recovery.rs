//! Recovery codes: ten per enrolment, shown once, stored as SHA-256 hashes, each usable once.
//! A code carries 60 random bits, so a fast hash is enough: nobody can guess one from its hash.

use data_encoding::BASE32_NOPAD;
use ring::{
    digest,
    rand::{SecureRandom, SystemRandom},
};

/// Codes per enrolment.
pub const RECOVERY_CODES: usize = 10;

/// One recovery code as shown to its owner, e.g. `k7qm-2xdp-9fa3`. Its `Debug` never shows it.
#[derive(Clone, PartialEq, Eq)]
pub struct RecoveryCode(String);

impl std::fmt::Debug for RecoveryCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("RecoveryCode([redacted])")
    }
}

impl RecoveryCode {
    /// A new random code: 12 base32 characters (60 bits) in three groups.
    pub fn generate() -> Self {
        let mut bytes = [0_u8; 8];
        #[expect(clippy::expect_used, reason = "no CSPRNG means no safe way to go on")]
        SystemRandom::new()
            .fill(&mut bytes)
            .expect("the operating system CSPRNG failed");
        let text = BASE32_NOPAD.encode(&bytes).to_lowercase();
        Self(format!("{}-{}-{}", &text[0..4], &text[4..8], &text[8..12]))
    }

    /// The code as shown.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// The stored hash.
    pub fn hash(&self) -> String {
        hash_typed(&self.0)
    }
}

/// The hash of a typed code: case, spaces and dashes do not matter.
pub fn hash_typed(typed: &str) -> String {
    let normal: String = typed
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .map(|c| c.to_ascii_lowercase())
        .collect();
    let digest = digest::digest(&digest::SHA256, normal.as_bytes());
    data_encoding::HEXLOWER.encode(digest.as_ref())
}

/// Whether typed text could be a recovery code rather than a six-digit TOTP code.
pub fn looks_like_recovery_code(typed: &str) -> bool {
    typed.chars().filter(char::is_ascii_alphanumeric).count() == 12
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_code_hashes_the_same_however_it_is_typed() {
        let code = RecoveryCode::generate();
        assert_eq!(code.expose().len(), 14);
        assert!(looks_like_recovery_code(code.expose()));
        let retyped = code.expose().to_uppercase().replace('-', " ");
        assert_eq!(hash_typed(&retyped), code.hash());
        assert_ne!(RecoveryCode::generate(), code);
        assert!(!looks_like_recovery_code("123456"));
    }
}
