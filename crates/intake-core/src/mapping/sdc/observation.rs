//! Observation-based extraction: every answer to a coded item marked `observationExtract`
//! becomes an Observation; a coded group so marked becomes a panel whose `hasMember` lists the
//! Observations below it.
//! Spec: <https://build.fhir.org/ig/HL7/sdc/extraction.html#observation-based-extraction>

use serde_json::{Map, Value as Json, json};

use super::{
    ExtractIssue, ExtractRequest, IdSource, answers_to, create_entry, extensions, link_id, url,
    values,
};

/// The Observation entries of the response, in item order (a panel before its members).
pub(super) fn extract(
    request: &ExtractRequest<'_>,
    ids: &mut dyn IdSource,
    issues: &mut Vec<ExtractIssue>,
) -> Vec<Json> {
    let questionnaire = request.questionnaire;
    let marks = Marks::default().under(questionnaire);
    let mut extraction = Extraction {
        response: request.response,
        ids,
        issues,
        entries: Vec::new(),
    };
    extraction.walk(questionnaire.get("item"), request.response, &marks);
    extraction.entries
}

/// What an item inherits from the Questionnaire and its ancestors.
#[derive(Debug, Clone, Default)]
struct Marks {
    /// `observationExtract` as last set above (unset means no).
    extract: bool,
    /// `observation-extract-category` as last set above.
    category: Vec<Json>,
}

impl Marks {
    /// The marks in force on `element`: its own override the inherited ones.
    fn under(&self, element: &Json) -> Marks {
        let flag = extensions(element, &url::sdc("observationExtract"))
            .find_map(|e| e.get("valueBoolean").and_then(Json::as_bool));
        let category: Vec<Json> = extensions(element, &url::sdc("observation-extract-category"))
            .filter_map(|e| e.get("valueCodeableConcept").cloned())
            .collect();
        Marks {
            extract: flag.unwrap_or(self.extract),
            category: if category.is_empty() {
                self.category.clone()
            } else {
                category
            },
        }
    }
}

struct Extraction<'r, 'a> {
    response: &'a Json,
    ids: &'r mut dyn IdSource,
    issues: &'r mut Vec<ExtractIssue>,
    entries: Vec<Json>,
}

impl<'a> Extraction<'_, 'a> {
    /// Extracts the items under `parent`; returns the fullUrls of the outermost Observations made.
    fn walk(&mut self, items: Option<&'a Json>, parent: &'a Json, marks: &Marks) -> Vec<String> {
        let mut members = Vec::new();
        for qitem in items.and_then(Json::as_array).into_iter().flatten() {
            let marks = marks.under(qitem);
            let codes = codes(qitem);
            let extract = !codes.is_empty() && (marks.extract || tagged(qitem));
            let group = qitem.get("type").and_then(Json::as_str) == Some("group");
            for item in answers_to(parent, link_id(qitem)) {
                if group {
                    let start = self.entries.len();
                    let children = self.walk(qitem.get("item"), item, &marks);
                    if extract && !children.is_empty() {
                        let mut panel = self.observation(&codes, &marks.category);
                        panel["hasMember"] = references(&children);
                        members.push(self.insert(start, panel));
                    } else {
                        members.extend(children);
                    }
                    continue;
                }
                for answer in item
                    .get("answer")
                    .and_then(Json::as_array)
                    .into_iter()
                    .flatten()
                {
                    let start = self.entries.len();
                    let children = self.walk(qitem.get("item"), answer, &marks);
                    let value = extract.then(|| observation_value(qitem, answer)).flatten();
                    match value {
                        Some((key, value)) => {
                            let mut observation = self.observation(&codes, &marks.category);
                            observation[key] = value;
                            if !children.is_empty() {
                                observation["hasMember"] = references(&children);
                            }
                            members.push(self.insert(start, observation));
                        }
                        None => {
                            if extract {
                                self.issues.push(ExtractIssue {
                                    location: format!("item `{}`", link_id(qitem)),
                                    message: "an answer of this type has no Observation.value[x]"
                                        .to_owned(),
                                });
                            }
                            members.extend(children);
                        }
                    }
                }
            }
        }
        members
    }

    /// Adds an entry at `index` (before the members made after it); returns its fullUrl.
    fn insert(&mut self, index: usize, observation: Json) -> String {
        let full_url = format!("urn:uuid:{}", self.ids.next_id());
        self.entries
            .insert(index, create_entry(observation, full_url.clone()));
        full_url
    }

    /// An Observation with what the response says about who, when and where.
    fn observation(&self, codes: &[Json], category: &[Json]) -> Json {
        let response = self.response;
        let mut o = Map::new();
        o.insert("resourceType".into(), json!("Observation"));
        o.insert("status".into(), json!("final"));
        if !category.is_empty() {
            o.insert("category".into(), json!(category));
        }
        o.insert("code".into(), json!({ "coding": codes }));
        for (from, to) in [
            ("basedOn", "basedOn"),
            ("partOf", "partOf"),
            ("subject", "subject"),
            ("encounter", "encounter"),
        ] {
            if let Some(value) = response.get(from) {
                o.insert(to.into(), value.clone());
            }
        }
        if let Some(authored) = response.get("authored").and_then(Json::as_str) {
            o.insert("effectiveDateTime".into(), json!(authored));
            // `issued` is an instant: only a full date and time with a zone will do.
            if is_instant(authored) {
                o.insert("issued".into(), json!(authored));
            }
        }
        if let Some(author) = response.get("author") {
            o.insert("performer".into(), json!([author]));
        }
        if let Some(id) = response.get("id").and_then(Json::as_str) {
            o.insert(
                "derivedFrom".into(),
                json!([{ "reference": format!("QuestionnaireResponse/{id}") }]),
            );
        }
        Json::Object(o)
    }
}

/// The item's codes for `Observation.code`: only those tagged `observationExtract` when any are.
fn codes(qitem: &Json) -> Vec<Json> {
    let all = qitem
        .get("code")
        .and_then(Json::as_array)
        .cloned()
        .unwrap_or_default();
    let is_tagged = |c: &Json| coding_flag(c) == Some(true);
    let chosen: Vec<Json> = if all.iter().any(is_tagged) {
        all.into_iter().filter(is_tagged).collect()
    } else {
        all
    };
    chosen.into_iter().map(untagged).collect()
}

/// Whether any of the item's codes is tagged `observationExtract = true`.
fn tagged(qitem: &Json) -> bool {
    qitem
        .get("code")
        .and_then(Json::as_array)
        .is_some_and(|codes| codes.iter().any(|c| coding_flag(c) == Some(true)))
}

fn coding_flag(coding: &Json) -> Option<bool> {
    extensions(coding, &url::sdc("observationExtract"))
        .find_map(|e| e.get("valueBoolean").and_then(Json::as_bool))
}

/// A coding without the `observationExtract` tag.
fn untagged(mut coding: Json) -> Json {
    let tag = url::sdc("observationExtract");
    if let Some(object) = coding.as_object_mut() {
        if let Some(Json::Array(list)) = object.get_mut("extension") {
            list.retain(|e| e.get("url").and_then(Json::as_str) != Some(&tag));
        }
        if object
            .get("extension")
            .and_then(Json::as_array)
            .is_some_and(Vec::is_empty)
        {
            object.remove("extension");
        }
    }
    coding
}

fn references(full_urls: &[String]) -> Json {
    full_urls
        .iter()
        .map(|u| json!({ "reference": u }))
        .collect()
}

/// `Observation.value[x]` for an answer; `None` for types Observation cannot hold
/// (attachment, reference). Numbers with a `questionnaire-unit` become quantities, and so do
/// decimals without one, since R4 Observation has no `valueDecimal`.
fn observation_value(qitem: &Json, answer: &Json) -> Option<(&'static str, Json)> {
    let unit = extensions(qitem, url::UNIT).find_map(|e| e.get("valueCoding"));
    let quantity = |number: &Json| values::quantity(number, unit);
    let (key, value) = answer
        .as_object()?
        .iter()
        .find(|(k, _)| k.starts_with("value"))?;
    Some(match key.as_str() {
        "valueCoding" => ("valueCodeableConcept", json!({ "coding": [value] })),
        "valueInteger" if unit.is_none() => ("valueInteger", value.clone()),
        "valueInteger" | "valueDecimal" => ("valueQuantity", quantity(value)),
        "valueQuantity" => ("valueQuantity", value.clone()),
        "valueString" | "valueUri" => ("valueString", value.clone()),
        "valueBoolean" => ("valueBoolean", value.clone()),
        "valueDate" | "valueDateTime" => ("valueDateTime", value.clone()),
        "valueTime" => ("valueTime", value.clone()),
        _ => return None,
    })
}

/// Whether a FHIR dateTime is also an instant: a time to the second and a zone.
fn is_instant(date_time: &str) -> bool {
    let Some((_, time)) = date_time.split_once('T') else {
        return false;
    };
    time.len() >= 8
        && (time.ends_with('Z') || time.get(8..).is_some_and(|zone| zone.contains(['+', '-'])))
}
