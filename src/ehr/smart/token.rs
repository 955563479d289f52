//! Reading the answers of the SMART configuration and the token endpoint, with every failure
//! classified: an outage is transient, a refusal of Intake's client is not.
//! Spec: <https://hl7.org/fhir/smart-app-launch/STU2/backend-services.html#obtaining-an-access-token>

use std::{fmt, time::Duration};

use serde_json::Value;

use crate::ehr::EhrError;

/// An access token. Its `Debug` output is redacted; only [`AccessToken::expose`] shows it.
#[derive(Clone, PartialEq, Eq)]
pub struct AccessToken(String);

impl AccessToken {
    /// Wraps a token issued by the EHR.
    pub fn new(token: String) -> Self {
        Self(token)
    }

    /// The token itself, for the `Authorization` header.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for AccessToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("AccessToken([redacted])")
    }
}

/// A token and how long the token endpoint said it lasts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IssuedToken {
    /// The token.
    pub token: AccessToken,
    /// `expires_in`.
    pub lifetime: Duration,
}

/// The lifetime assumed when a token response omits the required `expires_in`.
const ASSUMED_LIFETIME: Duration = Duration::from_secs(300);

/// The token endpoint named by a `.well-known/smart-configuration` answer.
pub fn read_configuration(status: u16, body: &str) -> Result<String, EhrError> {
    if let Some(error) = unavailable(status, None, "the SMART configuration", body) {
        return Err(error);
    }
    if !(200..300).contains(&status) {
        return Err(EhrError::Rejected {
            status,
            message:
                "the FHIR server publishes no SMART configuration (.well-known/smart-configuration)"
                    .into(),
        });
    }
    serde_json::from_str::<Value>(body)
        .ok()
        .and_then(|v| v["token_endpoint"].as_str().map(str::to_owned))
        .filter(|url| !url.is_empty())
        .ok_or_else(|| {
            EhrError::Unexpected("the SMART configuration names no token_endpoint".into())
        })
}

/// The token in a token endpoint's answer, or the classified error with the endpoint's own
/// `error` and `error_description`.
pub fn read_token(
    status: u16,
    retry_after: Option<Duration>,
    body: &str,
) -> Result<IssuedToken, EhrError> {
    if let Some(error) = unavailable(status, retry_after, "the token endpoint", body) {
        return Err(error);
    }
    let parsed: Option<Value> = serde_json::from_str(body).ok();
    if !(200..300).contains(&status) {
        return Err(EhrError::Rejected {
            status,
            message: format!(
                "the token endpoint refused Intake's client: {}",
                oauth_error_text(parsed.as_ref(), body)
            ),
        });
    }
    let Some(parsed) = parsed else {
        return Err(EhrError::Unexpected(
            "the token endpoint answered with a body that is not JSON".into(),
        ));
    };
    let token = parsed["access_token"]
        .as_str()
        .filter(|t| !t.is_empty())
        .ok_or_else(|| {
            EhrError::Unexpected("the token endpoint's answer has no access_token".into())
        })?;
    if let Some(kind) = parsed["token_type"]
        .as_str()
        .filter(|t| !t.eq_ignore_ascii_case("bearer"))
    {
        return Err(EhrError::Unexpected(format!(
            "the token endpoint issued a `{kind}` token, not a bearer token"
        )));
    }
    let lifetime = parsed["expires_in"]
        .as_u64()
        .map_or(ASSUMED_LIFETIME, Duration::from_secs);
    Ok(IssuedToken {
        token: AccessToken::new(token.to_owned()),
        lifetime,
    })
}

/// A transient error for an answer that says the service is down or busy (5xx, 429, 408).
fn unavailable(
    status: u16,
    retry_after: Option<Duration>,
    what: &str,
    body: &str,
) -> Option<EhrError> {
    (status >= 500 || status == 429 || status == 408).then(|| EhrError::Transient {
        message: format!(
            "{what} answered HTTP {status}: {}",
            oauth_error_text(serde_json::from_str(body).ok().as_ref(), body)
        ),
        retry_after,
    })
}

/// `error: error_description` of an OAuth error answer, or the body shortened.
fn oauth_error_text(parsed: Option<&Value>, body: &str) -> String {
    match parsed.and_then(|v| v["error"].as_str()) {
        Some(error) => match parsed.and_then(|v| v["error_description"].as_str()) {
            Some(description) => format!("{error}: {description}"),
            None => error.to_owned(),
        },
        None => crate::ehr::operation_outcome_text(body),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_token_answer_gives_the_token_and_its_lifetime() {
        let issued = read_token(200, None, r#"{"access_token":"abc","token_type":"bearer","expires_in":3600,"scope":"system/Patient.rs"}"#)
            .unwrap();
        assert_eq!(issued.token.expose(), "abc");
        assert_eq!(issued.lifetime, Duration::from_secs(3600));
        let no_lifetime =
            read_token(200, None, r#"{"access_token":"abc","token_type":"Bearer"}"#).unwrap();
        assert_eq!(no_lifetime.lifetime, ASSUMED_LIFETIME);
    }

    #[test]
    fn outages_are_transient_and_keep_retry_after() {
        for status in [500, 502, 503, 429, 408] {
            let error = read_token(status, Some(Duration::from_secs(7)), "busy").unwrap_err();
            assert!(error.is_transient(), "{status}");
            assert!(
                matches!(error, EhrError::Transient { retry_after: Some(d), .. } if d.as_secs() == 7)
            );
        }
    }

    #[test]
    fn a_refused_client_is_permanent_and_quotes_the_endpoint() {
        let body = r#"{"error":"invalid_client","error_description":"Unknown client_id 'x'"}"#;
        for status in [400, 401] {
            let error = read_token(status, None, body).unwrap_err();
            assert!(!error.is_transient());
            assert_eq!(
                error,
                EhrError::Rejected {
                    status,
                    message: "the token endpoint refused Intake's client: invalid_client: Unknown client_id 'x'".into()
                }
            );
        }
    }

    #[test]
    fn a_malformed_answer_is_unexpected_not_a_token() {
        for body in [
            "<html>",
            "{}",
            r#"{"access_token":""}"#,
            r#"{"access_token":"a","token_type":"mac"}"#,
        ] {
            assert!(
                matches!(read_token(200, None, body), Err(EhrError::Unexpected(_))),
                "{body}"
            );
        }
    }

    #[test]
    fn the_configuration_names_the_token_endpoint() {
        assert_eq!(
            read_configuration(200, r#"{"token_endpoint":"https://e/auth/token"}"#).unwrap(),
            "https://e/auth/token"
        );
        assert!(read_configuration(503, "").unwrap_err().is_transient());
        assert!(matches!(
            read_configuration(404, "Not found"),
            Err(EhrError::Rejected { status: 404, .. })
        ));
        assert!(matches!(
            read_configuration(200, "{}"),
            Err(EhrError::Unexpected(_))
        ));
    }

    #[test]
    fn a_token_never_shows_in_debug_output() {
        let issued = read_token(200, None, r#"{"access_token":"s3cr3t","expires_in":60}"#).unwrap();
        assert!(!format!("{issued:?}").contains("s3cr3t"));
    }
}
