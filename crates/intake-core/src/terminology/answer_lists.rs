//! Answer lists for an import: each `answerValueSet` outside the Questionnaire (and each
//! contained ValueSet defined by code systems or filters) expanded from the definitions at hand
//! (the HL7 core ones, and a site's from `INTAKE_VALUESETS_DIR`), else from what the terminology
//! server answered before the import. Pure: the server's answers come in already fetched.

use std::collections::HashMap;

use serde_json::Value as Json;

use super::{Concept, Definitions, ExpandError};
use crate::forms::{
    Coding,
    sdc::{ValueSetError, ValueSetFailure, ValueSetSource},
};

/// The most concepts an answer list holds: a list a patient can search, not a terminology.
pub const MAX_ANSWER_LIST: usize = 2000;

/// The value sets one import may use.
#[derive(Debug)]
pub struct AnswerLists<'a> {
    definitions: &'a Definitions,
    /// The terminology server's expansions of value sets the definitions could not expand, or
    /// why it gave none (in words, for the import's error).
    fetched: HashMap<String, Result<Vec<Concept>, String>>,
}

impl<'a> AnswerLists<'a> {
    /// Answer lists from `definitions` alone.
    pub fn offline(definitions: &'a Definitions) -> Self {
        Self::with_fetched(definitions, HashMap::new())
    }

    /// Answer lists from `definitions`, and the server's answers for the others.
    pub fn with_fetched(
        definitions: &'a Definitions,
        fetched: HashMap<String, Result<Vec<Concept>, String>>,
    ) -> Self {
        Self {
            definitions,
            fetched,
        }
    }
}

impl ValueSetSource for AnswerLists<'_> {
    fn expand(&self, url: &str) -> Result<Vec<Coding>, ValueSetError> {
        let offline = self.definitions.expand(url);
        match (offline, self.fetched.get(url)) {
            (Ok(concepts), _) => answer_list(concepts),
            (Err(_), Some(Ok(concepts))) if concepts.len() > MAX_ANSWER_LIST => {
                Err(ValueSetError {
                    failure: ValueSetFailure::SearchedOnServer,
                    reason: format!(
                        "the terminology server expands it to more than {MAX_ANSWER_LIST} \
                         concepts, too many to list: only a search on the server answers it"
                    ),
                })
            }
            (Err(_), Some(Ok(concepts))) => answer_list(concepts.clone()),
            (Err(_), Some(Err(problem))) => Err(ValueSetError {
                failure: ValueSetFailure::Server,
                reason: problem.clone(),
            }),
            (Err(ExpandError::UnknownValueSet(_)), None) => Err(ValueSetError {
                failure: ValueSetFailure::Unknown,
                reason: "it is not among the HL7 core value sets or the site's \
                         (INTAKE_VALUESETS_DIR), and no terminology server is configured \
                         (INTAKE_TERMINOLOGY_URL)"
                    .to_owned(),
            }),
            (Err(problem), None) => Err(ValueSetError {
                failure: ValueSetFailure::NotExpandable,
                reason: format!(
                    "{problem}; a terminology server (INTAKE_TERMINOLOGY_URL) can expand it"
                ),
            }),
        }
    }

    fn expand_definition(&self, value_set: &Json) -> Result<Vec<Coding>, ValueSetError> {
        match self.definitions.expand_definition(value_set) {
            Ok(concepts) => answer_list(concepts),
            Err(problem) => Err(ValueSetError {
                failure: ValueSetFailure::NotExpandable,
                reason: problem.to_string(),
            }),
        }
    }
}

fn answer_list(concepts: Vec<Concept>) -> Result<Vec<Coding>, ValueSetError> {
    if concepts.len() > MAX_ANSWER_LIST {
        return Err(ValueSetError {
            failure: ValueSetFailure::TooLarge,
            reason: format!(
                "it has more than {MAX_ANSWER_LIST} concepts, too many for an answer list"
            ),
        });
    }
    Ok(concepts
        .into_iter()
        .map(|c| Coding {
            system: (!c.system.is_empty()).then_some(c.system),
            code: c.code,
            display: Some(c.display),
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::terminology::hl7_core;

    fn codes(list: &[Coding]) -> Vec<&str> {
        list.iter().map(|c| c.code.as_str()).collect()
    }

    #[test]
    fn hl7_core_value_sets_expand_without_a_server() {
        let lists = AnswerLists::offline(hl7_core());
        let gender = lists
            .expand("http://hl7.org/fhir/ValueSet/administrative-gender")
            .unwrap();
        assert_eq!(codes(&gender), ["male", "female", "other", "unknown"]);
        assert_eq!(gender[0].display.as_deref(), Some("Male"));
        assert_eq!(
            gender[0].system.as_deref(),
            Some("http://hl7.org/fhir/administrative-gender")
        );
        let clinical = lists
            .expand("http://hl7.org/fhir/ValueSet/condition-clinical|4.0.1")
            .unwrap();
        assert_eq!(
            codes(&clinical),
            [
                "active",
                "recurrence",
                "relapse",
                "inactive",
                "remission",
                "resolved"
            ]
        );
        let allergy = lists
            .expand("http://hl7.org/fhir/ValueSet/allergyintolerance-clinical")
            .unwrap();
        assert_eq!(codes(&allergy), ["active", "inactive", "resolved"]);
        // Another value set (HL7 v2 table 0136, in its code system's order) and a code of
        // data-absent-reason.
        let yes_no = lists
            .expand("http://hl7.org/fhir/ValueSet/yesnodontknow")
            .unwrap();
        assert_eq!(codes(&yes_no), ["N", "Y", "asked-unknown"]);
        assert_eq!(yes_no[2].display.as_deref(), Some("Don't know"));
    }

    #[test]
    fn a_value_set_nobody_knows_is_named_with_what_to_configure() {
        let lists = AnswerLists::offline(hl7_core());
        let error = lists.expand("http://loinc.org/vs/LL358-3").unwrap_err();
        assert_eq!(error.failure, ValueSetFailure::Unknown);
        assert!(error.reason.contains("INTAKE_TERMINOLOGY_URL"), "{error}");
        // SNOMED CT is not in the package: only a server expands a value set drawing on it.
        let error = lists
            .expand("http://hl7.org/fhir/ValueSet/condition-code")
            .unwrap_err();
        assert_eq!(error.failure, ValueSetFailure::NotExpandable, "{error}");
    }

    #[test]
    fn the_servers_answer_stands_in_for_what_the_definitions_cannot_expand() {
        let url = "http://loinc.org/vs/LL358-3";
        let fetched = HashMap::from([(
            url.to_owned(),
            Ok(vec![Concept {
                system: "http://loinc.org".into(),
                code: "LA33-6".into(),
                display: "Yes".into(),
            }]),
        )]);
        let lists = AnswerLists::with_fetched(hl7_core(), fetched);
        assert_eq!(codes(&lists.expand(url).unwrap()), ["LA33-6"]);
    }

    #[test]
    fn a_contained_definition_of_a_whole_core_code_system_or_a_hierarchy_expands() {
        let lists = AnswerLists::offline(hl7_core());
        let whole = json!({"resourceType": "ValueSet", "compose": {"include": [
            {"system": "http://terminology.hl7.org/CodeSystem/condition-ver-status"}]},
            "url": "http://x/vs"});
        let all = lists.expand_definition(&whole).unwrap();
        assert!(codes(&all).contains(&"confirmed"), "{all:?}");
        // `unconfirmed` is-a: itself and its children; less `differential`.
        let filtered = json!({"resourceType": "ValueSet", "compose": {
            "include": [{"system": "http://terminology.hl7.org/CodeSystem/condition-ver-status",
                "filter": [{"property": "concept", "op": "is-a", "value": "unconfirmed"}]}],
            "exclude": [{"system": "http://terminology.hl7.org/CodeSystem/condition-ver-status",
                "concept": [{"code": "differential"}]}]}});
        assert_eq!(
            codes(&lists.expand_definition(&filtered).unwrap()),
            ["unconfirmed", "provisional"]
        );
        let regex = json!({"resourceType": "ValueSet", "url": "http://x/r", "compose": {"include": [
            {"system": "http://terminology.hl7.org/CodeSystem/condition-ver-status",
             "filter": [{"property": "code", "op": "regex", "value": "c.*"}]}]}});
        let error = lists.expand_definition(&regex).unwrap_err();
        assert!(error.reason.contains("`code`"), "{error}");
    }
}
