//! One-time codes: six random digits sent to the contact on file after the date of birth, kept
//! only as a hash and compared in constant time.

use std::fmt;

use ring::{
    digest,
    rand::{SecureRandom, SystemRandom},
};
use uuid::Uuid;

use super::constant_time_eq;

/// How many digits a code has.
pub const CODE_DIGITS: usize = 6;

/// A six-digit one-time code. Its `Debug` output is redacted.
#[derive(Clone, PartialEq, Eq)]
pub struct OneTimeCode(String);

/// The SHA-256 digest of a [`OneTimeCode`] salted with its invitation, hex-encoded: what the
/// database keeps.
///
/// Six digits are a million possibilities, so someone holding the database could find a code
/// from its hash; the hash keeps codes out of backups and casual reads, and a code alone opens
/// nothing without the link (kept only as a hash of 256 random bits) and the date of birth.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CodeHash(String);

impl OneTimeCode {
    /// Draws a code uniformly from `000000` to `999999` with the operating system's CSPRNG
    /// (rejection sampling, so no code is likelier than another).
    pub fn generate() -> Self {
        // The largest multiple of a million below 2^32: values at or above it are drawn again,
        // so `value % 1_000_000` is uniform.
        const LIMIT: u32 = 4_294_000_000;
        let rng = SystemRandom::new();
        loop {
            let mut bytes = [0_u8; 4];
            // As for `SecretToken::generate`: without a CSPRNG nothing here is safe.
            #[expect(clippy::expect_used, reason = "no CSPRNG means no safe way to go on")]
            rng.fill(&mut bytes)
                .expect("the operating system CSPRNG failed");
            let value = u32::from_be_bytes(bytes);
            if value < LIMIT {
                return Self(format!("{:06}", value % 1_000_000));
            }
        }
    }

    /// Reads what a patient typed: six digits, with any spaces or hyphens between them.
    pub fn parse(raw: &str) -> Option<Self> {
        let digits: String = raw
            .chars()
            .filter(|c| !c.is_whitespace() && *c != '-')
            .collect();
        (digits.len() == CODE_DIGITS && digits.bytes().all(|b| b.is_ascii_digit()))
            .then_some(Self(digits))
    }

    /// The digits, for a sender to deliver. Never for a page, a URL or a log (the log sender
    /// is the one, documented, exception).
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// The digest stored in place of the code, salted with the invitation so equal codes on
    /// two links hash differently.
    pub fn hash(&self, invitation_id: Uuid) -> CodeHash {
        let mut context = digest::Context::new(&digest::SHA256);
        context.update(b"intake-one-time-code:");
        context.update(invitation_id.as_bytes());
        context.update(b":");
        context.update(self.0.as_bytes());
        CodeHash(data_encoding::HEXLOWER.encode(context.finish().as_ref()))
    }
}

impl fmt::Debug for OneTimeCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("OneTimeCode([redacted])")
    }
}

impl CodeHash {
    /// A digest read back from the database.
    pub fn from_stored(hex: String) -> Self {
        Self(hex)
    }

    /// The hex digest.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Whether two digests are equal, in time independent of where they differ.
    pub fn matches(&self, other: &Self) -> bool {
        constant_time_eq(&self.0, &other.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_code_is_six_digits() {
        for _ in 0..100 {
            let code = OneTimeCode::generate();
            assert_eq!(code.expose().len(), 6);
            assert!(code.expose().bytes().all(|b| b.is_ascii_digit()));
        }
    }

    #[test]
    fn codes_spread_over_every_leading_digit() {
        let mut seen = [false; 10];
        for _ in 0..1000 {
            let first = OneTimeCode::generate().expose().as_bytes()[0] - b'0';
            seen[usize::from(first)] = true;
        }
        assert!(seen.iter().all(|s| *s), "{seen:?}");
    }

    #[test]
    fn typed_codes_may_have_spaces_or_hyphens_but_only_six_digits() {
        assert_eq!(OneTimeCode::parse(" 123 456 ").unwrap().expose(), "123456");
        assert_eq!(OneTimeCode::parse("123-456").unwrap().expose(), "123456");
        assert!(OneTimeCode::parse("12345").is_none());
        assert!(OneTimeCode::parse("1234567").is_none());
        assert!(OneTimeCode::parse("12345a").is_none());
        assert!(OneTimeCode::parse("１２３４５６").is_none());
    }

    #[test]
    fn the_hash_depends_on_the_invitation_and_never_holds_the_code() {
        let code = OneTimeCode::parse("012345").unwrap();
        let (a, b) = (Uuid::new_v4(), Uuid::new_v4());
        assert!(code.hash(a).matches(&code.hash(a)));
        assert!(!code.hash(a).matches(&code.hash(b)));
        assert!(!code.hash(a).as_str().contains("012345"));
        assert_eq!(format!("{code:?}"), "OneTimeCode([redacted])");
    }
}
