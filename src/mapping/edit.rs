//! Staff edits of a proposed change before they accept it: the key fields of each resource
//! type, checked the way the form checked the patient's answer (the originating item's type,
//! lengths, bounds and pattern), and at least never empty.

use serde_json::{Value, json};

use super::{ResourceType, extract::observation_value};
use crate::{
    engine::{Answer, MAX_TEXT_CHARS, check_item, parse_answer},
    forms::{Item, ItemKind},
};

/// A field staff may edit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EditField {
    /// What it is, in words: `code.text` (AllergyIntolerance, Condition) or
    /// `medicationCodeableConcept.text` (MedicationStatement).
    Text,
    /// `MedicationStatement.status`.
    Status,
    /// `Observation.value[x]`: a number or text.
    Value,
}

impl EditField {
    /// The form field's name.
    pub fn name(self) -> &'static str {
        match self {
            Self::Text => "text",
            Self::Status => "status",
            Self::Value => "value",
        }
    }
}

/// The statuses of an R4 MedicationStatement.
/// Spec: <https://hl7.org/fhir/R4/valueset-medication-statement-status.html>
pub const MEDICATION_STATUSES: [&str; 8] = [
    "active",
    "completed",
    "entered-in-error",
    "intended",
    "stopped",
    "on-hold",
    "unknown",
    "not-taken",
];

/// A field as the edit form shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EditableField {
    /// Which field.
    pub field: EditField,
    /// Its label.
    pub label: &'static str,
    /// Its value in the proposal.
    pub current: String,
    /// The allowed values, for a field with a fixed list; empty for free input.
    pub choices: &'static [&'static str],
}

/// What staff typed, by field; a field not sent is left as it is.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct ChangeEdit {
    /// The text of what it is.
    pub text: Option<String>,
    /// The medication's status.
    pub status: Option<String>,
    /// The observation's value.
    pub value: Option<String>,
}

/// Which fields were sent, never what was typed in them.
impl std::fmt::Debug for ChangeEdit {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let shown = |typed: &Option<String>| typed.as_ref().map(|_| "[redacted]");
        f.debug_struct("ChangeEdit")
            .field("text", &shown(&self.text))
            .field("status", &shown(&self.status))
            .field("value", &shown(&self.value))
            .finish()
    }
}

impl ChangeEdit {
    /// What was typed for `field`.
    pub fn get(&self, field: EditField) -> Option<&str> {
        match field {
            EditField::Text => self.text.as_deref(),
            EditField::Status => self.status.as_deref(),
            EditField::Value => self.value.as_deref(),
        }
    }
}

/// Why a typed value was refused, to show next to its field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EditError {
    /// The field.
    pub field: EditField,
    /// What to fix.
    pub message: String,
}

/// A change after an accepted edit.
#[derive(Debug, Clone, PartialEq)]
pub struct EditedChange {
    /// The resource to send instead.
    pub resource: Value,
    /// The new summary for staff.
    pub summary: String,
    /// The element paths that changed (for the audit event: paths, never values).
    pub changed: Vec<&'static str>,
}

/// The fields staff may edit on a proposed `resource_type` resource. A change that updates a
/// resource on the chart (it has the chart's id) offers only its status: its code is the chart's.
pub fn editable_fields(resource_type: ResourceType, resource: &Value) -> Vec<EditableField> {
    let new_entry = resource.get("id").is_none();
    let text = |concept: &Value| {
        concept["text"]
            .as_str()
            .or_else(|| concept["coding"][0]["display"].as_str())
            .unwrap_or_default()
            .to_owned()
    };
    let mut fields = Vec::new();
    match resource_type {
        ResourceType::AllergyIntolerance | ResourceType::Condition if new_entry => {
            fields.push(EditableField {
                field: EditField::Text,
                label: "What it is",
                current: text(&resource["code"]),
                choices: &[],
            });
        }
        ResourceType::MedicationStatement => {
            if new_entry {
                fields.push(EditableField {
                    field: EditField::Text,
                    label: "Medicine",
                    current: text(&resource["medicationCodeableConcept"]),
                    choices: &[],
                });
            }
            fields.push(EditableField {
                field: EditField::Status,
                label: "Status",
                current: resource["status"].as_str().unwrap_or_default().to_owned(),
                choices: &MEDICATION_STATUSES,
            });
        }
        ResourceType::Observation => {
            if let Some((_, current)) = observation_value_of(resource) {
                fields.push(EditableField {
                    field: EditField::Value,
                    label: "Value",
                    current,
                    choices: &[],
                });
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

/// What staff read beside a field that holds a control character (NUL, an escape).
pub const CONTROL_CHARACTER: &str =
    "This holds a character that cannot be saved (a control character); retype it.";

/// Applies `edit` to a proposed `resource_type` resource. `source` is the item whose answer it
/// came from, when known: the typed value is then read and checked as that item's answer.
/// Every refused field is reported, each with its message.
pub fn apply_edit(
    resource_type: ResourceType,
    resource: &Value,
    summary: &str,
    source: Option<&Item>,
    edit: &ChangeEdit,
) -> Result<EditedChange, Vec<EditError>> {
    let mut edited = EditedChange {
        resource: resource.clone(),
        summary: summary.to_owned(),
        changed: Vec::new(),
    };
    let mut errors = Vec::new();
    for field in editable_fields(resource_type, resource) {
        let Some(typed) = edit.get(field.field).map(str::trim) else {
            continue;
        };
        let outcome = match field.field {
            _ if crate::domain::has_control_character(typed) => Err(CONTROL_CHARACTER.to_owned()),
            EditField::Text => edit_text(resource_type, source, typed, &mut edited),
            EditField::Status => edit_status(typed, &mut edited),
            EditField::Value => edit_value(source, typed, &mut edited),
        };
        if let Err(message) = outcome {
            errors.push(EditError {
                field: field.field,
                message,
            });
        }
    }
    if errors.is_empty() {
        Ok(edited)
    } else {
        Err(errors)
    }
}

fn edit_text(
    resource_type: ResourceType,
    source: Option<&Item>,
    typed: &str,
    edited: &mut EditedChange,
) -> Result<(), String> {
    // A coded choice's text is checked as free text: staff may name what no option lists.
    let source = source.filter(|item| matches!(item.kind, ItemKind::String | ItemKind::Text));
    let shown = checked(source, typed, "Enter what this is.")?;
    let (element, path) = if resource_type == ResourceType::MedicationStatement {
        (
            "medicationCodeableConcept",
            "medicationCodeableConcept.text",
        )
    } else {
        ("code", "code.text")
    };
    if edited.resource[element]["text"].as_str() != Some(typed) {
        // The codings described the old text; the new text stands alone until coded.
        edited.resource[element] = json!({ "text": typed });
        edited.summary = relabel(&edited.summary, &shown);
        edited.changed.push(path);
    }
    Ok(())
}

fn edit_status(typed: &str, edited: &mut EditedChange) -> Result<(), String> {
    if !MEDICATION_STATUSES.contains(&typed) {
        return Err("Choose one of the listed statuses.".to_owned());
    }
    if edited.resource["status"].as_str() != Some(typed) {
        edited.resource["status"] = json!(typed);
        edited.changed.push("status");
    }
    Ok(())
}

fn edit_value(source: Option<&Item>, typed: &str, edited: &mut EditedChange) -> Result<(), String> {
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
            let answer = checked_answer(item, typed, "Enter a value.")?;
            let (new_key, value) =
                observation_value(item, &answer).ok_or("This value cannot be recorded.")?;
            (new_key, value, answer.display(item, "en"))
        }
        None => value_without_item(key, &edited.resource[key], typed)?,
    };
    if typed != current {
        if let Some(resource) = edited.resource.as_object_mut() {
            resource.retain(|name, _| !name.starts_with("value"));
        }
        edited.resource[new_key] = value;
        edited.summary = relabel(&edited.summary, &shown);
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
) -> Result<(&'static str, Value, String), String> {
    if typed.is_empty() {
        return Err("Enter a value.".to_owned());
    }
    match key {
        "valueInteger" => typed
            .parse::<i64>()
            .map(|n| (key, json!(n), typed.to_owned()))
            .map_err(|_| "Enter a whole number, like 3.".to_owned()),
        "valueQuantity" => {
            let number = typed
                .replace(',', ".")
                .parse::<f64>()
                .ok()
                .filter(|n| n.is_finite())
                .ok_or("Enter a number, like 72.5.")?;
            let mut quantity = current.clone();
            quantity["value"] = json!(number);
            Ok((key, quantity, typed.to_owned()))
        }
        _ => checked(None, typed, "Enter a value.").map(|shown| (key, json!(typed), shown)),
    }
}

/// Checks a typed text as `source`'s answer (or, without one, for being present and not too
/// long) and returns it as it reads back.
fn checked(source: Option<&Item>, typed: &str, missing: &str) -> Result<String, String> {
    match source {
        Some(item) => checked_answer(item, typed, missing).map(|answer| answer.display(item, "en")),
        None if typed.is_empty() => Err(missing.to_owned()),
        None if typed.chars().count() > MAX_TEXT_CHARS => {
            Err("This answer is too long; please shorten it.".to_owned())
        }
        None => Ok(typed.to_owned()),
    }
}

/// Reads `typed` as an answer to `item` and checks it as the form does: the first blocking
/// issue is the message.
fn checked_answer(item: &Item, typed: &str, missing: &str) -> Result<Answer, String> {
    if typed.is_empty() {
        return Err(missing.to_owned());
    }
    let answer = parse_answer(item, typed).map_err(|problem| problem.message("en").to_owned())?;
    match check_item(item, std::slice::from_ref(&answer))
        .into_iter()
        .find(|issue| issue.blocks())
    {
        Some(issue) => Err(issue.kind.message("en")),
        None => Ok(answer),
    }
}

/// `Allergy: latex` with a new value: the label stays.
fn relabel(summary: &str, shown: &str) -> String {
    match summary.split_once(": ") {
        Some((label, _)) => format!("{label}: {shown}"),
        None => shown.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use uuid::Uuid;

    use super::*;
    use crate::{
        engine::Answers,
        forms::{Form, load_yaml},
        mapping::{ExtractContext, ProposedChange, extract, source_item},
    };

    const FORM: &str = "\
id: e
version: '1'
title: Edits
sections:
  - id: s
    title: S
    items:
      - { id: allergy, type: string, text: Allergy, max_length: 12, extract: allergy-intolerance }
      - { id: medicine, type: string, text: Medicine, extract: medication-statement }
      - { id: systolic, type: integer, text: Systolic, min: 50, max: 300, extract: observation }
      - { id: weight, type: decimal, text: Weight, extract: observation }
";

    fn extracted(id: &str, answer: Answer) -> (Form, ProposedChange) {
        let form = load_yaml("e.yaml", FORM).unwrap();
        let mut answers = Answers::default();
        answers.set(id, vec![answer]);
        let context = ExtractContext {
            submission_id: Uuid::from_u128(9),
            patient_reference: "Patient/p",
            authored: "2026-11-22T10:00:00Z",
        };
        let change = extract(&form, &answers, &context).remove(1);
        let item = source_item(&form, &answers, context.submission_id, change.identifier);
        assert_eq!(
            item.map(|i| i.id.as_str()),
            Some(id),
            "the source item is found"
        );
        (form, change)
    }

    fn edit(field: EditField, typed: &str) -> ChangeEdit {
        let mut edit = ChangeEdit::default();
        let typed = Some(typed.to_owned());
        match field {
            EditField::Text => edit.text = typed,
            EditField::Status => edit.status = typed,
            EditField::Value => edit.value = typed,
        }
        edit
    }

    fn apply(
        form: &Form,
        change: &ProposedChange,
        item: &str,
        typed: &ChangeEdit,
    ) -> Result<EditedChange, Vec<EditError>> {
        apply_edit(
            change.resource_type,
            &change.resource,
            &change.summary,
            form.item(item),
            typed,
        )
    }

    #[test]
    fn an_edited_allergy_names_the_new_text_and_stays_unconfirmed() {
        let (form, change) = extracted("allergy", Answer::String("latex".into()));
        let edited = apply(
            &form,
            &change,
            "allergy",
            &edit(EditField::Text, " latex gloves "),
        )
        .unwrap();
        assert_eq!(edited.resource["code"], json!({ "text": "latex gloves" }));
        assert_eq!(
            edited.resource["verificationStatus"],
            change.resource["verificationStatus"]
        );
        assert_eq!(edited.summary, "Allergy: latex gloves");
        assert_eq!(edited.changed, ["code.text"]);
    }

    #[test]
    fn an_edit_meets_the_limits_of_the_item_the_patient_answered() {
        let (form, change) = extracted("allergy", Answer::String("latex".into()));
        for (typed, message) in [
            ("", "Enter what this is."),
            ("   ", "Enter what this is."),
            ("latex and dust", "Use at most 12 characters."),
            ("lat\0ex", CONTROL_CHARACTER),
            ("\u{1b}[2Jlatex", CONTROL_CHARACTER),
        ] {
            let errors =
                apply(&form, &change, "allergy", &edit(EditField::Text, typed)).unwrap_err();
            assert_eq!(
                errors,
                [EditError {
                    field: EditField::Text,
                    message: message.into()
                }],
                "{typed:?}"
            );
        }
        // Without the item, at least present and no longer than any answer may be.
        let long = "x".repeat(MAX_TEXT_CHARS + 1);
        assert!(
            apply_edit(
                change.resource_type,
                &change.resource,
                "",
                None,
                &edit(EditField::Text, &long)
            )
            .is_err()
        );
    }

    #[test]
    fn an_observation_value_is_read_and_bounded_as_the_form_reads_it() {
        let (form, change) = extracted("systolic", Answer::Integer(120));
        for (typed, message) in [
            ("abc", "Enter a whole number, like 3."),
            ("400", "This answer is larger than allowed."),
            ("20", "This answer is smaller than allowed."),
            ("", "Enter a value."),
        ] {
            let errors =
                apply(&form, &change, "systolic", &edit(EditField::Value, typed)).unwrap_err();
            assert_eq!(errors[0].message, message, "{typed:?}");
        }
        let edited = apply(&form, &change, "systolic", &edit(EditField::Value, "135")).unwrap();
        assert_eq!(edited.resource["valueInteger"], 135);
        assert_eq!(edited.summary, "Observation: 135");
        assert_eq!(edited.changed, ["valueInteger"]);
    }

    #[test]
    fn a_decimal_observation_keeps_its_quantity_shape() {
        let (form, change) = extracted("weight", Answer::Decimal("70.5".into()));
        let edited = apply(&form, &change, "weight", &edit(EditField::Value, "71,2")).unwrap();
        assert_eq!(edited.resource["valueQuantity"], json!({ "value": 71.2 }));
        let without_item = apply_edit(
            change.resource_type,
            &change.resource,
            &change.summary,
            None,
            &edit(EditField::Value, "72"),
        )
        .unwrap();
        assert_eq!(without_item.resource["valueQuantity"]["value"], 72.0);
    }

    #[test]
    fn a_medication_status_is_one_of_the_fhir_statuses() {
        let (form, change) = extracted("medicine", Answer::String("ibuprofen".into()));
        let fields: Vec<_> = editable_fields(change.resource_type, &change.resource)
            .into_iter()
            .map(|f| (f.field, f.current))
            .collect();
        assert_eq!(
            fields,
            [
                (EditField::Text, "ibuprofen".to_owned()),
                (EditField::Status, "active".to_owned())
            ]
        );
        assert!(
            apply(
                &form,
                &change,
                "medicine",
                &edit(EditField::Status, "paused")
            )
            .is_err()
        );
        let edited = apply(
            &form,
            &change,
            "medicine",
            &edit(EditField::Status, "stopped"),
        )
        .unwrap();
        assert_eq!(edited.resource["status"], "stopped");
        assert_eq!(
            edited.summary, change.summary,
            "the summary names the medicine"
        );
        assert_eq!(edited.changed, ["status"]);
    }

    #[test]
    fn an_update_of_a_chart_entry_offers_only_its_status_and_other_types_nothing() {
        let update = json!({ "resourceType": "MedicationStatement", "id": "m1", "status": "stopped",
            "medicationCodeableConcept": { "text": "aspirin" } });
        let fields = editable_fields(ResourceType::MedicationStatement, &update);
        assert_eq!(fields.len(), 1);
        assert_eq!(fields[0].field, EditField::Status);
        let allergy =
            json!({ "resourceType": "AllergyIntolerance", "id": "a1", "code": { "text": "x" } });
        assert!(editable_fields(ResourceType::AllergyIntolerance, &allergy).is_empty());
        assert!(editable_fields(ResourceType::Patient, &json!({})).is_empty());
    }
}
