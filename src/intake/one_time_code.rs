//! The one-time code after the date of birth (`INTAKE_VERIFY_CODE`): sent to the contact on
//! the chart through a pluggable [`CodeSender`], entered once, counted with the wrong dates of
//! birth toward the same lock.

use std::{fmt, time::Duration};

use async_trait::async_trait;
use uuid::Uuid;

use super::{ServiceError, Services, millis_of};
use crate::{
    domain::{Contact, OneTimeCode, SecretToken},
    store::{CodeIssue, CodeRules, InvitationStatus, MAX_FAILED_VERIFICATIONS, PatientSession},
};

/// How long a code works: time for a slow text message or email to arrive, and no longer,
/// the ten minutes NIST SP 800-63B allows an out-of-band secret.
pub const CODE_LIFETIME: Duration = Duration::from_secs(10 * 60);

/// A code that still works is replaced at most this often, so the "send a new code" button
/// cannot be used to flood a patient's phone or inbox.
pub const RESEND_INTERVAL: Duration = Duration::from_secs(60);

/// At most this many codes go out on one link: enough for a lost message or two; beyond it,
/// someone with the link and the date of birth could send messages to the patient at will.
pub const MAX_CODES_PER_LINK: i64 = 5;

/// Why a code could not be sent. The text names the failure, never the contact or the code.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("the one-time code could not be sent: {0}")]
pub struct SendError(pub String);

/// Delivers one-time codes (a text message gateway, an email service). Implementations must
/// keep the contact and the code out of logs and errors.
#[async_trait]
pub trait CodeSender: Send + Sync + fmt::Debug {
    /// Sends `code` to `to` for the invitation `invitation_id`, worded in `language` (the BCP
    /// 47 tag of the pages the patient reads, `en` or `es`).
    async fn send(
        &self,
        invitation_id: Uuid,
        to: &Contact,
        code: &OneTimeCode,
        language: &str,
    ) -> Result<(), SendError>;
}

/// The default sender: writes the code to the log, at INFO, with the invitation id and not the
/// contact, for trying Intake out and for sites that relay codes by hand. `LOGGING.md` names
/// this as the one place a secret is logged.
#[derive(Debug, Clone, Copy, Default)]
pub struct LogSender;

#[async_trait]
impl CodeSender for LogSender {
    async fn send(
        &self,
        invitation_id: Uuid,
        to: &Contact,
        code: &OneTimeCode,
        language: &str,
    ) -> Result<(), SendError> {
        tracing::info!(
            invitation = %invitation_id,
            channel = to.kind().as_str(),
            language,
            code = code.expose(),
            "one-time code (the log sender; configure a real sender to deliver it)"
        );
        Ok(())
    }
}

/// Where the code stands for a session whose date of birth was right.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CodeStep {
    /// The patient enters the code sent to `sent_to`.
    Enter {
        /// The contact, masked (`••• ••• 4567`).
        sent_to: String,
        /// What this request did, when there is something to say.
        news: Option<CodeNews>,
    },
    /// No code can go to this patient (no contact of the configured kind on the chart, or the
    /// link has had all its codes): they must call the clinic.
    CallClinic,
    /// The chart could not be read to find the contact; try again shortly.
    Unavailable,
}

/// Something to tell the patient on the code page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CodeNews {
    /// A new code was sent; the earlier one no longer works.
    Resent,
    /// The code could not be sent just now; asking again may work.
    NotSent,
    /// The code is too recent to replace; ask again after `wait`.
    TooSoon {
        /// How long until a new code may be sent.
        wait: Duration,
    },
    /// The link has had all its codes; the current one still works.
    NoMoreCodes,
}

/// The result of a typed one-time code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CodeOutcome {
    /// Right: the session is verified.
    Verified,
    /// Not six digits; nothing was counted.
    Invalid,
    /// Wrong; `remaining` tries are left.
    Wrong {
        /// Tries left before the link locks.
        remaining: i64,
    },
    /// There is no code that works now (it expired, or was used): ask for a new one.
    Expired,
    /// The date of birth comes first in this session.
    BirthDateFirst,
    /// The link is locked (now, or already).
    Locked,
    /// The link was replaced or already used.
    NotOpen,
}

/// Whether a session can take part in the code step, or what to say instead.
enum Gate {
    Open,
    Verified,
    Locked,
    NotOpen,
    BirthDateFirst,
}

fn gate(session: &PatientSession) -> Gate {
    match session.status {
        InvitationStatus::Open if session.verified => Gate::Verified,
        InvitationStatus::Open if session.birth_date_proven => Gate::Open,
        InvitationStatus::Open => Gate::BirthDateFirst,
        InvitationStatus::Locked => Gate::Locked,
        InvitationStatus::Revoked | InvitationStatus::Submitted => Gate::NotOpen,
    }
}

/// The contact on file, or why there is none to use.
enum OnFile {
    Found(Contact),
    Missing,
    ChartUnavailable,
}

impl Services {
    /// The code step of a session whose date of birth was right: where the code went (masked),
    /// or why there is none. Sends nothing.
    pub async fn code_step(&self, session: &PatientSession) -> Result<CodeStep, ServiceError> {
        Ok(match self.contact_on_file(session).await {
            OnFile::Found(contact) => CodeStep::Enter {
                sent_to: contact.masked(),
                news: None,
            },
            OnFile::Missing => CodeStep::CallClinic,
            OnFile::ChartUnavailable => CodeStep::Unavailable,
        })
    }

    /// After a right date of birth: remembers it on the session and sends a code, unless one
    /// sent earlier still works.
    pub(super) async fn start_code_step(
        &self,
        session_token: &SecretToken,
        session: &PatientSession,
        language: &str,
    ) -> Result<Option<CodeStep>, ServiceError> {
        let contact = match self.contact_on_file(session).await {
            OnFile::Found(contact) => contact,
            OnFile::Missing => return Ok(Some(CodeStep::CallClinic)),
            OnFile::ChartUnavailable => return Ok(Some(CodeStep::Unavailable)),
        };
        let now = self.clock.now_millis();
        let proven = self
            .store
            .mark_birth_date_proven(&session_token.hash(), session.invitation_id, now)
            .await?;
        if !proven {
            return Ok(None);
        }
        let current = self.store.load_code(session.invitation_id).await?;
        if current.is_some_and(|code| code.is_live(now)) {
            return Ok(Some(CodeStep::Enter {
                sent_to: contact.masked(),
                news: None,
            }));
        }
        Ok(Some(
            match self.send_new_code(session, &contact, language).await? {
                Some(CodeNews::Resent) => CodeStep::Enter {
                    sent_to: contact.masked(),
                    news: None,
                },
                Some(CodeNews::NoMoreCodes) => CodeStep::CallClinic,
                news => CodeStep::Enter {
                    sent_to: contact.masked(),
                    news,
                },
            },
        ))
    }

    /// `Send a new code`: replaces the current code, at most once a minute and a few times per
    /// link.
    pub async fn resend_code(
        &self,
        session: &PatientSession,
        language: &str,
    ) -> Result<Result<CodeStep, CodeOutcome>, ServiceError> {
        match gate(session) {
            Gate::Open => {}
            Gate::Verified => return Ok(Err(CodeOutcome::Verified)),
            Gate::Locked => return Ok(Err(CodeOutcome::Locked)),
            Gate::NotOpen => return Ok(Err(CodeOutcome::NotOpen)),
            Gate::BirthDateFirst => return Ok(Err(CodeOutcome::BirthDateFirst)),
        }
        let contact = match self.contact_on_file(session).await {
            OnFile::Found(contact) => contact,
            OnFile::Missing => return Ok(Ok(CodeStep::CallClinic)),
            OnFile::ChartUnavailable => return Ok(Ok(CodeStep::Unavailable)),
        };
        let news = self.send_new_code(session, &contact, language).await?;
        let now = self.clock.now_millis();
        let live = self
            .store
            .load_code(session.invitation_id)
            .await?
            .is_some_and(|code| code.is_live(now));
        Ok(Ok(match news {
            Some(CodeNews::NoMoreCodes) if !live => CodeStep::CallClinic,
            news => CodeStep::Enter {
                sent_to: contact.masked(),
                news,
            },
        }))
    }

    /// Checks a typed one-time code. Only the current code, unused and unexpired, verifies
    /// the session, once; a wrong one counts toward the lock with the wrong dates of birth.
    pub async fn verify_code(
        &self,
        session_token: &SecretToken,
        session: &PatientSession,
        typed: &str,
    ) -> Result<CodeOutcome, ServiceError> {
        match gate(session) {
            Gate::Open => {}
            Gate::Verified => return Ok(CodeOutcome::Verified),
            Gate::Locked => return Ok(CodeOutcome::Locked),
            Gate::NotOpen => return Ok(CodeOutcome::NotOpen),
            Gate::BirthDateFirst => return Ok(CodeOutcome::BirthDateFirst),
        }
        let Some(typed) = OneTimeCode::parse(typed) else {
            return Ok(CodeOutcome::Invalid);
        };
        let now = self.clock.now_millis();
        let Some(current) = self
            .store
            .load_code(session.invitation_id)
            .await?
            .filter(|code| code.is_live(now))
        else {
            // No code works now, so no guess can succeed: nothing to count.
            return Ok(CodeOutcome::Expired);
        };
        let typed = typed.hash(session.invitation_id);
        if current.hash.matches(&typed) {
            let verified = self
                .store
                .redeem_code(&session_token.hash(), session.invitation_id, &typed, now)
                .await?;
            return Ok(if verified {
                CodeOutcome::Verified
            } else {
                // Used or locked in the meantime (a second tab, the last wrong guess).
                CodeOutcome::Expired
            });
        }
        let failed = self
            .store
            .record_failed_verification(session.invitation_id, now)
            .await?;
        let remaining = MAX_FAILED_VERIFICATIONS - failed.attempts;
        Ok(if remaining <= 0 {
            CodeOutcome::Locked
        } else {
            CodeOutcome::Wrong { remaining }
        })
    }

    /// Draws a new code, stores its hash in place of the current one if the rules allow, and
    /// sends it. `Some(Resent)` when it went out.
    async fn send_new_code(
        &self,
        session: &PatientSession,
        contact: &Contact,
        language: &str,
    ) -> Result<Option<CodeNews>, ServiceError> {
        let code = OneTimeCode::generate();
        let now = self.clock.now_millis();
        let rules = CodeRules {
            min_interval: millis_of(RESEND_INTERVAL),
            max_sends: MAX_CODES_PER_LINK,
        };
        let issued = self
            .store
            .issue_code(
                session.invitation_id,
                &code.hash(session.invitation_id),
                now,
                now.saturating_add(millis_of(CODE_LIFETIME)),
                rules,
            )
            .await?;
        match issued {
            CodeIssue::Issued { .. } => {}
            CodeIssue::TooSoon { next_at } => {
                let wait = u64::try_from(next_at.saturating_sub(now)).unwrap_or(0);
                return Ok(Some(CodeNews::TooSoon {
                    wait: Duration::from_millis(wait),
                }));
            }
            CodeIssue::NoMoreCodes => return Ok(Some(CodeNews::NoMoreCodes)),
        }
        match self
            .code_sender
            .send(session.invitation_id, contact, &code, language)
            .await
        {
            Ok(()) => Ok(Some(CodeNews::Resent)),
            Err(error) => {
                tracing::warn!(invitation = %session.invitation_id, %error, "a one-time code was not sent");
                // A code the patient never got must not hold back the next one.
                self.store.expire_code(session.invitation_id, now).await?;
                Ok(Some(CodeNews::NotSent))
            }
        }
    }

    /// The contact of the configured kind on the chart read for this invitation.
    async fn contact_on_file(&self, session: &PatientSession) -> OnFile {
        let Some(kind) = self.verify_code else {
            return OnFile::Missing;
        };
        match self.chart(session).await {
            None => OnFile::ChartUnavailable,
            Some(chart) => chart
                .contact(kind, self.clinic.zone.today(self.clock.now()))
                .map_or(OnFile::Missing, OnFile::Found),
        }
    }
}
