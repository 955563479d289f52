//! Files a patient sends with a page: each checked against its question's rules by content,
//! cleaned of metadata off the async executor, stored, and named by the answer.

use std::collections::BTreeMap;

use super::{ServiceError, Services};
use crate::{
    engine::{Answers, FieldError, FileRef, InputProblem, PageInput, page_fields, page_groups},
    forms::{Item, ItemKind, Section},
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
    /// A submission's changes with a `Consent` per consent answered (with its drawn signature)
    /// and a `DocumentReference` per photo (their bytes read here), all named by the Provenance.
    pub(super) async fn with_consents_and_photos(
        &self,
        form: &crate::forms::Form,
        answers: &Answers,
        context: &crate::mapping::ExtractContext<'_>,
        proposed: Vec<crate::mapping::ProposedChange>,
        session: &PatientSession,
    ) -> Result<Vec<crate::mapping::ProposedChange>, ServiceError> {
        let mut files = std::collections::BTreeMap::new();
        let signatures = crate::summary::consents(form, answers, 0)
            .into_iter()
            .filter_map(|consent| consent.drawn);
        let photos = crate::summary::photos(form, answers)
            .into_iter()
            .map(|(_, file)| file);
        for file in photos.chain(signatures) {
            if let Some(stored) = self.store.attachment(file.id).await?
                && stored.invitation_id == session.invitation_id
            {
                files.insert(file.id, stored.bytes);
            }
        }
        let response = crate::mapping::response_identifier(context);
        let mut more = crate::mapping::consents(form, answers, context, response, &files);
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

    /// Stores each upload of `page` that its question takes and returns it by field, as the
    /// answer to set; a refused file adds what to fix to `errors`. Uploads for fields the page
    /// does not show as attachment questions (in the instances of a repeating group that
    /// `posted` sent) are ignored, and nothing of them is stored.
    pub(super) async fn store_uploads(
        &self,
        session: &PatientSession,
        page: &Section,
        posted: &PageInput,
        uploads: Vec<Upload>,
        errors: &mut Vec<FieldError>,
    ) -> Result<BTreeMap<String, FileRef>, ServiceError> {
        let mut stored = BTreeMap::new();
        for upload in uploads {
            let Some(item) = attachment_item(page, posted, &upload.field) else {
                continue;
            };
            let rules = item.attachment.clone().unwrap_or_default();
            let bytes = upload.bytes;
            let cleaned = tokio::task::spawn_blocking(move || media::clean(&bytes, &rules))
                .await
                .map_err(|_| ServiceError::Internal("cleaning a photo stopped".to_owned()))?;
            match cleaned {
                Ok(file) => {
                    let file = self
                        .store
                        .put_attachment(
                            session.invitation_id,
                            &upload.field,
                            &file,
                            self.clock.now_millis(),
                        )
                        .await?;
                    stored.insert(upload.field, file);
                }
                Err(refused) => errors.push(FieldError {
                    field: upload.field,
                    problem: if item.drawn_signature_of.is_some() {
                        InputProblem::drawing(refused)
                    } else {
                        refused.into()
                    },
                }),
            }
        }
        Ok(stored)
    }
}

/// The attachment question of `page` that the field `field` answers: `<item id>`, or
/// `<group>.<N>.<item id>` in instance `N` of one of the page's repeating groups, which
/// `posted` must have sent.
fn attachment_item<'a>(page: &'a Section, posted: &PageInput, field: &str) -> Option<&'a Item> {
    let (items, id) = match field.split_once('.') {
        None => (page_fields(&page.items), field),
        Some((group, rest)) => {
            let (index, id) = rest.split_once('.')?;
            let index = index.parse::<usize>().ok()?;
            if !posted.instances(group).contains(&index) {
                return None;
            }
            let group = page_groups(&page.items)
                .into_iter()
                .find(|g| g.id == group && g.on_file.is_none())?;
            (page_fields(&group.items), id)
        }
    };
    items
        .into_iter()
        .find(|item| item.id == id && item.kind == ItemKind::Attachment)
}
