//! Staff edits of a proposed change before they accept it: the key fields of each resource
//! type, checked the way the form checked the patient's answer (the originating item's type,
//! lengths, bounds and pattern), and at least never empty.

mod choices;

use serde_json::{Value, json};

pub use choices::{
    ALLERGY_CLINICAL, ALLERGY_VERIFICATION, CODE_SYSTEMS, CONDITION_CLINICAL,
    CONDITION_VERIFICATION, ChosenCode, CodeChoice, MEDICATION_STATUSES, StatusChoice,
};
use choices::{status_code, status_concept};

use super::{
    ChangeSummary, ResourceType, change_summary::answer_words, extract::observation_value,
};
use crate::{
    domain::{Phrase, Translate},
    engine::{Answer, MAX_TEXT_CHARS, check_item, parse_answer},
    forms::{Item, ItemKind},
};

/// A field staff may edit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EditField {
    /// What it is, in words: `code.text` (AllergyIntolerance, Condition) or
    /// `medicationCodeableConcept.text` (MedicationStatement). The patient's own words until
    /// staff change them.
    Text,
    /// The coding of the same concept, chosen from a code list (or none).
    Code,
    /// `MedicationStatement.status`.
    Status,
    /// `clinicalStatus` (AllergyIntolerance, Condition).
    ClinicalStatus,
    /// `verificationStatus` (AllergyIntolerance, Condition).
    Verification,
    /// `Observation.value[x]`: a number or text.
    Value,
}

impl EditField {
    /// The form field's name.
    pub fn name(self) -> &'static str {
        match self {
            Self::Text => "text",
            Self::Code => "code",
            Self::Status => "status",
            Self::ClinicalStatus => "clinical_status",
            Self::Verification => "verification",
            Self::Value => "value",
        }
    }
}

/// A field as the edit form shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EditableField {
    /// Which field.
    pub field: EditField,
    /// Its label, a message id (`locales/<language>/changes.ftl`).
    pub label: &'static str,
    /// Its value in the proposal (for [`EditField::Code`], the coding's form value, or empty).
    pub current: String,
    /// The allowed values in words, for a field with a fixed list; empty for free input.
    pub choices: &'static [StatusChoice],
}

/// Every message id of the edit form's labels and choices, for the tests that hold them
/// against `locales/`.
pub fn edit_message_ids() -> Vec<&'static str> {
    let mut ids = Vec::from(FIELD_LABELS);
    ids.extend(EDIT_ERROR_IDS);
    for list in [
        &MEDICATION_STATUSES[..],
        &ALLERGY_CLINICAL,
        &ALLERGY_VERIFICATION,
        &CONDITION_CLINICAL,
        &CONDITION_VERIFICATION,
    ] {
        ids.extend(list.iter().map(|choice| choice.words_id));
    }
    ids
}

/// The labels of the fields staff may edit.
const FIELD_LABELS: [&str; 7] = [
    "edit-field-what-it-is",
    "edit-field-medicine",
    "edit-field-code",
    "edit-field-clinical-status",
    "edit-field-verification",
    "edit-field-taking-it",
    "edit-field-value",
];

/// What staff typed, by field; a field not sent is left as it is.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct ChangeEdit {
    /// The text of what it is.
    pub text: Option<String>,
    /// The code chosen: `system|code|display`, or empty for none.
    pub code: Option<String>,
    /// The medication's status.
    pub status: Option<String>,
    /// The allergy's or condition's clinical status.
    pub clinical_status: Option<String>,
    /// The allergy's or condition's verification status.
    pub verification: Option<String>,
    /// The observation's value.
    pub value: Option<String>,
}

/// Which fields were sent, never what was typed in them.
impl std::fmt::Debug for ChangeEdit {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let shown = |typed: &Option<String>| typed.as_ref().map(|_| "[redacted]");
        f.debug_struct("ChangeEdit")
            .field("text", &shown(&self.text))
            .field("code", &shown(&self.code))
            .field("status", &shown(&self.status))
            .field("clinical_status", &shown(&self.clinical_status))
            .field("verification", &shown(&self.verification))
            .field("value", &shown(&self.value))
            .finish()
    }
}

impl ChangeEdit {
    /// What was typed for `field`.
    pub fn get(&self, field: EditField) -> Option<&str> {
        match field {
            EditField::Text => self.text.as_deref(),
            EditField::Code => self.code.as_deref(),
            EditField::Status => self.status.as_deref(),
            EditField::ClinicalStatus => self.clinical_status.as_deref(),
            EditField::Verification => self.verification.as_deref(),
            EditField::Value => self.value.as_deref(),
        }
    }
}

/// Why a typed value was refused, to show next to its field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EditError {
    /// The field.
    pub field: EditField,
    /// What to fix: a message id of `locales/<language>/changes.ftl`, or the form's check of
    /// the answer already in the reader's words.
    pub message: Phrase,
}

/// A change after an accepted edit.
#[derive(Debug, Clone, PartialEq)]
pub struct EditedChange {
    /// The resource to send instead.
    pub resource: Value,
    /// The new summary for staff.
    pub summary: ChangeSummary,
    /// The element paths that changed (for the audit event: paths, never values).
    pub changed: Vec<&'static str>,
}

/// The element holding what an entry is: `medicationCodeableConcept` or `code`.
fn concept_element(resource_type: ResourceType) -> &'static str {
    if resource_type == ResourceType::MedicationStatement {
        "medicationCodeableConcept"
    } else {
        "code"
    }
}

/// A status list and the code system (under `http://terminology.hl7.org/CodeSystem/`) of its
/// codes.
type StatusList = (&'static str, &'static [StatusChoice]);

/// The clinical and verification status lists of an allergy or condition.
fn status_lists(resource_type: ResourceType) -> Option<(StatusList, StatusList)> {
    match resource_type {
        ResourceType::AllergyIntolerance => Some((
            ("allergyintolerance-clinical", &ALLERGY_CLINICAL),
            ("allergyintolerance-verification", &ALLERGY_VERIFICATION),
        )),
        ResourceType::Condition => Some((
            ("condition-clinical", &CONDITION_CLINICAL),
            ("condition-ver-status", &CONDITION_VERIFICATION),
        )),
        _ => None,
    }
}

/// The fields staff may edit on a proposed `resource_type` resource. A change that updates a
/// resource on the chart (it has the chart's id) offers only its status: its code is the chart's.
pub fn editable_fields(resource_type: ResourceType, resource: &Value) -> Vec<EditableField> {
    let new_entry = resource.get("id").is_none();
    let concept = &resource[concept_element(resource_type)];
    let text = concept["text"]
        .as_str()
        .or_else(|| concept["coding"][0]["display"].as_str())
        .unwrap_or_default()
        .to_owned();
    let mut fields = Vec::new();
    let field = |field, label, current: String, choices: &'static [StatusChoice]| EditableField {
        field,
        label,
        current,
        choices,
    };
    let coded = |fields: &mut Vec<EditableField>, label| {
        fields.push(field(EditField::Text, label, text.clone(), &[]));
        let current = ChosenCode::of_concept(concept).map(|c| c.form_value());
        fields.push(field(
            EditField::Code,
            "edit-field-code",
            current.unwrap_or_default(),
            &[],
        ));
    };
    match resource_type {
        ResourceType::AllergyIntolerance | ResourceType::Condition => {
            if new_entry {
                coded(&mut fields, "edit-field-what-it-is");
            }
            if let Some(((_, clinical), (_, verification))) = status_lists(resource_type) {
                let current = |key: &str| status_code(&resource[key]);
                fields.push(field(
                    EditField::ClinicalStatus,
                    "edit-field-clinical-status",
                    current("clinicalStatus"),
                    clinical,
                ));
                if new_entry {
                    fields.push(field(
                        EditField::Verification,
                        "edit-field-verification",
                        current("verificationStatus"),
                        verification,
                    ));
                }
            }
        }
        ResourceType::MedicationStatement => {
            if new_entry {
                coded(&mut fields, "edit-field-medicine");
            }
            fields.push(field(
                EditField::Status,
                "edit-field-taking-it",
                status_code(&resource["status"]),
                &MEDICATION_STATUSES,
            ));
        }
        ResourceType::Observation => {
            if let Some((_, current)) = observation_value_of(resource) {
                fields.push(field(EditField::Value, "edit-field-value", current, &[]));
            }
        }
        _ => {}
    }
    fields
}

/// The Observation's editable value: its key and its value as text.
fn observation_value_of(resource: &Value) -> Option<(&'static str, String)> {
    if let Some(number) = resource["valueQuantity"]["value"].as_f64() {
        return Some(("valueQuantity", number.to_string()));
    }
    if let Some(number) = resource["valueInteger"].as_i64() {
        return Some(("valueInteger", number.to_string()));
    }
    resource["valueString"]
        .as_str()
        .map(|text| ("valueString", text.to_owned()))
}

/// What staff read beside a field that holds a control character (NUL, an escape): a message
/// id of `locales/<language>/changes.ftl`.
pub const CONTROL_CHARACTER_ID: &str = "edit-error-control-character";

/// Every message id an edit is refused with, for the tests that hold them against `locales/`.
pub const EDIT_ERROR_IDS: [&str; 9] = [
    CONTROL_CHARACTER_ID,
    NOT_A_LISTED_STATUS,
    choices::CODE_NOT_LISTED,
    ENTER_WHAT_IT_IS,
    ENTER_A_VALUE,
    "edit-error-value-not-recordable",
    "edit-error-whole-number",
    "edit-error-number",
    "edit-error-too-long",
];

const NOT_A_LISTED_STATUS: &str = "edit-error-not-a-listed-status";
const ENTER_WHAT_IT_IS: &str = "edit-error-enter-what-it-is";
const ENTER_A_VALUE: &str = "edit-error-enter-a-value";

/// Applies `edit` to a proposed `resource_type` resource. `source` is the item whose answer it
/// came from, when known: the typed value is then read and checked as that item's answer.
/// Every refused field is reported, each with its message.
pub fn apply_edit(
    resource_type: ResourceType,
    resource: &Value,
    summary: &ChangeSummary,
    source: Option<&Item>,
    edit: &ChangeEdit,
    words: &dyn Translate,
) -> Result<EditedChange, Vec<EditError>> {
    let mut edited = EditedChange {
        resource: resource.clone(),
        summary: summary.clone(),
        changed: Vec::new(),
    };
    let mut errors = Vec::new();
    for field in editable_fields(resource_type, resource) {
        let Some(typed) = edit.get(field.field).map(str::trim) else {
            continue;
        };
        let outcome = match field.field {
            _ if crate::domain::has_control_character(typed) => {
                Err(Phrase::said(CONTROL_CHARACTER_ID))
            }
            EditField::Text => edit_text(
                resource_type,
                source,
                typed,
                edit.code.is_some(),
                &mut edited,
                words,
            ),
            EditField::Code => edit_code(resource_type, typed, &mut edited).map_err(Phrase::said),
            EditField::Status => edit_status(typed, &mut edited),
            EditField::ClinicalStatus | EditField::Verification => {
                edit_clinical(resource_type, field.field, typed, &mut edited)
            }
            EditField::Value => edit_value(source, typed, &mut edited, words),
        };
        if let Err(message) = outcome {
            errors.push(EditError {
                field: field.field,
                message,
            });
        }
    }
    if errors.is_empty() {
        keep_statuses_consistent(resource_type, &mut edited);
        Ok(edited)
    } else {
        Err(errors)
    }
}

/// An entry entered in error has no clinical status (AllergyIntolerance ait-2, Condition
/// con-5). Spec: <https://hl7.org/fhir/R4/allergyintolerance.html#invs>
fn keep_statuses_consistent(resource_type: ResourceType, edited: &mut EditedChange) {
    let in_error = status_code(&edited.resource["verificationStatus"]) == "entered-in-error";
    if in_error
        && status_lists(resource_type).is_some()
        && let Some(resource) = edited.resource.as_object_mut()
        && resource.remove("clinicalStatus").is_some()
    {
        edited.changed.push("clinicalStatus");
    }
}

fn edit_text(
    resource_type: ResourceType,
    source: Option<&Item>,
    typed: &str,
    code_chosen: bool,
    edited: &mut EditedChange,
    words: &dyn Translate,
) -> Result<(), Phrase> {
    // A coded choice's text is checked as free text: staff may name what no option lists.
    let source = source.filter(|item| matches!(item.kind, ItemKind::String | ItemKind::Text));
    let shown = checked(source, typed, ENTER_WHAT_IT_IS, words)?;
    let element = concept_element(resource_type);
    if edited.resource[element]["text"].as_str() != Some(typed) {
        if code_chosen {
            edited.resource[element]["text"] = json!(typed);
        } else {
            // The codings described the old text; the new text stands alone until coded.
            edited.resource[element] = json!({ "text": typed });
        }
        edited.summary = edited.summary.clone().with_value(shown);
        edited.changed.push(if element == "code" {
            "code.text"
        } else {
            "medicationCodeableConcept.text"
        });
    }
    Ok(())
}

/// The chosen code becomes the concept's only coding; the words stay as its text (the
/// patient's own, unless staff changed them).
fn edit_code(
    resource_type: ResourceType,
    typed: &str,
    edited: &mut EditedChange,
) -> Result<(), &'static str> {
    let element = concept_element(resource_type);
    let concept = &mut edited.resource[element];
    let before = ChosenCode::of_concept(concept);
    let chosen = match CodeChoice::parse(typed)? {
        CodeChoice::None => None,
        CodeChoice::Code(code) => Some(code),
    };
    let had_codings = concept["coding"].as_array().is_some_and(|c| !c.is_empty());
    if chosen == before && (chosen.is_some() || !had_codings) {
        return Ok(());
    }
    if concept["text"].as_str().is_none() {
        // Keep what it was called before the coding changes under it.
        if let Some(display) = before.as_ref().map(|b| b.display.clone()) {
            concept["text"] = json!(display);
        }
    }
    match chosen {
        Some(code) => {
            concept["coding"] = json!([{
                "system": code.system,
                "code": code.code,
                "display": code.display,
            }]);
        }
        None => {
            if let Some(object) = concept.as_object_mut() {
                object.remove("coding");
            }
        }
    }
    edited.changed.push(if element == "code" {
        "code.coding"
    } else {
        "medicationCodeableConcept.coding"
    });
    Ok(())
}

fn edit_status(typed: &str, edited: &mut EditedChange) -> Result<(), Phrase> {
    if !MEDICATION_STATUSES.iter().any(|c| c.code == typed) {
        return Err(Phrase::said(NOT_A_LISTED_STATUS));
    }
    if edited.resource["status"].as_str() != Some(typed) {
        edited.resource["status"] = json!(typed);
        edited.changed.push("status");
    }
    Ok(())
}

fn edit_clinical(
    resource_type: ResourceType,
    field: EditField,
    typed: &str,
    edited: &mut EditedChange,
) -> Result<(), Phrase> {
    let Some((clinical, verification)) = status_lists(resource_type) else {
        return Ok(());
    };
    let ((code_system, choices), key) = if field == EditField::ClinicalStatus {
        (clinical, "clinicalStatus")
    } else {
        (verification, "verificationStatus")
    };
    let Some(choice) = choices.iter().find(|c| c.code == typed) else {
        return Err(Phrase::said(NOT_A_LISTED_STATUS));
    };
    if status_code(&edited.resource[key]) != typed {
        edited.resource[key] = status_concept(code_system, choice);
        edited.changed.push(key);
    }
    Ok(())
}

fn edit_value(
    source: Option<&Item>,
    typed: &str,
    edited: &mut EditedChange,
    words: &dyn Translate,
) -> Result<(), Phrase> {
    let Some((key, current)) = observation_value_of(&edited.resource) else {
        return Ok(());
    };
    let source = source.filter(|item| {
        matches!(
            (key, item.kind),
            ("valueInteger", ItemKind::Integer)
                | ("valueQuantity", ItemKind::Decimal | ItemKind::Quantity)
                | (
                    "valueString",
                    ItemKind::String | ItemKind::Text | ItemKind::Url
                )
        )
    });
    let (new_key, value, shown) = match source {
        Some(item) => {
            let answer = checked_answer(item, typed, ENTER_A_VALUE, words)?;
            let (new_key, value) = observation_value(item, &answer)
                .ok_or_else(|| Phrase::said("edit-error-value-not-recordable"))?;
            (new_key, value, answer_words(&answer, item, words))
        }
        None => value_without_item(key, &edited.resource[key], typed, words)?,
    };
    if typed != current {
        if let Some(resource) = edited.resource.as_object_mut() {
            resource.retain(|name, _| !name.starts_with("value"));
        }
        edited.resource[new_key] = value;
        edited.summary = edited.summary.clone().with_value(shown);
        edited.changed.push(match new_key {
            "valueQuantity" => "valueQuantity.value",
            other => other,
        });
    }
    Ok(())
}

/// The value read by the kind of value the proposal holds, when no item says more.
fn value_without_item(
    key: &'static str,
    current: &Value,
    typed: &str,
    words: &dyn Translate,
) -> Result<(&'static str, Value, Phrase), Phrase> {
    if typed.is_empty() {
        return Err(Phrase::said(ENTER_A_VALUE));
    }
    match key {
        "valueInteger" => typed
            .parse::<i64>()
            .map(|n| (key, json!(n), Phrase::verbatim(typed)))
            .map_err(|_| Phrase::said("edit-error-whole-number")),
        "valueQuantity" => {
            let number = typed
                .replace(',', ".")
                .parse::<f64>()
                .ok()
                .filter(|n| n.is_finite())
                .ok_or_else(|| Phrase::said("edit-error-number"))?;
            let mut quantity = current.clone();
            quantity["value"] = json!(number);
            Ok((key, quantity, Phrase::verbatim(typed)))
        }
        _ => checked(None, typed, ENTER_A_VALUE, words).map(|shown| (key, json!(typed), shown)),
    }
}

/// Checks a typed text as `source`'s answer (or, without one, for being present and not too
/// long) and returns it as it reads back. `missing` is the message id for nothing typed.
fn checked(
    source: Option<&Item>,
    typed: &str,
    missing: &'static str,
    words: &dyn Translate,
) -> Result<Phrase, Phrase> {
    match source {
        Some(item) => checked_answer(item, typed, missing, words)
            .map(|answer| answer_words(&answer, item, words)),
        None if typed.is_empty() => Err(Phrase::said(missing)),
        None if typed.chars().count() > MAX_TEXT_CHARS => Err(Phrase::said("edit-error-too-long")),
        None => Ok(Phrase::verbatim(typed)),
    }
}

/// Reads `typed` as an answer to `item` and checks it as the form does: the first blocking
/// issue is the message (the form's own words for a pattern or a constraint, in `words`'
/// language).
fn checked_answer(
    item: &Item,
    typed: &str,
    missing: &'static str,
    words: &dyn Translate,
) -> Result<Answer, Phrase> {
    if typed.is_empty() {
        return Err(Phrase::said(missing));
    }
    let answer = parse_answer(item, typed).map_err(|problem| Phrase::Said(problem.message()))?;
    match check_item(item, std::slice::from_ref(&answer))
        .into_iter()
        .find(|issue| issue.blocks())
    {
        Some(issue) => Err(issue
            .kind
            .product_message()
            .map_or_else(|| Phrase::verbatim(issue.kind.message(words)), Phrase::Said)),
        None => Ok(answer),
    }
}

#[cfg(test)]
mod tests;
