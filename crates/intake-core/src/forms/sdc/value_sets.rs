//! Where the importer finds the concepts of value sets a Questionnaire does not list itself: an
//! `answerValueSet` naming a value set outside it (the HL7 core value sets, a site's, a
//! terminology server's), or a contained ValueSet defined by whole code systems or filters.
//! The terminology layer resolves them (any I/O happens before the import starts) and hands
//! them in through [`ValueSetSource`], so the import itself stays pure.
//! Spec: <https://hl7.org/fhir/uv/sdc/STU3/behavior.html#answerValueSet>

use serde_json::Value as Json;

use crate::forms::Coding;

/// Why a value set gave no answer list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ValueSetFailure {
    /// No source knows the value set.
    Unknown,
    /// It is known but cannot be expanded without a terminology server (a filter other than
    /// on the concept hierarchy, a code system whose concepts are not at hand).
    NotExpandable,
    /// The terminology server failed to expand it.
    Server,
    /// It expands to more concepts than an answer list holds.
    TooLarge,
    /// The terminology server expands it to more concepts than an answer list holds: a form
    /// may still ask it, the patient searching it on the server.
    SearchedOnServer,
}

/// Why a value set gave no answer list, in words that name what to do.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{reason}")]
pub struct ValueSetError {
    /// The kind of failure, for tallies.
    pub failure: ValueSetFailure,
    /// What happened.
    pub reason: String,
}

/// The concepts of value sets, resolved before the import.
pub trait ValueSetSource {
    /// The concepts of the value set with canonical URL `url` (an `answerValueSet` outside the
    /// Questionnaire), in order.
    fn expand(&self, url: &str) -> Result<Vec<Coding>, ValueSetError>;

    /// The concepts of a ValueSet resource the Questionnaire contains, defined by `compose`
    /// with whole code systems, filters or other value sets.
    fn expand_definition(&self, value_set: &Json) -> Result<Vec<Coding>, ValueSetError>;
}

/// No value sets beyond the Questionnaire's own enumerated ones.
#[derive(Debug, Clone, Copy, Default)]
pub struct NoValueSets;

impl ValueSetSource for NoValueSets {
    fn expand(&self, _url: &str) -> Result<Vec<Coding>, ValueSetError> {
        Err(ValueSetError {
            failure: ValueSetFailure::Unknown,
            reason: "no value sets beyond the form's own were given".to_owned(),
        })
    }

    fn expand_definition(&self, _value_set: &Json) -> Result<Vec<Coding>, ValueSetError> {
        Err(ValueSetError {
            failure: ValueSetFailure::NotExpandable,
            reason:
                "it is defined by whole code systems or filters, and no code systems were given"
                    .to_owned(),
        })
    }
}

/// The canonical URLs of the value sets `questionnaire`'s items name in `answerValueSet` that
/// it does not contain: what the terminology layer resolves before an import.
pub fn external_value_sets(questionnaire: &Json) -> Vec<String> {
    let contained: Vec<String> = questionnaire["contained"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|c| c["resourceType"] == "ValueSet")
        .flat_map(|c| {
            [
                c["id"].as_str().map(|id| format!("#{id}")),
                c["url"].as_str().map(str::to_owned),
            ]
        })
        .flatten()
        .collect();
    let mut out = Vec::new();
    let mut stack: Vec<&Json> = questionnaire["item"]
        .as_array()
        .into_iter()
        .flatten()
        .collect();
    while let Some(item) = stack.pop() {
        if let Some(url) = item["answerValueSet"].as_str()
            && !contained.iter().any(|c| c == url)
            && !out.iter().any(|o| o == url)
            // `answerOption` wins where both are given (as LHC-Forms exports do).
            && item.get("answerOption").is_none()
        {
            out.push(url.to_owned());
        }
        stack.extend(item["item"].as_array().into_iter().flatten());
    }
    out.sort();
    out
}
