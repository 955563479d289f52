//! The concepts of a value set's expansion, and which list codes which kind of entry.

use serde_json::Value;

use crate::domain::ResourceType;

/// RxNorm's system URI.
pub const RXNORM: &str = "http://www.nlm.nih.gov/research/umls/rxnorm";
/// SNOMED CT's system URI.
pub const SNOMED: &str = "http://snomed.info/sct";

/// One coded concept: what becomes a `Coding`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Concept {
    /// The code system's URI.
    pub system: String,
    /// The code.
    pub code: String,
    /// Its words.
    pub display: String,
}

/// The code lists staff code entries from, one per kind of entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CodeList {
    /// RxNorm medications, for `MedicationStatement.medicationCodeableConcept`.
    Medications,
    /// Substances and allergy findings (SNOMED CT, RxNorm ingredients), for
    /// `AllergyIntolerance.code`.
    AllergySubstances,
    /// Clinical findings (SNOMED CT), for `Condition.code`.
    Conditions,
}

impl CodeList {
    /// Every list.
    pub const ALL: [Self; 3] = [Self::Medications, Self::AllergySubstances, Self::Conditions];

    /// The list that codes a `resource_type` entry, if any does.
    pub fn for_resource(resource_type: ResourceType) -> Option<Self> {
        match resource_type {
            ResourceType::MedicationStatement => Some(Self::Medications),
            ResourceType::AllergyIntolerance => Some(Self::AllergySubstances),
            ResourceType::Condition => Some(Self::Conditions),
            _ => None,
        }
    }

    /// The file name of its shipped expansion in `terminology/`, without `.json`.
    pub fn file_stem(self) -> &'static str {
        match self {
            Self::Medications => "medications",
            Self::AllergySubstances => "allergy-substances",
            Self::Conditions => "conditions",
        }
    }

    /// The shipped expansion (`terminology/<stem>.json`, built in), used when
    /// `INTAKE_TERMINOLOGY_DIR` names no folder of replacements.
    pub fn shipped(self) -> &'static str {
        match self {
            Self::Medications => include_str!("../../../../terminology/medications.json"),
            Self::AllergySubstances => {
                include_str!("../../../../terminology/allergy-substances.json")
            }
            Self::Conditions => include_str!("../../../../terminology/conditions.json"),
        }
    }

    /// The code systems a code chosen for this list may come from.
    pub fn systems(self) -> &'static [&'static str] {
        match self {
            Self::Medications => &[RXNORM, SNOMED],
            Self::AllergySubstances | Self::Conditions => &[SNOMED, RXNORM],
        }
    }
}

/// A value set's expansion: its canonical URL, title and concepts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Expansion {
    /// `ValueSet.url`.
    pub url: String,
    /// `ValueSet.title` (else its name, else its URL).
    pub title: String,
    /// `ValueSet.expansion.contains`, nested `contains` flattened, abstract entries left out.
    pub concepts: Vec<Concept>,
}

/// Why a ValueSet could not be read as an expansion.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ExpansionError {
    /// Not a ValueSet resource.
    #[error("not a ValueSet (resourceType is {0:?})")]
    NotAValueSet(String),
    /// A ValueSet without `expansion.contains`.
    #[error("the value set {0} has no expansion")]
    NoExpansion(String),
}

impl Expansion {
    /// Reads a FHIR ValueSet with an expansion (a shipped file, or a server's `$expand` answer).
    /// Spec: <https://hl7.org/fhir/R4/valueset.html#expansion>
    pub fn from_fhir(value_set: &Value) -> Result<Self, ExpansionError> {
        let kind = value_set["resourceType"].as_str().unwrap_or_default();
        if kind != "ValueSet" {
            return Err(ExpansionError::NotAValueSet(kind.to_owned()));
        }
        let url = value_set["url"].as_str().unwrap_or_default().to_owned();
        let Some(contains) = value_set["expansion"]["contains"].as_array() else {
            // An empty expansion (no match) has `total: 0` and no `contains`.
            if value_set["expansion"].is_object() {
                return Ok(Self::empty(value_set, url));
            }
            return Err(ExpansionError::NoExpansion(url));
        };
        let mut concepts = Vec::new();
        flatten(contains, &mut concepts);
        Ok(Self {
            title: title(value_set, &url),
            url,
            concepts,
        })
    }

    fn empty(value_set: &Value, url: String) -> Self {
        Self {
            title: title(value_set, &url),
            url,
            concepts: Vec::new(),
        }
    }
}

fn title(value_set: &Value, url: &str) -> String {
    value_set["title"]
        .as_str()
        .or_else(|| value_set["name"].as_str())
        .unwrap_or(url)
        .to_owned()
}

fn flatten(contains: &[Value], out: &mut Vec<Concept>) {
    for entry in contains {
        let is_abstract = entry["abstract"].as_bool() == Some(true);
        if let (false, Some(system), Some(code)) = (
            is_abstract,
            entry["system"].as_str(),
            entry["code"].as_str(),
        ) {
            out.push(Concept {
                system: system.to_owned(),
                code: code.to_owned(),
                display: entry["display"].as_str().unwrap_or(code).to_owned(),
            });
        }
        if let Some(nested) = entry["contains"].as_array() {
            flatten(nested, out);
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn an_expansion_reads_its_concepts_nested_ones_too_and_skips_abstract_headings() {
        let value_set = json!({
            "resourceType": "ValueSet", "url": "http://x/vs", "title": "X",
            "expansion": { "contains": [
                { "system": SNOMED, "code": "1", "display": "One" },
                { "abstract": true, "system": SNOMED, "code": "G", "display": "Group",
                  "contains": [{ "system": RXNORM, "code": "2" }] }
            ] }
        });
        let expansion = Expansion::from_fhir(&value_set).unwrap();
        assert_eq!(expansion.title, "X");
        let codes: Vec<_> = expansion
            .concepts
            .iter()
            .map(|c| (c.code.as_str(), c.display.as_str()))
            .collect();
        assert_eq!(codes, [("1", "One"), ("2", "2")]);
    }

    #[test]
    fn an_empty_expansion_is_no_match_and_a_definition_alone_is_an_error() {
        let none = json!({ "resourceType": "ValueSet", "url": "u", "expansion": { "total": 0 } });
        assert!(Expansion::from_fhir(&none).unwrap().concepts.is_empty());
        let definition = json!({ "resourceType": "ValueSet", "url": "u", "compose": {} });
        assert_eq!(
            Expansion::from_fhir(&definition),
            Err(ExpansionError::NoExpansion("u".into()))
        );
        assert!(matches!(
            Expansion::from_fhir(&json!({ "resourceType": "OperationOutcome" })),
            Err(ExpansionError::NotAValueSet(_))
        ));
    }

    #[test]
    fn the_shipped_value_sets_are_expansions_of_their_lists_systems() {
        for list in CodeList::ALL {
            let path = list.file_stem();
            let expansion =
                Expansion::from_fhir(&serde_json::from_str(list.shipped()).unwrap()).unwrap();
            assert!(expansion.concepts.len() > 20, "{path}");
            assert!(
                expansion
                    .concepts
                    .iter()
                    .all(|c| list.systems().contains(&c.system.as_str())),
                "{path}"
            );
        }
    }
}
