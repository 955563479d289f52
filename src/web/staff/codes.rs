//! The code picker of an exception's edit form: the words staff type looked up in the code
//! list of the change's kind, shown as a list of radio buttons. With htmx the list follows the
//! typing (`GET …/codes?q=`, a fragment); without JavaScript the form's Search button brings
//! the page back with it, everything typed kept.

use crate::web::staff_texts::StaffTexts;
use askama::Template;
use askama_web::WebTemplate;
use axum::{
    extract::{Path, Query, State},
    response::{IntoResponse, Response},
};
use axum_htmx::HxRequest;
use serde::Deserialize;
use uuid::Uuid;

use super::Staff;
use crate::{
    intake::CodeSearch,
    mapping::{ChosenCode, CodeChoice},
    store::StaffRole,
    terminology::{CodeList, Concept},
    web::{AppState, Error, paths},
};

/// The picker: the search box's words, the choices and which is chosen.
#[derive(Debug, Clone)]
pub(super) struct CodePicker {
    /// What was typed in the search box.
    pub query: String,
    /// Where htmx asks for results.
    pub lookup_url: String,
    /// Which list, in words: "medicines (RxNorm)".
    pub list_name: String,
    /// Every radio button, in order: the proposal's own code, the search's results, no code.
    pub options: Vec<CodeOption>,
    /// Whether a search ran.
    pub searched: bool,
    /// What to say about the search: nothing found, or the server failing.
    pub note: Option<String>,
}

/// One radio button of the picker.
#[derive(Debug, Clone)]
pub(super) struct CodeOption {
    /// The form value (`system|code|display`, or empty for no code).
    pub value: String,
    /// What it reads.
    pub label: String,
    /// "RxNorm 6809", or empty for no code.
    pub code: String,
    /// Whether it is chosen.
    pub checked: bool,
}

/// What htmx swaps into the picker's result area.
#[derive(Template, WebTemplate)]
#[template(path = "staff/_code_results.html")]
struct CodeResultsFragment {
    picker: CodePicker,
}

/// The picker's query: the words, and the radio button checked when they changed.
#[derive(Debug, Deserialize)]
pub struct CodeQuery {
    #[serde(default)]
    q: String,
    #[serde(default)]
    code: Option<String>,
}

/// `GET /staff/exceptions/{id}/codes?q=…`: the picker's results for htmx; other requests are
/// refused (the page's Search button does the same without JavaScript).
pub async fn results(
    State(state): State<AppState>,
    staff: Staff,
    HxRequest(htmx): HxRequest,
    Path(id): Path<Uuid>,
    Query(query): Query<CodeQuery>,
) -> Result<Response, Error> {
    staff.require_any(&[StaffRole::FrontDesk, StaffRole::Clinician])?;
    if !htmx {
        return Err(Error::NotFound);
    }
    let search = state
        .services
        .search_codes(&staff.session, id, &query.q)
        .await?;
    let change = state.services.proposed_change(id).await?;
    let list = CodeList::for_resource(change.resource_type).ok_or(Error::NotFound)?;
    let current = ChosenCode::of_concept(concept_of(&change.resource));
    let picker = picker(
        id,
        list,
        &query.q,
        current,
        query.code.as_deref(),
        search.as_ref(),
    );
    Ok(CodeResultsFragment { picker }.into_response())
}

/// The element naming what a resource is.
pub(super) fn concept_of(resource: &serde_json::Value) -> &serde_json::Value {
    match resource.get("medicationCodeableConcept") {
        Some(concept) => concept,
        None => &resource["code"],
    }
}

/// The picker for change `id` coded from `list`: `current` is the proposal's own code,
/// `chosen` the radio value sent (else the current code stays chosen), `search` what the typed
/// words found.
pub(super) fn picker(
    id: Uuid,
    list: CodeList,
    query: &str,
    current: Option<ChosenCode>,
    chosen: Option<&str>,
    search: Option<&CodeSearch>,
) -> CodePicker {
    let chosen = match chosen.map(CodeChoice::parse) {
        Some(Ok(CodeChoice::Code(code))) => Some(code),
        Some(Ok(CodeChoice::None)) => None,
        // Nothing sent (or nothing valid): the proposal's code stays.
        Some(Err(_)) | None => current.clone(),
    };
    let mut options = Vec::new();
    let mut push = |code: &ChosenCode, label: String| {
        let value = code.form_value();
        if options.iter().all(|o: &CodeOption| o.value != value) {
            options.push(CodeOption {
                checked: chosen.as_ref() == Some(code),
                value,
                label,
                code: code.system_and_code(),
            });
        }
    };
    if let Some(code) = &current {
        push(code, StaffTexts.code_keep(&code.display));
    }
    if let Some(code) = chosen.as_ref().filter(|c| Some(*c) != current.as_ref()) {
        push(code, StaffTexts.code_chosen(&code.display));
    }
    let found: &[Concept] = search.map_or(&[], |s| s.found.concepts.as_slice());
    for concept in found {
        let code = ChosenCode {
            system: concept.system.clone(),
            code: concept.code.clone(),
            display: concept.display.clone(),
        };
        push(&code, concept.display.clone());
    }
    options.push(CodeOption {
        value: String::new(),
        label: StaffTexts.code_none(),
        code: String::new(),
        checked: chosen.is_none(),
    });
    CodePicker {
        query: query.to_owned(),
        lookup_url: paths::codes(id),
        list_name: list_name(list),
        note: search.and_then(note),
        searched: search.is_some(),
        options,
    }
}

fn list_name(list: CodeList) -> String {
    match list {
        CodeList::Medications => StaffTexts.code_list_medications(),
        CodeList::AllergySubstances => StaffTexts.code_list_allergies(),
        CodeList::Conditions => StaffTexts.code_list_conditions(),
    }
}

fn note(search: &CodeSearch) -> Option<String> {
    let mut words = Vec::new();
    if let Some(problem) = &search.found.problem {
        let problem = problem.to_string();
        words.push(StaffTexts.code_own_list(problem.trim_end_matches('.')));
    }
    if search.found.concepts.is_empty() {
        words.push(StaffTexts.code_no_match(&search.query));
    }
    (!words.is_empty()).then(|| words.join(" "))
}
