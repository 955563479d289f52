//! The database's data keys: made (and every existing value sealed) on the first start after
//! migration 0019, unwrapped on every start with the key-encryption key, re-wrapped by
//! `intake rotate-key`; and the seal/open helpers the queries call at their bind and decode
//! points.
//!
//! Where the wrapped data key lives: a row of `data_keys`, in the database it protects, so a
//! backup holds the data and its (wrapped) key together and restoring needs only the key file.
//! The key file never enters the database, its backups or its dumps.

use serde::{Serialize, de::DeserializeOwned};
use sqlx::AssertSqlSafe;
use uuid::Uuid;

use super::{Store, StoreError, on_pool};
use crate::crypt::{self, CryptError, DataKey, KeyEncryptionKey, Sealer, WrappedKey};

/// Every sealed text column: (table, its id column, the column, the label of its associated
/// data, which of its rows). A value's associated data is the label and the row's id; the
/// label is `table.column`, but for a change's original resource, which is a moved `resource`.
pub(super) const SEALED: &[(&str, &str, &str, &str, &str)] = &[
    (
        "appointments",
        "id",
        "patient_value",
        "appointments.patient_value",
        "",
    ),
    (
        "appointments",
        "id",
        "patient_name",
        "appointments.patient_name",
        "",
    ),
    (
        "appointments",
        "id",
        "patient_birth_date",
        "appointments.patient_birth_date",
        "",
    ),
    (
        "appointments",
        "id",
        "patient_mobile",
        "appointments.patient_mobile",
        "",
    ),
    (
        "appointments",
        "id",
        "patient_email",
        "appointments.patient_email",
        "",
    ),
    ("drafts", "invitation_id", "answers", "drafts.answers", ""),
    (
        "chart_reads",
        "invitation_id",
        "chart",
        "chart_reads.chart",
        "",
    ),
    // The retention purge's `{}` in place of answers stays as it is.
    (
        "submissions",
        "id",
        "answers",
        "submissions.answers",
        " AND answers <> '{}'",
    ),
    ("submissions", "id", "consents", "submissions.consents", ""),
    (
        "proposed_changes",
        "id",
        "resource",
        "proposed_changes.resource",
        "",
    ),
    (
        "proposed_changes",
        "id",
        "original_resource",
        "proposed_changes.resource",
        "",
    ),
    (
        "proposed_changes",
        "id",
        "summary",
        "proposed_changes.summary",
        "",
    ),
    // An urgent alert's recipient is a staff contact under a unique index: kept as it is.
    (
        "messages",
        "id",
        "recipient",
        "messages.recipient",
        " AND purpose <> 'urgent_alert'",
    ),
    ("messages", "id", "body", "messages.body", ""),
];

/// Why the data key could not be had.
#[derive(Debug, thiserror::Error)]
pub enum KeyError {
    /// The key-encryption key does not open this database's data key.
    #[error(
        "the key in INTAKE_DATA_KEY_FILE does not open this database's data key (a different key file, or one rotated away)"
    )]
    WrongKey,
    /// A stored key or value is not what this version wrote.
    #[error("data key {0} is corrupt")]
    Corrupt(i64),
    /// Sealing failed.
    #[error("sealing failed: {0}")]
    Crypt(#[from] CryptError),
}

/// The record number as the worklist's search compares it: trimmed, upper case.
pub fn normalised_record_number(value: &str) -> String {
    value.trim().to_uppercase()
}

/// A name as the worklist's search compares it: lower case, words separated by one space.
pub fn normalised_name(value: &str) -> String {
    value
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

impl Store {
    /// Unwraps this database's data keys with `kek`; on the first start after migration 0019
    /// makes the first data key and seals every value stored before, in one transaction.
    pub(super) async fn load_keys(&self, kek: &KeyEncryptionKey) -> Result<Sealer, StoreError> {
        if let Some(sealer) = self.unwrap_keys(kek).await? {
            return Ok(sealer);
        }
        let key = DataKey::generate(1).map_err(KeyError::from)?;
        let wrapped = kek.wrap(&key).map_err(KeyError::from)?;
        let sealer = Sealer::new(&[key]).ok_or(KeyError::Corrupt(1))?;
        let now = crate::clock::Clock::now_millis(&crate::clock::SystemClock);
        let made = on_pool!(self, pool => {
            let mut tx = pool.begin_write().await?;
            // Another process may have made the key while this one waited for the lock.
            let inserted = sqlx::query(
                "INSERT INTO data_keys (id, wrapped, created_at, wrapped_at) VALUES (1, $1, $2, $2) \
                 ON CONFLICT (id) DO NOTHING",
            )
            .bind(&wrapped.0)
            .bind(now)
            .execute(&mut *tx)
            .await?
            .rows_affected();
            let mut sealed_rows = 0_usize;
            if inserted == 1 {
                for (table, id_column, column, label, rows) in SEALED {
                    let select = format!(
                        "SELECT {id_column}, {column} FROM {table} WHERE {column} IS NOT NULL{rows}"
                    );
                    let rows: Vec<(Uuid, String)> =
                        sqlx::query_as(AssertSqlSafe(select)).fetch_all(&mut *tx).await?;
                    let update = format!("UPDATE {table} SET {column} = $1 WHERE {id_column} = $2");
                    sealed_rows += rows.len();
                    for (id, plain) in rows {
                        let sealed = sealer
                            .seal_text(&plain, &crypt::aad(label, id))
                            .map_err(KeyError::from)?;
                        sqlx::query(AssertSqlSafe(update.clone()))
                            .bind(sealed)
                            .bind(id)
                            .execute(&mut *tx)
                            .await?;
                    }
                }
                // The lookups, from the plaintext as it was (read back through the sealer).
                let rows: Vec<(Uuid, String, String)> = sqlx::query_as(
                    "SELECT id, patient_value, patient_name FROM appointments",
                )
                .fetch_all(&mut *tx)
                .await?;
                for (id, value, name) in rows {
                    let value = self.unseal_with(&sealer, "appointments.patient_value", id, &value)?;
                    let name = self.unseal_with(&sealer, "appointments.patient_name", id, &name)?;
                    sqlx::query(
                        "UPDATE appointments SET patient_lookup = $1, name_lookup = $2 WHERE id = $3",
                    )
                    .bind(record_lookup(&sealer, &value))
                    .bind(name_lookups(&sealer, &name))
                    .bind(id)
                    .execute(&mut *tx)
                    .await?;
                }
                // The queue's "by patient" order groups by the whole name's keyed hash (the
                // first of the appointment's lookups: 64 hex digits).
                sqlx::query(
                    "UPDATE proposed_changes SET patient_key = COALESCE((SELECT SUBSTR(a.name_lookup, 1, 64) \
                     FROM submissions s JOIN invitations i ON i.id = s.invitation_id \
                     JOIN appointments a ON a.id = i.appointment_id \
                     WHERE s.id = proposed_changes.submission_id), '')",
                )
                .execute(&mut *tx)
                .await?;
                // The audit named patients by record number: now by its keyed hash.
                let rows: Vec<(String,)> = sqlx::query_as(
                    "SELECT DISTINCT patient FROM audit_events WHERE patient IS NOT NULL",
                )
                .fetch_all(&mut *tx)
                .await?;
                for (patient,) in rows {
                    sqlx::query("UPDATE audit_events SET patient = $1 WHERE patient = $2")
                        .bind(record_lookup(&sealer, &patient))
                        .bind(&patient)
                        .execute(&mut *tx)
                        .await?;
                }
            }
            tx.commit().await?;
            Ok::<(bool, usize), StoreError>((inserted == 1, sealed_rows))
        })?;
        if made.0 {
            if made.1 > 0
                && let super::Backend::Sqlite(pool) = &self.backend
            {
                // The plaintext the rows held before stays in free pages and the WAL until
                // the file is rewritten (Postgres: `VACUUM FULL`, see docs/deploy.md).
                sqlx::query("VACUUM").execute(pool).await?;
                sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)")
                    .execute(pool)
                    .await?;
            }
            return Ok(sealer);
        }
        self.unwrap_keys(kek).await?.ok_or(StoreError::NotFound)
    }

    async fn unwrap_keys(&self, kek: &KeyEncryptionKey) -> Result<Option<Sealer>, StoreError> {
        let rows: Vec<(i64, String)> = on_pool!(self, pool => sqlx::query_as(
            "SELECT id, wrapped FROM data_keys ORDER BY id",
        )
        .fetch_all(pool)
        .await)?;
        if rows.is_empty() {
            return Ok(None);
        }
        let keys = rows
            .into_iter()
            .map(|(id, wrapped)| {
                let id8 = u8::try_from(id).map_err(|_| KeyError::Corrupt(id))?;
                kek.unwrap_key(id8, &WrappedKey(wrapped))
                    .map_err(|e| match e {
                        CryptError::Rejected => KeyError::WrongKey,
                        _ => KeyError::Corrupt(id),
                    })
            })
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Some(Sealer::new(&keys).ok_or(KeyError::Corrupt(0))?))
    }

    /// Re-wraps every data key under `new` (after unwrapping it with `old`), in one
    /// transaction: the data itself is not touched. Returns how many keys were re-wrapped.
    pub async fn rotate_key(
        &self,
        old: &KeyEncryptionKey,
        new: &KeyEncryptionKey,
        now: i64,
    ) -> Result<usize, StoreError> {
        on_pool!(self, pool => {
            let mut tx = pool.begin_write().await?;
            let rows: Vec<(i64, String)> =
                sqlx::query_as("SELECT id, wrapped FROM data_keys ORDER BY id")
                    .fetch_all(&mut *tx)
                    .await?;
            for (id, wrapped) in &rows {
                let id8 = u8::try_from(*id).map_err(|_| KeyError::Corrupt(*id))?;
                let key = old.unwrap_key(id8, &WrappedKey(wrapped.clone())).map_err(|e| match e {
                    CryptError::Rejected => KeyError::WrongKey,
                    _ => KeyError::Corrupt(*id),
                })?;
                let rewrapped = new.wrap(&key).map_err(KeyError::from)?;
                sqlx::query("UPDATE data_keys SET wrapped = $1, wrapped_at = $2 WHERE id = $3")
                    .bind(&rewrapped.0)
                    .bind(now)
                    .bind(id)
                    .execute(&mut *tx)
                    .await?;
            }
            tx.commit().await?;
            Ok(rows.len())
        })
    }

    /// Seals `plain` for `column` (`"table.column"`) of row `id`.
    pub(super) fn seal(&self, column: &str, id: Uuid, plain: &str) -> Result<String, StoreError> {
        self.sealer
            .seal_text(plain, &crypt::aad(column, id))
            .map_err(|_| StoreError::Corrupt("sealing"))
    }

    /// Seals an optional value.
    pub(super) fn seal_opt(
        &self,
        column: &str,
        id: Uuid,
        plain: Option<&str>,
    ) -> Result<Option<String>, StoreError> {
        plain.map(|p| self.seal(column, id, p)).transpose()
    }

    /// Seals `value` as JSON.
    pub(super) fn seal_json<T: Serialize + ?Sized>(
        &self,
        column: &str,
        id: Uuid,
        value: &T,
    ) -> Result<String, StoreError> {
        let json = serde_json::to_string(value).map_err(|_| StoreError::Corrupt("sealing"))?;
        self.seal(column, id, &json)
    }

    /// Opens what [`Store::seal`] sealed for `column` of row `id`.
    pub(super) fn unseal(
        &self,
        column: &'static str,
        id: Uuid,
        sealed: &str,
    ) -> Result<String, StoreError> {
        self.unseal_with(&self.sealer, column, id, sealed)
    }

    fn unseal_with(
        &self,
        sealer: &Sealer,
        column: &str,
        id: Uuid,
        sealed: &str,
    ) -> Result<String, StoreError> {
        sealer
            .open_text(sealed, &crypt::aad(column, id))
            .map_err(|_| StoreError::Corrupt("a sealed value"))
    }

    /// Opens an optional value.
    pub(super) fn unseal_opt(
        &self,
        column: &'static str,
        id: Uuid,
        sealed: Option<&str>,
    ) -> Result<Option<String>, StoreError> {
        sealed.map(|s| self.unseal(column, id, s)).transpose()
    }

    /// Opens a sealed JSON value.
    pub(super) fn unseal_json<T: DeserializeOwned>(
        &self,
        column: &'static str,
        id: Uuid,
        sealed: &str,
    ) -> Result<T, StoreError> {
        serde_json::from_str(&self.unseal(column, id, sealed)?)
            .map_err(|_| StoreError::Corrupt(column))
    }

    /// The keyed hash the worklist searches record numbers by.
    pub fn record_lookup(&self, value: &str) -> String {
        record_lookup(&self.sealer, value)
    }

    /// The keyed hash of a whole name (normalised), as the worklist's search and the queue's
    /// "by patient" order compare it.
    pub fn name_lookup(&self, name: &str) -> String {
        name_lookup(&self.sealer, name)
    }

    /// What `appointments.name_lookup` holds: the keyed hash of the whole name, then of each
    /// of its words, separated by spaces, so the front desk finds "Maria Garcia" by her whole
    /// name or by "garcia". The price: rows sharing a word share its hash, which shows that
    /// two patients share a surname (never which), a leak we accept for search by surname.
    pub fn name_lookups(&self, name: &str) -> String {
        name_lookups(&self.sealer, name)
    }

    /// The sealer, for values other modules keep (e.g. images with a submission).
    pub fn sealer(&self) -> &Sealer {
        &self.sealer
    }
}

fn record_lookup(sealer: &Sealer, value: &str) -> String {
    sealer.lookup("mrn", &normalised_record_number(value))
}

fn name_lookup(sealer: &Sealer, name: &str) -> String {
    sealer.lookup("name", &normalised_name(name))
}

fn name_lookups(sealer: &Sealer, name: &str) -> String {
    let whole = normalised_name(name);
    let mut hashes = vec![sealer.lookup("name", &whole)];
    for word in whole.split(' ').filter(|w| !w.is_empty()) {
        let hash = sealer.lookup("name", word);
        if !hashes.contains(&hash) {
            hashes.push(hash);
        }
    }
    hashes.join(" ")
}
