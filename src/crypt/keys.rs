//! The two kinds of key: the data key (random, kept in the database only wrapped) and the
//! key-encryption key that wraps it (kept in a file outside the database).

use std::{fmt, io::Write as _, path::Path};

use base64::{
    Engine as _,
    engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD},
};
use ring::{
    aead::{AES_256_GCM, Aad, LessSafeKey, NONCE_LEN, Nonce, UnboundKey},
    rand::{SecureRandom, SystemRandom},
};

use super::CryptError;

/// Why a key file could not be used. Never quotes the file's content.
#[derive(Debug, thiserror::Error)]
pub enum KeyFileError {
    /// The file could not be read or written.
    #[error("{path}: {kind}")]
    Io {
        /// The file.
        path: String,
        /// What went wrong, without the content.
        kind: std::io::ErrorKind,
    },
    /// The file does not hold 32 bytes in base64.
    #[error(
        "{0}: not a key (expected 32 random bytes in base64, e.g. `head -c 32 /dev/urandom | base64`)"
    )]
    Malformed(String),
    /// The system's random number generator failed.
    #[error("no randomness available")]
    Random,
}

/// The key-encryption key: 32 bytes, from `INTAKE_DATA_KEY_FILE` (base64 text). `Debug` never
/// shows it.
pub struct KeyEncryptionKey(pub(super) [u8; 32]);

impl fmt::Debug for KeyEncryptionKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("KeyEncryptionKey([redacted])")
    }
}

impl KeyEncryptionKey {
    /// A new random key.
    pub fn generate() -> Result<Self, KeyFileError> {
        let mut bytes = [0u8; 32];
        SystemRandom::new()
            .fill(&mut bytes)
            .map_err(|_| KeyFileError::Random)?;
        Ok(Self(bytes))
    }

    /// One key per process, made on first use: for `Store::connect` on Postgres in tests and
    /// tools, where no key file is configured.
    pub fn for_this_process() -> Result<Self, KeyFileError> {
        static KEY: std::sync::OnceLock<[u8; 32]> = std::sync::OnceLock::new();
        if let Some(bytes) = KEY.get() {
            return Ok(Self(*bytes));
        }
        let made = Self::generate()?;
        Ok(Self(*KEY.get_or_init(|| made.0)))
    }

    /// Reads a key file: 32 bytes in standard base64, surrounding white space ignored.
    pub fn read(path: &Path) -> Result<Self, KeyFileError> {
        let text = std::fs::read_to_string(path).map_err(|e| KeyFileError::Io {
            path: path.display().to_string(),
            kind: e.kind(),
        })?;
        let bytes = STANDARD
            .decode(text.trim())
            .ok()
            .and_then(|b| <[u8; 32]>::try_from(b).ok())
            .ok_or_else(|| KeyFileError::Malformed(path.display().to_string()))?;
        Ok(Self(bytes))
    }

    /// Writes this key to a new file `path` (never over an existing one), readable by its
    /// owner only.
    pub fn write_new(&self, path: &Path) -> Result<(), KeyFileError> {
        let io = |e: std::io::Error| KeyFileError::Io {
            path: path.display().to_string(),
            kind: e.kind(),
        };
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt as _;
            options.mode(0o600);
        }
        let mut file = options.open(path).map_err(io)?;
        file.write_all(format!("{}\n", STANDARD.encode(self.0)).as_bytes())
            .map_err(io)?;
        file.sync_all().map_err(io)
    }

    /// Reads `path`, or when it does not exist makes a new key there. Says whether it made one.
    pub fn read_or_create(path: &Path) -> Result<(Self, bool), KeyFileError> {
        if path.exists() {
            return Ok((Self::read(path)?, false));
        }
        let key = Self::generate()?;
        match key.write_new(path) {
            Ok(()) => Ok((key, true)),
            // Another process made it first: use theirs.
            Err(KeyFileError::Io {
                kind: std::io::ErrorKind::AlreadyExists,
                ..
            }) => Ok((Self::read(path)?, false)),
            Err(e) => Err(e),
        }
    }

    fn aead(&self) -> Result<LessSafeKey, CryptError> {
        let unbound = UnboundKey::new(&AES_256_GCM, &self.0).map_err(|_| CryptError::Malformed)?;
        Ok(LessSafeKey::new(unbound))
    }

    /// Wraps `key`: AES-256-GCM under this key, bound to the data key's id.
    pub fn wrap(&self, key: &DataKey) -> Result<WrappedKey, CryptError> {
        let mut nonce = [0u8; NONCE_LEN];
        SystemRandom::new()
            .fill(&mut nonce)
            .map_err(|_| CryptError::Random)?;
        let mut body = key.bytes.to_vec();
        self.aead()?
            .seal_in_place_append_tag(
                Nonce::assume_unique_for_key(nonce),
                Aad::from(wrap_aad(key.id)),
                &mut body,
            )
            .map_err(|_| CryptError::Rejected)?;
        let mut out = nonce.to_vec();
        out.extend_from_slice(&body);
        Ok(WrappedKey(URL_SAFE_NO_PAD.encode(out)))
    }

    /// Unwraps data key `id`; [`CryptError::Rejected`] when this is not the key that wrapped it.
    pub fn unwrap_key(&self, id: u8, wrapped: &WrappedKey) -> Result<DataKey, CryptError> {
        let raw = URL_SAFE_NO_PAD
            .decode(&wrapped.0)
            .map_err(|_| CryptError::Malformed)?;
        if raw.len() < NONCE_LEN {
            return Err(CryptError::Malformed);
        }
        let (nonce, body) = raw.split_at(NONCE_LEN);
        let nonce = Nonce::try_assume_unique_for_key(nonce).map_err(|_| CryptError::Malformed)?;
        let mut body = body.to_vec();
        let plain = self
            .aead()?
            .open_in_place(nonce, Aad::from(wrap_aad(id)), &mut body)
            .map_err(|_| CryptError::Rejected)?;
        let bytes = <[u8; 32]>::try_from(&*plain).map_err(|_| CryptError::Malformed)?;
        Ok(DataKey { id, bytes })
    }
}

fn wrap_aad(id: u8) -> [u8; 17] {
    let mut aad = *b"intake data key  ";
    aad[16] = id;
    aad
}

/// A data key, in the clear (in memory only). `Debug` shows its id only.
pub struct DataKey {
    /// Its id, the second byte of every value it sealed.
    pub id: u8,
    pub(super) bytes: [u8; 32],
}

impl fmt::Debug for DataKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DataKey")
            .field("id", &self.id)
            .finish_non_exhaustive()
    }
}

impl DataKey {
    /// A new random data key with id `id`.
    pub fn generate(id: u8) -> Result<Self, CryptError> {
        let mut bytes = [0u8; 32];
        SystemRandom::new()
            .fill(&mut bytes)
            .map_err(|_| CryptError::Random)?;
        Ok(Self { id, bytes })
    }

    pub(super) fn bytes(&self) -> &[u8] {
        &self.bytes
    }
}

/// A data key as the database keeps it: wrapped, in unpadded base64url.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WrappedKey(pub String);
