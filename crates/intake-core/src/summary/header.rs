//! What the summary's header reads from the chart the patient saw: sex and whether the chart
//! says an interpreter is needed.

use crate::{domain::Message, mapping::ChartSnapshot};

/// <http://hl7.org/fhir/R4/extension-patient-interpreterrequired.html>
const INTERPRETER_REQUIRED: &str =
    "http://hl7.org/fhir/StructureDefinition/patient-interpreterRequired";

/// Facts about the patient from the chart read.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ChartFacts {
    /// `Patient.gender` in words ("Female", `sex-female`), when the chart has it.
    pub sex: Option<Message>,
    /// The chart's `patient-interpreterRequired`, when it has one.
    pub interpreter_required: Option<bool>,
}

impl ChartFacts {
    /// The message ids of `sex`, in `locales/en/clinician.ftl`.
    pub const SEX_IDS: [&'static str; 4] = ["sex-female", "sex-male", "sex-other", "sex-unknown"];

    /// Reads them from the chart's Patient.
    pub fn read(chart: &ChartSnapshot) -> Self {
        let Some(patient) = chart.patient.as_ref() else {
            return Self::default();
        };
        let sex = patient["gender"].as_str().map(|gender| {
            Message::new(match gender {
                "female" => Self::SEX_IDS[0],
                "male" => Self::SEX_IDS[1],
                "other" => Self::SEX_IDS[2],
                _ => Self::SEX_IDS[3],
            })
        });
        let interpreter_required = patient["extension"]
            .as_array()
            .into_iter()
            .flatten()
            .find(|e| e["url"] == INTERPRETER_REQUIRED)
            .and_then(|e| e["valueBoolean"].as_bool());
        Self {
            sex,
            interpreter_required,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sex_and_the_interpreter_extension_come_from_the_charts_patient() {
        let chart = ChartSnapshot {
            patient: Some(serde_json::json!({
                "resourceType": "Patient", "gender": "female",
                "extension": [{ "url": INTERPRETER_REQUIRED, "valueBoolean": true }],
            })),
            resources: Vec::new(),
            ..Default::default()
        };
        let facts = ChartFacts::read(&chart);
        assert_eq!(facts.sex.map(|m| m.id), Some("sex-female"));
        assert_eq!(facts.interpreter_required, Some(true));
        assert_eq!(
            ChartFacts::read(&ChartSnapshot::default()),
            ChartFacts::default()
        );
    }
}
