//! TOTP (RFC 6238): 6 digits, 30-second steps, HMAC-SHA-1, which is what authenticator apps
//! expect from an `otpauth://` URI.
//!
//! Written on `ring`'s HMAC rather than with a TOTP crate: `ring` is already how this service
//! signs and hashes, the algorithm is a dozen lines that the RFC's test vectors pin down, and
//! `totp-rs` would add its own HMAC, SHA-1 and SHA-2 crates for the same arithmetic.

use data_encoding::BASE32_NOPAD;
use ring::{
    hmac,
    rand::{SecureRandom, SystemRandom},
};

/// Seconds per step.
pub const STEP_SECONDS: i64 = 30;
/// Digits per code.
pub const DIGITS: u32 = 6;
/// Steps either side of now that a code may come from: a phone's clock may be a little off.
const DRIFT_STEPS: i64 = 1;

/// A shared TOTP secret (20 random bytes, the HMAC-SHA-1 block the RFC recommends). Its `Debug`
/// never shows it.
#[derive(Clone, PartialEq, Eq)]
pub struct TotpSecret(Vec<u8>);

impl std::fmt::Debug for TotpSecret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("TotpSecret([redacted])")
    }
}

impl TotpSecret {
    /// A new random secret.
    pub fn generate() -> Self {
        let mut bytes = vec![0_u8; 20];
        #[expect(clippy::expect_used, reason = "no CSPRNG means no safe way to go on")]
        SystemRandom::new()
            .fill(&mut bytes)
            .expect("the operating system CSPRNG failed");
        Self(bytes)
    }

    /// A secret from raw bytes (the RFC's test vectors use ASCII keys).
    pub fn from_bytes(bytes: &[u8]) -> Self {
        Self(bytes.to_vec())
    }

    /// Reads the stored (or typed) base32 form; spaces and case are ignored.
    pub fn from_base32(text: &str) -> Option<Self> {
        let cleaned: String = text
            .chars()
            .filter(|c| !c.is_whitespace() && *c != '=')
            .map(|c| c.to_ascii_uppercase())
            .collect();
        BASE32_NOPAD
            .decode(cleaned.as_bytes())
            .ok()
            .filter(|b| !b.is_empty())
            .map(Self)
    }

    /// Base32 without padding, as stored and as typed into an app by hand.
    pub fn to_base32(&self) -> String {
        BASE32_NOPAD.encode(&self.0)
    }

    /// The base32 secret in groups of four, easier to type.
    pub fn grouped(&self) -> String {
        let text = self.to_base32();
        text.as_bytes()
            .chunks(4)
            .map(|c| String::from_utf8_lossy(c).into_owned())
            .collect::<Vec<_>>()
            .join(" ")
    }

    /// The code for one step, as a number below 10^6.
    pub fn code_at_step(&self, step: i64) -> u32 {
        let key = hmac::Key::new(hmac::HMAC_SHA1_FOR_LEGACY_USE_ONLY, &self.0);
        let tag = hmac::sign(&key, &step.to_be_bytes());
        let mac = tag.as_ref();
        // RFC 4226 §5.3: dynamic truncation.
        let offset = usize::from(mac[mac.len() - 1] & 0x0f);
        let word = u32::from_be_bytes([
            mac[offset] & 0x7f,
            mac[offset + 1],
            mac[offset + 2],
            mac[offset + 3],
        ]);
        word % 10_u32.pow(DIGITS)
    }

    /// The six-digit code at a Unix time.
    pub fn code_at(&self, unix_seconds: i64) -> String {
        format!("{:06}", self.code_at_step(step_of(unix_seconds)))
    }

    /// The step a typed code belongs to, if it is the code of now or of a step either side, and
    /// that step is later than `last_used` (so an accepted code is never accepted again).
    pub fn accepts(&self, typed: &str, unix_seconds: i64, last_used: Option<i64>) -> Option<i64> {
        let digits: String = typed.chars().filter(|c| !c.is_whitespace()).collect();
        if digits.len() != 6 || !digits.chars().all(|c| c.is_ascii_digit()) {
            return None;
        }
        let typed: u32 = digits.parse().ok()?;
        let now = step_of(unix_seconds);
        (now - DRIFT_STEPS..=now + DRIFT_STEPS)
            .filter(|step| last_used.is_none_or(|last| *step > last))
            .find(|step| self.code_at_step(*step) == typed)
    }

    /// The `otpauth://` URI an authenticator app reads from the QR code.
    pub fn otpauth_uri(&self, issuer: &str, account: &str) -> String {
        let encode =
            |text: &str| url::form_urlencoded::byte_serialize(text.as_bytes()).collect::<String>();
        // The label's `:` separates issuer and account, so each part is encoded on its own;
        // `+` for a space is wrong in a path, so spaces become %20.
        let label = format!("{}:{}", encode(issuer), encode(account)).replace('+', "%20");
        format!(
            "otpauth://totp/{label}?secret={}&issuer={}&algorithm=SHA1&digits=6&period=30",
            self.to_base32(),
            encode(issuer).replace('+', "%20")
        )
    }
}

/// The step a Unix time falls in.
pub fn step_of(unix_seconds: i64) -> i64 {
    unix_seconds.div_euclid(STEP_SECONDS)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// RFC 6238 Appendix B, SHA-1 rows (8 digits there; the last six are the 6-digit code).
    #[test]
    fn codes_match_the_rfc_6238_sha1_test_vectors() {
        let secret = TotpSecret::from_bytes(b"12345678901234567890");
        for (time, eight_digits) in [
            (59_i64, "94287082"),
            (1_111_111_109, "07081804"),
            (1_111_111_111, "14050471"),
            (1_234_567_890, "89005924"),
            (2_000_000_000, "69279037"),
            (20_000_000_000, "65353130"),
        ] {
            assert_eq!(secret.code_at(time), eight_digits[2..], "T = {time}");
        }
    }

    #[test]
    fn a_code_is_accepted_once_per_step_and_a_step_either_side() {
        let secret = TotpSecret::from_bytes(b"12345678901234567890");
        let now = 1_111_111_111;
        let code = secret.code_at(now);
        let step = secret.accepts(&code, now, None).unwrap();
        assert_eq!(step, step_of(now));
        assert_eq!(secret.accepts(&code, now, Some(step)), None, "no replay");
        assert_eq!(secret.accepts(&code, now + 30, None), Some(step));
        assert_eq!(secret.accepts(&code, now + 90, None), None, "too late");
        assert_eq!(secret.accepts("12345", now, None), None);
        assert_eq!(secret.accepts("abcdef", now, None), None);
    }

    #[test]
    fn the_secret_round_trips_through_base32_and_lands_in_the_uri() {
        let secret = TotpSecret::generate();
        assert_eq!(
            TotpSecret::from_base32(&secret.to_base32()),
            Some(secret.clone())
        );
        assert_eq!(
            TotpSecret::from_base32(&secret.grouped().to_lowercase()),
            Some(secret.clone())
        );
        let uri = secret.otpauth_uri("Maple Clinic", "alice");
        assert!(
            uri.starts_with("otpauth://totp/Maple%20Clinic:alice?secret="),
            "{uri}"
        );
        assert!(uri.contains(&secret.to_base32()), "{uri}");
        assert!(uri.ends_with("&issuer=Maple%20Clinic&algorithm=SHA1&digits=6&period=30"));
        assert_eq!(format!("{secret:?}"), "TotpSecret([redacted])");
    }
}
