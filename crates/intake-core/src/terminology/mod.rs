//! Code lists: for coding what staff edit, which list each kind of entry takes, the concepts of
//! an expansion, and a word search over them (`concepts`, `search`: pure); for answer lists,
//! value sets expanded from their definitions (`expand`, `hl7_core`: pure) and resolved for an
//! import (`answer_lists`). Where expansions come from (files, a terminology server) is the
//! edge's business: `intake::terminology`.

mod answer_lists;
mod answer_search;
mod concepts;
mod expand;
#[cfg(test)]
mod form_value_sets;
mod hl7_core;
mod search;

pub use answer_lists::{AnswerLists, MAX_ANSWER_LIST};
pub use answer_search::{PATIENT_MATCHES, SEARCH_FROM, search_options, searched};
pub use concepts::{CodeList, Concept, Expansion, ExpansionError};
pub use expand::{Definitions, ExpandError};
pub use hl7_core::hl7_core;
pub use search::{MAX_RESULTS, search};
