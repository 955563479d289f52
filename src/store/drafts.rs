//! Drafts: a patient's answers so far, saved on every page.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use sqlx::{FromRow, types::Json};
use uuid::Uuid;

use super::{Store, StoreError, on_pool};
use crate::{
    engine::Answers,
    forms::{ContentHash, FormId},
};

/// A saved draft, pinned to the form version it was answered against.
#[derive(Debug, Clone)]
pub struct Draft {
    /// The form.
    pub form_id: FormId,
    /// The exact compiled form.
    pub form_hash: ContentHash,
    /// The answers so far.
    pub answers: Answers,
    /// The form version's item fingerprints, and what to check again after a change.
    pub form_state: FormState,
}

/// What a draft remembers of its form version.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FormState {
    /// Each item's fingerprint (`Form::item_fingerprints`) when the draft was saved.
    pub items: BTreeMap<String, String>,
    /// Sections the patient should check again because the form changed under the draft.
    pub recheck: Vec<String>,
}

#[derive(FromRow)]
struct DraftRow {
    form_id: String,
    form_hash: String,
    answers: Json<Answers>,
    form_state: Option<Json<FormState>>,
}

impl Store {
    /// The draft for an invitation, if the patient has saved anything.
    pub async fn load_draft(&self, invitation_id: Uuid) -> Result<Option<Draft>, StoreError> {
        let row: Option<DraftRow> = on_pool!(self, pool => sqlx::query_as(
            "SELECT form_id, form_hash, answers, form_state FROM drafts WHERE invitation_id = $1",
        )
        .bind(invitation_id)
        .fetch_optional(pool)
        .await)?;
        row.map(|row| {
            Ok(Draft {
                form_id: FormId::parse(&row.form_id)
                    .ok_or(StoreError::Corrupt("drafts.form_id"))?,
                form_hash: ContentHash::from_stored(row.form_hash),
                answers: row.answers.0,
                form_state: row.form_state.map(|s| s.0).unwrap_or_default(),
            })
        })
        .transpose()
    }

    /// Saves the draft, replacing the previous save (keeping the page last saved).
    pub async fn save_draft(
        &self,
        invitation_id: Uuid,
        draft: &Draft,
        now: i64,
    ) -> Result<(), StoreError> {
        self.save_draft_at(invitation_id, draft, None, now).await
    }

    /// Saves the draft as the patient saves page `page` (0-based), which the worklist shows;
    /// `None` keeps the page recorded before.
    pub async fn save_draft_at(
        &self,
        invitation_id: Uuid,
        draft: &Draft,
        page: Option<i64>,
        now: i64,
    ) -> Result<(), StoreError> {
        on_pool!(self, pool => sqlx::query(
            "INSERT INTO drafts (invitation_id, form_id, form_hash, answers, updated_at, form_state, page) \
             VALUES ($1, $2, $3, $4, $5, $6, $7) \
             ON CONFLICT (invitation_id) DO UPDATE SET form_id = excluded.form_id, form_hash = excluded.form_hash, \
             answers = excluded.answers, updated_at = excluded.updated_at, form_state = excluded.form_state, \
             page = COALESCE(excluded.page, drafts.page)",
        )
        .bind(invitation_id)
        .bind(draft.form_id.as_str())
        .bind(draft.form_hash.as_str())
        .bind(Json(&draft.answers))
        .bind(now)
        .bind(Json(&draft.form_state))
        .bind(page)
        .execute(pool)
        .await.map(drop))?;
        Ok(())
    }
}
