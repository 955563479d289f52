//! Questionnaire JSON as people read FHIR: `resourceType` first, `url` first in an extension,
//! `linkId` first in an item; every other key after these, alphabetically.

use serde::{Serialize, Serializer, ser::SerializeMap};
use serde_json::Value as Json;

/// Keys in FHIR's element order; others follow alphabetically.
const ORDER: &[&str] = &[
    "resourceType",
    "id",
    "url",
    "version",
    "name",
    "title",
    "_title",
    "status",
    "language",
    "description",
    "_description",
    "linkId",
    "system",
    "code",
    "display",
    "_display",
    "text",
    "_text",
    "type",
    "required",
    "repeats",
    "readOnly",
    "maxLength",
    "question",
    "operator",
    "extension",
    "enableWhen",
    "enableBehavior",
    "answerValueSet",
    "answerOption",
    "initial",
    "contained",
    "expansion",
    "item",
];

/// Pretty JSON with keys in FHIR's usual order (the value is unchanged).
pub fn to_pretty_json(value: &Json) -> String {
    serde_json::to_string_pretty(&Ordered(value)).unwrap_or_default()
}

struct Ordered<'a>(&'a Json);

impl Serialize for Ordered<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self.0 {
            Json::Object(map) => {
                let mut entries: Vec<_> = map.iter().collect();
                entries.sort_by_key(|(k, _)| {
                    let rank = ORDER.iter().position(|o| o == k).unwrap_or(ORDER.len());
                    (rank, k.as_str())
                });
                let mut out = serializer.serialize_map(Some(entries.len()))?;
                for (key, value) in entries {
                    out.serialize_entry(key, &Ordered(value))?;
                }
                out.end()
            }
            Json::Array(list) => serializer.collect_seq(list.iter().map(Ordered)),
            other => other.serialize(serializer),
        }
    }
}
