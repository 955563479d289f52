//! HL7 SDC interchange: forms exported as R4 SDC Questionnaires, and Questionnaires imported as
//! forms (through the YAML language of `docs/forms.md`, so every import is a valid form file).
//!
//! Ids: a `linkId` that is not a valid item id (letters, digits, `_`) is mapped by
//! [`map_link_id`] (`-`, `.`, `/` and other characters become `_`, a leading digit gets `q_`),
//! consistently for the item and `enableWhen.question`. The item keeps the original as its
//! `link_id`, which exports and QuestionnaireResponses use, and so does `%resource` (the
//! response so far) inside Intake: `linkId='...'` literals in expressions stay as written.
//!
//! Expressions are kept as written, with three repairs: the answer paths SDC uses
//! (`%resource.item.where(linkId='x').answer.value`, `%resource.repeat(item)...`, and
//! `item.where(linkId='x').answer.value` from the response root) become Intake's `%x`; a
//! backslash that starts no FHIRPath escape in a string (`'\d'` in a regex) is doubled; and an
//! item-level `variable` becomes a form variable (evaluated on its item through
//! `%resource.repeat(item).where(linkId = 'x').select(...)` when it navigates from its focus);
//! inside a repeating group it becomes a variable of the group, worked out in each instance.
//!
//! Structure: top-level groups become sections when they carry nothing a section cannot hold;
//! other top-level items are gathered into page-only sections `section_N` titled like the form,
//! which exports and responses leave out. Items nested under a question (`answer.item`) follow
//! it as siblings `child_of` it, and exports and responses nest them again; display children of
//! a question become its help. So a response has its Questionnaire's exact item structure, which
//! [`validate_response`] checks. String, integer, date and time items with an answer list become
//! choices whose options keep their type (`value_type`), so expressions see the value and
//! responses answer `valueInteger`..., as the Questionnaire wrote it. Presentation-only
//! extensions (itemControl other than help, entryFormat, choiceOrientation, ...) are dropped;
//! features that change behaviour Intake lacks are refused by name ([`ImportError`]).

mod bindings;
mod export;
mod extensions;
mod extraction;
mod import;
mod item;
mod json_out;
mod nesting;
mod validate;
mod value_sets;
mod yaml_out;

pub use bindings::with_answer_variables;
pub use export::export;
pub use import::{Imported, import, import_with, import_yaml, import_yaml_with};
pub use json_out::to_pretty_json;
pub use nesting::{nest_children, push_item};
pub use validate::{ResponseIssue, ShapeError, validate_response};
pub use value_sets::{
    NoValueSets, ValueSetError, ValueSetFailure, ValueSetSource, external_value_sets,
};
pub use yaml_out::to_yaml;

use super::LoadError;

pub(crate) mod url {
    pub const TRANSLATION: &str = "http://hl7.org/fhir/StructureDefinition/translation";
    pub const ITEM_WEIGHT: &str = "http://hl7.org/fhir/StructureDefinition/itemWeight";
    pub const ORDINAL_VALUE: &str = "http://hl7.org/fhir/StructureDefinition/ordinalValue";
    pub const VARIABLE: &str = "http://hl7.org/fhir/StructureDefinition/variable";
    pub const MIN_VALUE: &str = "http://hl7.org/fhir/StructureDefinition/minValue";
    pub const MAX_VALUE: &str = "http://hl7.org/fhir/StructureDefinition/maxValue";
    pub const MIN_LENGTH: &str = "http://hl7.org/fhir/StructureDefinition/minLength";
    pub const REGEX: &str = "http://hl7.org/fhir/StructureDefinition/regex";
    pub const VALIDATION_MESSAGE: &str =
        "http://hl7.org/fhir/StructureDefinition/questionnaire-validationMessage";
    pub const MIN_OCCURS: &str = "http://hl7.org/fhir/StructureDefinition/questionnaire-minOccurs";
    pub const MAX_OCCURS: &str = "http://hl7.org/fhir/StructureDefinition/questionnaire-maxOccurs";
    pub const HIDDEN: &str = "http://hl7.org/fhir/StructureDefinition/questionnaire-hidden";
    /// The unit of an integer or decimal item.
    pub const UNIT: &str = "http://hl7.org/fhir/StructureDefinition/questionnaire-unit";
    /// A unit a quantity item accepts (`questionnaire-unit` is for integer and decimal only).
    pub const UNIT_OPTION: &str =
        "http://hl7.org/fhir/StructureDefinition/questionnaire-unitOption";
    pub const ITEM_CONTROL: &str =
        "http://hl7.org/fhir/StructureDefinition/questionnaire-itemControl";
    pub const TARGET_CONSTRAINT: &str = "http://hl7.org/fhir/StructureDefinition/targetConstraint";
    pub const SDC: &str = "http://hl7.org/fhir/uv/sdc/StructureDefinition/sdc-questionnaire-";
    pub const OLD_INITIAL_EXPRESSION: &str =
        "http://hl7.org/fhir/StructureDefinition/questionnaire-initialExpression";
    /// Intake's own extensions (flags, extraction) live under `https://intake.example/fhir/`.
    pub const FLAG: &str = "https://intake.example/fhir/StructureDefinition/flag";
    /// The languages a form declares, one extension per language, in order.
    pub const LANGUAGES: &str = "https://intake.example/fhir/StructureDefinition/languages";
    pub const EXTRACT: &str = "https://intake.example/fhir/StructureDefinition/extract";
    /// A group asking about each entry of a kind on file (`on_file`); its questions are built in.
    pub const ON_FILE: &str = "https://intake.example/fhir/StructureDefinition/on-file";
    /// The media types an attachment item takes, one extension per type (valueCode).
    pub const MIME_TYPE: &str = "http://hl7.org/fhir/StructureDefinition/mimeType";
    /// The largest file an attachment item takes, in bytes (valueDecimal).
    pub const MAX_SIZE: &str = "http://hl7.org/fhir/StructureDefinition/maxSize";
    /// A consent item: the version of its text and the item that signs it.
    pub const CONSENT: &str = "https://intake.example/fhir/StructureDefinition/consent";
    /// What a patient who raised a flag meant for them is told to do now (`crisis`).
    pub const CRISIS: &str = "https://intake.example/fhir/StructureDefinition/crisis";
    /// The most chart changes one submission may propose (`max_changes`), a valueInteger.
    pub const MAX_CHANGES: &str = "https://intake.example/fhir/StructureDefinition/max-changes";
    /// Who the form's urgent flags alert (`notify`), one extension per contact.
    pub const NOTIFY: &str = "https://intake.example/fhir/StructureDefinition/notify";
    /// A score's band, one extension per band: `min`, `max` (valueDecimal), `label`, `meaning`.
    pub const SCORE_BAND: &str = "https://intake.example/fhir/StructureDefinition/score-band";
    /// The normal answer of a screening question: a valueBoolean, or one valueCode per code.
    pub const NORMAL_ANSWER: &str = "https://intake.example/fhir/StructureDefinition/normal-answer";
    /// Who besides the clinician reads the item's answers (valueCode `staff`).
    pub const AUDIENCE: &str = "https://intake.example/fhir/StructureDefinition/audience";
    /// The front desk's words for a notable answer.
    pub const STAFF_MARKER: &str = "https://intake.example/fhir/StructureDefinition/staff-marker";
    /// The yes/no item asking whether the patient wants an interpreter.
    pub const INTERPRETER: &str =
        "https://intake.example/fhir/StructureDefinition/interpreter-question";
    /// The HTML `autocomplete` token of an item (valueCode). SDC has no standard extension
    /// for it (issue 17).
    pub const AUTOCOMPLETE: &str = "https://intake.example/fhir/StructureDefinition/autocomplete";
    /// The HTML `inputmode` of an item (valueCode).
    pub const INPUT_MODE: &str = "https://intake.example/fhir/StructureDefinition/inputmode";
}

/// Why a Questionnaire could not be imported.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ImportError {
    /// It uses an SDC feature Intake does not support.
    #[error("{}{feature} is not supported", item.as_ref().map(|i| format!("item `{i}`: ")).unwrap_or_default())]
    Unsupported {
        /// The item's original `linkId`, when the feature is on an item.
        item: Option<String>,
        /// The feature, named as SDC names it.
        feature: String,
    },
    /// An `answerValueSet` outside the Questionnaire that no source could expand.
    #[error("{}no answer list for the value set {url}: {error}", item.as_ref().map(|i| format!("item `{i}`: ")).unwrap_or_default())]
    ValueSet {
        /// The item's original `linkId`.
        item: Option<String>,
        /// The value set's canonical URL.
        url: String,
        /// Why no source expanded it.
        error: ValueSetError,
    },
    /// It is not a valid Questionnaire.
    #[error("not a valid Questionnaire: {0}")]
    Invalid(String),
    /// The form it became does not compile (a bug in the importer or an invalid expression).
    #[error("the imported form does not compile: {0}")]
    Compile(Box<LoadError>),
}

impl ImportError {
    /// The unsupported feature (without the item), for tallies; `None` for other errors.
    pub fn feature(&self) -> String {
        match self {
            Self::Unsupported { feature, .. } => {
                // Without the names in backquotes, so that equal features tally together.
                let mut plain = String::new();
                for (i, part) in feature.split('`').enumerate() {
                    if i % 2 == 0 {
                        plain.push_str(part);
                    }
                }
                let words = plain.split_whitespace().collect::<Vec<_>>().join(" ");
                words.trim_end_matches(':').to_owned()
            }
            Self::ValueSet { error, .. } => match error.failure {
                ValueSetFailure::Unknown => "answerValueSet (a value set no source knows)",
                ValueSetFailure::NotExpandable => {
                    "answerValueSet (a value set only a terminology server expands)"
                }
                ValueSetFailure::Server => "answerValueSet (the terminology server failed)",
                ValueSetFailure::TooLarge | ValueSetFailure::SearchedOnServer => {
                    "answerValueSet (a value set too large for a list)"
                }
            }
            .to_owned(),
            Self::Invalid(_) => "invalid Questionnaire".to_owned(),
            Self::Compile(error) if error.message.starts_with("in FHIRPath") => {
                "an invalid FHIRPath expression".to_owned()
            }
            Self::Compile(error) => format!("does not compile: {}", error.message),
        }
    }
}

/// The item id a `linkId` becomes: unchanged when it is already a valid id; otherwise every
/// character other than a letter, digit or `_` becomes `_`, and a leading digit or `_` gets a
/// `q` prefix (`/44250-9` → `q_44250_9`, `H1/T1` → `H1_T1`).
pub fn map_link_id(link_id: &str) -> String {
    let mut id: String = link_id
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect();
    if id.is_empty() {
        return "q_".to_owned();
    }
    if id.starts_with(|c: char| c.is_ascii_digit()) {
        id.insert_str(0, "q_");
    } else if id.starts_with('_') {
        id.insert(0, 'q');
    }
    id
}

/// A constraint id as the `key` of a `targetConstraint`, which is a FHIR `id`
/// (`[A-Za-z0-9\-\.]{1,64}`, no `_`). Constraint ids are letters, digits and `_`, so writing `_`
/// as `-` loses nothing and [`constraint_id`] reads it back.
/// Spec: <https://hl7.org/fhir/R4/datatypes.html#id>
pub(crate) fn constraint_key(id: &str) -> String {
    id.replace('_', "-")
}

/// A `targetConstraint` key as a constraint id: `-`, `.` (and anything else but letters and
/// digits) become `_`.
pub(crate) fn constraint_id(key: &str) -> String {
    key.chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::map_link_id;

    #[test]
    fn link_ids_map_to_item_ids() {
        assert_eq!(map_link_id("smoker"), "smoker");
        assert_eq!(map_link_id("/44250-9"), "q_44250_9");
        assert_eq!(map_link_id("H1/T1"), "H1_T1");
        assert_eq!(map_link_id("1.2"), "q_1_2");
    }

    #[test]
    fn answer_paths_become_item_names_and_link_id_literals_stay() {
        let q = serde_json::json!({"resourceType": "Questionnaire", "status": "active", "item": [
            {"linkId": "a-1", "type": "integer", "text": "A"},
            {"linkId": "b", "type": "integer", "text": "B", "extension": [{
                "url": "http://hl7.org/fhir/uv/sdc/StructureDefinition/sdc-questionnaire-calculatedExpression",
                "valueExpression": {"language": "text/fhirpath",
                    "expression": "%resource.item.where(linkId='a-1').answer.value + 1"}}]},
            {"linkId": "c", "type": "string", "text": "C", "extension": [{
                "url": "http://hl7.org/fhir/uv/sdc/StructureDefinition/sdc-questionnaire-enableWhenExpression",
                "valueExpression": {"language": "text/fhirpath",
                    "expression": "%resource.item.where(linkId='a-1').exists() and 'x'.matches('\\d')"}}]},
        ]});
        let form = super::import(&q).unwrap();
        let b = form.item("b").unwrap();
        assert_eq!(b.calculated.as_ref().unwrap().source(), "%a_1 + 1");
        let c = form.item("c").unwrap();
        let Some(crate::forms::EnableWhen::Expression(e)) = &c.enable_when else {
            panic!("{:?}", c.enable_when)
        };
        assert_eq!(
            e.source(),
            "%resource.item.where(linkId='a-1').exists() and 'x'.matches('\\\\d')"
        );
    }

    #[test]
    fn an_import_exports_with_the_questionnaires_top_level_items_link_ids_nesting_and_options() {
        let q = serde_json::json!({"resourceType": "Questionnaire", "status": "active", "item": [
            {"linkId": "/a-1", "type": "boolean", "text": "A"},
            {"linkId": "b", "type": "string", "text": "B", "extension": [{
                "url": "http://hl7.org/fhir/uv/sdc/StructureDefinition/sdc-questionnaire-enableWhenExpression",
                "valueExpression": {"language": "text/fhirpath",
                    "expression": "%resource.item.where(linkId='/a-1').exists()"}}]},
            {"linkId": "q", "type": "choice", "text": "Q",
                "answerOption": [{"valueString": "x"}, {"valueCoding": {"code": "y"}}],
                "item": [{"linkId": "q.1", "type": "string", "text": "Why?"}]},
        ]});
        let form = super::import(&q).unwrap();
        assert!(form.sections[0].page_only, "{:?}", form.sections[0].id);
        let a = form.item("q_a_1").unwrap();
        assert_eq!(a.link_id(), "/a-1");
        assert_eq!(form.item("q_1").unwrap().child_of.as_deref(), Some("q"));
        let exported = super::export(&form);
        let items = exported["item"].as_array().unwrap();
        let top: Vec<&str> = items.iter().filter_map(|i| i["linkId"].as_str()).collect();
        assert_eq!(top, ["/a-1", "b", "q"], "no page of its own");
        assert_eq!(
            items[2]["item"][0]["linkId"], "q.1",
            "nested under its question"
        );
        assert_eq!(
            items[2]["answerOption"],
            serde_json::json!([{"valueString": "x"}, {"valueCoding": {"code": "y", "display": "y"}}])
        );
        let expression = items[1]["extension"][0]["valueExpression"]["expression"].as_str();
        assert_eq!(
            expression,
            Some("%resource.item.where(linkId='/a-1').exists()")
        );
        assert!(
            super::import(&exported).unwrap() == form,
            "the export imports back the same"
        );
    }

    const FORM: &str = "\
id: t
version: '1'
title: T
sections:
  - id: s
    title: S
    items:
      - id: age
        type: integer
        text: Age
        constraints:
          - { id: not_negative, expression: '%age >= 0', message: Not negative }
        flags:
          - { id: very_old, when: '%age > 120', message: Check, severity: warning }
";

    #[test]
    fn constraint_ids_export_as_fhir_ids_and_flag_ids_as_strings_and_both_read_back() {
        let form = crate::forms::load_yaml("t.yaml", FORM).unwrap();
        let exported = super::export(&form);
        let extensions = exported["item"][0]["item"][0]["extension"].to_string();
        // A FHIR `id` is `[A-Za-z0-9\-\.]{1,64}`: no `_`.
        assert!(
            extensions.contains(r#"{"url":"key","valueId":"not-negative"}"#),
            "{extensions}"
        );
        assert!(
            extensions.contains(r#"{"url":"id","valueString":"very_old"}"#),
            "{extensions}"
        );
        let imported = super::import(&exported).unwrap();
        assert!(imported == form, "the round trip keeps both ids");
        assert_eq!(super::constraint_id("pat-pcode.1"), "pat_pcode_1");
        // So the mapping stays reversible, a form's constraint ids have no `-`.
        let dashed = FORM.replace("id: not_negative", "id: not-negative");
        let refused = crate::forms::load_yaml("t.yaml", &dashed).unwrap_err();
        assert!(
            refused.to_string().contains("a constraint id uses only"),
            "{refused}"
        );
    }
}
