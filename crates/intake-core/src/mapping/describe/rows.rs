//! The facts of each resource type Intake proposes, as rows of words.

use serde_json::Value;

use super::{ClinicalRow, ClinicalView, Kind, NOTES, words};
use crate::domain::{Joiner, Phrase};

/// Every fact a description may state, as message ids; each has an `.in-sentence` form.
pub(super) const FACTS: [&str; 26] = [
    "fact-clinical-status",
    "fact-verification",
    "fact-code",
    "fact-criticality",
    "fact-reaction",
    "fact-onset",
    "fact-recorded",
    "fact-status",
    "fact-how-taken",
    "fact-taken-for",
    "fact-since",
    "fact-reported",
    "fact-ended",
    "fact-value",
    "fact-when",
    "fact-name",
    "fact-date-of-birth",
    "fact-sex",
    "fact-mobile",
    "fact-phone",
    "fact-email",
    "fact-address",
    "fact-language",
    "fact-marital-status",
    "fact-submitted",
    "fact-notes",
];

/// A resource in clinical words. Types Intake does not propose come out as their type name with
/// no rows, so a page never fails on one.
pub fn describe(resource: &Value) -> ClinicalView {
    let mut rows = Rows::default();
    let (kind, subject) = match resource["resourceType"].as_str().unwrap_or_default() {
        // https://hl7.org/fhir/R4/allergyintolerance.html
        "AllergyIntolerance" => {
            rows.add(
                "fact-clinical-status",
                words::status(&resource["clinicalStatus"]),
            );
            rows.add(
                "fact-verification",
                words::status(&resource["verificationStatus"]),
            );
            rows.add("fact-code", Some(words::codes(&resource["code"])));
            rows.add(
                "fact-criticality",
                resource["criticality"].as_str().map(words::code_in_words),
            );
            rows.add("fact-reaction", reactions(resource));
            rows.add("fact-onset", date_of(resource, "onsetDateTime"));
            rows.add("fact-recorded", date_of(resource, "recordedDate"));
            (Kind::Allergy, subject(&resource["code"]))
        }
        // https://hl7.org/fhir/R4/medicationstatement.html
        "MedicationStatement" => {
            let medicine = &resource["medicationCodeableConcept"];
            rows.add(
                "fact-status",
                resource["status"].as_str().map(words::code_in_words),
            );
            rows.add("fact-code", Some(words::codes(medicine)));
            rows.add("fact-how-taken", dosage(resource));
            rows.add("fact-taken-for", concepts(&resource["reasonCode"]));
            rows.add("fact-since", date_of(resource, "effectiveDateTime"));
            rows.add("fact-reported", date_of(resource, "dateAsserted"));
            (Kind::Medicine, subject(medicine))
        }
        // https://hl7.org/fhir/R4/condition.html
        "Condition" => {
            rows.add(
                "fact-clinical-status",
                words::status(&resource["clinicalStatus"]),
            );
            rows.add(
                "fact-verification",
                words::status(&resource["verificationStatus"]),
            );
            rows.add("fact-code", Some(words::codes(&resource["code"])));
            rows.add("fact-onset", date_of(resource, "onsetDateTime"));
            rows.add("fact-ended", date_of(resource, "abatementDateTime"));
            rows.add("fact-recorded", date_of(resource, "recordedDate"));
            (Kind::Condition, subject(&resource["code"]))
        }
        // https://hl7.org/fhir/R4/observation.html
        "Observation" => {
            rows.add("fact-value", observation_value(resource));
            rows.add(
                "fact-status",
                resource["status"].as_str().map(words::code_in_words),
            );
            rows.add("fact-code", Some(words::codes(&resource["code"])));
            rows.add("fact-when", date_of(resource, "effectiveDateTime"));
            (Kind::Observation, subject(&resource["code"]))
        }
        // https://hl7.org/fhir/R4/patient.html
        "Patient" => {
            patient_rows(resource, &mut rows);
            (
                Kind::Demographics,
                person_name(resource)
                    .map_or_else(|| Phrase::said("describe-the-patient"), Phrase::Verbatim),
            )
        }
        // https://hl7.org/fhir/R4/questionnaireresponse.html
        "QuestionnaireResponse" => {
            rows.add(
                "fact-status",
                resource["status"].as_str().map(words::code_in_words),
            );
            rows.add("fact-submitted", date_of(resource, "authored"));
            for (question, value) in answers(&resource["item"]) {
                rows.push(Phrase::Verbatim(question), value);
            }
            (
                Kind::Answers,
                resource["questionnaire"].as_str().map_or_else(
                    || Phrase::said("describe-the-form"),
                    |canonical| Phrase::Verbatim(form_name(canonical)),
                ),
            )
        }
        _ => (
            Kind::Entry,
            Phrase::verbatim(resource["resourceType"].as_str().unwrap_or("?")),
        ),
    };
    rows.add(NOTES, words::notes(resource).map(Phrase::Verbatim));
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
    /// The fact `id` with `value`, unless it is none or blank.
    fn add(&mut self, id: &'static str, value: Option<impl Into<Phrase>>) {
        let value = value
            .map(Into::into)
            .filter(|v| v.as_verbatim().is_none_or(|text| !text.trim().is_empty()));
        if let Some(value) = value {
            self.push(Phrase::said(id), value);
        }
    }

    fn push(&mut self, label: Phrase, value: Phrase) {
        self.0.push(ClinicalRow { label, value });
    }
}

fn subject(concept: &Value) -> Phrase {
    words::concept(concept).map_or_else(|| Phrase::said("describe-not-named"), Phrase::Verbatim)
}

fn date_of(resource: &Value, field: &str) -> Option<Phrase> {
    resource[field].as_str().map(words::date)
}

/// Items as one list, or none when there are none.
fn list(items: Vec<Phrase>, by: Joiner) -> Option<Phrase> {
    (!items.is_empty()).then(|| words::joined(items, by))
}

fn concepts(list_of: &Value) -> Option<Phrase> {
    let named: Vec<Phrase> = list_of
        .as_array()?
        .iter()
        .filter_map(words::concept)
        .map(Phrase::Verbatim)
        .collect();
    list(named, Joiner::Comma)
}

/// Each reaction's manifestations, with its severity (`mild`, `moderate`, `severe`) in words.
fn reactions(resource: &Value) -> Option<Phrase> {
    let described: Vec<Phrase> = resource["reaction"]
        .as_array()?
        .iter()
        .filter_map(|reaction| {
            let what = concepts(&reaction["manifestation"])?;
            Some(match reaction["severity"].as_str() {
                Some(severity) => Phrase::composed(
                    "describe-reaction",
                    vec![("what", what), ("severity", Phrase::verbatim(severity))],
                ),
                None => what,
            })
        })
        .collect();
    list(described, Joiner::Semicolon)
}

fn dosage(resource: &Value) -> Option<Phrase> {
    let texts: Vec<Phrase> = resource["dosage"]
        .as_array()?
        .iter()
        .filter_map(|d| d["text"].as_str())
        .map(Phrase::verbatim)
        .collect();
    list(texts, Joiner::Semicolon)
}

fn observation_value(resource: &Value) -> Option<Phrase> {
    if let Some(quantity) = words::quantity(&resource["valueQuantity"]) {
        return Some(Phrase::Verbatim(quantity));
    }
    if let Some(concept) = words::concept(&resource["valueCodeableConcept"]) {
        return Some(Phrase::Verbatim(concept));
    }
    if let Some(yes) = resource["valueBoolean"].as_bool() {
        return Some(words::yes_no(yes));
    }
    if let Some(n) = resource["valueInteger"].as_i64() {
        return Some(Phrase::Verbatim(n.to_string()));
    }
    if let Some(when) = resource["valueDateTime"].as_str() {
        return Some(words::date(when));
    }
    resource["valueString"]
        .as_str()
        .or_else(|| resource["valueTime"].as_str())
        .map(Phrase::verbatim)
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
    rows.add("fact-name", person_name(resource));
    rows.add("fact-date-of-birth", date_of(resource, "birthDate"));
    rows.add(
        "fact-sex",
        resource["gender"].as_str().map(words::code_in_words),
    );
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
        "fact-mobile",
        telecom(|t| t["system"] == "sms" || t["system"] == "phone" && t["use"] == "mobile"),
    );
    rows.add(
        "fact-phone",
        telecom(|t| t["system"] == "phone" && t["use"] != "mobile"),
    );
    rows.add("fact-email", telecom(|t| t["system"] == "email"));
    rows.add("fact-address", address(resource));
    rows.add(
        "fact-language",
        resource["communication"].as_array().and_then(|list| {
            list.iter()
                .filter_map(|c| words::concept(&c["language"]))
                .next()
        }),
    );
    rows.add(
        "fact-marital-status",
        words::concept(&resource["maritalStatus"]),
    );
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
fn answers(items: &Value) -> Vec<(String, Phrase)> {
    let mut found = Vec::new();
    for item in items.as_array().into_iter().flatten() {
        let label = item["text"]
            .as_str()
            .or_else(|| item["linkId"].as_str())
            .unwrap_or("?")
            .to_owned();
        let values: Vec<Phrase> = item["answer"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(answer_words)
            .collect();
        if !values.is_empty() {
            found.push((label, words::joined(values, Joiner::Comma)));
        }
        found.extend(answers(&item["item"]));
        for answer in item["answer"].as_array().into_iter().flatten() {
            found.extend(answers(&answer["item"]));
        }
    }
    found
}

fn answer_words(answer: &Value) -> Option<Phrase> {
    let object = answer.as_object()?;
    let (key, value) = object.iter().find(|(k, _)| k.starts_with("value"))?;
    Some(match key.as_str() {
        "valueCoding" => Phrase::verbatim(
            value["display"]
                .as_str()
                .or_else(|| value["code"].as_str())?,
        ),
        "valueBoolean" => words::yes_no(value.as_bool()?),
        "valueQuantity" => Phrase::Verbatim(words::quantity(value)?),
        "valueDate" | "valueDateTime" => words::date(value.as_str()?),
        _ => match value {
            Value::String(s) => Phrase::verbatim(s.as_str()),
            Value::Number(n) => Phrase::Verbatim(n.to_string()),
            _ => return None,
        },
    })
}

/// The form's name from its canonical URL: the last path segment, before any `|version`.
fn form_name(canonical: &str) -> String {
    let url = canonical.split('|').next().unwrap_or(canonical);
    url.rsplit('/').next().unwrap_or(url).to_owned()
}
