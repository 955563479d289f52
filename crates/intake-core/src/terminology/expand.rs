//! Expanding a ValueSet from its definition (`compose`) and the CodeSystems it draws on, without
//! a terminology server: enumerated concepts, whole code systems, `is-a` / `descendent-of` /
//! `is-not-a` filters on the concept hierarchy, other value sets, and excludes. Pure: the
//! definitions come in as JSON (the HL7 core package, a site's folder, a Questionnaire's
//! contained resources).
//! Spec: <https://hl7.org/fhir/R4/valueset.html#compose>

use std::{
    borrow::Cow,
    collections::{HashMap, HashSet},
};

use serde::Deserialize;
use serde_json::{Value as Json, value::RawValue};

use super::Concept;

/// How deep value sets may include value sets (a cycle stops here).
const MAX_DEPTH: usize = 8;

/// Why a value set could not be expanded here.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ExpandError {
    /// No definition of the value set is known.
    #[error("the value set {0} is not known here")]
    UnknownValueSet(String),
    /// The value set draws on a code system whose concepts are not known here.
    #[error(
        "the value set {value_set} draws on the code system {system}, whose concepts are not known here"
    )]
    UnknownCodeSystem {
        /// The value set's URL.
        value_set: String,
        /// The code system's URL.
        system: String,
    },
    /// The definition uses something only a terminology server evaluates.
    #[error("the value set {value_set} cannot be expanded here: {reason}")]
    NotExpandable {
        /// The value set's URL.
        value_set: String,
        /// What it uses.
        reason: String,
    },
    /// The value set expands to nothing.
    #[error("the value set {0} has no concepts")]
    Empty(String),
}

/// One concept of a code system, with its children.
#[derive(Debug, Clone)]
struct Node {
    code: String,
    display: Option<String>,
    /// Not `notSelectable`/`abstract`, not retired or deprecated: it may be an answer.
    selectable: bool,
    children: Vec<Node>,
}

/// A code system's concepts.
#[derive(Debug, Clone)]
struct CodeSystem {
    url: String,
    concepts: Vec<Node>,
}

/// A definition as this holds it: parsed, or still the text of a bundle built into the binary
/// (the HL7 core's: 2.6 MB of text that would take about 15 MB parsed, of which a form uses a
/// few value sets), parsed each time an expansion asks for it.
#[derive(Debug, Clone)]
enum Held<T> {
    Parsed(T),
    Bundled(&'static RawValue),
}

impl Held<Json> {
    fn value_set(&self) -> Cow<'_, Json> {
        match self {
            Self::Parsed(json) => Cow::Borrowed(json),
            Self::Bundled(text) => Cow::Owned(parse_bundled(text)),
        }
    }
}

impl Held<CodeSystem> {
    fn code_system(&self, url: &str) -> Cow<'_, CodeSystem> {
        match self {
            Self::Parsed(system) => Cow::Borrowed(system),
            Self::Bundled(text) => Cow::Owned(CodeSystem {
                url: url.to_owned(),
                concepts: nodes(&parse_bundled::<Json>(text)["concept"]),
            }),
        }
    }
}

/// A resource of a built-in bundle, which [`Definitions::add_bundled`] has already read once:
/// it parses.
fn parse_bundled<T: Default + for<'de> Deserialize<'de>>(text: &RawValue) -> T {
    serde_json::from_str(text.get()).unwrap_or_default()
}

/// Which definitions a resource is: a ValueSet, or a CodeSystem that lists its concepts.
enum Slot {
    ValueSet,
    CodeSystem,
}

impl Slot {
    /// Of a resource of type `kind` at `url`, with the CodeSystem `content` it declares.
    fn of(kind: &str, url: &str, content: Option<&str>) -> Option<Self> {
        match kind {
            _ if url.is_empty() => None,
            "ValueSet" => Some(Self::ValueSet),
            // Only a complete code system lists every concept a whole-system include means.
            "CodeSystem" if matches!(content, Some("complete") | None) => Some(Self::CodeSystem),
            _ => None,
        }
    }
}

/// ValueSet and CodeSystem definitions by canonical URL, and their expansion.
#[derive(Debug, Clone, Default)]
pub struct Definitions {
    value_sets: HashMap<String, Held<Json>>,
    code_systems: HashMap<String, Held<CodeSystem>>,
    /// Definitions these add to (the HL7 core ones): looked up when these have none.
    base: Option<&'static Definitions>,
}

impl Definitions {
    /// The definitions of the resources (ValueSets and CodeSystems; others are skipped) in
    /// `bundle`, a Bundle or a single resource.
    pub fn from_resources<'a>(resources: impl IntoIterator<Item = &'a Json>) -> Self {
        let mut this = Self::default();
        for resource in resources {
            this.add(resource);
        }
        this
    }

    /// No definitions of their own, on top of `base`.
    pub fn on_top_of(base: &'static Self) -> Self {
        Self {
            base: Some(base),
            ..Self::default()
        }
    }

    fn held_value_set(&self, url: &str) -> Option<&Held<Json>> {
        let url = versionless(url);
        self.value_sets
            .get(&url)
            .or_else(|| self.base.and_then(|b| b.value_sets.get(&url)))
    }

    fn value_set(&self, url: &str) -> Option<Cow<'_, Json>> {
        self.held_value_set(url).map(Held::value_set)
    }

    fn code_system(&self, url: &str) -> Option<Cow<'_, CodeSystem>> {
        self.code_systems
            .get(url)
            .or_else(|| self.base.and_then(|b| b.code_systems.get(url)))
            .map(|held| held.code_system(url))
    }

    /// Adds the ValueSets and CodeSystems of `bundle`, the text of a Bundle built into the
    /// binary, as text: each is parsed when an expansion asks for it. Bundle entries that are
    /// not JSON objects are skipped; a bundle that is not JSON adds nothing.
    pub fn add_bundled(&mut self, bundle: &'static str) {
        #[derive(Deserialize)]
        struct Bundle<'a> {
            #[serde(borrow, default)]
            entry: Vec<Entry<'a>>,
        }
        #[derive(Deserialize)]
        struct Entry<'a> {
            #[serde(borrow)]
            resource: &'a RawValue,
        }
        #[derive(Deserialize)]
        #[serde(rename_all = "camelCase")]
        struct Head<'a> {
            #[serde(borrow)]
            resource_type: Cow<'a, str>,
            #[serde(borrow, default)]
            url: Cow<'a, str>,
            #[serde(borrow)]
            content: Option<Cow<'a, str>>,
        }
        let Ok(bundle) = serde_json::from_str::<Bundle<'_>>(bundle) else {
            return;
        };
        for Entry { resource } in bundle.entry {
            let Ok(head) = serde_json::from_str::<Head<'_>>(resource.get()) else {
                continue;
            };
            let url = &*head.url;
            match Slot::of(&head.resource_type, url, head.content.as_deref()) {
                Some(Slot::ValueSet) => {
                    let held = Held::Bundled(resource);
                    self.value_sets.insert(versionless(url), held);
                }
                Some(Slot::CodeSystem) => {
                    let held = Held::Bundled(resource);
                    self.code_systems.insert(url.to_owned(), held);
                }
                None => {}
            }
        }
    }

    /// Adds a ValueSet or CodeSystem (a later one with the same URL replaces the earlier),
    /// or every such resource of a Bundle.
    pub fn add(&mut self, resource: &Json) {
        let url = resource["url"].as_str().unwrap_or_default();
        let kind = resource["resourceType"].as_str().unwrap_or_default();
        if kind == "Bundle" {
            for entry in resource["entry"].as_array().into_iter().flatten() {
                self.add(&entry["resource"]);
            }
            return;
        }
        match Slot::of(kind, url, resource["content"].as_str()) {
            Some(Slot::ValueSet) => {
                let held = Held::Parsed(resource.clone());
                self.value_sets.insert(versionless(url), held);
            }
            Some(Slot::CodeSystem) => {
                let concepts = nodes(&resource["concept"]);
                let held = Held::Parsed(CodeSystem {
                    url: url.to_owned(),
                    concepts,
                });
                self.code_systems.insert(url.to_owned(), held);
            }
            None => {}
        }
    }

    /// How many value sets are defined (those of the base too).
    pub fn value_set_count(&self) -> usize {
        self.value_sets.len() + self.base.map_or(0, Self::value_set_count)
    }

    /// Whether the value set `url` (a `|version` suffix aside) is defined here.
    pub fn knows(&self, url: &str) -> bool {
        self.held_value_set(url).is_some()
    }

    /// The concepts of the value set `url`, in the order its definition gives them.
    pub fn expand(&self, url: &str) -> Result<Vec<Concept>, ExpandError> {
        self.expand_at(url, 0)
    }

    /// The concepts of a ValueSet resource: its `expansion` when it has one, else its `compose`
    /// evaluated against these definitions.
    pub fn expand_definition(&self, value_set: &Json) -> Result<Vec<Concept>, ExpandError> {
        self.definition_at(value_set, 0)
    }

    fn expand_at(&self, url: &str, depth: usize) -> Result<Vec<Concept>, ExpandError> {
        let vs = self
            .value_set(url)
            .ok_or_else(|| ExpandError::UnknownValueSet(url.to_owned()))?;
        self.definition_at(&vs, depth)
    }

    fn definition_at(&self, vs: &Json, depth: usize) -> Result<Vec<Concept>, ExpandError> {
        let url = vs["url"]
            .as_str()
            .or_else(|| vs["id"].as_str())
            .unwrap_or("(a value set without url)");
        if depth > MAX_DEPTH {
            return Err(not_expandable(
                url,
                "value sets include each other in a cycle",
            ));
        }
        if let Some(contains) = vs["expansion"]["contains"].as_array() {
            let mut out = Vec::new();
            flatten_expansion(contains, &mut out);
            return non_empty(url, out);
        }
        let compose = &vs["compose"];
        if !compose.is_object() {
            return Err(not_expandable(
                url,
                "it has neither an expansion nor a compose",
            ));
        }
        let mut out = Vec::new();
        for include in compose["include"].as_array().into_iter().flatten() {
            out.extend(self.include(url, include, depth)?);
        }
        let mut seen = HashSet::new();
        out.retain(|c| seen.insert((c.system.clone(), c.code.clone())));
        for exclude in compose["exclude"].as_array().into_iter().flatten() {
            let gone: HashSet<(String, String)> = self
                .include(url, exclude, depth)?
                .into_iter()
                .map(|c| (c.system, c.code))
                .collect();
            out.retain(|c| !gone.contains(&(c.system.clone(), c.code.clone())));
        }
        non_empty(url, out)
    }

    /// The concepts one `include` (or `exclude`) names: from its system (enumerated, filtered
    /// or whole), kept only where every value set it lists also has them.
    fn include(
        &self,
        url: &str,
        include: &Json,
        depth: usize,
    ) -> Result<Vec<Concept>, ExpandError> {
        let mut sets = Vec::new();
        for other in include["valueSet"].as_array().into_iter().flatten() {
            let other = other.as_str().unwrap_or_default();
            sets.push(self.expand_at(other, depth + 1)?);
        }
        let from_system = match include["system"].as_str() {
            Some(system) => Some(self.of_system(url, system, include)?),
            None => None,
        };
        let mut concepts = match (from_system, sets.is_empty()) {
            (Some(concepts), _) => concepts,
            (None, false) => sets.remove(0),
            (None, true) => {
                return Err(not_expandable(
                    url,
                    "an include names no system and no value set",
                ));
            }
        };
        for set in &sets {
            let keep: HashSet<(&str, &str)> = set
                .iter()
                .map(|c| (c.system.as_str(), c.code.as_str()))
                .collect();
            concepts.retain(|c| keep.contains(&(c.system.as_str(), c.code.as_str())));
        }
        Ok(concepts)
    }

    fn of_system(
        &self,
        url: &str,
        system: &str,
        include: &Json,
    ) -> Result<Vec<Concept>, ExpandError> {
        if let Some(listed) = include["concept"].as_array() {
            // Enumerated: the include's display, else the code system's (read only when a
            // display is missing), else the code.
            let code_system = std::cell::OnceCell::new();
            return Ok(listed
                .iter()
                .filter_map(|c| {
                    let code = c["code"].as_str()?;
                    let display = c["display"]
                        .as_str()
                        .map(str::to_owned)
                        .or_else(|| {
                            code_system
                                .get_or_init(|| self.code_system(system))
                                .as_ref()
                                .and_then(|cs| find(&cs.concepts, code))
                                .and_then(|n| n.display.clone())
                        })
                        .unwrap_or_else(|| code.to_owned());
                    Some(Concept {
                        system: system.to_owned(),
                        code: code.to_owned(),
                        display,
                    })
                })
                .collect());
        }
        let code_system =
            self.code_system(system)
                .ok_or_else(|| ExpandError::UnknownCodeSystem {
                    value_set: url.to_owned(),
                    system: system.to_owned(),
                })?;
        let mut kept: Vec<&Node> = Vec::new();
        preorder(&code_system.concepts, &mut kept);
        for filter in include["filter"].as_array().into_iter().flatten() {
            kept = apply_filter(url, &code_system, kept, filter)?;
        }
        Ok(kept
            .into_iter()
            .filter(|n| n.selectable)
            .map(|n| Concept {
                system: code_system.url.clone(),
                code: n.code.clone(),
                display: n.display.clone().unwrap_or_else(|| n.code.clone()),
            })
            .collect())
    }
}

/// The concepts a hierarchy filter keeps of `kept`.
fn apply_filter<'a>(
    url: &str,
    code_system: &'a CodeSystem,
    kept: Vec<&'a Node>,
    filter: &Json,
) -> Result<Vec<&'a Node>, ExpandError> {
    let property = filter["property"].as_str().unwrap_or_default();
    let op = filter["op"].as_str().unwrap_or_default();
    let value = filter["value"].as_str().unwrap_or_default();
    if property != "concept" {
        return Err(not_expandable(
            url,
            &format!("a filter on the property `{property}`"),
        ));
    }
    let at = find(&code_system.concepts, value).ok_or_else(|| {
        not_expandable(
            url,
            &format!(
                "its filter names the code `{value}`, not in {}",
                code_system.url
            ),
        )
    })?;
    let mut subtree = Vec::new();
    preorder(std::slice::from_ref(at), &mut subtree);
    let in_subtree = |n: &Node| subtree.iter().any(|s| std::ptr::eq(*s, n));
    Ok(match op {
        "is-a" => kept.into_iter().filter(|n| in_subtree(n)).collect(),
        "descendent-of" => kept
            .into_iter()
            .filter(|n| in_subtree(n) && !std::ptr::eq(*n, at))
            .collect(),
        "is-not-a" => kept.into_iter().filter(|n| !in_subtree(n)).collect(),
        other => {
            return Err(not_expandable(
                url,
                &format!("a filter with the operation `{other}`"),
            ));
        }
    })
}

/// Every concept of `nodes` and their descendants, each before its children, in the code
/// system's order.
fn preorder<'a>(nodes: &'a [Node], out: &mut Vec<&'a Node>) {
    for node in nodes {
        out.push(node);
        preorder(&node.children, out);
    }
}

fn find<'a>(nodes: &'a [Node], code: &str) -> Option<&'a Node> {
    nodes.iter().find_map(|n| {
        if n.code == code {
            Some(n)
        } else {
            find(&n.children, code)
        }
    })
}

fn nodes(concepts: &Json) -> Vec<Node> {
    concepts
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|c| {
            let code = c["code"].as_str()?;
            Some(Node {
                code: code.to_owned(),
                display: c["display"].as_str().map(str::to_owned),
                selectable: !not_selectable(c),
                children: nodes(&c["concept"]),
            })
        })
        .collect()
}

/// A concept that is a heading (`notSelectable`, `abstract`) or no longer in use (`status`
/// retired or deprecated, `deprecated`).
fn not_selectable(concept: &Json) -> bool {
    concept["property"]
        .as_array()
        .into_iter()
        .flatten()
        .any(|p| {
            matches!(
                (
                    p["code"].as_str(),
                    &p["valueBoolean"],
                    p["valueCode"].as_str(),
                ),
                (
                    Some("notSelectable" | "abstract" | "deprecated"),
                    Json::Bool(true),
                    _
                ) | (Some("status"), _, Some("retired" | "deprecated"))
            )
        })
}

fn flatten_expansion(contains: &[Json], out: &mut Vec<Concept>) {
    for entry in contains {
        if let (false, Some(code)) = (
            entry["abstract"].as_bool() == Some(true),
            entry["code"].as_str(),
        ) {
            out.push(Concept {
                system: entry["system"].as_str().unwrap_or_default().to_owned(),
                code: code.to_owned(),
                display: entry["display"].as_str().unwrap_or(code).to_owned(),
            });
        }
        if let Some(nested) = entry["contains"].as_array() {
            flatten_expansion(nested, out);
        }
    }
}

fn non_empty(url: &str, concepts: Vec<Concept>) -> Result<Vec<Concept>, ExpandError> {
    if concepts.is_empty() {
        Err(ExpandError::Empty(url.to_owned()))
    } else {
        Ok(concepts)
    }
}

fn not_expandable(url: &str, reason: &str) -> ExpandError {
    ExpandError::NotExpandable {
        value_set: url.to_owned(),
        reason: reason.to_owned(),
    }
}

/// A canonical URL without its `|version`.
fn versionless(url: &str) -> String {
    url.split('|').next().unwrap_or(url).to_owned()
}
