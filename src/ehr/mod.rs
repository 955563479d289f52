//! The EHR, reached through one trait with two connectors: FHIR R4 REST, and a file-drop
//! folder (the demo's default, and for sites whose interface engine picks up files).

mod file_drop;
mod outcome;
mod prefill;
mod rest;
mod search;
mod smart;

use std::{fmt, time::Duration};

use async_trait::async_trait;

pub use file_drop::FileDrop;
pub use outcome::operation_outcome_text;
pub use prefill::{ChartSource, FailedQuery, form_queries, read_chart, read_on_file};
pub use rest::{FhirRest, Writes};
pub use search::search_resources;
pub use smart::{
    ASSERTION_LIFETIME, AccessToken, IssuedToken, KeyError, REFRESH_MARGIN, SigningAlgorithm,
    SigningKey, SmartAuthorizer, SmartClient, client_assertion, pkcs8_pem,
};

use crate::{
    domain::{BirthDate, PatientIdentifier, PatientName},
    mapping::{ChangeIdentifier, ResourceType},
};

/// The patient as the chart has them.
#[derive(Debug, Clone)]
pub struct ChartPatient {
    /// The reference other resources use, e.g. `Patient/123`.
    pub reference: String,
    /// The name on the chart.
    pub name: PatientName,
    /// The date of birth on the chart, when it has one.
    pub birth_date: Option<BirthDate>,
    /// `Patient.gender`, for the form rules.
    pub sex: Option<crate::schedule::Sex>,
    /// Where a text goes: the mobile number, else another phone (`Patient.telecom`).
    pub mobile: Option<crate::domain::Contact>,
    /// The email address on file.
    pub email: Option<crate::domain::Contact>,
    /// The language to write to them in (`en` or `es`), from `Patient.communication`.
    pub language: &'static str,
}

/// A change to send: a resource that carries its [`ChangeIdentifier`].
#[derive(Debug, Clone, Copy)]
pub struct OutgoingChange<'a> {
    /// The identifier, for the conditional create.
    pub identifier: ChangeIdentifier,
    /// The resource type.
    pub resource_type: ResourceType,
    /// The resource.
    pub resource: &'a serde_json::Value,
}

/// What the EHR said to a post.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PostReceipt {
    /// The resource's id on the EHR.
    pub resource_id: String,
    /// False when the EHR already had a resource with this identifier (the conditional create
    /// matched), so nothing new was written.
    pub created: bool,
}

/// Why a call to the EHR did not succeed, classified for the retry decision. The messages may
/// quote the EHR and go to staff; they are never logged.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EhrError {
    /// Worth retrying: nothing was written (a refused connection, 503, 429, 408).
    #[error("the EHR is unavailable: {message}")]
    Transient {
        /// What happened.
        message: String,
        /// How long the EHR asked us to wait.
        retry_after: Option<Duration>,
    },
    /// The request may have been applied, or may still be being applied (a timeout or dropped
    /// connection after sending; a 500, 502 or 504): search for the identifier before sending
    /// again, and not before the EHR must have finished with it.
    #[error("no answer from the EHR after sending: {message}")]
    Ambiguous {
        /// What happened.
        message: String,
    },
    /// The EHR refused the request; sending it again would not help.
    #[error("the EHR refused the change (HTTP {status}): {message}")]
    Rejected {
        /// The HTTP status.
        status: u16,
        /// The EHR's own words (the OperationOutcome's text).
        message: String,
    },
    /// The chart data did not make sense (e.g. two patients with one identifier).
    #[error("{0}")]
    Unexpected(String),
}

impl EhrError {
    /// Whether a retry may succeed.
    pub fn is_transient(&self) -> bool {
        matches!(self, Self::Transient { .. } | Self::Ambiguous { .. })
    }
}

/// What Intake needs from an EHR.
#[async_trait]
pub trait Ehr: Send + Sync + fmt::Debug {
    /// Finds the patient with this identifier.
    async fn find_patient(
        &self,
        identifier: &PatientIdentifier,
    ) -> Result<Option<ChartPatient>, EhrError>;

    /// Creates the resource unless one with its identifier exists (a conditional create).
    async fn post(&self, change: OutgoingChange<'_>) -> Result<PostReceipt, EhrError>;

    /// The id of the resource carrying this identifier, if the EHR has one.
    async fn find_posted(
        &self,
        resource_type: ResourceType,
        identifier: ChangeIdentifier,
    ) -> Result<Option<String>, EhrError>;

    /// Runs a FHIR search (`Type?name=value&…`, as prefill queries write them) and gives the
    /// searchset Bundle.
    async fn search(&self, query: &str) -> Result<serde_json::Value, EhrError>;

    /// One page of the Appointments that start in `[from, to)` with a status the schedule sync
    /// reads (booked, pending, arrived, checked-in, and cancelled ones to close): the first page
    /// when `page` is `None`, else the page a previous one named as its `next`. The sync books
    /// each page before it reads the next, so a clinic's whole window is never held at once.
    async fn appointments(
        &self,
        from: time::OffsetDateTime,
        to: time::OffsetDateTime,
        page: Option<&str>,
    ) -> Result<AppointmentPage, EhrError>;
}

/// A page of the EHR's schedule.
#[derive(Debug, Default)]
pub struct AppointmentPage {
    /// Its Appointment resources.
    pub appointments: Vec<serde_json::Value>,
    /// Where the next page is (the connector's own words: a FHIR `next` link, a position in the
    /// folder), or `None` after the last.
    pub next: Option<String>,
}

/// How many pages of one read of the schedule are followed before giving up: a loop of `next`
/// links must not run forever.
pub const MAX_SCHEDULE_PAGES: usize = 1000;

/// The error when the schedule's `next` links go on past [`MAX_SCHEDULE_PAGES`].
pub fn too_many_pages() -> EhrError {
    EhrError::Unexpected(format!(
        "the EHR gave more than {MAX_SCHEDULE_PAGES} pages of Appointments"
    ))
}

/// The Appointment statuses the schedule sync asks for.
pub const SYNCED_STATUSES: &str = "booked,pending,arrived,checked-in,cancelled,entered-in-error";

/// Prefill reads the chart through the EHR's search.
#[async_trait]
impl<T: Ehr + ?Sized> ChartSource for T {
    async fn search(&self, query: &str) -> Result<serde_json::Value, EhrError> {
        Ehr::search(self, query).await
    }
}

/// A change as a transaction Bundle entry (<https://hl7.org/fhir/R4/http.html#transaction>): a
/// conditional create on its identifier, or, for a resource with a known id, an update that is
/// version-aware when the resource carries the version the patient saw.
pub fn transaction_entry(change: OutgoingChange<'_>) -> serde_json::Value {
    let request = match change.resource["id"].as_str() {
        Some(id) => {
            let mut request = serde_json::json!({
                "method": "PUT",
                "url": format!("{}/{id}", change.resource_type),
            });
            if let Some(version) = change.resource["meta"]["versionId"].as_str() {
                request["ifMatch"] = serde_json::json!(format!("W/\"{version}\""));
            }
            request
        }
        None => serde_json::json!({
            "method": "POST",
            "url": change.resource_type.as_str(),
            "ifNoneExist": format!("identifier={}", change.identifier.search_token()),
        }),
    };
    serde_json::json!({
        "fullUrl": format!("urn:uuid:{}", change.identifier.0),
        "resource": change.resource,
        "request": request,
    })
}

/// Reads the parts of a FHIR Patient that Intake uses.
pub fn chart_patient(resource: &serde_json::Value) -> Option<ChartPatient> {
    let id = resource.get("id")?.as_str()?;
    let name = resource.get("name")?.as_array()?.first()?;
    let given = name
        .get("given")
        .and_then(|g| g.as_array())
        .into_iter()
        .flatten()
        .filter_map(|g| g.as_str());
    let family = name.get("family").and_then(|f| f.as_str());
    let display = given.chain(family).collect::<Vec<_>>().join(" ");
    let birth_date = resource
        .get("birthDate")
        .and_then(|d| d.as_str())
        .and_then(|d| BirthDate::from_chart(d).ok());
    // Contacts whose period ended before today are left out; the adapter may read the clock.
    let today = time::OffsetDateTime::now_utc().date();
    let chart = crate::mapping::ChartSnapshot {
        patient: Some(resource.clone()),
        resources: Vec::new(),
        ..Default::default()
    };
    Some(ChartPatient {
        reference: format!("Patient/{id}"),
        name: PatientName::new(display),
        birth_date,
        sex: resource["gender"]
            .as_str()
            .and_then(crate::schedule::Sex::from_fhir),
        mobile: chart.contact(crate::domain::ContactKind::Sms, today),
        email: chart.contact(crate::domain::ContactKind::Email, today),
        language: crate::mapping::preferred_language(resource),
    })
}

/// The patient among search results: none, exactly one, or an error when the identifier is
/// ambiguous (a chart problem staff must resolve, never a guess).
pub fn only_patient(found: &[serde_json::Value]) -> Result<Option<ChartPatient>, EhrError> {
    match found {
        [] => Ok(None),
        [patient] => Ok(chart_patient(patient)),
        _ => Err(EhrError::Unexpected(
            "more than one patient has this identifier".into(),
        )),
    }
}

/// Whether a resource carries `identifier` (`system` and `value` both match).
pub fn has_identifier(resource: &serde_json::Value, system: &str, value: &str) -> bool {
    let identifiers = match resource.get("identifier") {
        Some(serde_json::Value::Array(list)) => list.iter().collect::<Vec<_>>(),
        Some(single) => vec![single],
        None => vec![],
    };
    identifiers
        .iter()
        .any(|i| i["system"] == system && i["value"] == value)
}
