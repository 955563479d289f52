//! A proposed change to the chart: one FHIR resource with an identifier that stays the same
//! however often it is extracted or sent, which is what makes write-back exactly-once.

use std::fmt;

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::domain::ResourceType;

/// The identifier every proposed change carries on the EHR, `urn:ietf:rfc:3986|urn:uuid:<id>`,
/// so a conditional create or a search can tell whether it was already posted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct ChangeIdentifier(pub Uuid);

impl ChangeIdentifier {
    /// The identifier system: a URI identifier, per FHIR's guidance for UUID identifiers.
    pub const SYSTEM: &'static str = "urn:ietf:rfc:3986";

    /// The identifier value.
    pub fn value(self) -> String {
        format!("urn:uuid:{}", self.0)
    }

    /// The FHIR `Identifier` element.
    pub fn to_fhir(self) -> serde_json::Value {
        serde_json::json!({ "system": Self::SYSTEM, "value": self.value() })
    }

    /// The search token, `system|value`.
    pub fn search_token(self) -> String {
        format!("{}|{}", Self::SYSTEM, self.value())
    }
}

/// One resource Intake proposes to write to the chart.
#[derive(Clone, PartialEq)]
pub struct ProposedChange {
    /// Stable across extractions of the same submission.
    pub identifier: ChangeIdentifier,
    /// The resource type.
    pub resource_type: ResourceType,
    /// The FHIR R4 resource, as it will be sent.
    pub resource: serde_json::Value,
    /// What the change is, for staff ("Allergy: penicillin"). Holds PHI; never logged.
    pub summary: super::ChangeSummary,
    /// A reason that holds this change for staff whatever the posting policy says (e.g. the
    /// patient's name differs from the chart's).
    pub held_because: Option<super::HoldReason>,
}

impl fmt::Debug for ProposedChange {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ProposedChange")
            .field("identifier", &self.identifier)
            .field("resource_type", &self.resource_type)
            .finish_non_exhaustive()
    }
}
