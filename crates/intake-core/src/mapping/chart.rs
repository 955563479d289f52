//! What the chart held when the patient started: the Patient and their allergies, medications
//! and conditions, read once and kept with the draft, so the form shows it and the submission
//! is compared with exactly what the patient saw.

use std::sync::Arc;

use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use crate::domain::{Contact, ContactKind, PREFILL_TYPES, ResourceType};

/// The chart as read for one intake.
#[derive(Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ChartSnapshot {
    /// The Patient resource.
    pub patient: Option<Value>,
    /// Allergies, medications and conditions on file.
    pub resources: Vec<Value>,
    /// The results of the form's own queries (`x-fhir-query` variables, `sourceQueries`), by
    /// the name expressions read them as: run when the draft started, kept with the rest so
    /// every page sees the same. Left out when empty, so chart reads kept before read alike.
    #[serde(default, skip_serializing_if = "std::collections::BTreeMap::is_empty")]
    pub queries: std::collections::BTreeMap<String, Value>,
}

impl std::fmt::Debug for ChartSnapshot {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Chart content is health data: only its shape is printed.
        f.debug_struct("ChartSnapshot")
            .field("patient", &self.patient.is_some())
            .field("resources", &self.resources.len())
            .field("queries", &self.queries.keys().collect::<Vec<_>>())
            .finish()
    }
}

impl ChartSnapshot {
    /// The resources of one type.
    pub fn of_type(&self, resource_type: ResourceType) -> impl Iterator<Item = &Value> {
        self.resources
            .iter()
            .filter(move |r| r["resourceType"] == resource_type.as_str())
    }

    /// The resource with this type and id.
    pub fn find(&self, resource_type: ResourceType, id: &str) -> Option<&Value> {
        self.of_type(resource_type).find(|r| r["id"] == id)
    }

    /// Where a one-time code of `kind` can go: the Patient's `telecom` of that system (for a
    /// text, `sms`, else `phone`, mobile first), leaving out numbers marked `old` or whose
    /// period has ended, and taking the lowest `rank` among equals.
    /// <https://hl7.org/fhir/R4/datatypes.html#ContactPoint>
    pub fn contact(&self, kind: ContactKind, today: time::Date) -> Option<Contact> {
        let today = format!(
            "{:04}-{:02}-{:02}",
            today.year(),
            u8::from(today.month()),
            today.day()
        );
        let telecom = self.patient.as_ref()?["telecom"].as_array()?;
        let mut candidates: Vec<(u8, u64, Contact)> = telecom
            .iter()
            .filter(|point| point["use"] != "old")
            .filter(|point| {
                // FHIR dates and dateTimes compare as text on their common prefix.
                point["period"]["end"]
                    .as_str()
                    .is_none_or(|end| end.get(..10).unwrap_or(end) >= today.as_str())
            })
            .filter_map(|point| {
                let value = point["value"].as_str()?;
                let system = point["system"].as_str()?;
                let preference = match (kind, system, point["use"].as_str()) {
                    (ContactKind::Sms, "sms", _) | (ContactKind::Sms, "phone", Some("mobile")) => 0,
                    (ContactKind::Sms, "phone", _) => 1,
                    (ContactKind::Email, "email", _) => 0,
                    _ => return None,
                };
                let contact = match kind {
                    ContactKind::Sms => Contact::phone(value)?,
                    ContactKind::Email => Contact::email(value)?,
                };
                let rank = point["rank"].as_u64().unwrap_or(u64::MAX);
                Some((preference, rank, contact))
            })
            .collect();
        candidates.sort_by_key(|(preference, rank, _)| (*preference, *rank));
        candidates.into_iter().next().map(|(_, _, contact)| contact)
    }

    /// What form expressions read: one searchset Bundle per type, named by the type
    /// (`%AllergyIntolerance`, `%MedicationStatement`, `%Condition`), as SDC prefill queries
    /// name their results.
    pub fn variables(&self) -> Vec<(String, Arc<Value>)> {
        let queries = self
            .queries
            .iter()
            .map(|(name, result)| (name.clone(), Arc::new(result.clone())));
        PREFILL_TYPES
            .iter()
            .map(|t| {
                let entry: Vec<Value> = self.of_type(*t).map(|r| json!({"resource": r})).collect();
                (
                    t.as_str().to_owned(),
                    Arc::new(
                        json!({"resourceType": "Bundle", "type": "searchset", "entry": entry}),
                    ),
                )
            })
            .chain(queries)
            .collect()
    }
}

/// What form expressions see of a chart read (`%patient` and the prefill Bundles), made once
/// and shared by every evaluation rather than copied into each.
#[derive(Default)]
pub struct ChartContext {
    /// The Patient resource.
    pub patient: Option<Arc<Value>>,
    /// One searchset Bundle per prefill type ([`ChartSnapshot::variables`]).
    pub variables: std::collections::BTreeMap<String, Arc<Value>>,
}

impl ChartContext {
    /// The context of `chart`; `None` (not read) counts as a chart holding nothing, so forms
    /// can still ask what it would show.
    pub fn of(chart: Option<&ChartSnapshot>) -> Self {
        let unread = ChartSnapshot::default();
        let chart = chart.unwrap_or(&unread);
        Self {
            patient: chart.patient.clone().map(Arc::new),
            variables: chart.variables().into_iter().collect(),
        }
    }
}

impl std::fmt::Debug for ChartContext {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Chart content is health data: only its shape is printed.
        f.debug_struct("ChartContext")
            .field("patient", &self.patient.is_some())
            .field("variables", &self.variables.keys().collect::<Vec<_>>())
            .finish()
    }
}

/// The language to write to the patient in, from `Patient.communication`: the one marked
/// `preferred` first, then the others in order; `en` or `es` (a regional code such as `es-MX`
/// counts), else `en`. <https://hl7.org/fhir/R4/patient.html#Patient.communication>
pub fn preferred_language(patient: &Value) -> &'static str {
    let mut spoken: Vec<&Value> = patient["communication"]
        .as_array()
        .into_iter()
        .flatten()
        .collect();
    // A stable sort: preferred ones first, the chart's order otherwise.
    spoken.sort_by_key(|c| c["preferred"].as_bool() != Some(true));
    let codes = |c: &Value| -> Vec<String> {
        c["language"]["coding"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|coding| coding["code"].as_str())
            .map(str::to_owned)
            .collect()
    };
    spoken
        .into_iter()
        .flat_map(codes)
        .find_map(
            |code| match code.split(['-', '_']).next()?.to_ascii_lowercase().as_str() {
                "en" => Some("en"),
                "es" => Some("es"),
                _ => None,
            },
        )
        .unwrap_or("en")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chart(telecom: Value) -> ChartSnapshot {
        ChartSnapshot {
            patient: Some(json!({"resourceType": "Patient", "telecom": telecom})),
            ..ChartSnapshot::default()
        }
    }

    #[test]
    fn the_preferred_language_comes_first_and_anything_but_english_or_spanish_is_english() {
        let language = |communication: Value| {
            preferred_language(&json!({"resourceType": "Patient", "communication": communication}))
        };
        let spanish =
            json!({"language": {"coding": [{"system": "urn:ietf:bcp:47", "code": "es-MX"}]}});
        let english =
            json!({"language": {"coding": [{"system": "urn:ietf:bcp:47", "code": "en"}]}});
        let french = json!({"language": {"coding": [{"system": "urn:ietf:bcp:47", "code": "fr"}]}, "preferred": true});
        let mut preferred_spanish = spanish.clone();
        preferred_spanish["preferred"] = json!(true);
        assert_eq!(language(json!([english.clone(), preferred_spanish])), "es");
        assert_eq!(language(json!([spanish.clone(), english.clone()])), "es");
        assert_eq!(language(json!([french.clone(), spanish])), "es");
        assert_eq!(language(json!([french])), "en");
        assert_eq!(
            preferred_language(&json!({"resourceType": "Patient"})),
            "en"
        );
    }

    #[test]
    fn a_text_goes_to_the_mobile_number_before_any_other_phone() {
        let chart = chart(json!([
            {"system": "phone", "value": "+1-555-0100", "use": "home"},
            {"system": "email", "value": "a@example.org"},
            {"system": "phone", "value": "+1-555-0199", "use": "mobile"},
        ]));
        let contact = chart
            .contact(ContactKind::Sms, time::macros::date!(2026 - 11 - 22))
            .unwrap();
        assert_eq!(contact.expose(), "+1-555-0199");
    }

    #[test]
    fn a_home_phone_is_used_when_there_is_no_mobile_and_old_numbers_never() {
        let chart = chart(json!([
            {"system": "phone", "value": "+1-555-0111", "use": "old"},
            {"system": "phone", "value": "+1-555-0122", "use": "mobile", "period": {"end": "2020-01-01"}},
            {"system": "phone", "value": "+1-555-0133", "use": "home"},
        ]));
        let contact = chart
            .contact(ContactKind::Sms, time::macros::date!(2026 - 11 - 22))
            .unwrap();
        assert_eq!(contact.expose(), "+1-555-0133");
    }

    #[test]
    fn an_email_code_needs_an_email_on_file() {
        let phones = chart(json!([{"system": "phone", "value": "+1-555-0100", "use": "mobile"}]));
        assert!(
            phones
                .contact(ContactKind::Email, time::macros::date!(2026 - 11 - 22))
                .is_none()
        );
        let emails = chart(json!([
            {"system": "email", "value": "second@example.org", "rank": 2},
            {"system": "email", "value": "first@example.org", "rank": 1},
        ]));
        let contact = emails
            .contact(ContactKind::Email, time::macros::date!(2026 - 11 - 22))
            .unwrap();
        assert_eq!(contact.expose(), "first@example.org");
        assert!(
            ChartSnapshot::default()
                .contact(ContactKind::Sms, time::macros::date!(2026 - 11 - 22))
                .is_none()
        );
    }
}
