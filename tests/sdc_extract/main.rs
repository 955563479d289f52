//! SDC `$extract` against the gold pairs in `../shared/fixtures/extract` (read at test time, never
//! copied), and the `intake extract` command.

#![expect(clippy::unwrap_used, reason = "a test binary: panics are failures")]

mod cli;
mod compare;
mod definition_story;
mod observation_shape;
mod template_gold;

use std::{collections::BTreeMap, path::PathBuf};

use intake::{
    fhirpath::Clock,
    mapping::sdc::{DerivedIds, ExtractRequest, Extracted, extract},
};
use serde_json::Value as Json;
use uuid::Uuid;

/// The shared fixtures directory; a missing one fails the test with the reason.
fn fixtures() -> PathBuf {
    let dir = PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/fixtures"));
    assert!(
        dir.join("extract").is_dir(),
        "the gold extraction pairs are missing: expected {}/extract (the shared fixtures sit \
         beside the crate, see ../shared/fixtures/SOURCES.md)",
        dir.display()
    );
    dir
}

fn read(path: &std::path::Path) -> Json {
    let text = std::fs::read_to_string(path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{} is not JSON: {e}", path.display()))
}

/// Extracts with a fixed clock and ids derived from a nil seed.
fn run(questionnaire: &Json, response: &Json) -> Extracted {
    let variables = BTreeMap::new();
    let request = ExtractRequest {
        questionnaire,
        response,
        variables: &variables,
        clock: Clock::parse("2025-05-28T10:16:40.710+09:30").unwrap(),
    };
    extract(&request, &mut DerivedIds::new(Uuid::nil()))
}

/// The bundle's entries.
fn entries(bundle: &Json) -> &[Json] {
    bundle["entry"].as_array().map_or(&[], Vec::as_slice)
}
