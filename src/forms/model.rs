//! The compiled form model: what YAML forms and imported SDC Questionnaires both become.

use std::fmt;

use ring::digest;
use serde::{Deserialize, Serialize};

use super::Text;

/// A form's id, as designers name it in `forms/<id>.yaml` (letters, digits, `-`, `_`).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct FormId(String);

impl FormId {
    /// Accepts an id made of ASCII letters, digits, `-` and `_`.
    pub fn parse(raw: &str) -> Option<Self> {
        let ok = !raw.is_empty()
            && raw.len() <= 64
            && raw
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
        ok.then(|| Self(raw.to_owned()))
    }

    /// The id's text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for FormId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// The SHA-256 of a compiled form. Drafts and submissions pin it, so an answer is always read
/// against the exact form the patient saw.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct ContentHash(String);

impl ContentHash {
    /// The hex digest.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Wraps a digest read back from storage.
    pub fn from_stored(hex: String) -> Self {
        Self(hex)
    }
}

/// A compiled form.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Form {
    /// The form's id.
    pub id: FormId,
    /// The designer's version label.
    pub version: String,
    /// The canonical URL a QuestionnaireResponse names in `questionnaire`.
    pub url: String,
    /// The title patients see.
    pub title: Text,
    /// Pages, in order.
    pub sections: Vec<Section>,
    /// Hash of everything above.
    #[serde(skip)]
    pub content_hash: ContentHash,
}

impl Form {
    /// Builds a form and computes its content hash.
    pub fn new(
        id: FormId,
        version: String,
        url: String,
        title: Text,
        sections: Vec<Section>,
    ) -> Self {
        let mut form = Self {
            id,
            version,
            url,
            title,
            sections,
            content_hash: ContentHash(String::new()),
        };
        form.content_hash = form.compute_hash();
        form
    }

    fn compute_hash(&self) -> ContentHash {
        // Serializing the model (BTreeMaps, no hash maps) is deterministic, so equal forms hash
        // equally however their YAML was laid out.
        let canonical = serde_json::to_vec(self).unwrap_or_default();
        let digest = digest::digest(&digest::SHA256, &canonical);
        ContentHash(digest.as_ref().iter().map(|b| format!("{b:02x}")).collect())
    }

    /// Every item, page by page.
    pub fn items(&self) -> impl Iterator<Item = &Item> {
        self.sections.iter().flat_map(|s| s.items.iter())
    }

    /// The item with this id.
    pub fn item(&self, id: &str) -> Option<&Item> {
        self.items().find(|item| item.id == id)
    }
}

/// One page of a form.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Section {
    /// The section's id.
    pub id: String,
    /// Its heading.
    pub title: Text,
    /// Its questions, in order.
    pub items: Vec<Item>,
}

/// One question (or display text) on a form.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Item {
    /// The item's id (the SDC `linkId`).
    pub id: String,
    /// What kind of answer it takes.
    pub kind: ItemKind,
    /// The question.
    pub text: Text,
    /// Help shown under the question.
    pub help: Option<Text>,
    /// Whether an answer is needed to submit.
    pub required: bool,
    /// Whether it takes more than one answer.
    pub repeats: bool,
    /// The choices, for choice items.
    pub options: Vec<AnswerOption>,
    /// Codes naming the question (LOINC, SNOMED CT).
    pub codes: Vec<Coding>,
    /// Which chart resource its answers become, if any.
    pub extract: Option<ExtractHook>,
}

/// The answer types the walking skeleton renders; the rest of SDC's types come with the form language.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ItemKind {
    /// Text only, no answer.
    Display,
    /// Yes or no.
    Boolean,
    /// A whole number.
    Integer,
    /// A number with a fraction.
    Decimal,
    /// A calendar date.
    Date,
    /// One line of text.
    String,
    /// Several lines of text.
    Text,
    /// One (or, repeating, several) of the listed options.
    Choice,
}

/// A choice a patient can pick.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AnswerOption {
    /// The code stored and sent to the chart.
    pub code: String,
    /// The code system, when the code comes from one.
    pub system: Option<String>,
    /// The label patients see.
    pub display: Text,
}

/// A code from a code system.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Coding {
    /// The code system URI.
    pub system: String,
    /// The code.
    pub code: String,
    /// How the code system names it.
    #[serde(default)]
    pub display: Option<String>,
}

/// Where extraction sends an item's answers: each answer becomes one resource of this type.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ExtractHook {
    /// An `AllergyIntolerance` the patient reports.
    AllergyIntolerance,
    /// A `MedicationStatement` the patient reports.
    MedicationStatement,
    /// A `Condition` the patient reports.
    Condition,
}
