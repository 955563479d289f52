//! The facts of each resource type Intake proposes, as rows of words.

use serde_json::Value;

use super::{ClinicalRow, ClinicalView, NOTE_LABEL, words};

/// A resource in clinical words. Types Intake does not propose come out as their type name with
/// no rows, so a page never fails on one.
pub fn describe(resource: &Value) -> ClinicalView {
    let mut rows = Rows::default();
    let (kind, subject) = match resource["resourceType"].as_str().unwrap_or_default() {
        // https://hl7.org/fhir/R4/allergyintolerance.html
        "AllergyIntolerance" => {
            rows.add(
                "Clinical status",
                words::status(&resource["clinicalStatus"]),
            );
            rows.add(
                "Verification",
                words::status(&resource["verificationStatus"]),
            );
            rows.add("Code", Some(words::codes(&resource["code"])));
            rows.add(
                "Criticality",
                resource["criticality"].as_str().map(words::code_in_words),
            );
            rows.add("Reaction", reactions(resource));
            rows.add("Onset", date_of(resource, "onsetDateTime"));
            rows.add("Recorded", date_of(resource, "recordedDate"));
            ("Allergy", subject(&resource["code"]))
        }
        // https://hl7.org/fhir/R4/medicationstatement.html
        "MedicationStatement" => {
            let medicine = &resource["medicationCodeableConcept"];
            rows.add(
                "Status",
                resource["status"].as_str().map(words::code_in_words),
            );
            rows.add("Code", Some(words::codes(medicine)));
            rows.add("How taken", dosage(resource));
            rows.add("Taken for", concepts(&resource["reasonCode"]));
            rows.add("Since", date_of(resource, "effectiveDateTime"));
            rows.add("Reported", date_of(resource, "dateAsserted"));
            ("Medicine", subject(medicine))
        }
        // https://hl7.org/fhir/R4/condition.html
        "Condition" => {
            rows.add(
                "Clinical status",
                words::status(&resource["clinicalStatus"]),
            );
            rows.add(
                "Verification",
                words::status(&resource["verificationStatus"]),
            );
            rows.add("Code", Some(words::codes(&resource["code"])));
            rows.add("Onset", date_of(resource, "onsetDateTime"));
            rows.add("Ended", date_of(resource, "abatementDateTime"));
            rows.add("Recorded", date_of(resource, "recordedDate"));
            ("Condition", subject(&resource["code"]))
        }
        // https://hl7.org/fhir/R4/observation.html
        "Observation" => {
            rows.add("Value", observation_value(resource));
            rows.add(
                "Status",
                resource["status"].as_str().map(words::code_in_words),
            );
            rows.add("Code", Some(words::codes(&resource["code"])));
            rows.add("When", date_of(resource, "effectiveDateTime"));
            ("Observation", subject(&resource["code"]))
        }
        // https://hl7.org/fhir/R4/patient.html
        "Patient" => {
            patient_rows(resource, &mut rows);
            (
                "Demographics",
                person_name(resource).unwrap_or_else(|| "the patient".to_owned()),
            )
        }
        // https://hl7.org/fhir/R4/questionnaireresponse.html
        "QuestionnaireResponse" => {
            rows.add(
                "Status",
                resource["status"].as_str().map(words::code_in_words),
            );
            rows.add("Submitted", date_of(resource, "authored"));
            for (label, value) in answers(&resource["item"]) {
                rows.push(label, value);
            }
            (
                "Answers",
                resource["questionnaire"]
                    .as_str()
                    .map_or_else(|| "the form".to_owned(), form_name),
            )
        }
        _ => (
            "Entry",
            resource["resourceType"].as_str().unwrap_or("?").to_owned(),
        ),
    };
    rows.add(NOTE_LABEL, words::notes(resource));
    ClinicalView {
        kind,
        subject,
        rows: rows.0,
    }
}

/// Rows in order, leaving out facts a resource does not state.
#[derive(Default)]
struct Rows(Vec<ClinicalRow>);

impl Rows {
    fn add(&mut self, label: &str, value: Option<String>) {
        if let Some(value) = value.filter(|v| !v.trim().is_empty()) {
            self.push(label.to_owned(), value);
        }
    }

    fn push(&mut self, label: String, value: String) {
        self.0.push(ClinicalRow { label, value });
    }
}

fn subject(concept: &Value) -> String {
    words::concept(concept).unwrap_or_else(|| "(not named)".to_owned())
}

fn date_of(resource: &Value, field: &str) -> Option<String> {
    resource[field].as_str().map(words::date)
}

fn concepts(list: &Value) -> Option<String> {
    let named: Vec<String> = list.as_array()?.iter().filter_map(words::concept).collect();
    (!named.is_empty()).then(|| named.join(", "))
}

fn reactions(resource: &Value) -> Option<String> {
    let described: Vec<String> = resource["reaction"]
        .as_array()?
        .iter()
        .filter_map(|reaction| {
            let what = concepts(&reaction["manifestation"])?;
            Some(match reaction["severity"].as_str() {
                Some(severity) => format!("{what} ({severity})"),
                None => what,
            })
        })
        .collect();
    (!described.is_empty()).then(|| described.join("; "))
}

fn dosage(resource: &Value) -> Option<String> {
    let texts: Vec<&str> = resource["dosage"]
        .as_array()?
        .iter()
        .filter_map(|d| d["text"].as_str())
        .collect();
    (!texts.is_empty()).then(|| texts.join("; "))
}

fn observation_value(resource: &Value) -> Option<String> {
    if let Some(quantity) = words::quantity(&resource["valueQuantity"]) {
        return Some(quantity);
    }
    if let Some(concept) = words::concept(&resource["valueCodeableConcept"]) {
        return Some(concept);
    }
    if let Some(yes) = resource["valueBoolean"].as_bool() {
        return Some(if yes { "Yes" } else { "No" }.to_owned());
    }
    if let Some(n) = resource["valueInteger"].as_i64() {
        return Some(n.to_string());
    }
    if let Some(when) = resource["valueDateTime"].as_str() {
        return Some(words::date(when));
    }
    resource["valueString"]
        .as_str()
        .or_else(|| resource["valueTime"].as_str())
        .map(str::to_owned)
}

fn person_name(resource: &Value) -> Option<String> {
    let names = resource["name"].as_array()?;
    let name = names
        .iter()
        .find(|n| n["use"] == "official")
        .or_else(|| names.first())?;
    if let Some(text) = name["text"].as_str() {
        return Some(text.to_owned());
    }
    let given: Vec<&str> = name["given"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .collect();
    let family = name["family"].as_str().unwrap_or_default();
    let whole = format!("{} {family}", given.join(" "));
    Some(whole.trim().to_owned()).filter(|n| !n.is_empty())
}

fn patient_rows(resource: &Value, rows: &mut Rows) {
    rows.add("Name", person_name(resource));
    rows.add("Date of birth", date_of(resource, "birthDate"));
    rows.add("Sex", resource["gender"].as_str().map(words::code_in_words));
    let telecom = |wanted: fn(&Value) -> bool| {
        let values: Vec<&str> = resource["telecom"]
            .as_array()
            .into_iter()
            .flatten()
            .filter(|t| wanted(t))
            .filter_map(|t| t["value"].as_str())
            .collect();
        (!values.is_empty()).then(|| values.join(", "))
    };
    rows.add(
        "Mobile",
        telecom(|t| t["system"] == "sms" || t["system"] == "phone" && t["use"] == "mobile"),
    );
    rows.add(
        "Phone",
        telecom(|t| t["system"] == "phone" && t["use"] != "mobile"),
    );
    rows.add("Email", telecom(|t| t["system"] == "email"));
    rows.add("Address", address(resource));
    rows.add(
        "Language",
        resource["communication"].as_array().and_then(|list| {
            list.iter()
                .filter_map(|c| words::concept(&c["language"]))
                .next()
        }),
    );
    rows.add("Marital status", words::concept(&resource["maritalStatus"]));
}

fn address(resource: &Value) -> Option<String> {
    let address = resource["address"].as_array()?.first()?;
    if let Some(text) = address["text"].as_str() {
        return Some(text.to_owned());
    }
    let mut parts: Vec<String> = address["line"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|line| line.as_str().map(str::to_owned))
        .collect();
    let town = [&address["city"], &address["state"], &address["postalCode"]]
        .iter()
        .filter_map(|v| v.as_str())
        .collect::<Vec<_>>()
        .join(" ");
    if !town.is_empty() {
        parts.push(town);
    }
    (!parts.is_empty()).then(|| parts.join(", "))
}

/// The answered questions of a QuestionnaireResponse, groups opened, as "question: answer".
fn answers(items: &Value) -> Vec<(String, String)> {
    let mut found = Vec::new();
    for item in items.as_array().into_iter().flatten() {
        let label = item["text"]
            .as_str()
            .or_else(|| item["linkId"].as_str())
            .unwrap_or("?")
            .to_owned();
        let values: Vec<String> = item["answer"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(answer_words)
            .collect();
        if !values.is_empty() {
            found.push((label, values.join(", ")));
        }
        found.extend(answers(&item["item"]));
        for answer in item["answer"].as_array().into_iter().flatten() {
            found.extend(answers(&answer["item"]));
        }
    }
    found
}

fn answer_words(answer: &Value) -> Option<String> {
    let object = answer.as_object()?;
    let (key, value) = object.iter().find(|(k, _)| k.starts_with("value"))?;
    Some(match key.as_str() {
        "valueCoding" => value["display"]
            .as_str()
            .or_else(|| value["code"].as_str())?
            .to_owned(),
        "valueBoolean" => if value.as_bool()? { "Yes" } else { "No" }.to_owned(),
        "valueQuantity" => words::quantity(value)?,
        "valueDate" | "valueDateTime" => words::date(value.as_str()?),
        _ => match value {
            Value::String(s) => s.clone(),
            Value::Number(n) => n.to_string(),
            _ => return None,
        },
    })
}

/// The form's name from its canonical URL: the last path segment, before any `|version`.
fn form_name(canonical: &str) -> String {
    let url = canonical.split('|').next().unwrap_or(canonical);
    url.rsplit('/').next().unwrap_or(url).to_owned()
}
