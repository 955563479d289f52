//! The HL7 FHIR R4 (4.0.1) core value sets and code systems, built in: administrative gender,
//! yes/no tables, allergy and condition clinical status and the other value sets the
//! specification defines, with the code systems that expand them (FHIR's own, HL7 v2 tables,
//! HL7 v3). `terminology/hl7-r4-core/` holds them as `scripts/hl7-terminology.sh` took them from
//! the specification's definition bundles; see `terminology/SOURCES.md`.

use std::sync::OnceLock;

use super::Definitions;

const VALUE_SETS: &str = include_str!("../../../../terminology/hl7-r4-core/valuesets.json");
const CODE_SYSTEMS: &str = include_str!("../../../../terminology/hl7-r4-core/codesystems.json");

/// The core definitions, read on first use.
pub fn hl7_core() -> &'static Definitions {
    static CORE: OnceLock<Definitions> = OnceLock::new();
    CORE.get_or_init(|| {
        let mut definitions = Definitions::default();
        for text in [CODE_SYSTEMS, VALUE_SETS] {
            // Checked-in files that a test reads: they parse.
            definitions.add(&serde_json::from_str(text).unwrap_or_default());
        }
        definitions
    })
}
