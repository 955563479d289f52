//! Patient data encrypted at rest: AES-256-GCM (ring) under a data key, which is itself wrapped
//! by a key-encryption key kept outside the database (`INTAKE_DATA_KEY_FILE`).
//!
//! Why two keys: the data key encrypts every value and never changes on a rotation, so rotating
//! the key-encryption key (`intake rotate-key`) re-wraps one small row and re-encrypts nothing.
//! A stolen database (a backup, a `pg_dump`, a disk) without the key file reads as noise.
//!
//! A sealed value is `[format = 1][data key id][12-byte random nonce][ciphertext + 16-byte tag]`.
//! The data key id (one byte) says which data key sealed it, so a later change of data key (a
//! new row in `data_keys`, values re-encrypted in the background) can read old and new values
//! side by side. Every value has its own random nonce: with 96-bit random nonces one key stays
//! well inside the 2^32 messages NIST SP 800-38D allows. The associated data names the table,
//! the column and the row id ([`aad`]), so a sealed value copied into another row or column
//! fails to open instead of showing one patient's answers on another's page.
//!
//! Text columns hold [`Sealer::seal_text`]'s form: `~1` and the sealed bytes in unpadded
//! base64url.

mod keys;

use std::{collections::BTreeMap, fmt, sync::Arc};

use base64::{Engine as _, engine::general_purpose::URL_SAFE_NO_PAD};
use ring::{
    aead::{AES_256_GCM, Aad, LessSafeKey, NONCE_LEN, Nonce, UnboundKey},
    hkdf, hmac,
    rand::{SecureRandom, SystemRandom},
};

pub use keys::{DataKey, KeyEncryptionKey, KeyFileError, WrappedKey};

/// The first byte of every sealed value: this layout.
const FORMAT: u8 = 1;
/// What [`Sealer::seal_text`] puts before the base64 of a sealed value.
pub const TEXT_PREFIX: &str = "~1";
/// The length of the AES-GCM tag.
const TAG_LEN: usize = 16;

/// Why a sealed value did not open. Says nothing about the value itself.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CryptError {
    /// Not a sealed value of a layout this version reads (or cut short).
    #[error("not a sealed value")]
    Malformed,
    /// Sealed under a data key this database does not hold.
    #[error("sealed under an unknown data key ({0})")]
    UnknownKey(u8),
    /// The tag did not verify: the wrong key, the wrong row or column, or a changed byte.
    #[error("the sealed value does not open with this key and associated data")]
    Rejected,
    /// The system's random number generator failed.
    #[error("no randomness available")]
    Random,
}

/// The associated data of a value in `column` (`"table.column"`) of the row `row`: a value
/// moved to another row or column no longer opens.
pub fn aad(column: &str, row: uuid::Uuid) -> Vec<u8> {
    let mut aad = Vec::with_capacity(column.len() + 17);
    aad.extend_from_slice(column.as_bytes());
    aad.push(0);
    aad.extend_from_slice(row.as_bytes());
    aad
}

struct Keys {
    current: u8,
    aead: BTreeMap<u8, LessSafeKey>,
    lookup: hmac::Key,
}

/// Seals and opens values with the database's data keys, and makes the keyed hashes searches
/// use. Cheap to clone; `Debug` shows the key id only.
#[derive(Clone)]
pub struct Sealer {
    keys: Arc<Keys>,
    random: SystemRandom,
}

impl fmt::Debug for Sealer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Sealer")
            .field("current_key", &self.keys.current)
            .finish_non_exhaustive()
    }
}

/// The HKDF labels that split one data key into independent keys for each use.
const AEAD_LABEL: &[u8] = b"intake at-rest aes-256-gcm";
const LOOKUP_LABEL: &[u8] = b"intake search hmac-sha256";

struct Len(usize);
impl hkdf::KeyType for Len {
    fn len(&self) -> usize {
        self.0
    }
}

fn derive(prk: &hkdf::Prk, label: &'static [u8]) -> [u8; 32] {
    let mut out = [0u8; 32];
    let info = [label];
    // Expanding 32 bytes from SHA-256 cannot exceed HKDF's 255-block limit.
    if let Ok(okm) = prk.expand(&info, Len(32)) {
        let _ = okm.fill(&mut out);
    }
    out
}

impl Sealer {
    /// A sealer over the data keys `keys` (id, key); the highest id seals new values, and its
    /// key also makes the search hashes (which therefore never change with a rotation).
    pub fn new(keys: &[DataKey]) -> Option<Self> {
        let newest = keys.iter().max_by_key(|k| k.id)?;
        let mut aead = BTreeMap::new();
        for key in keys {
            let prk = hkdf::Salt::new(hkdf::HKDF_SHA256, b"intake data key").extract(key.bytes());
            let bytes = derive(&prk, AEAD_LABEL);
            let unbound = UnboundKey::new(&AES_256_GCM, &bytes).ok()?;
            aead.insert(key.id, LessSafeKey::new(unbound));
        }
        // The search hashes come from the first data key: re-keying the data would otherwise
        // have to recompute every hash at once.
        let first = keys.iter().min_by_key(|k| k.id)?;
        let prk = hkdf::Salt::new(hkdf::HKDF_SHA256, b"intake data key").extract(first.bytes());
        let lookup = hmac::Key::new(hmac::HMAC_SHA256, &derive(&prk, LOOKUP_LABEL));
        Some(Self {
            keys: Arc::new(Keys {
                current: newest.id,
                aead,
                lookup,
            }),
            random: SystemRandom::new(),
        })
    }

    /// A sealer with no key: every seal and open fails. Only for a store that is still
    /// loading its keys.
    pub(crate) fn placeholder() -> Self {
        Self {
            keys: Arc::new(Keys {
                current: 0,
                aead: BTreeMap::new(),
                lookup: hmac::Key::new(hmac::HMAC_SHA256, &[]),
            }),
            random: SystemRandom::new(),
        }
    }

    /// Seals `plaintext` with a fresh random nonce, bound to `aad` (see [`aad`]).
    pub fn seal(&self, plaintext: &[u8], aad: &[u8]) -> Result<Vec<u8>, CryptError> {
        let key = self
            .keys
            .aead
            .get(&self.keys.current)
            .ok_or(CryptError::UnknownKey(self.keys.current))?;
        let mut nonce = [0u8; NONCE_LEN];
        self.random
            .fill(&mut nonce)
            .map_err(|_| CryptError::Random)?;
        let mut out = Vec::with_capacity(2 + NONCE_LEN + plaintext.len() + TAG_LEN);
        out.push(FORMAT);
        out.push(self.keys.current);
        out.extend_from_slice(&nonce);
        let mut body = plaintext.to_vec();
        key.seal_in_place_append_tag(
            Nonce::assume_unique_for_key(nonce),
            Aad::from(aad),
            &mut body,
        )
        .map_err(|_| CryptError::Rejected)?;
        out.extend_from_slice(&body);
        Ok(out)
    }

    /// Opens what [`Sealer::seal`] sealed with the same `aad`.
    pub fn open(&self, sealed: &[u8], aad: &[u8]) -> Result<Vec<u8>, CryptError> {
        let [format, key_id, rest @ ..] = sealed else {
            return Err(CryptError::Malformed);
        };
        if *format != FORMAT || rest.len() < NONCE_LEN + TAG_LEN {
            return Err(CryptError::Malformed);
        }
        let key = self
            .keys
            .aead
            .get(key_id)
            .ok_or(CryptError::UnknownKey(*key_id))?;
        let (nonce, body) = rest.split_at(NONCE_LEN);
        let nonce = Nonce::try_assume_unique_for_key(nonce).map_err(|_| CryptError::Malformed)?;
        let mut body = body.to_vec();
        let plain = key
            .open_in_place(nonce, Aad::from(aad), &mut body)
            .map_err(|_| CryptError::Rejected)?;
        let len = plain.len();
        body.truncate(len);
        Ok(body)
    }

    /// [`Sealer::seal`] for a text column: [`TEXT_PREFIX`] and unpadded base64url.
    pub fn seal_text(&self, plaintext: &str, aad: &[u8]) -> Result<String, CryptError> {
        let sealed = self.seal(plaintext.as_bytes(), aad)?;
        Ok(format!("{TEXT_PREFIX}{}", URL_SAFE_NO_PAD.encode(sealed)))
    }

    /// Opens what [`Sealer::seal_text`] made.
    pub fn open_text(&self, sealed: &str, aad: &[u8]) -> Result<String, CryptError> {
        let body = sealed
            .strip_prefix(TEXT_PREFIX)
            .ok_or(CryptError::Malformed)?;
        let bytes = URL_SAFE_NO_PAD
            .decode(body)
            .map_err(|_| CryptError::Malformed)?;
        String::from_utf8(self.open(&bytes, aad)?).map_err(|_| CryptError::Malformed)
    }

    /// The keyed hash (HMAC-SHA256, hex) of `value` as the search for `kind` (e.g. `"mrn"`)
    /// compares it: equal values give equal hashes, and without the data key a hash says
    /// nothing, not even for a guessed value. Callers normalise `value` first.
    pub fn lookup(&self, kind: &str, value: &str) -> String {
        let mut context = hmac::Context::with_key(&self.keys.lookup);
        context.update(kind.as_bytes());
        context.update(&[0]);
        context.update(value.as_bytes());
        let tag = context.sign();
        data_encoding::HEXLOWER.encode(tag.as_ref())
    }
}

#[cfg(test)]
mod tests;
