//! The signed JWT client assertion Intake presents to the token endpoint.
//! Spec: <https://hl7.org/fhir/smart-app-launch/STU2/client-confidential-asymmetric.html>

use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
use ring::rand::{SecureRandom, SystemRandom};
use serde_json::json;
use time::OffsetDateTime;

use super::key::{KeyError, SigningKey};

/// How far ahead an assertion expires. The spec allows at most five minutes; four leave a
/// minute for our clock running ahead of the server's.
pub const ASSERTION_LIFETIME: time::Duration = time::Duration::minutes(4);

/// A JWT signed with `key`, claiming `iss = sub = client_id`, `aud = token_endpoint`, a random
/// 128-bit `jti` and an `exp` [`ASSERTION_LIFETIME`] after `now`.
pub fn client_assertion(
    key: &SigningKey,
    client_id: &str,
    token_endpoint: &str,
    now: OffsetDateTime,
    rng: &SystemRandom,
) -> Result<String, KeyError> {
    let header = json!({ "alg": key.algorithm().as_str(), "typ": "JWT", "kid": key.kid() });
    let claims = json!({
        "iss": client_id,
        "sub": client_id,
        "aud": token_endpoint,
        "jti": jti(rng)?,
        "exp": (now + ASSERTION_LIFETIME).unix_timestamp(),
    });
    let signing_input = format!(
        "{}.{}",
        URL_SAFE_NO_PAD.encode(header.to_string()),
        URL_SAFE_NO_PAD.encode(claims.to_string())
    );
    let signature = key.sign(signing_input.as_bytes(), rng)?;
    Ok(format!(
        "{signing_input}.{}",
        URL_SAFE_NO_PAD.encode(signature)
    ))
}

/// 128 random bits from the operating system, base64url: a token endpoint refuses a `jti` it
/// has seen, and at this size a repeat will not happen.
fn jti(rng: &SystemRandom) -> Result<String, KeyError> {
    let mut bytes = [0_u8; 16];
    rng.fill(&mut bytes)
        .map_err(|_| KeyError("the system random source failed".into()))?;
    Ok(URL_SAFE_NO_PAD.encode(bytes))
}

#[cfg(test)]
mod tests {
    use std::{collections::HashSet, process::Command};

    use ring::signature::{self, UnparsedPublicKey};
    use serde_json::Value;
    use time::macros::datetime;

    use super::*;
    use crate::ehr::smart::key::SigningAlgorithm;

    const TOKEN_URL: &str = "https://ehr.example/auth/token";

    fn decode(part: &str) -> Value {
        serde_json::from_slice(&URL_SAFE_NO_PAD.decode(part).unwrap()).unwrap()
    }

    /// Splits a JWT into its decoded header and claims, its signing input and its signature.
    fn parts(jwt: &str) -> (Value, Value, String, Vec<u8>) {
        let pieces: Vec<&str> = jwt.split('.').collect();
        assert_eq!(pieces.len(), 3, "a compact JWS has three parts");
        (
            decode(pieces[0]),
            decode(pieces[1]),
            format!("{}.{}", pieces[0], pieces[1]),
            URL_SAFE_NO_PAD.decode(pieces[2]).unwrap(),
        )
    }

    #[test]
    fn the_assertion_names_the_client_the_audience_and_expires_within_five_minutes() {
        let (key, _) = SigningKey::generate_es384(Some("kid-1")).unwrap();
        let now = datetime!(2026-11-22 10:00 UTC);
        let jwt =
            client_assertion(&key, "intake-clinic", TOKEN_URL, now, &SystemRandom::new()).unwrap();
        let (header, claims, _, _) = parts(&jwt);
        assert_eq!(
            header,
            json!({ "alg": "ES384", "typ": "JWT", "kid": "kid-1" })
        );
        assert_eq!(claims["iss"], "intake-clinic");
        assert_eq!(claims["sub"], "intake-clinic");
        assert_eq!(claims["aud"], TOKEN_URL);
        let exp = claims["exp"].as_i64().unwrap();
        assert!(
            exp > now.unix_timestamp() && exp <= now.unix_timestamp() + 300,
            "{exp}"
        );
        let jti = URL_SAFE_NO_PAD
            .decode(claims["jti"].as_str().unwrap())
            .unwrap();
        assert!(jti.len() * 8 >= 128);
    }

    #[test]
    fn no_two_assertions_share_a_jti() {
        let (key, _) = SigningKey::generate_es384(None).unwrap();
        let rng = SystemRandom::new();
        let now = datetime!(2026-11-22 10:00 UTC);
        let seen: HashSet<String> = (0..2_000)
            .map(|_| {
                let jwt = client_assertion(&key, "c", TOKEN_URL, now, &rng).unwrap();
                parts(&jwt).1["jti"].as_str().unwrap().to_owned()
            })
            .collect();
        assert_eq!(seen.len(), 2_000);
    }

    #[test]
    fn an_es384_assertion_verifies_with_the_public_key() {
        let (key, _) = SigningKey::generate_es384(None).unwrap();
        let jwt = client_assertion(
            &key,
            "c",
            TOKEN_URL,
            OffsetDateTime::now_utc(),
            &SystemRandom::new(),
        )
        .unwrap();
        let (_, _, input, signature) = parts(&jwt);
        assert_eq!(signature.len(), 96, "r‖s, 48 bytes each");
        let public =
            UnparsedPublicKey::new(&signature::ECDSA_P384_SHA384_FIXED, key.public_key_der());
        public.verify(input.as_bytes(), &signature).unwrap();
        assert!(public.verify(b"tampered", &signature).is_err());
    }

    #[test]
    fn an_rs384_assertion_verifies_with_the_public_key() {
        // ring cannot make RSA keys: openssl makes a throwaway one for this test only.
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("rsa.pem");
        let made = Command::new("openssl")
            .args([
                "genpkey",
                "-algorithm",
                "RSA",
                "-pkeyopt",
                "rsa_keygen_bits:2048",
                "-out",
            ])
            .arg(&path)
            .output()
            .expect("openssl is needed to make a test RSA key");
        assert!(
            made.status.success(),
            "{}",
            String::from_utf8_lossy(&made.stderr)
        );
        let key = SigningKey::load(&path, SigningAlgorithm::Rs384, None).unwrap();
        let jwt = client_assertion(
            &key,
            "c",
            TOKEN_URL,
            OffsetDateTime::now_utc(),
            &SystemRandom::new(),
        )
        .unwrap();
        let (header, _, input, signature) = parts(&jwt);
        assert_eq!(header["alg"], "RS384");
        let public =
            UnparsedPublicKey::new(&signature::RSA_PKCS1_2048_8192_SHA384, key.public_key_der());
        public.verify(input.as_bytes(), &signature).unwrap();
        let jwk = key.public_jwk();
        assert_eq!(
            (jwk["kty"].as_str(), jwk["e"].as_str()),
            (Some("RSA"), Some("AQAB"))
        );
        assert_eq!(
            URL_SAFE_NO_PAD
                .decode(jwk["n"].as_str().unwrap())
                .unwrap()
                .len(),
            256
        );
    }
}
