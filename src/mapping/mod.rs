//! From a submission to proposed chart changes: the QuestionnaireResponse, the resources its
//! answers become, and the posting policy that decides which post on their own.

mod change;
mod chart;
mod extract;
mod policy;
mod questionnaire_response;
pub mod sdc;

pub use change::{ChangeIdentifier, ProposedChange, ResourceType};
pub use chart::{ChartSnapshot, PREFILL_TYPES, chart_query};
pub use extract::{ExtractContext, extract};
pub use policy::{HoldReason, PostingPolicy, Route};
pub use questionnaire_response::{answer_value, response_items};
