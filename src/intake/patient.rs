//! The patient's use cases: open the link, prove the date of birth, answer page by page, submit.

use std::sync::Arc;

use uuid::Uuid;

use super::{ServiceError, Services, SessionLookup, millis_of};
use crate::{
    clock::fhir_instant,
    domain::{BirthDate, BirthDateError, SecretToken, TokenHash},
    engine::{
        Answers, Evaluation, FieldError, Issue, LaunchContext, PageInput, evaluate,
        initial_answers, parse_page, too_many_changes,
    },
    forms::Form,
    mapping::{ChartContext, ChartSnapshot, ExtractContext, propose, urgent_record},
    store::{Draft, FormState, InvitationStatus, NewSubmission, PatientSession, SentAt},
};

/// The result of a typed date of birth.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum VerifyOutcome {
    /// It matches the chart.
    Verified,
    /// It matches the chart; a one-time code is asked for next.
    Code(super::CodeStep),
    /// It is not a usable date; nothing was counted.
    Invalid(BirthDateError),
    /// It does not match; `remaining` tries are left.
    Wrong {
        /// Tries left before the link locks.
        remaining: i64,
    },
    /// The link is locked (now, or already).
    Locked,
    /// The link was replaced or already used.
    NotOpen,
}

/// A draft as the pages show it.
#[derive(Debug, Clone)]
pub struct DraftView {
    /// The form, as compiled now.
    pub form: Arc<Form>,
    /// The answers so far.
    pub answers: Answers,
    /// The form evaluated against them: what is enabled, calculated, wrong or flagged.
    pub evaluation: Evaluation,
    /// Sections to check again: the form changed since the patient answered them.
    pub recheck: Vec<String>,
}

impl DraftView {
    /// The draft's answers with the form evaluated against them.
    fn evaluated(form: Arc<Form>, launch: &LaunchContext, draft: &Draft) -> Self {
        Self {
            evaluation: evaluate(&form, launch, &draft.answers),
            form,
            answers: draft.answers.clone(),
            recheck: draft.form_state.recheck.clone(),
        }
    }
}

/// How many times a save reads again after finding another save came first.
const SAVE_TRIES: usize = 3;

/// A draft as loaded for a page: with its form, what expressions see, its stored version
/// (`None` for a draft not stored yet) and the chart read.
pub(super) struct LoadedDraft {
    pub(super) form: Arc<Form>,
    pub(super) launch: LaunchContext,
    pub(super) draft: Draft,
    pub(super) version: Option<i64>,
    pub(super) chart: Option<Arc<ChartSnapshot>>,
}

/// The result of saving one page.
#[derive(Debug, Clone)]
pub enum PageSaved {
    /// Every field parsed and the draft is saved.
    Saved(DraftView),
    /// Some fields did not parse; the others are saved, and these are what to fix.
    Invalid {
        /// The draft with the fields that did parse.
        view: DraftView,
        /// The fields to fix.
        errors: Vec<FieldError>,
        /// What the patient typed, as the page shows it again (with the errors' numbering of
        /// repeating groups' instances).
        typed: PageInput,
    },
}

impl PageSaved {
    /// The draft as the save left it.
    pub fn view(&self) -> &DraftView {
        match self {
            Self::Saved(view) | Self::Invalid { view, .. } => view,
        }
    }
}

/// The result of submitting.
#[derive(Debug, Clone)]
pub enum SubmitOutcome {
    /// Stored, with this submission id.
    Submitted(Uuid),
    /// Questions still need answers.
    Incomplete {
        /// The draft (boxed: it dwarfs the other outcomes).
        view: Box<DraftView>,
        /// What is missing.
        issues: Vec<Issue>,
    },
    /// This link was already used to submit (a double click, a second tab).
    AlreadySubmitted,
    /// The session may not submit: its link is locked or replaced, or it is not verified.
    NotAllowed,
}

impl Services {
    /// Opens an invitation link, starting a patient session. `None` for a link that is unknown,
    /// expired, locked or used: the caller shows one message for all, so links cannot be probed.
    pub async fn open_invitation(
        &self,
        raw_link: &str,
    ) -> Result<Option<SecretToken>, ServiceError> {
        let Some(link) = SecretToken::parse(raw_link) else {
            return Ok(None);
        };
        let session = SecretToken::generate();
        let csrf = SecretToken::generate();
        let opened = self
            .store
            .open_invitation(
                &link.hash(),
                &session.hash(),
                csrf.expose(),
                self.clock.now_millis(),
            )
            .await?;
        Ok(opened.map(|_| session))
    }

    /// Gives a session a new id (its old one stops working), once it proved who it is.
    pub async fn renew_patient_session(
        &self,
        session: &SecretToken,
    ) -> Result<SecretToken, ServiceError> {
        let renewed = SecretToken::generate();
        self.sessions.forget(&session.hash());
        if !self
            .store
            .renew_patient_session(&session.hash(), &renewed.hash())
            .await?
        {
            return Err(ServiceError::NotFound);
        }
        Ok(renewed)
    }

    /// Ends a patient session (the patient signed out); the draft stays for the link.
    pub async fn sign_out_patient(&self, session: &SecretToken) -> Result<(), ServiceError> {
        let hash = session.hash();
        self.sessions.forget(&hash);
        self.store.delete_patient_session(&hash).await?;
        Ok(())
    }

    /// The patient session for a cookie, unless it has been idle too long.
    pub async fn patient_session(
        &self,
        session: &SecretToken,
    ) -> Result<Option<PatientSession>, ServiceError> {
        Ok(match self.look_up_patient_session(session).await? {
            SessionLookup::Live(found) => Some(found),
            SessionLookup::Expired(_) | SessionLookup::Unknown => None,
        })
    }

    /// The patient session for a cookie; one idle too long (or whose link expired) ends here,
    /// and comes back as [`SessionLookup::Expired`] once, so what its request posted can be held.
    pub async fn look_up_patient_session(
        &self,
        session: &SecretToken,
    ) -> Result<SessionLookup, ServiceError> {
        let now = self.clock.now_millis();
        let hash = session.hash();
        let Some(found) = self.store.find_patient_session(&hash, now).await? else {
            self.sessions.forget(&hash);
            return Ok(SessionLookup::Unknown);
        };
        let idle_limit = found
            .last_seen_at
            .saturating_add(millis_of(self.lifetimes.patient_idle));
        let link_expired = found.status == InvitationStatus::Open && found.expires_at <= now;
        if now > idle_limit || link_expired {
            self.sessions.forget(&hash);
            self.store.delete_patient_session(&hash).await?;
            return Ok(if link_expired {
                SessionLookup::Unknown
            } else {
                SessionLookup::Expired(found)
            });
        }
        self.sessions.keep(&hash, &found, now);
        Ok(SessionLookup::Live(found))
    }

    /// The live session for a cookie kept in memory since it was last read, when reading it
    /// again would give the same; for saves only, which write only while it still holds
    /// ([`Services::save_page`] with the token).
    pub fn kept_patient_session(&self, session: &TokenHash) -> Option<PatientSession> {
        let now = self.clock.now_millis();
        let idle = millis_of(self.lifetimes.patient_idle);
        // Idle too long, as reading it would find (whatever the idle setting): read it.
        self.sessions
            .live(session, now)
            .filter(|kept| now <= kept.last_seen_at.saturating_add(idle))
    }

    /// Checks a typed date of birth against the chart. Five wrong answers (with wrong one-time
    /// codes) lock the link. With one-time codes on, a right date of birth sends a code to the
    /// contact on file, worded in `language`, instead of verifying the session.
    pub async fn verify_birth_date(
        &self,
        session_token: &SecretToken,
        session: &PatientSession,
        typed: &str,
        language: &str,
    ) -> Result<VerifyOutcome, ServiceError> {
        match session.status {
            InvitationStatus::Open => {}
            InvitationStatus::Locked => return Ok(VerifyOutcome::Locked),
            // A replaced or used link answers nothing, right or wrong.
            InvitationStatus::Revoked | InvitationStatus::Submitted => {
                return Ok(VerifyOutcome::NotOpen);
            }
        }
        let today = self.clinic.zone.today(self.clock.now());
        let typed = match BirthDate::parse(typed, today) {
            Ok(date) => date,
            Err(problem) => return Ok(VerifyOutcome::Invalid(problem)),
        };
        let now = self.clock.now_millis();
        if typed == session.appointment.details.patient_birth_date {
            if self.verify_code.is_some() {
                let step = self
                    .start_code_step(session_token, session, language)
                    .await?;
                return Ok(step.map_or(VerifyOutcome::Locked, VerifyOutcome::Code));
            }
            let counted = self
                .store
                .mark_verified(&session_token.hash(), session.invitation_id, now)
                .await?;
            return Ok(if counted {
                VerifyOutcome::Verified
            } else {
                VerifyOutcome::Locked
            });
        }
        let failed = self
            .store
            .record_failed_verification(session.invitation_id, now)
            .await?;
        let remaining = crate::store::MAX_FAILED_VERIFICATIONS - failed.attempts;
        Ok(if remaining <= 0 {
            VerifyOutcome::Locked
        } else {
            VerifyOutcome::Wrong { remaining }
        })
    }

    /// The patient's draft against the current form. Answers saved under an earlier version of
    /// the form carry over where their item still exists with the same type, and the sections
    /// with new or changed questions are listed for the patient to check again.
    pub async fn draft(&self, session: &PatientSession) -> Result<DraftView, ServiceError> {
        Ok(self.draft_and_chart(session).await?.0)
    }

    /// [`Services::draft`], with the chart it was evaluated against.
    async fn draft_and_chart(
        &self,
        session: &PatientSession,
    ) -> Result<(DraftView, Option<Arc<ChartSnapshot>>), ServiceError> {
        let loaded = self.draft_answers(session, None).await?;
        let view = DraftView::evaluated(loaded.form, &loaded.launch, &loaded.draft);
        Ok((view, loaded.chart))
    }

    /// The form, the launch context, the draft (for a new one, the form's initial values), not
    /// yet evaluated, and the chart read. The draft is `kept` (a save's, from memory) or read
    /// from the database. A draft saved under another version of the form is brought to this
    /// one and saved, with the sections to check again.
    pub(super) async fn draft_answers(
        &self,
        session: &PatientSession,
        kept: Option<(i64, Draft)>,
    ) -> Result<LoadedDraft, ServiceError> {
        let form_id = &session.appointment.details.form_id;
        let form = self
            .forms
            .get(form_id)
            .ok_or_else(|| ServiceError::UnknownForm(form_id.clone()))?;
        let chart = self.chart(session).await;
        let launch = self.launch_context(session, chart.as_deref());
        let stored = match kept {
            Some((version, draft)) => Some((draft, version)),
            None => self.store.load_draft_version(session.invitation_id).await?,
        };
        let (draft, version) = match stored {
            Some((draft, version)) if draft.form_hash == form.content_hash => {
                (draft, Some(version))
            }
            Some((mut older, version)) => {
                older.answers.retain_fitting(&form);
                let mut recheck = older.form_state.recheck;
                for section in form.changed_sections(&older.form_state.items) {
                    if !recheck.contains(&section) {
                        recheck.push(section);
                    }
                }
                let draft = Draft {
                    form_id: form.id.clone(),
                    form_hash: form.content_hash.clone(),
                    answers: older.answers,
                    form_state: FormState {
                        items: form.item_fingerprints(),
                        recheck,
                        held: older.form_state.held,
                    },
                    sent_at: older.sent_at,
                };
                // Raced by another save, the version is unknown: a save then reads again.
                let saved = self
                    .store
                    .save_draft_over(
                        session.invitation_id,
                        &draft,
                        true,
                        None,
                        Some(version),
                        None,
                        self.clock.now_millis(),
                    )
                    .await?;
                (draft, saved)
            }
            None => {
                let draft = Draft {
                    form_id: form.id.clone(),
                    form_hash: form.content_hash.clone(),
                    answers: initial_answers(&form, &launch),
                    form_state: FormState {
                        items: form.item_fingerprints(),
                        recheck: Vec::new(),
                        held: Vec::new(),
                    },
                    sent_at: None,
                };
                (draft, None)
            }
        };
        Ok(LoadedDraft {
            form,
            launch,
            draft,
            version,
            chart,
        })
    }

    /// What expressions see of the patient and the visit: the chart's Patient and what is on
    /// file (`%AllergyIntolerance`, `%MedicationStatement`, `%Condition`), or, when the chart
    /// could not be read, the name and date of birth the appointment holds and nothing on file.
    fn launch_context(
        &self,
        session: &PatientSession,
        chart: Option<&ChartSnapshot>,
    ) -> LaunchContext {
        let details = &session.appointment.details;
        let now = self.clinic.zone.local(self.clock.now());
        let context = match chart {
            Some(chart) => self.drafts.chart_context(session.invitation_id, chart),
            None => Arc::new(ChartContext::of(None)),
        };
        let patient = context.patient.clone().unwrap_or_else(|| {
            Arc::new(serde_json::json!({
                "resourceType": "Patient",
                "name": [{ "text": details.patient_name.as_str() }],
                "birthDate": details.patient_birth_date.to_fhir(),
            }))
        });
        LaunchContext {
            patient: Some(patient),
            appointment: None,
            today: now.date(),
            now_millis: crate::clock::millis(now),
            utc_offset: now.offset(),
            variables: context.variables.clone(),
        }
    }

    /// Saves one page's fields and files. Fields that parse are saved even when others do not,
    /// so nothing the patient typed correctly is lost. One write: the draft kept from the last
    /// save is written over only if it is still the one stored; if another save came first, the
    /// page is applied again to the draft read afresh. A save the page sent before the one the
    /// stored answers come from (`sent_at`) overtook nothing: it writes nothing and gives the
    /// draft as stored.
    ///
    /// `kept` is the token of a session kept in memory and not read for this request
    /// ([`Services::kept_patient_session`]): the save is then one statement, written only while
    /// the session still holds, and otherwise [`ServiceError::SessionChanged`] with nothing
    /// written, for the caller to read the session and save again. Such a save carries no
    /// files (they are stored before the draft is written, so their session is read first).
    pub async fn save_page(
        &self,
        session: &PatientSession,
        kept: Option<&TokenHash>,
        section: usize,
        fields: &[(String, String)],
        uploads: Vec<super::Upload>,
        sent_at: Option<SentAt>,
    ) -> Result<PageSaved, ServiceError> {
        if kept.is_some() && !uploads.is_empty() {
            return Err(ServiceError::Internal(
                "files saved with a session not read".to_owned(),
            ));
        }
        // A Coding picked from a list searched on the server is the server's, not the page's.
        let vetted = self.vet_picked_codings(session, fields).await;
        let fields = vetted.as_slice();
        // Photos are cleaned and stored once, before the draft is read: a retried save applies
        // the same stored files again.
        let mut photos = std::collections::BTreeMap::new();
        let mut photo_errors = Vec::new();
        if !uploads.is_empty() {
            let form_id = &session.appointment.details.form_id;
            let form = self
                .forms
                .get(form_id)
                .ok_or_else(|| ServiceError::UnknownForm(form_id.clone()))?;
            let page = form.sections.get(section).ok_or(ServiceError::NotFound)?;
            let posted = PageInput::from_fields(fields);
            photos = self
                .store_uploads(session, page, &posted, uploads, &mut photo_errors)
                .await?;
        }
        let mut kept_draft = self.drafts.take_draft(session.invitation_id);
        if let Some(token) = kept {
            // One statement needs the draft in memory too, on the form in service.
            let form = self.forms.get(&session.appointment.details.form_id);
            let current = form.as_ref().map(|form| &form.content_hash);
            if kept_draft
                .as_ref()
                .is_none_or(|(_, draft)| Some(&draft.form_hash) != current)
            {
                self.sessions.forget(token);
                return Err(ServiceError::SessionChanged);
            }
        }
        for _ in 0..SAVE_TRIES {
            let loaded = self.draft_answers(session, kept_draft.take()).await?;
            let page = loaded
                .form
                .sections
                .get(section)
                .ok_or(ServiceError::NotFound)?;
            let mut draft = loaded.draft;
            if let Some(sent_at) = sent_at {
                if draft.sent_at.is_some_and(|newest| sent_at <= newest) {
                    let view = DraftView::evaluated(loaded.form, &loaded.launch, &draft);
                    if let Some(version) = loaded.version {
                        self.drafts
                            .keep_draft(session.invitation_id, version, draft);
                    }
                    return Ok(PageSaved::Saved(view));
                }
                draft.sent_at = Some(sent_at);
            }
            let mut typed = PageInput::from_fields(fields).with_files(photos.clone());
            let mut errors = parse_page(page, &mut typed, &mut draft.answers);
            errors.extend(photo_errors.iter().cloned());
            // A page saved is a page checked.
            let recheck = draft.form_state.recheck.len();
            draft.form_state.recheck.retain(|id| *id != page.id);
            let Some(version) = self
                .store
                .save_draft_over(
                    session.invitation_id,
                    &draft,
                    draft.form_state.recheck.len() != recheck,
                    i64::try_from(section).ok(),
                    loaded.version,
                    kept,
                    self.clock.now_millis(),
                )
                .await?
            else {
                if let Some(token) = kept {
                    // Another save came first, or the session ended or changed: read both.
                    self.sessions.forget(token);
                    return Err(ServiceError::SessionChanged);
                }
                continue;
            };
            let view = DraftView::evaluated(loaded.form, &loaded.launch, &draft);
            self.drafts
                .keep_draft(session.invitation_id, version, draft);
            return Ok(if errors.is_empty() {
                PageSaved::Saved(view)
            } else {
                PageSaved::Invalid {
                    view,
                    errors,
                    typed,
                }
            });
        }
        Err(ServiceError::Conflict("the draft changed under every save"))
    }

    /// Submits the draft: validates it authoritatively, extracts the proposed changes, routes
    /// each through the posting policy and stores it all in one transaction.
    /// `language` is the one the patient answered in, kept for the clinician.
    pub async fn submit(
        &self,
        session: &PatientSession,
        language: &str,
    ) -> Result<SubmitOutcome, ServiceError> {
        match session.status {
            InvitationStatus::Submitted => return Ok(SubmitOutcome::AlreadySubmitted),
            InvitationStatus::Open if session.verified => {}
            // A locked or replaced link, or a session that never proved the date of birth.
            _ => return Ok(SubmitOutcome::NotAllowed),
        }
        let (view, chart) = self.draft_and_chart(session).await?;
        let issues = view.evaluation.blocking_issues();
        if !issues.is_empty() {
            return Ok(SubmitOutcome::Incomplete {
                view: Box::new(view),
                issues,
            });
        }
        let now = self.clock.now();
        let submission_id = Uuid::now_v7();
        let authored = fhir_instant(now);
        let patient_ref = session.appointment.details.patient_ref.clone();
        let context = ExtractContext {
            words: crate::i18n::Language::english(),
            submission_id,
            patient_reference: &patient_ref,
            authored: &authored,
        };
        // The authoritative answers: disabled items stripped, calculated values written in.
        let answers = view.evaluation.answers.clone();
        // Only what differs from the chart the patient saw is proposed, with where it came from.
        let chart = chart.unwrap_or_default();
        let proposed = propose(&view.form, &answers, &context, &chart).changes;
        let mut proposed = self
            .with_consents_and_photos(&view.form, &answers, &context, proposed, session)
            .await?;
        // One submission may not flood the review queue: over the form's limit it is refused,
        // with the draft kept and the message beside the answers to trim.
        if let Some(issue) = too_many_changes(
            &view.form,
            &answers,
            view.form.change_limit(),
            proposed.len(),
        ) {
            return Ok(SubmitOutcome::Incomplete {
                view: Box::new(view),
                issues: vec![issue],
            });
        }
        if let Some(kind) = self.messaging.urgent.ehr_record {
            proposed.extend(urgent_record(
                kind,
                &context,
                &view.evaluation.flags,
                &proposed,
            ));
        }
        let changes = proposed
            .into_iter()
            .map(|change| self.policy.decide(change, view.form.id.as_str()))
            .collect();
        let submission = NewSubmission {
            id: submission_id,
            invitation_id: session.invitation_id,
            form_id: view.form.id.clone(),
            form_hash: view.form.content_hash.clone(),
            answers,
            patient_ref,
            submitted_at: crate::clock::millis(now),
            changes,
            flags: view.evaluation.flags.clone(),
            // The pages keep to the form's languages: one it does not offer was not shown.
            language: view.form.answered_in(language).to_owned(),
            staff_notes: crate::summary::staff_notes(
                &view.form,
                &view.evaluation.answers,
                crate::i18n::Language::english(),
            ),
            consents: crate::summary::consents(
                &view.form,
                &view.evaluation.answers,
                crate::clock::millis(now),
            ),
        };
        let urgent = crate::notify::urgent::urgent_flags(
            &view.form,
            &submission.flags,
            &self.messaging.urgent,
            self.alert_context(submission_id, session.appointment.id),
            submission.submitted_at,
        );
        match self.store.submit_raising(&submission, &urgent).await {
            Ok(()) => {
                if !urgent.is_empty() {
                    self.messaging.wake.notify_one();
                }
                Ok(SubmitOutcome::Submitted(submission_id))
            }
            // Submitted meanwhile (another tab), or locked or replaced meanwhile.
            Err(crate::store::StoreError::Conflict(_)) => Ok(SubmitOutcome::AlreadySubmitted),
            Err(other) => Err(other.into()),
        }
    }
}
