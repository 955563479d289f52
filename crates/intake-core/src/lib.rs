//! Intake's pure core: FHIRPath, forms and their SDC import and export, the answer engine,
//! prefill, the mapping of answers to chart changes, and summaries, over the domain's types.
//!
//! No I/O happens here (the crate's manifest admits no crate that could do it): the edge, the
//! `intake` package, reads and writes, renders messages in the reader's language, and calls in.
//!
//! The modules are layered, lowest first; a module uses only modules below it, never one above
//! (`tests/layers.rs` checks it):
//! `clock` → `fhirpath` → `domain` → `forms` → `terminology` → `engine` → `populate` →
//! `mapping` → `summary` → `scenario`.

pub mod clock;
pub mod domain;
pub mod engine;
pub mod fhirpath;
pub mod forms;
pub mod mapping;
pub mod populate;
pub mod scenario;
pub mod summary;
pub mod terminology;
