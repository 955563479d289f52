//! Staff edits: each field checked as the form checked it, statuses in words, codes chosen.

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
        words: crate::domain::Ids::ENGLISH,
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
        EditField::Code => edit.code = typed,
        EditField::Status => edit.status = typed,
        EditField::ClinicalStatus => edit.clinical_status = typed,
        EditField::Verification => edit.verification = typed,
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
        crate::domain::Ids::ENGLISH,
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
    assert_eq!(
        summary_ids(&edited.summary),
        "change-summary-allergy(value: latex gloves)"
    );
    assert_eq!(edited.changed, ["code.text"]);
}

#[test]
fn an_edit_meets_the_limits_of_the_item_the_patient_answered() {
    let (form, change) = extracted("allergy", Answer::String("latex".into()));
    for (typed, message) in [
        ("", "edit-error-enter-what-it-is"),
        ("   ", "edit-error-enter-what-it-is"),
        ("latex and dust", "issue-too-long(max: 12)"),
        ("lat\0ex", CONTROL_CHARACTER_ID),
        ("\u{1b}[2Jlatex", CONTROL_CHARACTER_ID),
    ] {
        let errors = apply(&form, &change, "allergy", &edit(EditField::Text, typed)).unwrap_err();
        assert_eq!(
            refusals(&errors),
            [(EditField::Text, message.to_owned())],
            "{typed:?}"
        );
    }
    // Without the item, at least present and no longer than any answer may be.
    let long = "x".repeat(MAX_TEXT_CHARS + 1);
    assert!(
        apply_edit(
            change.resource_type,
            &change.resource,
            &ChangeSummary::verbatim(""),
            None,
            &edit(EditField::Text, &long),
            crate::domain::Ids::ENGLISH,
        )
        .is_err()
    );
}

#[test]
fn an_observation_value_is_read_and_bounded_as_the_form_reads_it() {
    let (form, change) = extracted("systolic", Answer::Integer(120));
    for (typed, message) in [
        ("abc", "input-whole-number"),
        ("400", "issue-above-max(max: 300)"),
        ("20", "issue-below-min(min: 50)"),
        ("", "edit-error-enter-a-value"),
    ] {
        let errors = apply(&form, &change, "systolic", &edit(EditField::Value, typed)).unwrap_err();
        assert_eq!(refusals(&errors)[0].1, message, "{typed:?}");
    }
    let edited = apply(&form, &change, "systolic", &edit(EditField::Value, "135")).unwrap();
    assert_eq!(edited.resource["valueInteger"], 135);
    assert_eq!(
        summary_ids(&edited.summary),
        "change-summary-observation(value: 135)"
    );
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
        crate::domain::Ids::ENGLISH,
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
            (EditField::Code, String::new()),
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
    let allergy = json!({ "resourceType": "AllergyIntolerance", "id": "a1", "code": { "text": "x" },
        "clinicalStatus": { "coding": [{ "code": "resolved" }] } });
    let fields = editable_fields(ResourceType::AllergyIntolerance, &allergy);
    assert_eq!(
        fields
            .iter()
            .map(|f| (f.field, f.current.as_str()))
            .collect::<Vec<_>>(),
        [(EditField::ClinicalStatus, "resolved")]
    );
    assert!(editable_fields(ResourceType::Patient, &json!({})).is_empty());
}

const RXNORM: &str = "http://www.nlm.nih.gov/research/umls/rxnorm";

#[test]
fn a_chosen_code_becomes_the_coding_and_the_patients_words_stay_as_text() {
    let (form, change) = extracted("medicine", Answer::String("my sugar pill".into()));
    let mut typed = edit(EditField::Code, &format!("{RXNORM}|6809|metformin"));
    typed.text = Some("my sugar pill".into());
    let edited = apply(&form, &change, "medicine", &typed).unwrap();
    assert_eq!(
        edited.resource["medicationCodeableConcept"],
        json!({ "text": "my sugar pill",
                "coding": [{ "system": RXNORM, "code": "6809", "display": "metformin" }] })
    );
    assert_eq!(edited.changed, ["medicationCodeableConcept.coding"]);
    assert_eq!(
        edited.summary, change.summary,
        "the summary keeps the words"
    );

    // Choosing no code takes the coding off again; the words stay.
    let uncoded = apply_edit(
        change.resource_type,
        &edited.resource,
        &edited.summary,
        form.item("medicine"),
        &edit(EditField::Code, ""),
        crate::domain::Ids::ENGLISH,
    )
    .unwrap();
    assert_eq!(
        uncoded.resource["medicationCodeableConcept"],
        json!({ "text": "my sugar pill" })
    );
}

#[test]
fn new_words_with_a_code_keep_the_code_and_new_words_alone_drop_it() {
    let (form, change) = extracted("allergy", Answer::String("latex".into()));
    let mut typed = edit(EditField::Text, "latex glove");
    typed.code = Some("http://snomed.info/sct|111088007|Latex".into());
    let coded = apply(&form, &change, "allergy", &typed).unwrap();
    assert_eq!(coded.resource["code"]["text"], "latex glove");
    assert_eq!(coded.resource["code"]["coding"][0]["code"], "111088007");
    assert_eq!(coded.changed, ["code.text", "code.coding"]);
    let fields = editable_fields(change.resource_type, &coded.resource);
    let code = fields.iter().find(|f| f.field == EditField::Code).unwrap();
    assert_eq!(code.current, "http://snomed.info/sct|111088007|Latex");

    let words_alone = apply_edit(
        change.resource_type,
        &coded.resource,
        &coded.summary,
        form.item("allergy"),
        &edit(EditField::Text, "latex"),
        crate::domain::Ids::ENGLISH,
    )
    .unwrap();
    assert_eq!(words_alone.resource["code"], json!({ "text": "latex" }));
}

#[test]
fn a_code_not_from_the_lists_systems_or_malformed_is_refused_beside_the_field() {
    let (form, change) = extracted("medicine", Answer::String("aspirin".into()));
    for typed in [
        "http://example.org/drugs|1|Aspirin",
        &format!("{RXNORM}|1191"),
        &format!("{RXNORM}|11 91|aspirin"),
        &format!("{RXNORM}||aspirin"),
        &format!("{RXNORM}|1191|  "),
    ] {
        let errors = apply(&form, &change, "medicine", &edit(EditField::Code, typed)).unwrap_err();
        assert_eq!(
            refusals(&errors),
            [(EditField::Code, "edit-error-code-not-listed".to_owned())],
            "{typed:?}"
        );
    }
}

#[test]
fn statuses_are_chosen_in_words_and_stored_as_their_codes() {
    let (form, change) = extracted("allergy", Answer::String("latex".into()));
    let fields = editable_fields(change.resource_type, &change.resource);
    let clinical = fields
        .iter()
        .find(|f| f.field == EditField::ClinicalStatus)
        .unwrap();
    assert_eq!(clinical.current, "active");
    assert_eq!(
        clinical
            .choices
            .iter()
            .map(|c| words().say(&c.words()))
            .collect::<Vec<_>>(),
        [
            "edit-allergy-clinical-active",
            "edit-allergy-clinical-inactive",
            "edit-allergy-clinical-resolved"
        ]
    );
    let mut typed = edit(EditField::ClinicalStatus, "resolved");
    typed.verification = Some("confirmed".into());
    let edited = apply(&form, &change, "allergy", &typed).unwrap();
    assert_eq!(
        edited.resource["clinicalStatus"]["coding"][0],
        json!({ "system": "http://terminology.hl7.org/CodeSystem/allergyintolerance-clinical",
                "code": "resolved", "display": "Resolved" })
    );
    assert_eq!(
        edited.resource["verificationStatus"]["coding"][0]["code"],
        "confirmed"
    );
    assert_eq!(edited.changed, ["clinicalStatus", "verificationStatus"]);

    let refused = apply(
        &form,
        &change,
        "allergy",
        &edit(EditField::Verification, "maybe"),
    )
    .unwrap_err();
    assert_eq!(refused[0].field, EditField::Verification);
    assert_eq!(refusals(&refused)[0].1, "edit-error-not-a-listed-status");
}

#[test]
fn an_entry_entered_in_error_loses_its_clinical_status() {
    let (form, change) = extracted("allergy", Answer::String("latex".into()));
    let edited = apply(
        &form,
        &change,
        "allergy",
        &edit(EditField::Verification, "entered-in-error"),
    )
    .unwrap();
    assert!(edited.resource.get("clinicalStatus").is_none());
    assert_eq!(edited.changed, ["verificationStatus", "clinicalStatus"]);
}

#[test]
fn medication_statuses_are_said_by_their_own_messages() {
    let said: Vec<_> = MEDICATION_STATUSES
        .iter()
        .map(|c| (c.code, words().say(&c.words())))
        .collect();
    assert_eq!(said[0], ("active", "edit-medication-active".to_owned()));
    assert!(said.contains(&("stopped", "edit-medication-stopped".to_owned())));
    assert_eq!(said.len(), 8, "every R4 MedicationStatement status");
}

/// What the core says, by message ids (the staff pages' English is `intake::i18n`'s test).
fn words() -> &'static dyn crate::domain::Translate {
    crate::domain::Ids::ENGLISH
}

/// What staff read beside each refused field, by message ids.
fn refusals(errors: &[EditError]) -> Vec<(EditField, String)> {
    errors
        .iter()
        .map(|e| (e.field, crate::domain::Ids::ENGLISH.phrase(&e.message)))
        .collect()
}

/// A summary by its message ids.
fn summary_ids(summary: &ChangeSummary) -> String {
    crate::domain::Ids::ENGLISH.phrase(summary.phrase())
}
