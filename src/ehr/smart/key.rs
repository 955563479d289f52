//! The private key Intake signs its SMART client assertions with, and the public JWK the EHR
//! registers for it. Spec: <https://hl7.org/fhir/smart-app-launch/STU2/backend-services.html>

use std::{fmt, path::Path, str::FromStr};

use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
use ring::{
    digest,
    rand::SystemRandom,
    rsa::PublicKeyComponents,
    signature::{self, EcdsaKeyPair, KeyPair, RsaKeyPair},
};
use serde_json::{Value, json};

/// The signature algorithms SMART Backend Services requires servers to support.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SigningAlgorithm {
    /// ECDSA on P-384 with SHA-384 (the default: ring can generate these keys).
    #[default]
    Es384,
    /// RSASSA-PKCS1-v1_5 with SHA-384 (keys made elsewhere, e.g. with openssl).
    Rs384,
}

impl SigningAlgorithm {
    /// The JOSE name, e.g. `ES384`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Es384 => "ES384",
            Self::Rs384 => "RS384",
        }
    }
}

impl fmt::Display for SigningAlgorithm {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for SigningAlgorithm {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        match text.to_ascii_uppercase().as_str() {
            "ES384" => Ok(Self::Es384),
            "RS384" => Ok(Self::Rs384),
            _ => Err(format!("`{text}` is not ES384 or RS384")),
        }
    }
}

/// Why a key could not be loaded, made or used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct KeyError(pub String);

enum Pair {
    Ec(EcdsaKeyPair),
    Rsa(RsaKeyPair),
}

/// A private signing key with its algorithm and key id (`kid`). Its `Debug` output is redacted.
pub struct SigningKey {
    pair: Pair,
    algorithm: SigningAlgorithm,
    kid: String,
}

impl fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "SigningKey({}, kid {}, [redacted])",
            self.algorithm, self.kid
        )
    }
}

impl SigningKey {
    /// Makes a new ES384 key; returns it and its PKCS#8 (DER) encoding, to be saved.
    pub fn generate_es384(kid: Option<&str>) -> Result<(Self, Vec<u8>), KeyError> {
        let rng = SystemRandom::new();
        let pkcs8 = EcdsaKeyPair::generate_pkcs8(&signature::ECDSA_P384_SHA384_FIXED_SIGNING, &rng)
            .map_err(|_| KeyError("cannot generate a P-384 key".into()))?;
        let key = Self::from_der(pkcs8.as_ref(), SigningAlgorithm::Es384, kid)?;
        Ok((key, pkcs8.as_ref().to_vec()))
    }

    /// Reads a key file: PKCS#8 in PEM (`BEGIN PRIVATE KEY`) or DER; for RS384 also PKCS#1
    /// (`BEGIN RSA PRIVATE KEY`). Without `kid`, the key id is the key's JWK thumbprint.
    pub fn load(
        path: &Path,
        algorithm: SigningAlgorithm,
        kid: Option<&str>,
    ) -> Result<Self, KeyError> {
        let bytes =
            std::fs::read(path).map_err(|e| KeyError(format!("{}: {e}", path.display())))?;
        Self::from_file_contents(&bytes, algorithm, kid)
            .map_err(|KeyError(e)| KeyError(format!("{}: {e}", path.display())))
    }

    /// A key from the contents of a key file (PEM or DER).
    pub fn from_file_contents(
        bytes: &[u8],
        algorithm: SigningAlgorithm,
        kid: Option<&str>,
    ) -> Result<Self, KeyError> {
        let der = match std::str::from_utf8(bytes)
            .ok()
            .filter(|t| t.contains("-----BEGIN"))
        {
            Some(text) => pem_contents(text, algorithm)?,
            None => bytes.to_vec(),
        };
        Self::from_der(&der, algorithm, kid)
    }

    fn from_der(
        der: &[u8],
        algorithm: SigningAlgorithm,
        kid: Option<&str>,
    ) -> Result<Self, KeyError> {
        let pair = match algorithm {
            SigningAlgorithm::Es384 => Pair::Ec(
                EcdsaKeyPair::from_pkcs8(
                    &signature::ECDSA_P384_SHA384_FIXED_SIGNING,
                    der,
                    &SystemRandom::new(),
                )
                .map_err(|e| {
                    KeyError(format!(
                        "not a PKCS#8 P-384 EC private key ({e}); an RSA key needs RS384"
                    ))
                })?,
            ),
            SigningAlgorithm::Rs384 => Pair::Rsa(
                RsaKeyPair::from_pkcs8(der)
                    .or_else(|_| RsaKeyPair::from_der(der))
                    .map_err(|e| {
                        KeyError(format!(
                            "not an RSA private key of 2048 bits or more ({e}); an EC key needs ES384"
                        ))
                    })?,
            ),
        };
        let mut key = Self {
            pair,
            algorithm,
            kid: String::new(),
        };
        key.kid = kid.map_or_else(|| key.thumbprint(), str::to_owned);
        Ok(key)
    }

    /// The algorithm.
    pub fn algorithm(&self) -> SigningAlgorithm {
        self.algorithm
    }

    /// The key id the EHR knows this key by.
    pub fn kid(&self) -> &str {
        &self.kid
    }

    /// The public key as a JWK with `kid`, `alg` and `use`, for the EHR's client registration.
    pub fn public_jwk(&self) -> Value {
        let mut jwk = self.public_members();
        jwk["kid"] = json!(self.kid);
        jwk["alg"] = json!(self.algorithm.as_str());
        jwk["use"] = json!("sig");
        jwk
    }

    /// The public JWK set (`{"keys": [...]}`) with this one key.
    pub fn public_jwks(&self) -> Value {
        json!({ "keys": [self.public_jwk()] })
    }

    /// The public key in DER (an uncompressed EC point, or an RSAPublicKey), for verifying.
    pub fn public_key_der(&self) -> Vec<u8> {
        match &self.pair {
            Pair::Ec(pair) => pair.public_key().as_ref().to_vec(),
            Pair::Rsa(pair) => pair.public_key().as_ref().to_vec(),
        }
    }

    /// Signs `message` (a JWS signing input); ES384 signatures are `r‖s` as JWS requires.
    pub fn sign(&self, message: &[u8], rng: &SystemRandom) -> Result<Vec<u8>, KeyError> {
        match &self.pair {
            Pair::Ec(pair) => pair
                .sign(rng, message)
                .map(|s| s.as_ref().to_vec())
                .map_err(|_| KeyError("ES384 signing failed".into())),
            Pair::Rsa(pair) => {
                let mut signature = vec![0; pair.public().modulus_len()];
                pair.sign(&signature::RSA_PKCS1_SHA384, rng, message, &mut signature)
                    .map_err(|_| KeyError("RS384 signing failed".into()))?;
                Ok(signature)
            }
        }
    }

    /// The JWK members the RFC 7638 thumbprint covers.
    fn public_members(&self) -> Value {
        match &self.pair {
            Pair::Ec(pair) => {
                // An uncompressed point: 0x04 ‖ x (48 bytes) ‖ y (48 bytes).
                let point = pair.public_key().as_ref();
                json!({
                    "crv": "P-384",
                    "kty": "EC",
                    "x": URL_SAFE_NO_PAD.encode(point.get(1..49).unwrap_or_default()),
                    "y": URL_SAFE_NO_PAD.encode(point.get(49..97).unwrap_or_default()),
                })
            }
            Pair::Rsa(pair) => {
                let parts = PublicKeyComponents::<Vec<u8>>::from(pair.public());
                json!({
                    "e": URL_SAFE_NO_PAD.encode(parts.e),
                    "kty": "RSA",
                    "n": URL_SAFE_NO_PAD.encode(parts.n),
                })
            }
        }
    }

    /// The RFC 7638 JWK thumbprint (SHA-256, base64url): a stable default key id.
    fn thumbprint(&self) -> String {
        // serde_json keeps object members sorted, which is the canonical form RFC 7638 asks for.
        let canonical = self.public_members().to_string();
        URL_SAFE_NO_PAD.encode(digest::digest(&digest::SHA256, canonical.as_bytes()))
    }
}

/// The DER inside a PEM private key, refusing the kinds ring cannot read with a hint to convert.
fn pem_contents(text: &str, algorithm: SigningAlgorithm) -> Result<Vec<u8>, KeyError> {
    let begin = text
        .lines()
        .find_map(|l| l.trim().strip_prefix("-----BEGIN ")?.strip_suffix("-----"))
        .unwrap_or_default();
    match (begin, algorithm) {
        ("PRIVATE KEY", _) | ("RSA PRIVATE KEY", SigningAlgorithm::Rs384) => {}
        ("ENCRYPTED PRIVATE KEY", _) => {
            return Err(KeyError(
                "the key is encrypted; store it unencrypted (openssl pkcs8 -topk8 -nocrypt) with file mode 0600".into(),
            ));
        }
        (other, _) => {
            return Err(KeyError(format!(
                "a `{other}` is not a PKCS#8 private key; convert it with `openssl pkcs8 -topk8 -nocrypt`"
            )));
        }
    }
    let body: String = text
        .lines()
        .skip_while(|l| !l.starts_with("-----BEGIN"))
        .skip(1)
        .take_while(|l| !l.starts_with("-----END"))
        .map(str::trim)
        .collect();
    base64::engine::general_purpose::STANDARD
        .decode(body)
        .map_err(|_| KeyError("the PEM body is not base64".into()))
}

/// Writes PKCS#8 DER as PEM text.
pub fn pkcs8_pem(der: &[u8]) -> String {
    let encoded = base64::engine::general_purpose::STANDARD.encode(der);
    let lines: Vec<&str> = encoded
        .as_bytes()
        .chunks(64)
        .filter_map(|c| std::str::from_utf8(c).ok())
        .collect();
    format!(
        "-----BEGIN PRIVATE KEY-----\n{}\n-----END PRIVATE KEY-----\n",
        lines.join("\n")
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_generated_key_round_trips_through_pem_and_keeps_its_thumbprint_kid() {
        let (key, der) = SigningKey::generate_es384(None).unwrap();
        let again = SigningKey::from_file_contents(
            pkcs8_pem(&der).as_bytes(),
            SigningAlgorithm::Es384,
            None,
        )
        .unwrap();
        assert_eq!(key.kid(), again.kid());
        assert_eq!(key.kid().len(), 43, "a base64url SHA-256");
        let from_der =
            SigningKey::from_file_contents(&der, SigningAlgorithm::Es384, Some("k1")).unwrap();
        assert_eq!(from_der.kid(), "k1");
        assert_eq!(from_der.public_key_der(), key.public_key_der());
    }

    #[test]
    fn the_public_jwk_carries_the_p384_point_and_no_private_part() {
        let (key, _) = SigningKey::generate_es384(Some("clinic-1")).unwrap();
        let jwk = key.public_jwk();
        assert_eq!(
            (
                jwk["kty"].as_str(),
                jwk["crv"].as_str(),
                jwk["alg"].as_str(),
                jwk["kid"].as_str()
            ),
            (Some("EC"), Some("P-384"), Some("ES384"), Some("clinic-1"))
        );
        let x = URL_SAFE_NO_PAD.decode(jwk["x"].as_str().unwrap()).unwrap();
        let y = URL_SAFE_NO_PAD.decode(jwk["y"].as_str().unwrap()).unwrap();
        assert_eq!((x.len(), y.len()), (48, 48));
        assert_eq!([&[4][..], &x, &y].concat(), key.public_key_der());
        assert!(jwk.get("d").is_none());
    }

    #[test]
    fn a_key_of_the_wrong_kind_is_refused_with_a_hint() {
        let (_, der) = SigningKey::generate_es384(None).unwrap();
        let error =
            SigningKey::from_file_contents(&der, SigningAlgorithm::Rs384, None).unwrap_err();
        assert!(error.0.contains("ES384"), "{error}");
        let sec1 = "-----BEGIN EC PRIVATE KEY-----\nAAAA\n-----END EC PRIVATE KEY-----\n";
        let error = SigningKey::from_file_contents(sec1.as_bytes(), SigningAlgorithm::Es384, None)
            .unwrap_err();
        assert!(error.0.contains("openssl pkcs8"), "{error}");
    }

    #[test]
    fn debug_output_never_shows_the_private_key() {
        let (key, der) = SigningKey::generate_es384(Some("k")).unwrap();
        let shown = format!("{key:?}");
        assert_eq!(shown, "SigningKey(ES384, kid k, [redacted])");
        assert!(!shown.contains(&base64::engine::general_purpose::STANDARD.encode(&der)[..20]));
    }

    #[test]
    fn algorithm_names_parse_in_any_case() {
        assert_eq!("es384".parse(), Ok(SigningAlgorithm::Es384));
        assert_eq!("RS384".parse(), Ok(SigningAlgorithm::Rs384));
        assert!("HS256".parse::<SigningAlgorithm>().is_err());
    }
}
