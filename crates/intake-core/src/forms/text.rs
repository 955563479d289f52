//! Text a form shows people, in one or more languages.

use std::{collections::BTreeMap, fmt};

use serde::{
    Deserialize, Deserializer, Serialize,
    de::{self, MapAccess, Visitor},
};

/// Text in several languages, keyed by BCP 47 tag. English is always present; it is the
/// fallback when the patient's language has no translation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(into = "BTreeMap<String, String>")]
pub struct Text(BTreeMap<String, String>);

/// What YAML may hold: a plain string (English) or a map of language to string.
struct TextVisitor;

impl<'de> Visitor<'de> for TextVisitor {
    type Value = Text;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("text: a string, or a map from language to string (quote words such as \"Yes\" or \"No\", which YAML reads as true or false)")
    }

    fn visit_str<E: de::Error>(self, text: &str) -> Result<Text, E> {
        Ok(Text::english(text))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Text, A::Error> {
        let mut by_language = BTreeMap::new();
        while let Some((language, text)) = map.next_entry::<String, String>()? {
            by_language.insert(language, text);
        }
        if !by_language.contains_key("en") {
            return Err(de::Error::custom(
                "text needs an `en` entry, the fallback language",
            ));
        }
        Ok(Text(by_language))
    }
}

impl<'de> Deserialize<'de> for Text {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(TextVisitor)
    }
}

impl From<Text> for BTreeMap<String, String> {
    fn from(text: Text) -> Self {
        text.0
    }
}

impl Text {
    /// English-only text.
    pub fn english(text: impl Into<String>) -> Self {
        Self(BTreeMap::from([("en".to_owned(), text.into())]))
    }

    /// Text in the languages given; the first should be English, the fallback.
    pub fn translated<'a>(texts: impl IntoIterator<Item = (&'a str, &'a str)>) -> Self {
        Self(
            texts
                .into_iter()
                .map(|(language, text)| (language.to_owned(), text.to_owned()))
                .collect(),
        )
    }

    /// The text in `language`, or in English when there is no translation.
    pub fn in_language(&self, language: &str) -> &str {
        self.0
            .get(language)
            .or_else(|| self.0.get("en"))
            .map_or("", String::as_str)
    }

    /// Whether there is text in `language`.
    pub fn has(&self, language: &str) -> bool {
        self.0.contains_key(language)
    }

    /// The English text.
    pub fn en(&self) -> &str {
        self.in_language("en")
    }
}
