//! Files stored beside a draft or submission (photos, drawn signatures), already cleaned of
//! their metadata. Their bytes are sealed (AES-256-GCM under the data key, the file's id as
//! associated data) on the way in and opened on the way out, and nowhere else.

use sqlx::FromRow;
use uuid::Uuid;

use super::{Store, StoreError, on_pool};
use crate::{engine::FileRef, media::CleanFile};

/// A stored file, read back for staff.
#[derive(Clone)]
pub struct StoredFile {
    /// The invitation whose answers it belongs to.
    pub invitation_id: Uuid,
    /// Its media type.
    pub content_type: String,
    /// Its bytes, opened.
    pub bytes: Vec<u8>,
}

impl std::fmt::Debug for StoredFile {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StoredFile")
            .field("content_type", &self.content_type)
            .field("size", &self.bytes.len())
            .finish_non_exhaustive()
    }
}

#[derive(FromRow)]
struct FileRow {
    id: Uuid,
    invitation_id: Uuid,
    content_type: String,
    sealed: String,
    bytes: Vec<u8>,
}

/// The scheme `attachments.sealed` names for bytes sealed under the data key.
const SEALED: &str = "aes-256-gcm";
/// The column the associated data names.
const COLUMN: &str = "attachments.bytes";

impl Store {
    /// Stores `file` as the answer to `field` of an invitation's draft, replacing the file that
    /// field held before (in one transaction), and returns what the answer keeps of it. A field
    /// in a repeating group's instance (`group.N.item`) replaces nothing: removing an instance
    /// renumbers those after it, so the file stored under a number may now be another
    /// instance's answer. What is no longer an answer goes with the purge.
    pub async fn put_attachment(
        &self,
        invitation_id: Uuid,
        field: &str,
        file: &CleanFile,
        now: i64,
    ) -> Result<FileRef, StoreError> {
        let id = Uuid::now_v7();
        let size = i64::try_from(file.bytes.len()).unwrap_or(i64::MAX);
        let sealed = self
            .sealer()
            .seal(&file.bytes, &crate::crypt::aad(COLUMN, id))
            .map_err(|_| StoreError::Corrupt("sealing a file"))?;
        on_pool!(self, pool => {
            let mut tx = pool.begin_write().await?;
            if !field.contains('.') {
                sqlx::query("DELETE FROM attachments WHERE invitation_id = $1 AND field = $2")
                    .bind(invitation_id).bind(field).execute(&mut *tx).await?;
            }
            sqlx::query(
                "INSERT INTO attachments (id, invitation_id, field, content_type, size, sha1, sealed, bytes, created_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
            )
            .bind(id).bind(invitation_id).bind(field).bind(file.media_type.as_str()).bind(size)
            .bind(&file.sha1).bind(SEALED).bind(&sealed).bind(now)
            .execute(&mut *tx).await?;
            tx.commit().await
        })?;
        Ok(FileRef {
            id,
            content_type: file.media_type.as_str().to_owned(),
            size: u64::try_from(size).unwrap_or_default(),
            sha1: file.sha1.clone(),
        })
    }

    /// A stored file by id, opened.
    pub async fn attachment(&self, id: Uuid) -> Result<Option<StoredFile>, StoreError> {
        let row: Option<FileRow> = on_pool!(self, pool => sqlx::query_as(
            "SELECT id, invitation_id, content_type, sealed, bytes FROM attachments WHERE id = $1",
        )
        .bind(id)
        .fetch_optional(pool)
        .await)?;
        row.map(|row| {
            Ok(StoredFile {
                invitation_id: row.invitation_id,
                content_type: row.content_type,
                bytes: match row.sealed.as_str() {
                    SEALED => self
                        .sealer()
                        .open(&row.bytes, &crate::crypt::aad(COLUMN, row.id))
                        .map_err(|_| StoreError::Corrupt("attachments.bytes"))?,
                    _ => return Err(StoreError::Corrupt("attachments.sealed")),
                },
            })
        })
        .transpose()
    }
}
