//! Files a patient sends with a page: each checked against its question's rules by content,
//! cleaned of metadata off the async executor, stored, and named by the answer.

use super::{ServiceError, Services};
use crate::{
    engine::{Answer, Answers, FieldError, page_fields},
    forms::{ItemKind, Section},
    media,
    store::PatientSession,
};

/// One file posted with a page, for the field it was chosen in.
#[derive(Clone)]
pub struct Upload {
    /// The field's name (the item id).
    pub field: String,
    /// What was sent, unchecked.
    pub bytes: Vec<u8>,
}

impl std::fmt::Debug for Upload {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Upload")
            .field("field", &self.field)
            .field("size", &self.bytes.len())
            .finish()
    }
}

impl Services {
    /// A submission's changes with a `Consent` per consent answered and a `DocumentReference`
    /// per photo (its bytes read here), all named by the Provenance.
    pub(super) async fn with_consents_and_photos(
        &self,
        form: &crate::forms::Form,
        answers: &Answers,
        context: &crate::mapping::ExtractContext<'_>,
        proposed: Vec<crate::mapping::ProposedChange>,
        session: &PatientSession,
    ) -> Result<Vec<crate::mapping::ProposedChange>, ServiceError> {
        let mut files = std::collections::BTreeMap::new();
        for (_, file) in crate::summary::photos(form, answers) {
            if let Some(stored) = self.store.attachment(file.id).await?
                && stored.invitation_id == session.invitation_id
            {
                files.insert(file.id, stored.bytes);
            }
        }
        let response = crate::mapping::response_identifier(context);
        let mut more = crate::mapping::consents(form, answers, context, response);
        more.extend(crate::mapping::documents(form, answers, context, &files));
        Ok(crate::mapping::with_provenance(proposed, more, context))
    }

    /// A stored file, for staff.
    pub async fn attachment(
        &self,
        id: uuid::Uuid,
    ) -> Result<Option<crate::store::StoredFile>, ServiceError> {
        Ok(self.store.attachment(id).await?)
    }

    /// Stores each upload of `page` that its question takes and sets it as the answer;
    /// a refused file leaves the answer as it was and adds what to fix to `errors`. Uploads
    /// for fields the page does not show as attachment questions are ignored.
    pub(super) async fn store_uploads(
        &self,
        session: &PatientSession,
        page: &Section,
        uploads: Vec<Upload>,
        answers: &mut Answers,
        errors: &mut Vec<FieldError>,
    ) -> Result<(), ServiceError> {
        for upload in uploads {
            let Some(item) = page_fields(&page.items)
                .into_iter()
                .find(|i| i.id == upload.field && i.kind == ItemKind::Attachment)
            else {
                continue;
            };
            let rules = item.attachment.clone().unwrap_or_default();
            let bytes = upload.bytes;
            let cleaned = tokio::task::spawn_blocking(move || media::clean(&bytes, &rules))
                .await
                .map_err(|_| ServiceError::Internal("cleaning a photo stopped".to_owned()))?;
            match cleaned {
                Ok(file) => {
                    let stored = self
                        .store
                        .put_attachment(
                            session.invitation_id,
                            &item.id,
                            &file,
                            self.clock.now_millis(),
                        )
                        .await?;
                    answers.set(&item.id, vec![Answer::Attachment(stored)]);
                }
                Err(refused) => errors.push(FieldError {
                    field: item.id.clone(),
                    problem: refused.into(),
                }),
            }
        }
        Ok(())
    }
}
