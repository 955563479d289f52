//! The YAML shape of forms and value sets, as serde reads it. Unknown keys are errors.

use serde::Deserialize;
use serde_saphyr::Spanned;

use super::{Audience, Coding, ConsentTerms, ExtractHook, ItemKind, Operator, Severity, Text};

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawForm {
    pub id: Spanned<String>,
    pub version: String,
    #[serde(default)]
    pub url: Option<String>,
    pub title: Text,
    #[serde(default)]
    pub description: Option<Text>,
    #[serde(default)]
    pub languages: Vec<String>,
    #[serde(default)]
    pub variables: Vec<RawVariable>,
    #[serde(default)]
    pub crisis: Option<Text>,
    #[serde(default)]
    pub notify: Vec<Spanned<String>>,
    pub max_changes: Option<Spanned<u32>>,
    #[serde(default)]
    pub launch: Vec<super::LaunchName>,
    #[serde(default)]
    pub queries: Vec<RawQuery>,
    #[serde(default)]
    pub contained: Vec<serde_json::Value>,
    #[serde(default)]
    pub extraction_context: Option<Spanned<super::ExtractionContext>>,
    pub sections: Vec<RawSection>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawQuery {
    pub name: Spanned<String>,
    /// An `x-fhir-query` search.
    #[serde(default)]
    pub search: Option<String>,
    /// The searches of a `sourceQueries` batch.
    #[serde(default)]
    pub batch: Option<Vec<String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawVariable {
    pub name: Spanned<String>,
    pub expression: Spanned<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawSection {
    pub id: Spanned<String>,
    #[serde(default)]
    pub link_id: Option<Spanned<String>>,
    pub title: Text,
    #[serde(default)]
    pub enable_when: Option<Spanned<RawEnableWhen>>,
    #[serde(default)]
    pub page_only: bool,
    #[serde(default)]
    pub definition: Option<Spanned<String>>,
    #[serde(default)]
    pub extraction_context: Option<Spanned<super::ExtractionContext>>,
    pub items: Vec<RawItem>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawItem {
    pub id: Spanned<String>,
    #[serde(default)]
    pub link_id: Option<Spanned<String>>,
    #[serde(default)]
    pub child_of: Option<Spanned<String>>,
    #[serde(rename = "type")]
    pub kind: Spanned<ItemKind>,
    pub text: Text,
    #[serde(default)]
    pub help: Option<Text>,
    #[serde(default)]
    pub code: Vec<Coding>,
    #[serde(default)]
    pub required: bool,
    #[serde(default)]
    pub repeats: bool,
    #[serde(default)]
    pub min_occurs: Option<u32>,
    #[serde(default)]
    pub max_occurs: Option<u32>,
    #[serde(default)]
    pub read_only: bool,
    #[serde(default)]
    pub hidden: bool,
    #[serde(default)]
    pub options: Vec<RawOption>,
    #[serde(default)]
    pub value_set: Option<Spanned<String>>,
    #[serde(default)]
    pub min: Option<Spanned<serde_json::Value>>,
    #[serde(default)]
    pub max: Option<Spanned<serde_json::Value>>,
    #[serde(default)]
    pub min_length: Option<u32>,
    #[serde(default)]
    pub max_length: Option<u32>,
    #[serde(default)]
    pub regex: Option<RawPattern>,
    #[serde(default)]
    pub unit: Option<Coding>,
    #[serde(default)]
    pub constraints: Vec<RawConstraint>,
    #[serde(default)]
    pub enable_when: Option<Spanned<RawEnableWhen>>,
    #[serde(default)]
    pub calculated: Option<Spanned<String>>,
    #[serde(default)]
    pub initial: Option<Spanned<String>>,
    #[serde(default)]
    pub initial_value: Option<serde_json::Value>,
    #[serde(default)]
    pub candidates: Option<Spanned<String>>,
    #[serde(default)]
    pub definition: Option<Spanned<String>>,
    #[serde(default)]
    pub extraction_context: Option<Spanned<super::ExtractionContext>>,
    #[serde(default)]
    pub answer_expression: Option<Spanned<String>>,
    #[serde(default)]
    pub flags: Vec<RawFlag>,
    #[serde(default)]
    pub extract: Option<ExtractHook>,
    #[serde(default)]
    pub on_file: Option<Spanned<ExtractHook>>,
    #[serde(default)]
    pub consent: Option<Spanned<ConsentTerms>>,
    #[serde(default)]
    pub mime_types: Option<Spanned<Vec<String>>>,
    #[serde(default)]
    pub max_size: Option<Spanned<u64>>,
    #[serde(default)]
    pub bands: Vec<RawBand>,
    #[serde(default)]
    pub normal: Option<Spanned<serde_json::Value>>,
    #[serde(default, rename = "for")]
    pub audience: Vec<Audience>,
    #[serde(default)]
    pub marker: Option<Text>,
    #[serde(default)]
    pub interpreter: Option<Spanned<bool>>,
    #[serde(default)]
    pub autocomplete: Option<Spanned<String>>,
    #[serde(default)]
    pub inputmode: Option<Spanned<String>>,
    #[serde(default)]
    pub observation_link: Option<super::LinkPeriod>,
    #[serde(default)]
    pub population_context: Option<RawVariable>,
    #[serde(default)]
    pub variables: Vec<RawVariable>,
    #[serde(default)]
    pub items: Vec<RawItem>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawBand {
    pub min: Spanned<f64>,
    pub max: Spanned<f64>,
    pub label: Text,
    pub meaning: Text,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawOption {
    pub code: String,
    #[serde(default)]
    pub system: Option<String>,
    pub display: Text,
    #[serde(default)]
    pub weight: Option<f64>,
    #[serde(default)]
    pub value_type: super::OptionType,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawPattern {
    pub pattern: Spanned<String>,
    pub message: Text,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawConstraint {
    pub id: Spanned<String>,
    pub expression: Spanned<String>,
    pub message: Text,
    #[serde(default)]
    pub severity: Option<Spanned<Severity>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawFlag {
    pub id: Spanned<String>,
    pub severity: Severity,
    pub when: Spanned<String>,
    pub message: Text,
    #[serde(default, rename = "for")]
    pub audience: Vec<Audience>,
    #[serde(default)]
    pub notify: Vec<Spanned<String>>,
}

/// `enable_when`: an expression, or `{ any: [...] }` / `{ all: [...] }`.
pub(super) enum RawEnableWhen {
    Expression(String),
    Any { any: Vec<RawCondition> },
    All { all: Vec<RawCondition> },
}

/// Read by hand rather than as an untagged enum: serde buffers untagged content, which would
/// lose the line and column of every condition inside.
impl<'de> Deserialize<'de> for RawEnableWhen {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Visit;
        impl<'de> serde::de::Visitor<'de> for Visit {
            type Value = RawEnableWhen;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a FHIRPath expression, or `any:` or `all:` with a list of conditions")
            }
            fn visit_str<E: serde::de::Error>(self, text: &str) -> Result<RawEnableWhen, E> {
                Ok(RawEnableWhen::Expression(text.to_owned()))
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                mut map: A,
            ) -> Result<RawEnableWhen, A::Error> {
                let key: String = map
                    .next_key()?
                    .ok_or_else(|| serde::de::Error::custom("expected `any:` or `all:`"))?;
                let conditions: Vec<RawCondition> = map.next_value()?;
                if map.next_key::<String>()?.is_some() {
                    return Err(serde::de::Error::custom(
                        "use either `any:` or `all:`, not both",
                    ));
                }
                match key.as_str() {
                    "any" => Ok(RawEnableWhen::Any { any: conditions }),
                    "all" => Ok(RawEnableWhen::All { all: conditions }),
                    other => Err(serde::de::Error::unknown_field(other, &["any", "all"])),
                }
            }
        }
        deserializer.deserialize_any(Visit)
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawCondition {
    pub question: String,
    pub operator: Operator,
    pub answer: Spanned<serde_json::Value>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawValueSet {
    pub id: Spanned<String>,
    #[serde(default)]
    pub url: Option<String>,
    pub title: Text,
    pub concepts: Vec<RawOption>,
}
