//! SDC `$extract` over FHIR R4 JSON: a Questionnaire and a QuestionnaireResponse become the
//! transaction Bundle the operation defines, by template-based and observation-based extraction.
//! Spec: <https://build.fhir.org/ig/HL7/sdc/extraction.html>
//!
//! Template-based extraction (`template`, `bundle`) fills the contained resources that
//! `sdc-questionnaire-templateExtract` points at, once per response item the extension's item
//! answers (or once for the response when it sits on the Questionnaire). Observation-based
//! extraction (`observation`) turns every answer of a coded item marked
//! `sdc-questionnaire-observationExtract` into an Observation. Definition-based extraction
//! (`definition`) fills a resource per `itemExtractionContext` from the items' `definition`s. Entries from templates come first,
//! in the order of the templates in `Questionnaire.contained` and then of the answers; the
//! Observations follow in item order.
//!
//! Extraction is deterministic: the clock and the ids come in as arguments. A problem with one
//! expression or template never stops the run; it becomes an [`ExtractIssue`] and the element it
//! would have filled is left out.

mod bundle;
mod definition;
mod observation;
mod scope;
mod template;
#[cfg(test)]
mod tests;
mod values;

use std::collections::BTreeMap;

use serde_json::{Value as Json, json};
use uuid::Uuid;

use crate::fhirpath::Clock;

pub use definition::{CONTEXT_URL as EXTRACTION_CONTEXT_URL, definition_type};

/// What one `$extract` reads besides the ids.
#[derive(Debug, Clone, Copy)]
pub struct ExtractRequest<'a> {
    /// The Questionnaire (with its contained templates).
    pub questionnaire: &'a Json,
    /// The QuestionnaireResponse; `%resource` in every expression.
    pub response: &'a Json,
    /// Launch context and other `%`-variables by name (`patient`, `user`, or the name of an
    /// `x-fhir-query` variable whose search result the caller has already run).
    pub variables: &'a BTreeMap<String, Json>,
    /// The time `now()` and `today()` read, and the Bundle's `timestamp`.
    pub clock: Clock,
}

/// The outcome of `$extract`: the transaction Bundle, and what could not be extracted.
#[derive(Debug, Clone, PartialEq)]
pub struct Extracted {
    /// A `transaction` Bundle; one entry per extracted resource.
    pub bundle: Json,
    /// Expressions that failed, templates that were missing, values that did not fit.
    pub issues: Vec<ExtractIssue>,
}

/// One thing extraction had to leave out. It names the place and the expression rather than
/// the answers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExtractIssue {
    /// Where: the template and element path, or the item's linkId.
    pub location: String,
    /// What went wrong.
    pub message: String,
}

impl std::fmt::Display for ExtractIssue {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.location, self.message)
    }
}

/// Where new resource ids and `fullUrl`s come from.
pub trait IdSource {
    /// A fresh id.
    fn next_id(&mut self) -> Uuid;
}

/// Ids derived from a seed and a counter (UUIDv5), so extracting the same response twice gives
/// the same Bundle.
#[derive(Debug, Clone)]
pub struct DerivedIds {
    seed: Uuid,
    next: u64,
}

impl DerivedIds {
    /// Ids under `seed`.
    pub fn new(seed: Uuid) -> Self {
        Self { seed, next: 0 }
    }

    /// Ids seeded by the response's content: the same response always gets the same ids.
    pub fn for_response(response: &Json) -> Self {
        let namespace = Uuid::new_v5(&Uuid::NAMESPACE_URL, b"urn:intake:sdc-extract");
        Self::new(Uuid::new_v5(&namespace, response.to_string().as_bytes()))
    }
}

impl IdSource for DerivedIds {
    fn next_id(&mut self) -> Uuid {
        self.next += 1;
        Uuid::new_v5(&self.seed, &self.next.to_be_bytes())
    }
}

/// Runs `$extract`: template-based entries first, then definition-based, then
/// observation-based ones.
pub fn extract(request: &ExtractRequest<'_>, ids: &mut dyn IdSource) -> Extracted {
    let mut issues = Vec::new();
    let mut entries = bundle::template_entries(request, ids, &mut issues);
    entries.extend(definition::entries(request, ids, &mut issues));
    entries.extend(observation::extract(request, ids, &mut issues));
    let bundle = json!({
        "resourceType": "Bundle",
        "type": "transaction",
        "timestamp": request.clock.now.fmt_plain(),
        "entry": entries,
    });
    Extracted { bundle, issues }
}

/// Runs definition-based extraction alone, for a form whose other extraction the form model
/// does itself (its observation hooks): the Bundle holds only the resources definitions make.
pub fn extract_definitions(request: &ExtractRequest<'_>, ids: &mut dyn IdSource) -> Extracted {
    let mut issues = Vec::new();
    let entries = definition::entries(request, ids, &mut issues);
    let bundle = json!({
        "resourceType": "Bundle",
        "type": "transaction",
        "timestamp": request.clock.now.fmt_plain(),
        "entry": entries,
    });
    Extracted { bundle, issues }
}

/// Extension URLs this module reads.
mod url {
    const SDC: &str = "http://hl7.org/fhir/uv/sdc/StructureDefinition/sdc-questionnaire-";
    pub(super) fn sdc(name: &str) -> String {
        format!("{SDC}{name}")
    }
    pub(super) const VARIABLE: &str = "http://hl7.org/fhir/StructureDefinition/variable";
    pub(super) const UNIT: &str = "http://hl7.org/fhir/StructureDefinition/questionnaire-unit";
}

/// The extensions on `element` with the given URL.
fn extensions<'j>(element: &'j Json, url: &str) -> impl Iterator<Item = &'j Json> {
    element
        .get("extension")
        .and_then(Json::as_array)
        .into_iter()
        .flatten()
        .filter(move |e| e.get("url").and_then(Json::as_str) == Some(url))
}

/// The value of the sub-extension `name` of a complex extension.
fn sub_extension<'j>(extension: &'j Json, name: &str) -> Option<&'j Json> {
    extensions(extension, name).next()
}

/// The `linkId` of an item, or `""`.
fn link_id(item: &Json) -> &str {
    item.get("linkId")
        .and_then(Json::as_str)
        .unwrap_or_default()
}

/// The response items answering the item `link_id` directly under `parent` (the response, a
/// response item or an answer): `parent.item`, and `parent.answer.item` for questions with
/// nested items.
fn answers_to<'j>(parent: &'j Json, link_id: &str) -> Vec<&'j Json> {
    let direct = parent.get("item").and_then(Json::as_array).into_iter();
    let nested = parent
        .get("answer")
        .and_then(Json::as_array)
        .into_iter()
        .flatten()
        .filter_map(|a| a.get("item").and_then(Json::as_array));
    direct
        .chain(nested)
        .flatten()
        .filter(|i| self::link_id(i) == link_id)
        .collect()
}

/// A transaction entry creating `resource` under a fresh `urn:uuid:` fullUrl.
fn create_entry(resource: Json, full_url: String) -> Json {
    let resource_type = resource
        .get("resourceType")
        .and_then(Json::as_str)
        .unwrap_or_default()
        .to_owned();
    json!({
        "fullUrl": full_url,
        "resource": resource,
        "request": { "method": "POST", "url": resource_type },
    })
}
