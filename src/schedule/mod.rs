//! The schedule, as pure core code: EHR Appointments read into typed values, the decision the
//! sync takes for each, and the rules that choose a visit's form. No I/O; the use cases in
//! `intake::sync` and `intake::booking` carry the decisions out.

mod rules;
mod sync;
mod visit;

pub use rules::{FormChoice, FormRule, FormRules, REASON_MESSAGE_IDS, SHIPPED_RULES};
pub use sync::{SyncDecision, SyncedState, decide};
pub use visit::{Code, EhrAppointment, ScheduleStatus, Sex, VisitFacts};
