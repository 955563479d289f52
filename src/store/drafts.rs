//! Drafts: a patient's answers so far, saved on every page.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use sqlx::{FromRow, types::Json};
use uuid::Uuid;

use super::{Store, StoreError, on_pool};
use crate::{
    domain::TokenHash,
    engine::Answers,
    forms::{ContentHash, FormId},
};

/// [`Store::save_draft_over`]'s statements. Parameters: $1 invitation, $2 form, $3 form hash,
/// $4 answers (sealed), $5 now, $6 form state (`NULL` keeps it), $7 page (`NULL` keeps it),
/// $8 sent at (`NULL` keeps it), then $9 the version read and $10 the session's token hash.
macro_rules! save_over {
    ($condition:literal) => {
        concat!(
            "UPDATE drafts SET form_id = $2, form_hash = $3, answers = $4, updated_at = $5, \
             form_state = COALESCE($6, form_state), page = COALESCE($7, page), version = version + 1, \
             sent_at = COALESCE($8, sent_at) WHERE invitation_id = $1 AND version = $9",
            $condition,
            " RETURNING version"
        )
    };
}
const SAVE_OVER: &str = save_over!("");
/// The session is still proved, its link open and not expired, and its appointment on the
/// draft's form: what reading the session would have checked.
const SAVE_OVER_WHILE_SESSION_HOLDS: &str = save_over!(
    " AND EXISTS (SELECT 1 FROM patient_sessions s JOIN invitations i ON i.id = s.invitation_id \
     JOIN appointments a ON a.id = i.appointment_id WHERE s.token_hash = $10 \
     AND s.invitation_id = drafts.invitation_id AND s.verified AND i.status = 'open' \
     AND i.expires_at > $5 AND a.form_id = $2)"
);
const SAVE_NEW: &str = "INSERT INTO drafts (invitation_id, form_id, form_hash, answers, updated_at, form_state, page, version, sent_at) \
     VALUES ($1, $2, $3, $4, $5, $6, $7, 1, $8) ON CONFLICT (invitation_id) DO NOTHING RETURNING version";

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
    /// When the patient's page sent the save these answers come from, by the page's clock
    /// (pages with JavaScript send it): a save sent earlier that arrives later is older than
    /// these answers and is not written over them.
    pub sent_at: Option<SentAt>,
}

/// When a patient's page sent a save, in microseconds by the page's own clock, counting up on
/// every save the page sends. Only compared with another save's from the same device.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct SentAt(pub i64);

/// What a draft remembers of its form version.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FormState {
    /// Each item's fingerprint (`Form::item_fingerprints`) when the draft was saved.
    pub items: BTreeMap<String, String>,
    /// Sections the patient should check again because the form changed under the draft.
    pub recheck: Vec<String>,
    /// Pages posted with a session that had just expired (issue 17): applied to the answers
    /// once the patient proves who they are again, so nothing typed is lost.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub held: Vec<HeldPage>,
}

/// One page as it was posted, held until the patient proves who they are again.
#[derive(Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct HeldPage {
    /// The page (0-based).
    pub page: usize,
    /// Its answer fields as posted (`a.<item>` and the instance markers `g.<group>`).
    pub fields: Vec<(String, String)>,
}

impl std::fmt::Debug for HeldPage {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HeldPage")
            .field("page", &self.page)
            .field("fields", &"[redacted]")
            .finish()
    }
}

#[derive(FromRow)]
struct DraftRow {
    form_id: String,
    form_hash: String,
    /// Sealed JSON.
    answers: String,
    form_state: Option<Json<FormState>>,
    version: i64,
    sent_at: Option<i64>,
}

impl DraftRow {
    fn into_draft(self, store: &Store, invitation_id: Uuid) -> Result<(Draft, i64), StoreError> {
        let draft = Draft {
            form_id: FormId::parse(&self.form_id).ok_or(StoreError::Corrupt("drafts.form_id"))?,
            form_hash: ContentHash::from_stored(self.form_hash),
            answers: store.unseal_json("drafts.answers", invitation_id, &self.answers)?,
            form_state: self.form_state.map(|s| s.0).unwrap_or_default(),
            sent_at: self.sent_at.map(SentAt),
        };
        Ok((draft, self.version))
    }
}

impl Store {
    /// The draft for an invitation, if the patient has saved anything.
    pub async fn load_draft(&self, invitation_id: Uuid) -> Result<Option<Draft>, StoreError> {
        Ok(self
            .load_draft_version(invitation_id)
            .await?
            .map(|(draft, _)| draft))
    }

    /// The draft for an invitation with its version, which every save counts up: what
    /// [`Store::save_draft_over`] checks before it writes.
    pub async fn load_draft_version(
        &self,
        invitation_id: Uuid,
    ) -> Result<Option<(Draft, i64)>, StoreError> {
        let row: Option<DraftRow> = on_pool!(self, pool => sqlx::query_as(
            "SELECT form_id, form_hash, answers, form_state, version, sent_at FROM drafts WHERE invitation_id = $1",
        )
        .bind(invitation_id)
        .fetch_optional(pool)
        .await)?;
        row.map(|row| row.into_draft(self, invitation_id))
            .transpose()
    }

    /// Saves the draft only over the version `read` (`None`: only where no draft is stored
    /// yet), in one statement, as the patient saves page `page` (`None` keeps the page
    /// recorded before). `form_state` is written only when `state_changed`: most saves change
    /// the answers alone. With `session` (the token of a session kept in memory, not read for
    /// this save), only while that session is still proved, its link open and on the draft's
    /// form. Returns the new version, or `None` when another save came first (another tab,
    /// another process) or the session no longer holds: nothing was written, and the caller
    /// reads again.
    #[expect(
        clippy::too_many_arguments,
        reason = "one statement's parameters, each named"
    )]
    pub async fn save_draft_over(
        &self,
        invitation_id: Uuid,
        draft: &Draft,
        state_changed: bool,
        page: Option<i64>,
        read: Option<i64>,
        session: Option<&TokenHash>,
        now: i64,
    ) -> Result<Option<i64>, StoreError> {
        let state = (state_changed || read.is_none()).then_some(Json(&draft.form_state));
        let answers = self.seal_json("drafts.answers", invitation_id, &draft.answers)?;
        let sent_at = draft.sent_at.map(|sent| sent.0);
        // The session's condition, when given, rides on the write: one statement, no read.
        let (statement, session) = match (read, session) {
            (Some(_), Some(session)) => (SAVE_OVER_WHILE_SESSION_HOLDS, Some(session.as_str())),
            (Some(_), None) => (SAVE_OVER, None),
            (None, Some(_)) => {
                return Err(StoreError::Conflict("a new draft needs a session read"));
            }
            (None, None) => (SAVE_NEW, None),
        };
        let version: Option<i64> = on_pool!(self, pool => {
            let query = sqlx::query_scalar(statement)
                .bind(invitation_id)
                .bind(draft.form_id.as_str())
                .bind(draft.form_hash.as_str())
                .bind(&answers)
                .bind(now)
                .bind(state)
                .bind(page)
                .bind(sent_at);
            let query = match read {
                Some(read) => query.bind(read),
                None => query,
            };
            let query = match session {
                Some(session) => query.bind(session),
                None => query,
            };
            query.fetch_optional(pool).await
        })?;
        Ok(version)
    }

    /// The page the patient last saved (0-based), if any page was saved.
    pub async fn draft_page(&self, invitation_id: Uuid) -> Result<Option<i64>, StoreError> {
        let page: Option<Option<i64>> = on_pool!(self, pool => sqlx::query_scalar(
            "SELECT page FROM drafts WHERE invitation_id = $1",
        )
        .bind(invitation_id)
        .fetch_optional(pool)
        .await)?;
        Ok(page.flatten())
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
        let answers = self.seal_json("drafts.answers", invitation_id, &draft.answers)?;
        on_pool!(self, pool => sqlx::query(
            "INSERT INTO drafts (invitation_id, form_id, form_hash, answers, updated_at, form_state, page, sent_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8) \
             ON CONFLICT (invitation_id) DO UPDATE SET form_id = excluded.form_id, form_hash = excluded.form_hash, \
             answers = excluded.answers, updated_at = excluded.updated_at, form_state = excluded.form_state, \
             page = COALESCE(excluded.page, drafts.page), version = drafts.version + 1, \
             sent_at = COALESCE(excluded.sent_at, drafts.sent_at)",
        )
        .bind(invitation_id)
        .bind(draft.form_id.as_str())
        .bind(draft.form_hash.as_str())
        .bind(&answers)
        .bind(now)
        .bind(Json(&draft.form_state))
        .bind(page)
        .bind(draft.sent_at.map(|sent| sent.0))
        .execute(pool)
        .await.map(drop))?;
        Ok(())
    }
}
