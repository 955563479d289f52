//! SMART Backend Services: Intake's access token for the FHIR server, fetched with a signed
//! client assertion, cached until shortly before it expires, and shared by concurrent requests.
//! Spec: <https://hl7.org/fhir/smart-app-launch/STU2/backend-services.html>

mod assertion;
mod key;
mod token;

use std::{
    fmt,
    sync::{
        Arc,
        atomic::{AtomicU64, Ordering},
    },
    time::Duration,
};

use reqwest::header;
use ring::rand::SystemRandom;
use time::OffsetDateTime;
use tokio::sync::{Mutex, OnceCell};
use uuid::Uuid;

pub use assertion::{ASSERTION_LIFETIME, client_assertion};
pub use key::{KeyError, SigningAlgorithm, SigningKey, pkcs8_pem};
pub use token::{AccessToken, IssuedToken};

use super::{
    EhrError,
    rest::{describe, http_client, retry_after},
};
use crate::clock::Clock;

const ASSERTION_TYPE: &str = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";

/// How long before its expiry a cached token is replaced (at most half its lifetime).
pub const REFRESH_MARGIN: Duration = Duration::from_secs(60);

/// Intake as the EHR's authorization server knows it: the registered client id, the key whose
/// public half was registered, and the scopes to ask for.
#[derive(Debug)]
pub struct SmartClient {
    /// The client id the EHR issued.
    pub client_id: String,
    /// The private key.
    pub key: SigningKey,
    /// The scopes to request, space-separated, e.g. `system/Patient.rs`.
    pub scope: String,
}

struct CachedToken {
    token: AccessToken,
    refresh_at: OffsetDateTime,
    expires_at: OffsetDateTime,
}

/// Gets and caches access tokens for one FHIR server. Concurrent callers wait for one refresh
/// rather than each fetching a token. Its `Debug` output shows no token.
pub struct SmartAuthorizer {
    fhir_base: String,
    client: SmartClient,
    http: reqwest::Client,
    clock: Arc<dyn Clock>,
    rng: SystemRandom,
    token_endpoint: OnceCell<String>,
    cached: Mutex<Option<CachedToken>>,
    issued: AtomicU64,
}

impl fmt::Debug for SmartAuthorizer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SmartAuthorizer")
            .field("fhir_base", &self.fhir_base)
            .field("client", &self.client)
            .field("token_endpoint", &self.token_endpoint.get())
            .finish_non_exhaustive()
    }
}

impl SmartAuthorizer {
    /// Authorizes `client` for the FHIR server at `fhir_base`; `timeout` bounds each request to
    /// the authorization server, and `clock` dates the assertions and ages the cached token.
    pub fn new(
        fhir_base: &str,
        client: SmartClient,
        timeout: Duration,
        clock: Arc<dyn Clock>,
    ) -> Result<Self, EhrError> {
        Ok(Self {
            fhir_base: fhir_base.trim_end_matches('/').to_owned(),
            client,
            http: http_client(timeout)?,
            clock,
            rng: SystemRandom::new(),
            token_endpoint: OnceCell::new(),
            cached: Mutex::new(None),
            issued: AtomicU64::new(0),
        })
    }

    /// A token to send: the cached one while it is fresh, otherwise a new one. When getting a
    /// new one fails while the cached one has not yet expired, the cached one is used.
    pub async fn access_token(&self) -> Result<AccessToken, EhrError> {
        let mut cached = self.cached.lock().await;
        let now = self.clock.now();
        if let Some(fresh) = cached.as_ref().filter(|c| now < c.refresh_at) {
            return Ok(fresh.token.clone());
        }
        match self.fetch_into(&mut cached).await {
            Err(error) => match cached.as_ref().filter(|c| now < c.expires_at) {
                Some(usable) => {
                    tracing::warn!(
                        "could not refresh the access token early; using the current one"
                    );
                    Ok(usable.token.clone())
                }
                None => Err(error),
            },
            fetched => fetched,
        }
    }

    /// A token to replace one the FHIR server refused (401). When another request has already
    /// replaced it, that token is used, so a burst of refusals costs one new token.
    pub async fn replace(&self, refused: &AccessToken) -> Result<AccessToken, EhrError> {
        let mut cached = self.cached.lock().await;
        let now = self.clock.now();
        if let Some(other) = cached
            .as_ref()
            .filter(|c| &c.token != refused && now < c.refresh_at)
        {
            return Ok(other.token.clone());
        }
        *cached = None;
        self.fetch_into(&mut cached).await
    }

    /// Makes `token` the cached token for `lifetime`, as if the token endpoint had just issued
    /// it: for a token obtained out of band, and for tests that stand in a revoked token.
    pub async fn cache_token(&self, token: AccessToken, lifetime: Duration) {
        let issued = IssuedToken { token, lifetime };
        *self.cached.lock().await = Some(self.cached_until(&issued));
    }

    /// How many tokens the token endpoint has issued to this authorizer.
    pub fn tokens_issued(&self) -> u64 {
        self.issued.load(Ordering::Relaxed)
    }

    /// Fetches a token into the cache; a failure leaves the cache as it was.
    async fn fetch_into(&self, cached: &mut Option<CachedToken>) -> Result<AccessToken, EhrError> {
        let issued = self.fetch().await?;
        self.issued.fetch_add(1, Ordering::Relaxed);
        tracing::info!(
            expires_in_secs = issued.lifetime.as_secs(),
            "the token endpoint issued an access token"
        );
        let token = issued.token.clone();
        *cached = Some(self.cached_until(&issued));
        Ok(token)
    }

    fn cached_until(&self, issued: &IssuedToken) -> CachedToken {
        let now = self.clock.now();
        let keep = issued.lifetime - REFRESH_MARGIN.min(issued.lifetime / 2);
        CachedToken {
            token: issued.token.clone(),
            refresh_at: now + keep,
            expires_at: now + issued.lifetime,
        }
    }

    /// Asks the token endpoint for a token (client_credentials with a JWT client assertion).
    async fn fetch(&self) -> Result<IssuedToken, EhrError> {
        let endpoint = self.token_endpoint().await?;
        let assertion = client_assertion(
            &self.client.key,
            &self.client.client_id,
            endpoint,
            self.clock.now(),
            &self.rng,
        )
        .map_err(|e| EhrError::Unexpected(format!("cannot sign the client assertion: {e}")))?;
        let response = self
            .http
            .post(endpoint)
            .header(header::ACCEPT, "application/json")
            .header("X-Request-Id", Uuid::new_v4().to_string())
            .form(&[
                ("grant_type", "client_credentials"),
                ("scope", self.client.scope.as_str()),
                ("client_assertion_type", ASSERTION_TYPE),
                ("client_assertion", assertion.as_str()),
            ])
            .send()
            .await
            .map_err(unreachable)?;
        let status = response.status().as_u16();
        let wait = retry_after(&response);
        let body = response.text().await.map_err(unreachable)?;
        token::read_token(status, wait, &body)
    }

    /// The token endpoint, discovered once from `{base}/.well-known/smart-configuration`.
    async fn token_endpoint(&self) -> Result<&str, EhrError> {
        self.token_endpoint
            .get_or_try_init(|| async {
                let response = self
                    .http
                    .get(format!(
                        "{}/.well-known/smart-configuration",
                        self.fhir_base
                    ))
                    .header(header::ACCEPT, "application/json")
                    .header("X-Request-Id", Uuid::new_v4().to_string())
                    .send()
                    .await
                    .map_err(unreachable)?;
                let status = response.status().as_u16();
                let body = response.text().await.map_err(unreachable)?;
                token::read_configuration(status, &body)
            })
            .await
            .map(String::as_str)
    }
}

/// No answer from the authorization server: nothing reached the FHIR server, so a retry is safe.
fn unreachable(error: reqwest::Error) -> EhrError {
    EhrError::Transient {
        message: format!("the SMART authorization server: {}", describe(&error)),
        retry_after: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clock::ManualClock;

    fn authorizer(clock: Arc<ManualClock>) -> SmartAuthorizer {
        drop(rustls::crypto::ring::default_provider().install_default());
        let (key, _) = SigningKey::generate_es384(None).unwrap();
        let client = SmartClient {
            client_id: "intake".into(),
            key,
            scope: "system/Patient.rs".into(),
        };
        // Nothing listens on port 9: any attempt to fetch a token fails as unreachable.
        SmartAuthorizer::new(
            "http://127.0.0.1:9/fhir",
            client,
            Duration::from_secs(2),
            clock,
        )
        .unwrap()
    }

    #[tokio::test]
    async fn a_cached_token_is_used_until_a_minute_before_it_expires_and_after_only_as_a_fallback()
    {
        let clock = Arc::new(ManualClock::at(OffsetDateTime::now_utc()));
        let smart = authorizer(clock.clone());
        let token = AccessToken::new("cached".into());
        smart
            .cache_token(token.clone(), Duration::from_secs(300))
            .await;
        clock.advance(Duration::from_secs(239));
        assert_eq!(smart.access_token().await.unwrap(), token);
        // From here on it tries for a new one (the token endpoint is unreachable), and uses the
        // current one until it expires.
        clock.advance(Duration::from_secs(60));
        assert_eq!(smart.access_token().await.unwrap(), token);
        clock.advance(Duration::from_secs(1));
        let refresh = smart.access_token().await.unwrap_err();
        assert!(refresh.is_transient(), "{refresh}");
        assert_eq!(smart.tokens_issued(), 0);
    }

    #[tokio::test]
    async fn a_refused_token_is_replaced_but_a_newer_one_is_kept() {
        let clock = Arc::new(ManualClock::at(OffsetDateTime::now_utc()));
        let smart = authorizer(clock);
        let newer = AccessToken::new("newer".into());
        smart
            .cache_token(newer.clone(), Duration::from_secs(300))
            .await;
        let stale = AccessToken::new("stale".into());
        assert_eq!(smart.replace(&stale).await.unwrap(), newer);
        assert!(smart.replace(&newer).await.unwrap_err().is_transient());
    }

    #[test]
    fn debug_output_shows_neither_key_nor_token() {
        let smart = authorizer(Arc::new(ManualClock::default()));
        let shown = format!("{smart:?}");
        assert!(
            shown.contains("[redacted]") && shown.contains("intake"),
            "{shown}"
        );
    }
}
