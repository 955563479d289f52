//! Code lists for coding what staff edit: which list each kind of entry takes, the concepts of
//! an expansion, and a word search over them (`concepts`, `search`: pure), and where the
//! expansions come from (`source`: the shipped value-set files in `terminology/`, or a
//! terminology server's `ValueSet/$expand`, cached).

mod concepts;
mod search;
mod source;

pub use concepts::{CodeList, Concept, Expansion, ExpansionError};
pub use search::{MAX_RESULTS, search};
pub use source::{CodeLookup, Found, LookupError, TerminologySettings};
