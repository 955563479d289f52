//! Application services: each public function is one use case, called by exactly one entry
//! point (a web handler, the CLI, the worker). They load, ask the core to decide, and persist.

mod accounts;
mod answer_search;
mod audit_log;
mod booking;
mod catalog;
mod chart;
mod closed_link;
mod codes;
mod demo;
mod draft_cache;
mod kept;
mod one_time_code;
mod patient;
mod preview;
mod queue;
mod resume;
mod retention;
mod review;
mod schedule;
mod second_factor;
mod session_cache;
mod staff;
mod sync;
mod uploads;
mod urgent;
mod worklist;

use std::{sync::Arc, time::Duration};

pub use accounts::{AccountError, Actor, AddedAccount, StaffAccounts};
pub use answer_search::{AnswerSearch, SERVER_WAIT, Unavailable};
pub use audit_log::{AUDIT_PAGE_ROWS, AuditFilter, AuditLine, AuditPage};
pub use booking::{DeskBooking, FoundPatient, LookupOutcome, PatientLookup, VisitTypeOption};
pub use catalog::FormCatalog;
pub use closed_link::ClosedLink;
pub use codes::CodeSearch;
pub use demo::{DEMO_EHR_FILES, DEMO_FORM, DemoInvitation, DemoSeed, seed_demo};
pub use draft_cache::{DRAFTS_KEPT, DraftCache};
pub use one_time_code::{
    CODE_LIFETIME, CodeNews, CodeOutcome, CodeSender, CodeStep, LogSender, MAX_CODES_PER_LINK,
    RESEND_INTERVAL, SendError,
};
pub use patient::{DraftView, PageSaved, SubmitOutcome, VerifyOutcome};
pub use queue::{
    BulkAction, BulkOutcome, EditOutcome, ExceptionDetail, QUEUE_COUNT_CAP, QUEUE_COUNT_SHOWN,
    QUEUE_PAGE_SIZE, QueuePage, SubmissionTrail, retry_can_fix,
};
pub use resume::SessionLookup;
pub use retention::{PURGE_EVERY, run_retention};
pub use review::{ChartNow, Decision, SubmissionSummary, SubmissionsPage, reviewer_of};
pub use schedule::ScheduleRequest;
pub use second_factor::{CodeCheck, EnrolOutcome, Enrolment, PasswordChangeError};
pub use session_cache::{SESSIONS_KEPT, SessionCache};
pub use staff::SignInOutcome;
pub use sync::{ScheduleSettings, SyncReport, run_schedule_sync};
pub use uploads::Upload;
pub use urgent::{Acknowledged, MAX_NOTE_CHARS, OPEN_FLAGS_SHOWN, run_escalation};
pub use worklist::{
    AppointmentDetail, WORKLIST_PAGE_SIZE, Worklist, WorklistEntry, WorklistRequest,
};

use crate::{
    clock::Clock,
    domain::ContactKind,
    ehr::{Ehr, EhrError},
    forms::FormId,
    mapping::PostingPolicy,
    store::{Store, StoreError},
};

/// Session and link lifetimes.
#[derive(Debug, Clone)]
pub struct Lifetimes {
    /// How long an invitation link works.
    pub invitation: Duration,
    /// A staff session's idle limit.
    pub staff_idle: Duration,
    /// A staff session's absolute limit.
    pub staff_max: Duration,
    /// A patient session's idle limit.
    pub patient_idle: Duration,
}

/// Everything the use cases need, shared by all requests.
#[derive(Debug, Clone)]
pub struct Services {
    /// The database.
    pub store: Store,
    /// The EHR connector.
    pub ehr: Arc<dyn Ehr>,
    /// The forms in service.
    pub forms: Arc<FormCatalog>,
    /// The time.
    pub clock: Arc<dyn Clock>,
    /// Which changes post on their own.
    pub policy: PostingPolicy,
    /// Session and link lifetimes.
    pub lifetimes: Lifetimes,
    /// The process's metrics (`/metrics`): requests, sends, messages, purges.
    pub metrics: Arc<crate::telemetry::Metrics>,
    /// `INTAKE_VERIFY_CODE`: after the date of birth, a one-time code sent to the chart's
    /// contact of this kind; `None` (the default) asks for the date of birth only.
    pub verify_code: Option<ContactKind>,
    /// The clinic's name, phone number and logo, for patient pages and messages.
    pub clinic: Arc<crate::domain::Clinic>,
    /// Delivers one-time codes ([`LogSender`] unless a site plugs in another).
    pub code_sender: Arc<dyn CodeSender>,
    /// Messages to patients: the senders set up, when invitations and reminders go, the links.
    pub messaging: Arc<crate::notify::Messaging>,
    /// `INTAKE_STAFF_MFA`: who must sign in with a second factor (admins always).
    pub staff_mfa: crate::domain::MfaPolicy,
    /// The form rules and the schedule sync's window.
    pub schedule: Arc<ScheduleSettings>,
    /// The code lists staff code allergies, medicines and conditions from.
    pub codes: Arc<crate::terminology::CodeLookup>,
    /// Drafts and chart reads kept between a patient's saves.
    pub drafts: Arc<DraftCache>,
    /// Patient sessions kept between their saves.
    pub sessions: Arc<SessionCache>,
}

/// Why a use case failed.
#[derive(Debug, thiserror::Error)]
pub enum ServiceError {
    /// The thing asked for does not exist, or the caller may not see it.
    #[error("not found")]
    NotFound,
    /// The action does not apply in the current state (e.g. approving a posted change).
    #[error("conflict: {0}")]
    Conflict(&'static str),
    /// An appointment names a form this site does not run.
    #[error("no form with id `{0}`")]
    UnknownForm(FormId),
    /// The EHR has no patient with the identifier given.
    #[error("the EHR has no patient with that identifier")]
    PatientNotOnChart,
    /// The chart lacks a date of birth, so the patient could not prove who they are.
    #[error("the chart has no date of birth for this patient")]
    NoBirthDateOnChart,
    /// The change waits for someone in another role: clinical changes are a clinician's to
    /// decide, who the patient is the front desk's.
    /// The text is for the log: staff get the forbidden page (`web::Error::Forbidden`), whose
    /// words come from `locales/`, and the pages name the reviewer with
    /// [`crate::mapping::Reviewer::message`].
    #[error("this change waits for {}", .0.describe())]
    NotYourDecision(crate::mapping::Reviewer),
    /// Storage failed.
    #[error(transparent)]
    Store(StoreError),
    /// The EHR failed.
    #[error(transparent)]
    Ehr(#[from] EhrError),
    /// A message cannot reach the patient: nothing on the chart to send it to, or no sender
    /// for what is there. Staff read its text.
    #[error("{0}")]
    Unreachable(crate::notify::Unreachable),
    /// A save with a session kept in memory found it no longer holds (ended, changed, or
    /// another save came first): nothing was written; read the session and save again.
    #[error("the session kept in memory no longer holds")]
    SessionChanged,
    /// Anything else that should not happen.
    #[error("{0}")]
    Internal(String),
}

impl From<StoreError> for ServiceError {
    fn from(error: StoreError) -> Self {
        match error {
            StoreError::NotFound => Self::NotFound,
            StoreError::Conflict(what) => Self::Conflict(what),
            other => Self::Store(other),
        }
    }
}

/// Milliseconds in a duration, saturating.
fn millis_of(duration: Duration) -> i64 {
    i64::try_from(duration.as_millis()).unwrap_or(i64::MAX)
}

impl Services {
    /// The staff account use cases (the admin pages; the CLI builds its own over the store).
    pub fn accounts(&self) -> StaffAccounts {
        StaffAccounts::new(self.store.clone(), self.clock.clone())
    }
}
