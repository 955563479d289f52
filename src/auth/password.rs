//! Passwords, stored as argon2id PHC strings (m=19456 KiB, t=2, p=1: the OWASP baseline).

use std::sync::LazyLock;

use argon2::{
    Argon2,
    password_hash::{PasswordHasher, PasswordVerifier},
};
use base64::{Engine as _, engine::general_purpose::URL_SAFE_NO_PAD};
use ring::rand::{SecureRandom, SystemRandom};

/// Hashing failed (only on absurd input, such as a password over the algorithm's limit).
#[derive(Debug, Clone, thiserror::Error)]
#[error("the password could not be hashed")]
pub struct PasswordError;

/// The argon2id PHC string for a password.
pub fn hash_password(password: &str) -> Result<String, PasswordError> {
    Argon2::default()
        .hash_password(password.as_bytes())
        .map(|hash| hash.to_string())
        .map_err(|_| PasswordError)
}

/// A real hash of a password no one knows, checked in place of an account's when there is
/// none, so the work is the same as a real check.
static DECOY: LazyLock<String> =
    LazyLock::new(|| hash_password(&generate_password()).unwrap_or_default());

/// How many checks ran against the decoy (for tests: the unknown-user path does the work).
static DECOY_CHECKS: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);

/// Makes the decoy hash now, at start-up: made lazily, the first sign-in with an unknown
/// username would take a hash longer than any other and tell that the name is unknown.
pub fn prepare_decoy() {
    LazyLock::force(&DECOY);
}

/// How many password checks ran against the decoy so far in this process.
pub fn decoy_checks() -> u64 {
    DECOY_CHECKS.load(std::sync::atomic::Ordering::Relaxed)
}

/// Whether `password` matches the stored hash. With `None` (no such user) it checks against
/// the decoy anyway, so an unknown user takes as long to refuse as a wrong password.
pub fn verify_password(password: &str, stored: Option<&str>) -> bool {
    if stored.is_none() {
        DECOY_CHECKS.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    }
    let matched = Argon2::default()
        .verify_password(password.as_bytes(), stored.unwrap_or(&DECOY))
        .is_ok();
    matched && stored.is_some()
}

/// A random password for a demo account: 16 URL-safe characters (96 bits).
pub fn generate_password() -> String {
    let mut bytes = [0_u8; 12];
    #[expect(clippy::expect_used, reason = "no CSPRNG means no safe way to go on")]
    SystemRandom::new()
        .fill(&mut bytes)
        .expect("the operating system CSPRNG failed");
    URL_SAFE_NO_PAD.encode(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_unknown_user_is_checked_against_a_decoy_made_before_the_first_sign_in() {
        prepare_decoy();
        assert!(
            DECOY.starts_with("$argon2id$"),
            "the decoy is a real argon2id hash"
        );
        let before = decoy_checks();
        let started = std::time::Instant::now();
        assert!(!verify_password("anything", None));
        let unknown = started.elapsed();
        assert!(
            decoy_checks() > before,
            "the unknown-user path verified against the decoy"
        );
        let real = hash_password("correct horse battery").unwrap();
        let started = std::time::Instant::now();
        assert!(!verify_password("wrong", Some(&real)));
        let known = started.elapsed();
        // Measured, not asserted (timings on a shared machine are noisy).
        eprintln!("unknown user: {unknown:?}, known user with a wrong password: {known:?}");
    }

    #[test]
    fn a_hash_is_argon2id_with_the_baseline_cost_and_verifies_only_its_password() {
        let hash = hash_password("correct horse battery").unwrap();
        assert!(
            hash.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"),
            "{hash}"
        );
        assert!(verify_password("correct horse battery", Some(&hash)));
        assert!(!verify_password("correct horse batterz", Some(&hash)));
    }

    #[test]
    fn an_unknown_user_never_verifies() {
        assert!(!verify_password("anything", None));
    }

    #[test]
    fn generated_passwords_differ() {
        assert_ne!(generate_password(), generate_password());
        assert_eq!(generate_password().len(), 16);
    }
}
