//! The HL7 FHIR R4 (4.0.1) core value sets and code systems, built in: administrative gender,
//! yes/no tables, allergy and condition clinical status and the other value sets the
//! specification defines, with the code systems that expand them (FHIR's own, HL7 v2 tables,
//! HL7 v3). `terminology/hl7-r4-core/` holds them as `scripts/hl7-terminology.sh` took them from
//! the specification's definition bundles; see `terminology/SOURCES.md`.

use std::sync::OnceLock;

use super::Definitions;

const VALUE_SETS: &str = include_str!("../../../../terminology/hl7-r4-core/valuesets.json");
const CODE_SYSTEMS: &str = include_str!("../../../../terminology/hl7-r4-core/codesystems.json");

/// The core definitions, indexed on first use; each is parsed when an expansion needs it.
pub fn hl7_core() -> &'static Definitions {
    static CORE: OnceLock<Definitions> = OnceLock::new();
    CORE.get_or_init(|| {
        let mut definitions = Definitions::default();
        for text in [CODE_SYSTEMS, VALUE_SETS] {
            definitions.add_bundled(text);
        }
        definitions
    })
}

#[cfg(test)]
mod tests {
    use serde_json::Value as Json;

    use super::*;

    /// Held as text and parsed on demand, the core expands every value set exactly as the
    /// same bundles parsed whole do, errors included.
    #[test]
    fn the_core_held_as_text_expands_every_value_set_as_the_parsed_bundles_do() {
        let bundles: Vec<Json> = [CODE_SYSTEMS, VALUE_SETS]
            .into_iter()
            .map(|text| serde_json::from_str(text).expect("a checked-in bundle parses"))
            .collect();
        let parsed = Definitions::from_resources(&bundles);
        let urls: Vec<&str> = bundles[1]["entry"]
            .as_array()
            .expect("entries")
            .iter()
            .filter_map(|entry| entry["resource"]["url"].as_str())
            .collect();
        assert_eq!(urls.len(), 1317);
        assert_eq!(hl7_core().value_set_count(), parsed.value_set_count());
        let mut expanded = 0;
        for url in urls {
            assert!(hl7_core().knows(url), "{url}");
            let ours = hl7_core().expand(url);
            expanded += usize::from(ours.is_ok());
            assert_eq!(ours, parsed.expand(url), "{url}");
        }
        assert!(expanded > 1000, "only {expanded} value sets expand");
    }
}
