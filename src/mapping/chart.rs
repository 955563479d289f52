//! What the chart held when the patient started: the Patient and their allergies, medications
//! and conditions, read once and kept with the draft, so the form shows it and the submission
//! is compared with exactly what the patient saw.

use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use super::ResourceType;

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

/// The chart as read for one intake.
#[derive(Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ChartSnapshot {
    /// The Patient resource.
    pub patient: Option<Value>,
    /// Allergies, medications and conditions on file.
    pub resources: Vec<Value>,
}

impl std::fmt::Debug for ChartSnapshot {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Chart content is health data: only its shape is printed.
        f.debug_struct("ChartSnapshot")
            .field("patient", &self.patient.is_some())
            .field("resources", &self.resources.len())
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

    /// What form expressions read: one searchset Bundle per type, named by the type
    /// (`%AllergyIntolerance`, `%MedicationStatement`, `%Condition`), as SDC prefill queries
    /// name their results.
    pub fn variables(&self) -> Vec<(String, Value)> {
        PREFILL_TYPES
            .iter()
            .map(|t| {
                let entry: Vec<Value> = self.of_type(*t).map(|r| json!({"resource": r})).collect();
                (
                    t.as_str().to_owned(),
                    json!({"resourceType": "Bundle", "type": "searchset", "entry": entry}),
                )
            })
            .collect()
    }
}
