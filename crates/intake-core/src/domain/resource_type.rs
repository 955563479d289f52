//! The FHIR resource types Intake writes, and those it reads for prefill: named by the forms'
//! SDC queries, the code lists, the changes proposed to the chart and the write-back alike.

use std::fmt;

use serde::{Deserialize, Serialize};

/// The resource types Intake writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum ResourceType {
    /// The patient's answers as submitted.
    QuestionnaireResponse,
    /// A reported allergy.
    AllergyIntolerance,
    /// A reported medication.
    MedicationStatement,
    /// A reported condition.
    Condition,
    /// A reported measurement or finding.
    Observation,
    /// The patient's demographics (only ever proposed for staff to decide).
    Patient,
    /// Where the other changes came from: the patient, through the intake.
    Provenance,
    /// An urgent answer, flagged on the chart (where the clinic asks for it).
    Flag,
    /// An urgent answer, as a task for the clinic (where the clinic asks for it).
    Task,
    /// A consent the patient gave or declined.
    Consent,
    /// A photo the patient sent (an insurance card).
    DocumentReference,
}

impl ResourceType {
    /// The FHIR name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::QuestionnaireResponse => "QuestionnaireResponse",
            Self::AllergyIntolerance => "AllergyIntolerance",
            Self::MedicationStatement => "MedicationStatement",
            Self::Condition => "Condition",
            Self::Observation => "Observation",
            Self::Patient => "Patient",
            Self::Provenance => "Provenance",
            Self::Flag => "Flag",
            Self::Task => "Task",
            Self::Consent => "Consent",
            Self::DocumentReference => "DocumentReference",
        }
    }

    /// Reads a FHIR name back.
    pub fn parse(name: &str) -> Option<Self> {
        [
            Self::QuestionnaireResponse,
            Self::AllergyIntolerance,
            Self::MedicationStatement,
            Self::Condition,
            Self::Observation,
            Self::Patient,
            Self::Provenance,
            Self::Flag,
            Self::Task,
            Self::Consent,
            Self::DocumentReference,
        ]
        .into_iter()
        .find(|t| t.as_str() == name)
    }
}

impl fmt::Display for ResourceType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The resource types a form may make by SDC definition-based extraction: those Intake proposes
/// from a patient's answers and staff review (a Patient as an update of the chart's patient).
/// A Questionnaire that would extract another type is refused at import, by item and type.
pub const DEFINITION_TYPES: [ResourceType; 5] = [
    ResourceType::Patient,
    ResourceType::AllergyIntolerance,
    ResourceType::MedicationStatement,
    ResourceType::Condition,
    ResourceType::Observation,
];

/// The resource types read for prefill (besides the Patient).
pub const PREFILL_TYPES: [ResourceType; 3] = [
    ResourceType::AllergyIntolerance,
    ResourceType::MedicationStatement,
    ResourceType::Condition,
];

/// The SDC `x-fhir-query` that reads one prefill type for the patient; forms name its result
/// by the type (`%AllergyIntolerance`), as Intake binds it.
pub fn chart_query(resource_type: ResourceType) -> String {
    format!("{resource_type}?patient={{{{%patient.id}}}}")
}
