//! Code lists: for coding what staff edit, which list each kind of entry takes, the concepts of
//! an expansion, and a word search over them (`concepts`, `search`: pure); for answer lists,
//! value sets expanded from their definitions (`expand`, `hl7_core`: pure) and resolved for an
//! import (`answer_lists`); and where expansions come from (`source`: the shipped value-set
//! files in `terminology/`, a site's folder, or a terminology server's `ValueSet/$expand`,
//! cached).

mod answer_lists;
mod concepts;
mod expand;
mod hl7_core;
mod search;
mod source;

pub use answer_lists::{AnswerLists, MAX_ANSWER_LIST};
pub use concepts::{CodeList, Concept, Expansion, ExpansionError};
pub use expand::{Definitions, ExpandError};
pub use hl7_core::hl7_core;
pub use search::{MAX_RESULTS, search};
pub use source::{CodeLookup, Found, LookupError, TerminologySettings};
