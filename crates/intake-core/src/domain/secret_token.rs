//! Random bearer secrets (invitation links, session ids) and the SHA-256 digests stored in their place.

use std::fmt;

use base64::{Engine as _, engine::general_purpose::URL_SAFE_NO_PAD};
use ring::{
    digest,
    rand::{SecureRandom, SystemRandom},
};

/// A 256-bit random secret, shown once (in a link or a cookie) and stored only as its hash.
#[derive(Clone, PartialEq, Eq)]
pub struct SecretToken(String);

/// The SHA-256 digest of a [`SecretToken`], hex-encoded: what the database keeps and looks up by.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct TokenHash(String);

impl SecretToken {
    /// Draws 32 bytes from the operating system's CSPRNG.
    pub fn generate() -> Self {
        let mut bytes = [0_u8; 32];
        // `SystemRandom::fill` only fails when the OS has no entropy source at all, and then
        // nothing about this service is safe to continue.
        #[expect(clippy::expect_used, reason = "no CSPRNG means no safe way to go on")]
        SystemRandom::new()
            .fill(&mut bytes)
            .expect("the operating system CSPRNG failed");
        Self(URL_SAFE_NO_PAD.encode(bytes))
    }

    /// Accepts a token a client sent back, if it has the shape of one of ours.
    pub fn parse(raw: &str) -> Option<Self> {
        let well_formed = raw.len() == 43
            && raw
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
        well_formed.then(|| Self(raw.to_owned()))
    }

    /// The token's text, to put in a link or a cookie.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// The digest stored in place of the token.
    pub fn hash(&self) -> TokenHash {
        let digest = digest::digest(&digest::SHA256, self.0.as_bytes());
        TokenHash(data_encoding::HEXLOWER.encode(digest.as_ref()))
    }
}

impl TokenHash {
    /// The hex digest.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for SecretToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SecretToken([redacted])")
    }
}

/// Compares two secrets in time independent of where they differ.
pub fn constant_time_eq(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0_u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_distinct_url_safe_and_parse_back() {
        let a = SecretToken::generate();
        let b = SecretToken::generate();
        assert_ne!(a, b);
        assert_eq!(SecretToken::parse(a.expose()), Some(a.clone()));
        assert_eq!(a.hash().as_str().len(), 64);
    }

    #[test]
    fn malformed_tokens_are_refused() {
        assert_eq!(SecretToken::parse("short"), None);
        assert_eq!(SecretToken::parse(&"a/".repeat(22)[..43]), None);
    }

    #[test]
    fn constant_time_eq_compares_whole_strings() {
        assert!(constant_time_eq("abc", "abc"));
        assert!(!constant_time_eq("abc", "abd"));
        assert!(!constant_time_eq("abc", "abcd"));
    }
}
