//! From a submission to proposed chart changes: the QuestionnaireResponse, the resources its
//! answers become, and the posting policy that decides which post on their own.

mod change;
mod change_summary;
mod chart;
mod compare;
mod consent;
mod definitions;
mod describe;
mod edit;
mod extract;
mod identity;
mod on_file;
mod policy;
mod policy_file;
mod posting;
mod propose;
mod provenance;
pub mod sdc;
mod urgent_record;

pub use change::{ChangeIdentifier, ProposedChange};
#[cfg(any(test, feature = "test-support"))]
pub use change_summary::examples::{answer_examples, summary_examples};
pub use change_summary::{
    ChangeSummary, EntryKind, IdentityDetail, OnFileSaid, SUMMARY_MESSAGE_IDS, answer_words,
};
pub use chart::{ChartContext, ChartSnapshot, preferred_language};
pub use compare::{Compared, compare_with_chart};
pub use consent::{consents, documents, response_identifier, with_provenance};
pub use definitions::uses_definitions;
#[cfg(any(test, feature = "test-support"))]
pub use describe::examples::{Example as DescribeExample, examples as describe_examples};
pub use describe::{
    ChangeComparison, ClinicalRow, ClinicalView, ComparedRow, Kind, PatientSays,
    compare as compare_in_words, describe, in_sentence_ids as describe_in_sentence_ids,
    message_ids as describe_message_ids,
};
pub use edit::{
    ALLERGY_CLINICAL, ALLERGY_VERIFICATION, CODE_SYSTEMS, CONDITION_CLINICAL,
    CONDITION_VERIFICATION, CONTROL_CHARACTER_ID, ChangeEdit, ChosenCode, CodeChoice,
    EDIT_ERROR_IDS, EditError, EditField, EditableField, EditedChange, MEDICATION_STATUSES,
    StatusChoice, apply_edit, edit_message_ids, editable_fields,
};
pub use extract::{ExtractContext, extract, source_item};
pub use identity::identity_mismatch;
pub use policy::{HoldReason, PostingPolicy, Reviewer, Route, RoutedChange};
pub use posting::proposals_from_extract;
pub use propose::propose;
pub use provenance::provenance;
// Where the edge has always found them: the engine builds a response's items (its expressions
// read them), the domain names the resource types (forms and code lists name them too).
pub use crate::{
    domain::{PREFILL_TYPES, ResourceType, chart_query},
    engine::{answer_value, response_items},
};
pub use urgent_record::{UrgentRecord, urgent_record};
