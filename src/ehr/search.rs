//! FHIR search over resources in memory, for the file-drop folder: the parameters prefill
//! queries use (`patient`, `code`, statuses, `category`, `identifier`, `_id`, `_sort`, `_count`).
//! A parameter it does not know is refused by name rather than ignored, so a form designer sees
//! why a query found nothing.
//! Spec: <https://hl7.org/fhir/R4/search.html>

use serde_json::{Value, json};

use super::{EhrError, has_identifier};

/// Runs `query` (`Type?name=value&…`) over `resources`, giving a searchset Bundle.
pub fn search_resources<'a>(
    resources: impl IntoIterator<Item = &'a Value>,
    query: &str,
) -> Result<Value, EhrError> {
    let (resource_type, params) = query.split_once('?').unwrap_or((query, ""));
    let resource_type = resource_type.trim_start_matches('/');
    let mut matches: Vec<&Value> = resources
        .into_iter()
        .filter(|r| r["resourceType"] == resource_type)
        .collect();
    let mut count = None;
    for (name, value) in url::form_urlencoded::parse(params.as_bytes()) {
        match name.as_ref() {
            "_count" => count = value.parse::<usize>().ok(),
            "_sort" => sort(&mut matches, &value)?,
            _ => {
                let test = criterion(resource_type, &name)?;
                matches.retain(|r| value.split(',').any(|v| test(r, v)));
            }
        }
    }
    if let Some(count) = count {
        matches.truncate(count);
    }
    let entry: Vec<Value> = matches
        .into_iter()
        .map(|r| json!({"resource": r, "search": {"mode": "match"}}))
        .collect();
    Ok(json!({
        "resourceType": "Bundle",
        "type": "searchset",
        "total": entry.len(),
        "entry": entry,
    }))
}

type Test = fn(&Value, &str) -> bool;

/// How one search parameter tests a resource against one of its values.
fn criterion(resource_type: &str, name: &str) -> Result<Test, EhrError> {
    Ok(match name {
        "_id" => |r, v| r["id"] == v,
        "patient" | "subject" => |r, v| refers_to_patient(r, v),
        "identifier" => |r, v| match v.split_once('|') {
            Some((system, value)) => has_identifier(r, system, value),
            None => r["identifier"]
                .as_array()
                .into_iter()
                .flatten()
                .any(|i| i["value"] == v),
        },
        "code"
            if resource_type == "MedicationStatement" || resource_type == "MedicationRequest" =>
        {
            |r, v| token_matches(&r["medicationCodeableConcept"], v)
        }
        "code" => |r, v| token_matches(&r["code"], v),
        "clinical-status" => |r, v| token_matches(&r["clinicalStatus"], v),
        "verification-status" => |r, v| token_matches(&r["verificationStatus"], v),
        "category" => |r, v| token_matches(&r["category"], v),
        "status" => |r, v| token_matches(&r["status"], v),
        "date" => |r, v| date_matches(clinical_date(r), v),
        "birthdate" if resource_type == "Patient" => {
            |r, v| date_matches(r["birthDate"].as_str(), v)
        }
        "family" if resource_type == "Patient" => |r, v| {
            name_part_matches(r, v, |n| {
                n["family"]
                    .as_str()
                    .into_iter()
                    .map(str::to_owned)
                    .collect()
            })
        },
        "given" if resource_type == "Patient" => |r, v| {
            name_part_matches(r, v, |n| {
                n["given"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .filter_map(Value::as_str)
                    .map(str::to_owned)
                    .collect()
            })
        },
        other => {
            return Err(EhrError::Rejected {
                status: 400,
                message: format!(
                    "the file-drop folder does not support the search parameter `{other}` on {resource_type}"
                ),
            });
        }
    })
}

/// A string search on a part of `Patient.name`: a case-insensitive match at the start of the
/// part, as FHIR string search does (accents are compared as written).
fn name_part_matches(resource: &Value, value: &str, parts: fn(&Value) -> Vec<String>) -> bool {
    let wanted = value.trim().to_lowercase();
    resource["name"]
        .as_array()
        .into_iter()
        .flatten()
        .flat_map(parts)
        .any(|part| part.to_lowercase().starts_with(&wanted))
}

/// `patient=123` or `patient=Patient/123` against `patient`, `subject` or (Coverage)
/// `beneficiary` (or the Patient itself).
fn refers_to_patient(resource: &Value, value: &str) -> bool {
    let id = value.strip_prefix("Patient/").unwrap_or(value);
    if resource["resourceType"] == "Patient" {
        return resource["id"] == id;
    }
    ["patient", "subject", "beneficiary"].iter().any(|field| {
        resource[field]["reference"]
            .as_str()
            .is_some_and(|r| r.strip_prefix("Patient/").unwrap_or(r) == id)
    })
}

/// A token (`code`, `system|code`, `|code`, `system|`) against a code, Coding,
/// CodeableConcept, or a list of them.
fn token_matches(element: &Value, token: &str) -> bool {
    let (system, code) = match token.split_once('|') {
        Some((s, c)) => (Some(s), c),
        None => (None, token),
    };
    let coding_matches = |coding: &Value| {
        let system_ok = match system {
            None => true,
            Some("") => coding.get("system").is_none(),
            Some(s) => coding["system"] == s,
        };
        system_ok && (code.is_empty() || coding["code"] == code)
    };
    match element {
        Value::String(s) => system.is_none() && s == code,
        Value::Array(list) => list.iter().any(|e| token_matches(e, token)),
        Value::Object(o) if o.contains_key("coding") => o["coding"]
            .as_array()
            .into_iter()
            .flatten()
            .any(coding_matches),
        Value::Object(_) => coding_matches(element),
        _ => false,
    }
}

/// `date=[prefix]value` (`eq`, `ne`, `gt`, `ge`, `lt`, `le`; `eq` when none) against the
/// resource's clinical date, compared at the precision of the value given.
fn date_matches(date: Option<&str>, value: &str) -> bool {
    let Some(date) = date else { return false };
    let (prefix, wanted) = match value.get(..2) {
        Some(p @ ("eq" | "ne" | "gt" | "ge" | "lt" | "le")) => (p, &value[2..]),
        _ => ("eq", value),
    };
    let have = date.get(..wanted.len()).unwrap_or(date);
    match prefix {
        "ne" => have != wanted,
        "gt" => have > wanted,
        "ge" => have >= wanted,
        "lt" => have < wanted,
        "le" => have <= wanted,
        _ => have == wanted,
    }
}

/// `_sort=date` or `_sort=-date` (the clinically relevant date of each type); other keys are
/// refused.
fn sort(matches: &mut [&Value], key: &str) -> Result<(), EhrError> {
    let (descending, key) = match key.strip_prefix('-') {
        Some(k) => (true, k),
        None => (false, key),
    };
    if key != "date" {
        return Err(EhrError::Rejected {
            status: 400,
            message: format!("the file-drop folder cannot sort by `{key}`"),
        });
    }
    matches.sort_by(|a, b| {
        let order = clinical_date(a).cmp(&clinical_date(b));
        if descending { order.reverse() } else { order }
    });
    Ok(())
}

/// The date a resource is about, as text that sorts in time order (FHIR dates do, at one
/// timezone; the folder's own data is written so).
fn clinical_date(resource: &Value) -> Option<&str> {
    [
        "effectiveDateTime",
        "issued",
        "recordedDate",
        "onsetDateTime",
        "dateAsserted",
        "authoredOn",
        "occurrenceDateTime",
        "date",
    ]
    .iter()
    .find_map(|field| resource[field].as_str())
    .or_else(|| resource["effectivePeriod"]["start"].as_str())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chart() -> Vec<Value> {
        vec![
            json!({"resourceType": "Observation", "id": "h1", "subject": {"reference": "Patient/p1"},
                "code": {"coding": [{"system": "http://loinc.org", "code": "8302-2"}]},
                "effectiveDateTime": "2024-01-01"}),
            json!({"resourceType": "Observation", "id": "h2", "subject": {"reference": "Patient/p1"},
                "code": {"coding": [{"system": "http://loinc.org", "code": "8302-2"}]},
                "effectiveDateTime": "2025-01-01"}),
            json!({"resourceType": "Observation", "id": "h3", "subject": {"reference": "Patient/p2"},
                "code": {"coding": [{"system": "http://loinc.org", "code": "8302-2"}]},
                "effectiveDateTime": "2026-01-01"}),
            json!({"resourceType": "AllergyIntolerance", "id": "a1", "patient": {"reference": "Patient/p1"},
                "clinicalStatus": {"coding": [{"code": "active"}]}}),
        ]
    }

    fn ids(bundle: &Value) -> Vec<&str> {
        bundle["entry"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["resource"]["id"].as_str().unwrap())
            .collect()
    }

    #[test]
    fn the_latest_observation_of_a_code_for_a_patient() {
        let found = search_resources(
            &chart(),
            "Observation?code=http://loinc.org|8302-2&_count=1&_sort=-date&patient=p1",
        )
        .unwrap();
        assert_eq!(ids(&found), ["h2"]);
        assert_eq!(found["type"], "searchset");
    }

    #[test]
    fn statuses_and_references_in_either_form() {
        let found = search_resources(
            &chart(),
            "AllergyIntolerance?patient=Patient/p1&clinical-status=active,inactive",
        )
        .unwrap();
        assert_eq!(ids(&found), ["a1"]);
        let none = search_resources(&chart(), "AllergyIntolerance?patient=p2").unwrap();
        assert_eq!(ids(&none), Vec::<&str>::new());
    }

    #[test]
    fn recent_observations_by_date_with_a_prefix() {
        let found = search_resources(&chart(), "Observation?patient=p1&date=ge2025-01").unwrap();
        assert_eq!(ids(&found), ["h2"]);
        let found = search_resources(&chart(), "Observation?date=lt2025").unwrap();
        assert_eq!(ids(&found), ["h1"]);
    }

    #[test]
    fn patients_are_found_by_family_given_name_and_birth_date() {
        let patients = vec![
            json!({"resourceType": "Patient", "id": "p1", "birthDate": "1958-04-12",
                "name": [{"family": "Delgado", "given": ["Rosa", "Maria"]}]}),
            json!({"resourceType": "Patient", "id": "p2", "birthDate": "1960-01-01",
                "name": [{"family": "Delgado", "given": ["Rosa"]}]}),
        ];
        let found = search_resources(&patients, "Patient?family=delgado&given=maria").unwrap();
        assert_eq!(ids(&found), ["p1"]);
        let found = search_resources(
            &patients,
            "Patient?family=Delgado&given=Rosa&birthdate=1960-01-01",
        )
        .unwrap();
        assert_eq!(ids(&found), ["p2"]);
    }

    #[test]
    fn an_unknown_parameter_is_refused_by_name() {
        let error = search_resources(&chart(), "Observation?value-quantity=gt5").unwrap_err();
        assert!(error.to_string().contains("`value-quantity`"), "{error}");
    }
}
