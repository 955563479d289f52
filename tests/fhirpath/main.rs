//! Tests of the FHIRPath engine beyond the official suite (which runs in
//! `tests/fhirpath_conformance.rs`): the API and CLI output, SDC form behaviour, and properties
//! of the parser.

mod api;
mod forms;
mod props;
