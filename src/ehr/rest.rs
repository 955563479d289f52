//! The FHIR R4 REST connector: conditional creates, searches by identifier, and every failure
//! classified as transient, ambiguous or a refusal.
//! Spec: <https://hl7.org/fhir/R4/http.html>

use std::{sync::Arc, time::Duration};

use async_trait::async_trait;
use reqwest::{RequestBuilder, Response, StatusCode, header};
use serde_json::{Value, json};
use uuid::Uuid;

use super::{
    AccessToken, AppointmentPage, ChartPatient, Ehr, EhrError, OutgoingChange, PostReceipt,
    SmartAuthorizer, only_patient, operation_outcome_text, transaction_entry,
};
use crate::{
    domain::PatientIdentifier,
    mapping::{ChangeIdentifier, ResourceType},
};

const FHIR_JSON: &str = "application/fhir+json";

/// A FHIR R4 server, reached without authorization or with SMART Backend Services.
#[derive(Debug, Clone)]
pub struct FhirRest {
    base: String,
    client: reqwest::Client,
    smart: Option<Arc<SmartAuthorizer>>,
    writes: Writes,
}

/// How changes are written to the EHR (`INTAKE_EHR_WRITES`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Writes {
    /// A transaction Bundle of one entry, posted to the base (the default).
    #[default]
    Transaction,
    /// A request to the resource type's own endpoint, for servers that take no transactions or
    /// whose scopes allow only per-type writes.
    Resource,
}

impl Writes {
    /// Reads `transaction` or `resource`.
    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "transaction" => Some(Self::Transaction),
            "resource" => Some(Self::Resource),
            _ => None,
        }
    }
}

/// The HTTP client for the EHR: every request gives up after `timeout`.
pub(super) fn http_client(timeout: Duration) -> Result<reqwest::Client, EhrError> {
    reqwest::Client::builder()
        .connect_timeout(Duration::from_secs(5).min(timeout))
        .timeout(timeout)
        .user_agent(concat!("intake/", env!("CARGO_PKG_VERSION")))
        .build()
        .map_err(|e| EhrError::Unexpected(format!("cannot build the HTTP client: {e}")))
}

impl FhirRest {
    /// Talks to the server at `base` (e.g. `https://ehr.example/fhir`) without authorization,
    /// giving up on a request after `timeout`.
    pub fn new(base: &str, timeout: Duration) -> Result<Self, EhrError> {
        Ok(Self {
            base: base.trim_end_matches('/').to_owned(),
            client: http_client(timeout)?,
            smart: None,
            writes: Writes::Transaction,
        })
    }

    /// Writes changes the given way (transaction Bundles by default).
    #[must_use]
    pub fn writing(mut self, writes: Writes) -> Self {
        self.writes = writes;
        self
    }

    /// Sends every request with a bearer token from `smart`.
    #[must_use]
    pub fn authorized_by(mut self, smart: Arc<SmartAuthorizer>) -> Self {
        self.smart = Some(smart);
        self
    }

    /// Sends the request `build` makes, with the correlation id `request_id` and, under SMART,
    /// a bearer token. A 401 means the server did not act on the request, so after one it
    /// fetches one new token and sends once more. `failed` classifies a failure to get an answer.
    async fn send(
        &self,
        request_id: &str,
        build: impl Fn() -> RequestBuilder,
        failed: fn(reqwest::Error) -> EhrError,
    ) -> Result<Response, EhrError> {
        let attempt = |token: Option<&AccessToken>| {
            let request = build().header("X-Request-Id", request_id);
            match token {
                Some(token) => request.bearer_auth(token.expose()),
                None => request,
            }
            .send()
        };
        let Some(smart) = &self.smart else {
            return attempt(None).await.map_err(failed);
        };
        let token = smart.access_token().await?;
        let response = attempt(Some(&token)).await.map_err(failed)?;
        if response.status() != StatusCode::UNAUTHORIZED {
            return Ok(response);
        }
        tracing::warn!(
            request_id,
            "the FHIR server refused the access token; retrying once with a new one"
        );
        let token = smart.replace(&token).await?;
        attempt(Some(&token)).await.map_err(failed)
    }

    /// Writes a resource with a known id: an update of a chart resource, only if the chart still
    /// has the version the patient saw (`If-Match`), or a resource whose id Intake chose (an
    /// idempotent create-or-replace).
    async fn put(&self, change: OutgoingChange<'_>, id: &str) -> Result<PostReceipt, EhrError> {
        let url = format!("{}/{}/{id}", self.base, change.resource_type);
        let version = change.resource["meta"]["versionId"].as_str();
        let build = || {
            let request = self
                .client
                .put(&url)
                .header(header::CONTENT_TYPE, FHIR_JSON)
                .header(header::ACCEPT, FHIR_JSON)
                .json(change.resource);
            match version {
                Some(v) => request.header(header::IF_MATCH, format!("W/\"{v}\"")),
                None => request,
            }
        };
        let response = self
            .send(&change.identifier.0.to_string(), build, send_error)
            .await?;
        let created = response.status() == StatusCode::CREATED;
        match read_success(response).await {
            Ok(_) => Ok(PostReceipt {
                resource_id: id.to_owned(),
                created,
            }),
            // Only a version-aware update conflicts with the chart; a 412 on a plain PUT says
            // something else, in the EHR's words.
            Err(EhrError::Rejected { status, message })
                if version.is_some() && (status == 409 || status == 412) =>
            {
                Err(EhrError::Rejected {
                    status,
                    message: format!(
                        "the chart changed after the patient saw it, so this was not written over it: {message}"
                    ),
                })
            }
            Err(other) => Err(other),
        }
    }

    /// Sends the change to its type's endpoint: a conditional create (`If-None-Exist` on its
    /// identifier), or, for a resource with a known id, a `PUT`.
    async fn post_resource(&self, change: OutgoingChange<'_>) -> Result<PostReceipt, EhrError> {
        if let Some(id) = change.resource["id"].as_str() {
            return self.put(change, id).await;
        }
        let url = format!("{}/{}", self.base, change.resource_type);
        let condition = format!("identifier={}", change.identifier.search_token());
        let build = || {
            self.client
                .post(&url)
                .header(header::CONTENT_TYPE, FHIR_JSON)
                .header(header::ACCEPT, FHIR_JSON)
                .header("Prefer", "return=representation")
                .header("If-None-Exist", &condition)
                .json(change.resource)
        };
        // The change's identifier is the correlation id: every attempt at one change shares it.
        let response = self
            .send(&change.identifier.0.to_string(), build, send_error)
            .await?;
        let created = response.status() == StatusCode::CREATED;
        let location = response
            .headers()
            .get(header::LOCATION)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        let body = read_success(response).await?;
        let resource_id = body["id"]
            .as_str()
            .map(str::to_owned)
            .or_else(|| location.as_deref().and_then(id_from_location))
            // The EHR took it but did not say as what: unknown, so the next attempt looks for the
            // change by its identifier before sending again.
            .ok_or_else(|| EhrError::Ambiguous {
                message: "the EHR accepted the change but named no resource id".into(),
            })?;
        Ok(PostReceipt {
            resource_id,
            created,
        })
    }

    /// Sends the change as a transaction Bundle of one entry, the same Bundle the file drop
    /// writes: a conditional create on its identifier, or an update (version-aware when the
    /// resource carries the version the patient saw).
    async fn post_transaction(&self, change: OutgoingChange<'_>) -> Result<PostReceipt, EhrError> {
        let bundle = json!({
            "resourceType": "Bundle",
            "type": "transaction",
            "entry": [transaction_entry(change)],
        });
        let build = || {
            self.client
                .post(&self.base)
                .header(header::CONTENT_TYPE, FHIR_JSON)
                .header(header::ACCEPT, FHIR_JSON)
                .json(&bundle)
        };
        // The change's identifier is the correlation id: every attempt at one change shares it.
        let response = self
            .send(&change.identifier.0.to_string(), build, send_error)
            .await?;
        let versioned = change.resource["meta"]["versionId"].is_string();
        let answer = read_success(response)
            .await
            .map_err(|e| refused_entry(e, versioned))?;
        let entry = &answer["entry"][0]["response"];
        let status = entry["status"]
            .as_str()
            .and_then(|s| s.split_whitespace().next())
            .and_then(|code| code.parse::<u16>().ok())
            .ok_or_else(|| EhrError::Ambiguous {
                message: "the EHR answered the transaction without the entry's status".into(),
            })?;
        if !(200..300).contains(&status) {
            let refused = EhrError::Rejected {
                status,
                message: operation_outcome_text(&entry["outcome"].to_string()),
            };
            return Err(refused_entry(refused, versioned));
        }
        let resource_id = change.resource["id"]
            .as_str()
            .map(str::to_owned)
            .or_else(|| entry["location"].as_str().and_then(id_from_location))
            // The EHR took it but did not say as what: unknown, so the next attempt looks for the
            // change by its identifier before sending again.
            .ok_or_else(|| EhrError::Ambiguous {
                message: "the EHR accepted the change but named no resource id".into(),
            })?;
        Ok(PostReceipt {
            resource_id,
            created: status == 201,
        })
    }

    /// Whether `Type/id` exists (a 404 or 410 says no).
    async fn read_exists(
        &self,
        resource_type: ResourceType,
        id: &str,
    ) -> Result<Option<String>, EhrError> {
        let url = format!("{}/{resource_type}/{id}", self.base);
        let build = || self.client.get(&url).header(header::ACCEPT, FHIR_JSON);
        let response = self
            .send(&Uuid::new_v4().to_string(), build, search_error)
            .await?;
        if matches!(response.status().as_u16(), 404 | 410) {
            return Ok(None);
        }
        read_success(response).await?;
        Ok(Some(id.to_owned()))
    }

    async fn search(&self, resource_type: &str, token: &str) -> Result<Vec<Value>, EhrError> {
        let url = format!("{}/{resource_type}", self.base);
        let build = || {
            self.client
                .get(&url)
                .query(&[("identifier", token)])
                .header(header::ACCEPT, FHIR_JSON)
        };
        let response = self
            .send(&Uuid::new_v4().to_string(), build, search_error)
            .await?;
        let bundle = read_success(response).await?;
        Ok(bundle["entry"]
            .as_array()
            .into_iter()
            .flatten()
            .filter(|e| {
                e["search"]["mode"]
                    .as_str()
                    .is_none_or(|mode| mode == "match")
            })
            .filter_map(|e| e.get("resource").cloned())
            .filter(|r| r["resourceType"] == resource_type)
            .collect())
    }
}

#[async_trait]
impl Ehr for FhirRest {
    async fn find_patient(
        &self,
        identifier: &PatientIdentifier,
    ) -> Result<Option<ChartPatient>, EhrError> {
        let found = self.search("Patient", &identifier.search_token()).await?;
        only_patient(&found)
    }

    async fn post(&self, change: OutgoingChange<'_>) -> Result<PostReceipt, EhrError> {
        match self.writes {
            Writes::Transaction => self.post_transaction(change).await,
            Writes::Resource => self.post_resource(change).await,
        }
    }

    async fn find_posted(
        &self,
        resource_type: ResourceType,
        identifier: ChangeIdentifier,
    ) -> Result<Option<String>, EhrError> {
        if resource_type == ResourceType::Provenance {
            // No identifier element: its id is the change identifier's UUID.
            return self
                .read_exists(resource_type, &identifier.0.to_string())
                .await;
        }
        let found = self
            .search(resource_type.as_str(), &identifier.search_token())
            .await?;
        Ok(found
            .first()
            .and_then(|r| r["id"].as_str())
            .map(str::to_owned))
    }

    async fn appointments(
        &self,
        from: time::OffsetDateTime,
        to: time::OffsetDateTime,
        page: Option<&str>,
    ) -> Result<AppointmentPage, EhrError> {
        let base = reqwest::Url::parse(&self.base)
            .map_err(|e| EhrError::Unexpected(format!("the FHIR base URL: {e}")))?;
        let url = match page {
            None => reqwest::Url::parse_with_params(
                &format!("{}/Appointment", self.base),
                &[
                    ("date", format!("ge{}", instant(from))),
                    ("date", format!("lt{}", instant(to))),
                    ("status", super::SYNCED_STATUSES.to_owned()),
                    ("_count", "100".to_owned()),
                ],
            )
            .map_err(|e| EhrError::Unexpected(format!("the Appointment search URL: {e}")))?,
            // The bearer token goes only to the EHR itself, never to a server a link names.
            Some(next) => base
                .join(next)
                .ok()
                .filter(|n| n.origin() == base.origin())
                .ok_or_else(|| {
                    EhrError::Unexpected(
                        "the EHR's next page of Appointments is on another server".into(),
                    )
                })?,
        };
        let build = || {
            self.client
                .get(url.clone())
                .header(header::ACCEPT, FHIR_JSON)
        };
        let response = self
            .send(&Uuid::new_v4().to_string(), build, search_error)
            .await?;
        let mut bundle = read_success(response).await?;
        let next = next_link(&bundle).map(str::to_owned);
        let appointments = match bundle["entry"].take() {
            Value::Array(entries) => entries
                .into_iter()
                .filter(|e| e["search"]["mode"].as_str().is_none_or(|m| m == "match"))
                .filter_map(|mut e| e.get_mut("resource").map(Value::take))
                .filter(|r| r["resourceType"] == "Appointment")
                .collect(),
            _ => Vec::new(),
        };
        Ok(AppointmentPage { appointments, next })
    }

    async fn search(&self, query: &str) -> Result<Value, EhrError> {
        let url = format!("{}/{}", self.base, query.trim_start_matches('/'));
        let build = || self.client.get(&url).header(header::ACCEPT, FHIR_JSON);
        let response = self
            .send(&Uuid::new_v4().to_string(), build, search_error)
            .await?;
        read_success(response).await
    }
}

/// A searchset Bundle's `next` link.
fn next_link(bundle: &Value) -> Option<&str> {
    bundle["link"]
        .as_array()?
        .iter()
        .find(|link| link["relation"] == "next")?["url"]
        .as_str()
}

/// An instant as FHIR search takes it, in UTC to the second (`2026-11-22T10:00:00Z`).
fn instant(at: time::OffsetDateTime) -> String {
    let at = at.to_offset(time::UtcOffset::UTC);
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z",
        at.year(),
        u8::from(at.month()),
        at.day(),
        at.hour(),
        at.minute(),
        at.second()
    )
}

/// A search changes nothing, so any failure to get an answer is plainly transient.
fn search_error(error: reqwest::Error) -> EhrError {
    EhrError::Transient {
        message: describe(&error),
        retry_after: None,
    }
}

/// A refused transaction in terms of its one entry. Some servers (HFS) answer a failed entry
/// with 400 and name the entry's status only in words ("Entry failed with status 412"); that
/// status is what counts. A version-aware update refused with 409 or 412 means the chart moved
/// on since the patient saw it; a 409 or 412 on anything else says something else, in the EHR's
/// words.
fn refused_entry(error: EhrError, versioned: bool) -> EhrError {
    let EhrError::Rejected { status, message } = error else {
        return error;
    };
    let status = message
        .split("status ")
        .nth(1)
        .and_then(|rest| rest.get(..3))
        .and_then(|code| code.parse::<u16>().ok())
        .filter(|code| (400..500).contains(code))
        .unwrap_or(status);
    let message = if versioned && (status == 409 || status == 412) {
        format!(
            "the chart changed after the patient saw it, so this was not written over it: {message}"
        )
    } else {
        message
    };
    EhrError::Rejected { status, message }
}

/// A send that failed: before the request left (connect) nothing was written; after, we cannot
/// know.
fn send_error(error: reqwest::Error) -> EhrError {
    if error.is_connect() || error.is_builder() {
        EhrError::Transient {
            message: describe(&error),
            retry_after: None,
        }
    } else {
        EhrError::Ambiguous {
            message: describe(&error),
        }
    }
}

/// What went wrong, in words that name no URL or token.
pub(super) fn describe(error: &reqwest::Error) -> String {
    if error.is_timeout() {
        "timed out".to_owned()
    } else if error.is_connect() {
        "could not connect".to_owned()
    } else {
        "the connection failed".to_owned()
    }
}

/// The JSON body of a 2xx answer, or the classified error.
async fn read_success(response: Response) -> Result<Value, EhrError> {
    let status = response.status();
    let retry_after = retry_after(&response);
    let body = response.text().await.map_err(|e| EhrError::Ambiguous {
        message: describe(&e),
    })?;
    if status.is_success() {
        return serde_json::from_str(&body)
            .or_else(|_| {
                if body.trim().is_empty() {
                    Ok(Value::Null)
                } else {
                    Err(())
                }
            })
            .map_err(|()| EhrError::Ambiguous {
                message: "the EHR answered with a body that is not JSON".into(),
            });
    }
    let message = format!(
        "HTTP {}: {}",
        status.as_u16(),
        operation_outcome_text(&body)
    );
    // A gateway's 502 or 504, or a 500, may come while the EHR applies the request or still
    // works on it: a retry must look for it first, and not too soon (see `EhrError::Ambiguous`).
    if matches!(status.as_u16(), 500 | 502 | 504) {
        return Err(EhrError::Ambiguous { message });
    }
    if status.is_server_error()
        || status == StatusCode::TOO_MANY_REQUESTS
        || status == StatusCode::REQUEST_TIMEOUT
    {
        Err(EhrError::Transient {
            message,
            retry_after,
        })
    } else {
        Err(EhrError::Rejected {
            status: status.as_u16(),
            message: operation_outcome_text(&body),
        })
    }
}

/// `Retry-After` in seconds (an HTTP-date is handled with the write-back issue's backoff).
pub(super) fn retry_after(response: &Response) -> Option<Duration> {
    let value = response.headers().get(header::RETRY_AFTER)?.to_str().ok()?;
    retry_after_value(value, std::time::SystemTime::now())
}

/// `Retry-After` as delay-seconds or an HTTP-date (RFC 9110 §10.2.3), as a wait from `now`; a
/// date already past asks for no wait.
fn retry_after_value(value: &str, now: std::time::SystemTime) -> Option<Duration> {
    let value = value.trim();
    if let Ok(seconds) = value.parse::<u64>() {
        return Some(Duration::from_secs(seconds));
    }
    let at = httpdate::parse_http_date(value).ok()?;
    Some(at.duration_since(now).unwrap_or(Duration::ZERO))
}

fn id_from_location(location: &str) -> Option<String> {
    // `…/Type/id` or `…/Type/id/_history/n`
    let path = location.split("/_history/").next()?;
    path.rsplit('/')
        .next()
        .filter(|id| !id.is_empty())
        .map(str::to_owned)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn answer(status: u16, retry_after: Option<&str>) -> Response {
        let mut response = hyper::http::Response::builder().status(status);
        if let Some(value) = retry_after {
            response = response.header(header::RETRY_AFTER, value);
        }
        Response::from(response.body("{}").unwrap())
    }

    #[tokio::test]
    async fn a_500_502_or_504_may_have_been_applied_but_a_503_or_429_was_not() {
        // Before, all were "unavailable", and a retry soon after a gateway's 504 ran alongside
        // the EHR still creating the first: HFS then created it twice.
        for status in [500, 502, 504] {
            let error = read_success(answer(status, None)).await.unwrap_err();
            assert!(
                matches!(error, EhrError::Ambiguous { .. }),
                "{status}: {error:?}"
            );
        }
        for status in [503, 429] {
            let error = read_success(answer(status, Some("7"))).await.unwrap_err();
            assert_eq!(
                error,
                EhrError::Transient {
                    message: format!("HTTP {status}: {{}}"),
                    retry_after: Some(Duration::from_secs(7)),
                },
                "{status}"
            );
        }
    }

    #[test]
    fn a_refused_entry_keeps_the_status_the_server_named_in_words() {
        let hfs = EhrError::Rejected {
            status: 400,
            message: "Transaction failed at entry 0: Entry failed with status 412".into(),
        };
        let EhrError::Rejected { status, message } = refused_entry(hfs.clone(), true) else {
            panic!("still a refusal")
        };
        assert_eq!(status, 412);
        assert!(message.starts_with("the chart changed after the patient saw it"));
        let EhrError::Rejected { status, message } = refused_entry(hfs, false) else {
            panic!("still a refusal")
        };
        assert_eq!(
            (status, message.starts_with("Transaction failed")),
            (412, true)
        );
        let plain = EhrError::Rejected {
            status: 422,
            message: "AllergyIntolerance.code: required".into(),
        };
        assert_eq!(refused_entry(plain.clone(), true), plain);
    }

    #[test]
    fn retry_after_is_read_as_seconds_or_as_an_http_date() {
        let now = httpdate::parse_http_date("Sun, 22 Nov 2026 08:00:00 GMT").unwrap();
        assert_eq!(
            retry_after_value(" 120 ", now),
            Some(Duration::from_secs(120))
        );
        assert_eq!(
            retry_after_value("Sun, 22 Nov 2026 08:01:30 GMT", now),
            Some(Duration::from_secs(90))
        );
        // The obsolete forms HTTP still allows.
        assert_eq!(
            retry_after_value("Sunday, 22-Nov-26 08:00:10 GMT", now),
            Some(Duration::from_secs(10))
        );
        assert_eq!(
            retry_after_value("Sun, 22 Nov 2026 07:00:00 GMT", now),
            Some(Duration::ZERO)
        );
        assert_eq!(retry_after_value("soon", now), None);
    }

    #[test]
    fn the_resource_id_is_read_from_a_location_with_or_without_history() {
        assert_eq!(
            id_from_location("http://h/fhir/AllergyIntolerance/abc/_history/1").as_deref(),
            Some("abc")
        );
        assert_eq!(
            id_from_location("http://h/fhir/AllergyIntolerance/abc").as_deref(),
            Some("abc")
        );
    }
}
