//! Code lists: the core's pure part (`intake_core::terminology`: concepts, search, expansion,
//! the HL7 core value sets, answer lists for an import), and where expansions come from
//! (`source`: the shipped value-set files in `terminology/`, a site's folder, or a terminology
//! server's `ValueSet/$expand`, cached), which reads files and the network and so lives here.

mod source;

pub use intake_core::terminology::*;
pub use source::{CodeLookup, Found, LookupError, TerminologySettings};
