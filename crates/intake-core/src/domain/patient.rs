//! How Intake names a patient: the chart's identifier and the name to greet them with.

use std::fmt;

use serde::{Deserialize, Serialize};

/// A patient identifier as the EHR issues it (for example a medical record number).
#[derive(Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct PatientIdentifier {
    /// The identifier system (a URI naming the assigner).
    pub system: String,
    /// The identifier within that system.
    pub value: String,
}

impl PatientIdentifier {
    /// The `system|value` token that FHIR search takes.
    pub fn search_token(&self) -> String {
        format!("{}|{}", self.system, self.value)
    }
}

impl fmt::Debug for PatientIdentifier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The system is not identifying; the value is.
        write!(f, "PatientIdentifier({}|[redacted])", self.system)
    }
}

/// A patient's name for display. Its `Debug` output is redacted.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct PatientName(String);

impl PatientName {
    /// Wraps a display name.
    pub fn new(name: impl Into<String>) -> Self {
        Self(name.into())
    }

    /// The name as staff see it.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for PatientName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("PatientName([redacted])")
    }
}
