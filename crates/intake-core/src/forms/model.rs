//! The compiled form model: what YAML forms and imported SDC Questionnaires both become.

use std::{
    any::Any,
    collections::BTreeMap,
    fmt,
    sync::{Arc, OnceLock},
};

use ring::digest;
use serde::{Deserialize, Serialize, Serializer};

use super::Text;
use crate::fhirpath::{CompiledExpression, compile};

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

/// A FHIRPath expression, compiled once when the form is compiled, with the `%`-variables it
/// reads (so the engine re-evaluates it only when one of them changed).
#[derive(Clone)]
pub struct Expression(Arc<Compiled>);

struct Compiled {
    expression: CompiledExpression,
    reads: Vec<String>,
}

impl Expression {
    /// Compiles `source`.
    pub fn compile(source: &str) -> Result<Self, crate::fhirpath::Error> {
        let expression = compile(source)?;
        let reads = crate::fhirpath::analysis::analyze(source)
            .variable_names()
            .into_iter()
            .map(str::to_owned)
            .collect();
        Ok(Self(Arc::new(Compiled { expression, reads })))
    }

    /// The compiled expression.
    pub fn compiled(&self) -> &CompiledExpression {
        &self.0.expression
    }

    /// The `%`-variables it reads.
    pub fn reads(&self) -> &[String] {
        &self.0.reads
    }

    /// An identity for caching: the same for clones of one compiled expression.
    pub fn identity(&self) -> usize {
        Arc::as_ptr(&self.0) as usize
    }

    /// The source text.
    pub fn source(&self) -> &str {
        self.0.expression.source()
    }
}

impl fmt::Debug for Expression {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Expression({:?})", self.source())
    }
}

impl PartialEq for Expression {
    fn eq(&self, other: &Self) -> bool {
        self.source() == other.source()
    }
}

impl Serialize for Expression {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.source())
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
    /// What the form is for.
    pub description: Option<Text>,
    /// The languages every text has; the first is the fallback.
    pub languages: Vec<String>,
    /// Named expressions usable as `%name`.
    pub variables: Vec<Variable>,
    /// The most chart changes one submission may propose (`max_changes:`); unset,
    /// [`DEFAULT_MAX_CHANGES`]. Left out of the hash when unset, so forms written before it
    /// keep theirs.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_changes: Option<u32>,
    /// Pages, in order.
    pub sections: Vec<Section>,
    /// What a patient who raised a flag meant for them is told to do now (call or text 988,
    /// or 911): the form's own words, in its languages.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub crisis: Option<Text>,
    /// Who the form's urgent flags alert (unless a flag names its own), instead of
    /// `INTAKE_URGENT_CONTACT`.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub notify: Vec<crate::domain::UrgentContact>,
    /// The launch context the form declares besides `%patient` and `%appointment` (SDC
    /// `launchContext`): `%user`, `%encounter`, or any name a Questionnaire gives. Left out of
    /// the hash when empty, as are the two below.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub launch: Vec<LaunchName>,
    /// The EHR searches whose results expressions read by name (SDC `x-fhir-query` variables
    /// and `sourceQueries`): run once when a draft starts and kept with the chart read.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub queries: Vec<Query>,
    /// Resources the Questionnaire contained other than its value sets (extraction templates,
    /// data its expressions look up through `%questionnaire.contained`), kept as written.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub contained: Vec<serde_json::Value>,
    /// Where the whole response makes a resource by definition-based extraction (SDC
    /// `itemExtractionContext` on the Questionnaire). Left out of the hash when unset.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub extraction_context: Option<ExtractionContext>,
    /// Hash of everything above.
    #[serde(skip)]
    pub content_hash: ContentHash,
    /// What the engine works out once from the form and keeps for every evaluation.
    #[serde(skip)]
    pub prepared: Prepared,
}

/// What the engine works out once per form (each option's FHIR coding, which context the
/// expressions read, the form as a Questionnaire) and keeps with it, so a save does not work
/// it out again. Its type is the engine's own, so the form model does not depend on the engine.
///
/// A clone starts empty: a clone may then be changed, and what was worked out from the
/// original would no longer hold. Two forms compare equal whatever either has worked out.
#[derive(Default)]
pub struct Prepared(OnceLock<Arc<dyn Any + Send + Sync>>);

impl Prepared {
    /// What `prepare` makes of the form, made on the first call and kept; `None` when what
    /// is kept is of another type than `T`.
    pub fn get_or_init<T: Any + Send + Sync>(&self, prepare: impl FnOnce() -> T) -> Option<Arc<T>> {
        Arc::clone(self.0.get_or_init(|| Arc::new(prepare())))
            .downcast::<T>()
            .ok()
    }
}

impl Clone for Prepared {
    fn clone(&self) -> Self {
        Self::default()
    }
}

impl PartialEq for Prepared {
    fn eq(&self, _: &Self) -> bool {
        true
    }
}

impl fmt::Debug for Prepared {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(if self.0.get().is_some() {
            "Prepared"
        } else {
            "Prepared(not yet)"
        })
    }
}

/// A launch context name and the resource types it may hold (SDC `launchContext`). The
/// patient pages bind a name whose type is `Patient` (and `user`: the patient fills in their own
/// form) to the patient, `Appointment` to the appointment, and any other to nothing, so an
/// expression reading it gives no value rather than an error.
/// Spec: <https://hl7.org/fhir/uv/sdc/STU3/StructureDefinition-sdc-questionnaire-launchContext.html>
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LaunchName {
    /// The `%` name.
    pub name: String,
    /// The resource types it may hold (`Patient`, `Practitioner`...).
    #[serde(rename = "type", default)]
    pub types: Vec<String>,
}

impl LaunchName {
    /// Whether, in the patient pages, this name is the patient: it may hold a Patient, or it
    /// is `user` (whoever fills in the form) with no type said.
    pub fn is_patient(&self) -> bool {
        self.types.iter().any(|t| t == "Patient") || (self.name == "user" && self.types.is_empty())
    }
}

/// Where definition-based extraction makes a resource (SDC `itemExtractionContext`): a new one
/// of a type (`resource`, the extension's `valueCode`), or those an expression gives, to update
/// (`expression`, its `valueExpression`; a type's name there makes a new one too). Exactly one
/// is set; the loader checks that the resource is one Intake posts.
/// Spec: <https://build.fhir.org/ig/HL7/sdc/StructureDefinition-sdc-questionnaire-itemExtractionContext.html>
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExtractionContext {
    /// The type of the resource made.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resource: Option<String>,
    /// FHIRPath giving the resources to update.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expression: Option<String>,
}

/// An EHR search a form's expressions read the result of, as `%name`.
/// Spec: <https://hl7.org/fhir/uv/sdc/STU3/populate.html#query-based-population>
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Query {
    /// The `%` name of the result.
    pub name: String,
    /// What is searched.
    #[serde(flatten)]
    pub kind: QueryKind,
}

/// One search, or a batch of them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum QueryKind {
    /// An `x-fhir-query` variable: `Observation?code=8302-2&patient={{%patient.id}}`, whose
    /// result is a searchset Bundle.
    Search(String),
    /// `sourceQueries`: the searches of a batch Bundle, whose result is a batch-response
    /// Bundle with one entry per search, in order.
    Batch(Vec<String>),
}

impl Query {
    /// The search URLs, with their `{{FHIRPath}}` parts not yet filled in.
    pub fn templates(&self) -> &[String] {
        match &self.kind {
            QueryKind::Search(url) => std::slice::from_ref(url),
            QueryKind::Batch(urls) => urls,
        }
    }
}

/// The most chart changes one submission proposes when its form does not say: enough for a
/// long medication list, few enough that one submission cannot flood the review queue.
pub const DEFAULT_MAX_CHANGES: u32 = 50;

/// The highest `max_changes:` a form may set.
pub const MAX_CHANGES_CEILING: u32 = 500;

impl Form {
    /// The language the pages of this form speak to a patient who asked for `asked`: that
    /// one if the form offers it, else the form's first (its fallback).
    pub fn answered_in<'a>(&'a self, asked: &'a str) -> &'a str {
        if self.languages.iter().any(|l| l == asked) {
            asked
        } else {
            self.languages.first().map_or("en", String::as_str)
        }
    }

    /// The flag declared with this id, wherever it is.
    pub fn flag(&self, id: &str) -> Option<&Flag> {
        self.items()
            .flat_map(|item| &item.flags)
            .find(|f| f.id == id)
    }

    /// The most chart changes one submission of this form may propose.
    pub fn change_limit(&self) -> u32 {
        self.max_changes.unwrap_or(DEFAULT_MAX_CHANGES)
    }

    /// Computes the content hash of a form assembled by a front end.
    pub fn seal(mut self) -> Self {
        // Serializing the model (vectors and BTreeMaps only) is deterministic, so equal forms
        // hash equally however their source was laid out.
        let canonical = serde_json::to_vec(&self).unwrap_or_default();
        let digest = digest::digest(&digest::SHA256, &canonical);
        self.content_hash = ContentHash(data_encoding::HEXLOWER.encode(digest.as_ref()));
        self
    }

    /// A fingerprint of each item as the patient meets it (its own definition, not its
    /// children's), to tell which questions a new version of the form changed.
    pub fn item_fingerprints(&self) -> BTreeMap<String, String> {
        self.items()
            .map(|item| {
                let own = Item {
                    items: Vec::new(),
                    ..item.clone()
                };
                let canonical = serde_json::to_vec(&own).unwrap_or_default();
                let digest = digest::digest(&digest::SHA256, &canonical);
                let short = data_encoding::HEXLOWER.encode(&digest.as_ref()[..8]);
                (item.id.clone(), short)
            })
            .collect()
    }

    /// The sections to check again after the form changed from one whose items had
    /// `before` fingerprints: those with a question that is new or changed.
    pub fn changed_sections(&self, before: &BTreeMap<String, String>) -> Vec<String> {
        let now = self.item_fingerprints();
        self.sections
            .iter()
            .filter(|section| {
                section
                    .items
                    .iter()
                    .flat_map(Item::walk)
                    .any(|item| before.get(&item.id) != now.get(&item.id))
            })
            .map(|section| section.id.clone())
            .collect()
    }

    /// Every item, depth first, page by page.
    pub fn items(&self) -> impl Iterator<Item = &Item> {
        self.sections
            .iter()
            .flat_map(|s| s.items.iter())
            .flat_map(Item::walk)
    }

    /// The item with this id.
    pub fn item(&self, id: &str) -> Option<&Item> {
        self.items().find(|item| item.id == id)
    }

    /// The SDC `linkId` of the item or section `id` as its Questionnaire has it; `None` for an
    /// id the Questionnaire does not have (a page-only section, or no such item).
    pub fn link_id_of(&self, id: &str) -> Option<&str> {
        match self.sections.iter().find(|s| s.id == id) {
            Some(section) => (!section.page_only).then_some(section.link_id()),
            None => self.item(id).map(Item::link_id),
        }
    }
}

/// A named expression.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Variable {
    /// The name, used as `%name`.
    pub name: String,
    /// Its value.
    pub expression: Expression,
}

/// One page of a form.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Section {
    /// The section's id.
    pub id: String,
    /// Its heading.
    pub title: Text,
    /// When the page applies.
    pub enable_when: Option<EnableWhen>,
    /// The Questionnaire's `linkId` of its group, when it is not a valid id (an imported
    /// top-level group `grp-1` is the section `grp_1`): exports and responses use it, so a
    /// response keeps its Questionnaire's linkIds. Left out of the hash when unset.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub link_id: Option<String>,
    /// Whether it is only a page, with no group of its own in the Questionnaire: the importer
    /// gathers a Questionnaire's top-level questions into such pages, and exports and
    /// responses give them back as top-level items. Left out of the hash when unset.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub page_only: bool,
    /// The element its group makes in the resource being extracted (SDC `definition`). Left out
    /// of the hash when unset, as is the next.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub definition: Option<String>,
    /// The resource its group makes by definition-based extraction.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub extraction_context: Option<ExtractionContext>,
    /// Its items, in order.
    pub items: Vec<Item>,
}

impl Section {
    /// The SDC `linkId` of its group in the Questionnaire.
    pub fn link_id(&self) -> &str {
        self.link_id.as_deref().unwrap_or(&self.id)
    }
}

/// One question, display text or group.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Item {
    /// The item's id: its name in expressions (`%id`), and its SDC `linkId` unless
    /// [`Item::link_id`] says otherwise.
    pub id: String,
    /// The Questionnaire's `linkId`, when it is not a valid id (`/44250-9` of an imported
    /// Questionnaire became `q_44250_9`): exports and responses use it. Left out of the hash
    /// when unset.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub link_id: Option<String>,
    /// The question this item is nested under in the Questionnaire (SDC `answer.item`): the
    /// patient meets it after that question, as its sibling, and exports and responses nest it
    /// under the question again. Left out of the hash when unset.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub child_of: Option<String>,
    /// What kind of answer it takes.
    pub kind: ItemKind,
    /// The question.
    pub text: Text,
    /// Help under the question.
    pub help: Option<Text>,
    /// Codes naming the question (LOINC, SNOMED CT).
    pub codes: Vec<Coding>,
    /// Whether an answer is needed (while enabled).
    pub required: bool,
    /// Whether it takes several answers (or, for a group, several instances).
    pub repeats: bool,
    /// Fewest answers or instances.
    pub min_occurs: Option<u32>,
    /// Most answers or instances.
    pub max_occurs: Option<u32>,
    /// Shown but not editable.
    pub read_only: bool,
    /// Not shown to the patient.
    pub hidden: bool,
    /// The choices, from `options` or a value set.
    pub options: Vec<AnswerOption>,
    /// The value set the choices came from.
    pub value_set: Option<String>,
    /// The value set is too large to list (a terminology server's, more than
    /// `MAX_ANSWER_LIST` concepts): `options` is empty, the patient searches it on the server,
    /// and an answer is the Coding picked ([`crate::forms::Coding`]). Left out of the hash when
    /// not.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub searched_on_server: bool,
    /// Inclusive lower bound.
    pub min: Option<Bound>,
    /// Inclusive upper bound.
    pub max: Option<Bound>,
    /// Fewest characters.
    pub min_length: Option<u32>,
    /// Most characters.
    pub max_length: Option<u32>,
    /// A pattern the answer must match.
    pub regex: Option<Pattern>,
    /// The unit of a quantity.
    pub unit: Option<Coding>,
    /// Rules the answers must keep.
    pub constraints: Vec<Constraint>,
    /// When the item applies.
    pub enable_when: Option<EnableWhen>,
    /// Its value, computed.
    pub calculated: Option<Expression>,
    /// Its first value, from the launch context.
    pub initial: Option<Expression>,
    /// Its first value, literal.
    pub initial_value: Option<serde_json::Value>,
    /// The element of the resource being extracted that its answers set, or that a group makes
    /// one of per instance (SDC `definition`, `…/Patient#Patient.name.given`). Left out of the
    /// hash when unset, as is the next.
    /// Spec: <https://build.fhir.org/ig/HL7/sdc/extraction.html#definition-based-extraction>
    #[serde(skip_serializing_if = "Option::is_none")]
    pub definition: Option<String>,
    /// For a group: the resource each instance makes by definition-based extraction (SDC
    /// `itemExtractionContext`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub extraction_context: Option<ExtractionContext>,
    /// Answers offered to the patient, such as the chart's values (SDC `candidateExpression`):
    /// shown as options to pick from while typing, never filled in. Left out of the hash
    /// when unset.
    /// Spec: <https://hl7.org/fhir/uv/sdc/STU3/expressions.html#candidateExpression>
    #[serde(skip_serializing_if = "Option::is_none")]
    pub candidates: Option<Expression>,
    /// The answer list of a choice, computed from the answers so far and the launch context
    /// (SDC `answerExpression`): Codings, or plain strings, integers, dates or times, offered
    /// in place of `options`. Left out of the hash when unset.
    /// Spec: <https://hl7.org/fhir/uv/sdc/STU3/expressions.html#answerExpression>
    #[serde(skip_serializing_if = "Option::is_none")]
    pub answer_expression: Option<Expression>,
    /// What it raises for staff and clinicians.
    pub flags: Vec<Flag>,
    /// Which chart resource its answers become.
    pub extract: Option<ExtractHook>,
    /// For a repeating group about what the chart already holds: which kind of entry. It has
    /// one instance per such entry on file, each asking whether it is still true
    /// (`forms::on_file`).
    pub on_file: Option<ExtractHook>,
    /// For a yes/no item agreeing to a consent: which version of the text, and the item where
    /// the patient types their full name to sign it.
    pub consent: Option<ConsentTerms>,
    /// For an `attachment` item: the kinds of file it takes and the largest. Left out of the
    /// hash when unset, so forms written before it keep theirs.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub attachment: Option<AttachmentRules>,
    /// For the `attachment` item a consent names as its `drawn` signature: that consent item's
    /// id. The page shows a drawing pad (with JavaScript) instead of a file input, and the file
    /// is kept with the consent rather than shown as a photo.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub drawn_signature_of: Option<String>,
    /// For a score (a calculated number): its bands over its whole possible range, `min` to
    /// `max`, each with what it means. `intake forms check` requires them.
    pub bands: Vec<ScoreBand>,
    /// The answer a screening question gets when nothing is wrong; other answers are shown to
    /// the clinician as positive. Without it, a weighted option above 0 and free text count as
    /// positive.
    pub normal: Option<NormalAnswer>,
    /// Who besides the clinician reads its answers: `staff` puts a short `marker` on the front
    /// desk's worklist when the answer is not the normal one.
    pub audience: Vec<Audience>,
    /// The front desk's words for a notable answer ("Call me before the visit").
    pub marker: Option<Text>,
    /// Whether this yes/no item asks if the patient wants an interpreter.
    pub interpreter: bool,
    /// How it is typed: `autocomplete` and `inputmode` (issue 17).
    #[serde(skip_serializing_if = "super::InputHints::is_empty")]
    pub input: super::InputHints,
    /// For a question with a code: prefill it from the newest Observation with that code on
    /// file, if it is no older than this (SDC `observationLinkPeriod`). Left out of the hash
    /// when unset, as is the one below.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub observation_link: Option<LinkPeriod>,
    /// For a group: what each of its instances is prefilled from (SDC
    /// `itemPopulationContext`): a repeating group gets one instance per value, a plain group
    /// the first; the children's initial expressions read the value as `%name`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub population_context: Option<Variable>,
    /// For a repeating group: named values worked out in each of its instances, from that
    /// instance's answers (SDC `variable` on the group or an item in it, whose context is the
    /// item); the instance's expressions read them as `%name`. Left out of the hash when none.
    /// Spec: <https://hl7.org/fhir/uv/sdc/STU3/expressions.html#variable>
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub variables: Vec<Variable>,
    /// A group's children.
    pub items: Vec<Item>,
}

/// How old an Observation may be to prefill an item (a UCUM time unit: `a`, `mo`, `wk`, `d`).
/// Spec: <https://hl7.org/fhir/uv/sdc/STU3/StructureDefinition-sdc-questionnaire-observationLinkPeriod.html>
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LinkPeriod {
    /// How many units.
    pub value: u32,
    /// The UCUM unit: `a` (years), `mo` (months), `wk`, `d`, `h`, `min`, `s`.
    pub unit: String,
}

impl LinkPeriod {
    /// The earliest day an Observation may be from to count on `today`.
    pub fn earliest(&self, today: time::Date) -> time::Date {
        let days = match self.unit.as_str() {
            "a" => i64::from(self.value) * 365,
            "mo" => i64::from(self.value) * 30,
            "wk" => i64::from(self.value) * 7,
            "d" => i64::from(self.value),
            _ => 0,
        };
        today
            .checked_sub(time::Duration::days(days))
            .unwrap_or(time::Date::MIN)
    }
}

impl Item {
    /// Its SDC `linkId`: the Questionnaire's when it had to be renamed, else its id.
    pub fn link_id(&self) -> &str {
        self.link_id.as_deref().unwrap_or(&self.id)
    }

    /// This item and all its descendants, depth first.
    pub fn walk(&self) -> Box<dyn Iterator<Item = &Item> + '_> {
        Box::new(std::iter::once(self).chain(self.items.iter().flat_map(Item::walk)))
    }

    /// Whether it takes answers (not a group or display).
    pub fn is_answerable(&self) -> bool {
        !matches!(self.kind, ItemKind::Group | ItemKind::Display)
    }

    /// The option with this code.
    pub fn option(&self, code: &str) -> Option<&AnswerOption> {
        self.options.iter().find(|o| o.code == code)
    }

    /// The type of its answers' values: a choice of plain integers, dates, times or strings is
    /// answered with those values (`answerOption.valueInteger`...), like an item of that type.
    pub fn answer_kind(&self) -> ItemKind {
        if !self.kind.has_options() {
            return self.kind;
        }
        match self.options.first().map(|o| o.value_type) {
            Some(OptionType::Integer) => ItemKind::Integer,
            Some(OptionType::Date) => ItemKind::Date,
            Some(OptionType::Time) => ItemKind::Time,
            Some(OptionType::String) => ItemKind::String,
            Some(OptionType::Coding | OptionType::Display) | None => self.kind,
        }
    }

    /// Whether an item of this type can offer candidate answers: one typed-in answer, which
    /// the page offers them for.
    pub fn offers_candidates(kind: ItemKind, repeats: bool) -> bool {
        !repeats
            && matches!(
                kind,
                ItemKind::String
                    | ItemKind::Integer
                    | ItemKind::Decimal
                    | ItemKind::Date
                    | ItemKind::Time
                    | ItemKind::Url
            )
    }

    /// Whether it is a score: a calculated number.
    pub fn is_score(&self) -> bool {
        self.calculated.is_some() && matches!(self.kind, ItemKind::Integer | ItemKind::Decimal)
    }

    /// The band `value` falls in. Bands are inclusive; where a decimal score's bands meet
    /// (`max` of one equal to `min` of the next) the value belongs to the higher band.
    pub fn band(&self, value: f64) -> Option<&ScoreBand> {
        self.bands
            .iter()
            .rev()
            .find(|band| band.min <= value && value <= band.max)
    }

    /// Whether the staff side (the front desk) reads this item's notable answers.
    pub fn for_staff(&self) -> bool {
        self.audience.contains(&Audience::Staff)
    }
}

/// A range of a score and what it means: PHQ-9 10 to 14 is "Moderate".
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ScoreBand {
    /// The lowest score in the band.
    pub min: f64,
    /// The highest score in the band.
    pub max: f64,
    /// Its name, e.g. "Moderate".
    pub label: Text,
    /// What it means for the visit, e.g. "moderate depressive symptoms; consider treatment".
    pub meaning: Text,
}

/// The answer (or answers) a screening question gets when nothing is wrong.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub enum NormalAnswer {
    /// For a yes/no question.
    Boolean(bool),
    /// For a choice: the codes of the normal options.
    Codes(Vec<String>),
}

/// The item types of SDC.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum ItemKind {
    /// Children only.
    #[serde(rename = "group")]
    Group,
    /// Text only, no answer.
    #[serde(rename = "display")]
    Display,
    /// Yes or no.
    #[serde(rename = "boolean")]
    Boolean,
    /// A number with a fraction.
    #[serde(rename = "decimal")]
    Decimal,
    /// A whole number.
    #[serde(rename = "integer")]
    Integer,
    /// A calendar date.
    #[serde(rename = "date")]
    Date,
    /// A date and time.
    #[serde(rename = "dateTime")]
    DateTime,
    /// A time of day.
    #[serde(rename = "time")]
    Time,
    /// One line of text.
    #[serde(rename = "string")]
    String,
    /// Several lines of text.
    #[serde(rename = "text")]
    Text,
    /// A web address.
    #[serde(rename = "url")]
    Url,
    /// One (or, repeating, several) of the listed options.
    #[serde(rename = "choice")]
    Choice,
    /// A listed option or free text.
    #[serde(rename = "open-choice")]
    OpenChoice,
    /// A file.
    #[serde(rename = "attachment")]
    Attachment,
    /// A number with a unit.
    #[serde(rename = "quantity")]
    Quantity,
    /// A reference to another resource.
    #[serde(rename = "reference")]
    Reference,
}

impl ItemKind {
    /// The SDC / FHIR name of the type.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Group => "group",
            Self::Display => "display",
            Self::Boolean => "boolean",
            Self::Decimal => "decimal",
            Self::Integer => "integer",
            Self::Date => "date",
            Self::DateTime => "dateTime",
            Self::Time => "time",
            Self::String => "string",
            Self::Text => "text",
            Self::Url => "url",
            Self::Choice => "choice",
            Self::OpenChoice => "open-choice",
            Self::Attachment => "attachment",
            Self::Quantity => "quantity",
            Self::Reference => "reference",
        }
    }

    /// Whether answers are chosen from options.
    pub fn has_options(self) -> bool {
        matches!(self, Self::Choice | Self::OpenChoice)
    }

    /// Whether `min`/`max` apply.
    pub fn has_bounds(self) -> bool {
        matches!(
            self,
            Self::Integer | Self::Decimal | Self::Quantity | Self::Date | Self::DateTime
        )
    }

    /// Whether length bounds and patterns apply.
    pub fn is_textual(self) -> bool {
        matches!(self, Self::String | Self::Text | Self::Url)
    }
}

/// The type of a choice's options in the Questionnaire (`answerOption.value[x]`), which is
/// the type of its answers in a response. An option's `code` holds the value as text.
/// Spec: <https://hl7.org/fhir/R4/questionnaire-definitions.html#Questionnaire.item.answerOption.value_x_>
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum OptionType {
    /// `valueCoding`: a code, with its system when it has one.
    #[default]
    Coding,
    /// `valueString`.
    String,
    /// `valueInteger`.
    Integer,
    /// `valueDate`.
    Date,
    /// `valueTime`.
    Time,
    /// `valueCoding` with a display and no code, as FHIR allows: the display serves as the
    /// option's code here, and a response answers the Coding with the display alone.
    Display,
}

impl OptionType {
    /// Whether options are Codings (the default).
    pub fn is_coding(&self) -> bool {
        *self == Self::Coding
    }

    /// The `value[x]` an option or answer of this type is written as.
    pub fn value_key(self) -> &'static str {
        match self {
            Self::Coding => "valueCoding",
            Self::String => "valueString",
            Self::Integer => "valueInteger",
            Self::Date => "valueDate",
            Self::Time => "valueTime",
            Self::Display => "valueCoding",
        }
    }

    /// An option's code as its `value[x]`: `valueInteger: 3` for the code `"3"`.
    pub fn value(self, code: &str) -> serde_json::Value {
        match self {
            Self::Integer => code
                .parse::<i64>()
                .map_or_else(|_| serde_json::json!(code), serde_json::Value::from),
            Self::Display => serde_json::json!({ "display": code }),
            _ => serde_json::json!(code),
        }
    }
}

/// A choice a patient can pick.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AnswerOption {
    /// The code stored and sent to the chart.
    pub code: String,
    /// The code system, when the code comes from one.
    pub system: Option<String>,
    /// The label patients see.
    pub display: Text,
    /// The ordinal value scores add up (SDC `itemWeight`).
    pub weight: Option<f64>,
    /// How the Questionnaire writes the option, and so a response the answer: a Coding unless
    /// it lists a plain string, integer, date or time. Left out of the hash when a Coding.
    #[serde(skip_serializing_if = "OptionType::is_coding")]
    pub value_type: OptionType,
}

/// A code from a code system.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Coding {
    /// The code system URI.
    #[serde(default)]
    pub system: Option<String>,
    /// The code.
    pub code: String,
    /// How the code system names it.
    #[serde(default)]
    pub display: Option<String>,
}

/// An inclusive bound.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
pub enum Bound {
    /// For numbers and quantities.
    Number(f64),
    /// For dates (`YYYY-MM-DD`) and date-times.
    Date(String),
}

/// A pattern an answer must match, with what to tell the patient when it does not.
#[derive(Debug, Clone, Serialize)]
pub struct Pattern {
    /// The regular expression (the whole answer must match).
    pub pattern: String,
    /// The message.
    pub message: Text,
    #[serde(skip)]
    pub(crate) compiled: Arc<regex_lite::Regex>,
}

impl Pattern {
    /// Whether the answer matches the whole pattern.
    pub fn matches(&self, answer: &str) -> bool {
        self.compiled
            .find(answer)
            .is_some_and(|m| m.start() == 0 && m.end() == answer.len())
    }
}

impl PartialEq for Pattern {
    fn eq(&self, other: &Self) -> bool {
        self.pattern == other.pattern && self.message == other.message
    }
}

/// How serious a constraint or flag is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Needs attention before the visit (flags only).
    Urgent,
    /// Stops submission (constraints) or must be seen (flags).
    Error,
    /// Worth knowing.
    Warning,
    /// For information.
    Info,
}

/// A rule across answers: the expression must not be false.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Constraint {
    /// Its id.
    pub id: String,
    /// A FHIRPath boolean.
    pub expression: Expression,
    /// What to tell the patient.
    pub message: Text,
    /// `error` stops submission; `warning` only tells.
    pub severity: Severity,
}

/// Who sees a flag.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Audience {
    /// Clinicians, on the pre-visit summary.
    Clinician,
    /// Front-desk staff.
    Staff,
    /// The patient: when the flag is raised they are shown the form's `crisis` text (what to do
    /// now, e.g. call or text 988), never the flag's own words.
    Patient,
}

/// Something raised for staff or clinicians when its condition holds.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Flag {
    /// Its id (scenario tests name it).
    pub id: String,
    /// How serious.
    pub severity: Severity,
    /// When it is raised.
    pub when: Expression,
    /// What it says.
    pub message: Text,
    /// Who sees it.
    pub audience: Vec<Audience>,
    /// Urgent flags only: who is alerted when it is raised, instead of the form's `notify`
    /// list or `INTAKE_URGENT_CONTACT`.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub notify: Vec<crate::domain::UrgentContact>,
}

/// When an item applies.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub enum EnableWhen {
    /// A FHIRPath boolean (SDC `enableWhenExpression`).
    Expression(Expression),
    /// Plain conditions (SDC `enableWhen` with `enableBehavior`).
    Conditions {
        /// `any` (true) or `all` (false).
        any: bool,
        /// The conditions.
        conditions: Vec<Condition>,
    },
}

/// One plain condition on another question's answer.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Condition {
    /// The question's id.
    pub question: String,
    /// How to compare.
    pub operator: Operator,
    /// What to compare with (for `exists`, a boolean).
    pub answer: serde_json::Value,
}

/// The operators of SDC `enableWhen`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Operator {
    /// The question has (or, with `false`, has no) answer.
    #[serde(rename = "exists")]
    Exists,
    /// Equal.
    #[serde(rename = "=")]
    Equal,
    /// Not equal.
    #[serde(rename = "!=")]
    NotEqual,
    /// Greater.
    #[serde(rename = ">")]
    Greater,
    /// Less.
    #[serde(rename = "<")]
    Less,
    /// Greater or equal.
    #[serde(rename = ">=")]
    GreaterOrEqual,
    /// Less or equal.
    #[serde(rename = "<=")]
    LessOrEqual,
}

/// What a consent item records besides the patient's yes or no.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConsentTerms {
    /// The version of the consent text the patient read (e.g. `2026-01`).
    pub version: String,
    /// The id of the item holding the typed full name that signs it.
    pub signature: String,
    /// The id of the `attachment` item where, with JavaScript, the patient may also draw their
    /// signature (a PNG). The typed name stays the signature without JavaScript, or when the
    /// patient prefers not to draw. Left out of the hash when unset.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub drawn: Option<String>,
}

/// What an `attachment` item takes: photos of a card or a document, checked by their content
/// (never by the name or type the browser sends) and re-encoded without their metadata.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AttachmentRules {
    /// The media types accepted (`image/jpeg`, `image/png`), in the form's order.
    pub mime_types: Vec<String>,
    /// The largest file accepted, in bytes, as sent (before re-encoding).
    pub max_size: u64,
}

impl AttachmentRules {
    /// The media types Intake can check by content and clean of metadata.
    pub const SUPPORTED: [&str; 2] = ["image/jpeg", "image/png"];
    /// The largest file an item takes when its form does not say: a phone's full-size photo.
    pub const DEFAULT_MAX_SIZE: u64 = 10 * 1024 * 1024;
    /// The largest `max_size` a form may set: the request body limit for uploads allows it.
    pub const MAX_SIZE_CEILING: u64 = 20 * 1024 * 1024;

    /// Whether `media_type` is one the item takes.
    pub fn accepts(&self, media_type: &str) -> bool {
        self.mime_types.iter().any(|m| m == media_type)
    }
}

impl AttachmentRules {
    /// The largest `max_size` a drawn signature may take: a signature drawn on a phone is a PNG
    /// of some tens of kilobytes.
    pub const SIGNATURE_MAX_SIZE_CEILING: u64 = 1024 * 1024;

    /// Whether these are a drawn signature's rules: PNG only (a canvas makes PNG), and small.
    pub fn fit_a_drawing(&self) -> bool {
        self.mime_types == ["image/png"] && self.max_size <= Self::SIGNATURE_MAX_SIZE_CEILING
    }
}

impl Default for AttachmentRules {
    fn default() -> Self {
        Self {
            mime_types: Self::SUPPORTED.iter().map(|m| (*m).to_owned()).collect(),
            max_size: Self::DEFAULT_MAX_SIZE,
        }
    }
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
    /// An `Observation` coded with the item's code.
    Observation,
}

impl ExtractHook {
    /// The FHIR resource type it makes.
    pub fn resource_type(self) -> &'static str {
        match self {
            Self::AllergyIntolerance => "AllergyIntolerance",
            Self::MedicationStatement => "MedicationStatement",
            Self::Condition => "Condition",
            Self::Observation => "Observation",
        }
    }
}
