//! Where a patient picks up (issue 17): pages posted by a session that had just expired are
//! held against the draft and applied once the patient proves who they are again; then the
//! first page with something left to answer.

use super::{ServiceError, Services};
use crate::{
    engine::{PageInput, evaluate, parse_page},
    store::{HeldPage, InvitationStatus, PatientSession},
};

/// What a session cookie leads to.
#[derive(Debug)]
pub enum SessionLookup {
    /// A live session.
    Live(PatientSession),
    /// A session that was idle too long and has just ended.
    Expired(PatientSession),
    /// No session (never was, signed out, or ended before).
    Unknown,
}

impl Services {
    /// Holds what a page posted with a session found expired, for the answers to be applied
    /// when the patient proves who they are again. Only a session that had proved who it is
    /// and whose link is still open may hold anything; only answer fields are kept.
    pub async fn hold_page(
        &self,
        session: &PatientSession,
        page: usize,
        fields: &[(String, String)],
    ) -> Result<(), ServiceError> {
        if !session.verified || session.status != InvitationStatus::Open {
            return Ok(());
        }
        let loaded = self.draft_answers(session, None).await?;
        let (form, mut draft) = (loaded.form, loaded.draft);
        if page >= form.sections.len() {
            return Ok(());
        }
        let fields = fields
            .iter()
            .filter(|(name, _)| name.starts_with("a.") || name.starts_with("g."))
            .cloned()
            .collect();
        draft.form_state.held.retain(|held| held.page != page);
        draft.form_state.held.push(HeldPage { page, fields });
        self.store
            .save_draft(session.invitation_id, &draft, self.clock.now_millis())
            .await?;
        Ok(())
    }

    /// The page a patient who just proved who they are goes to: the last held page, once the
    /// held pages are applied; else the first page with something left to answer (a required
    /// answer missing, or not reached yet); `None` for the review, when nothing is left.
    pub async fn resume_page(
        &self,
        session: &PatientSession,
    ) -> Result<Option<usize>, ServiceError> {
        let loaded = self.draft_answers(session, None).await?;
        let (form, launch, mut draft) = (loaded.form, loaded.launch, loaded.draft);
        let held = std::mem::take(&mut draft.form_state.held);
        if let Some(last) = held.last().map(|held| held.page) {
            for page in &held {
                if let Some(section) = form.sections.get(page.page) {
                    let mut typed = PageInput::from_fields(&page.fields);
                    // Fields that do not parse show their message when the page opens again.
                    let _errors = parse_page(section, &mut typed, &mut draft.answers);
                }
            }
            self.store
                .save_draft_at(
                    session.invitation_id,
                    &draft,
                    i64::try_from(last).ok(),
                    self.clock.now_millis(),
                )
                .await?;
            return Ok(Some(last));
        }
        let Some(saved) = self.store.draft_page(session.invitation_id).await? else {
            return Ok(Some(0));
        };
        let evaluation = evaluate(&form, &launch, &draft.answers);
        let issues = evaluation.blocking_issues();
        let enabled = |index: &usize| evaluation.enabled.contains(&form.sections[*index].id);
        let unanswered = (0..form.sections.len()).filter(enabled).find(|index| {
            form.sections[*index]
                .items
                .iter()
                .flat_map(|item| item.walk())
                .any(|item| issues.iter().any(|issue| issue.item_id == item.id))
        });
        let saved = usize::try_from(saved).unwrap_or(0);
        let not_reached = (saved + 1..form.sections.len()).find(enabled);
        Ok(match (unanswered, not_reached) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        })
    }
}
