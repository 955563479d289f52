//! The webhook sender: an urgent alert as an HTTP POST of a small JSON document (the alert's
//! id, "an urgent answer needs review", the staff link), for a paging system or a chat channel.
//! No patient data goes in it, so the receiving system holds none.

use std::time::Duration;

use async_trait::async_trait;

use super::{Outgoing, SendFailure, Sender};

/// Posts each message's body (JSON) to its recipient URL.
#[derive(Debug, Clone)]
pub struct WebhookSender {
    client: reqwest::Client,
}

impl WebhookSender {
    /// A sender whose requests give up after `timeout`.
    pub fn new(timeout: Duration) -> Result<Self, String> {
        drop(rustls::crypto::ring::default_provider().install_default());
        let client = reqwest::Client::builder()
            .connect_timeout(Duration::from_secs(5).min(timeout))
            .timeout(timeout)
            .redirect(reqwest::redirect::Policy::none())
            .user_agent(concat!("intake/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| format!("cannot build the HTTP client: {e}"))?;
        Ok(Self { client })
    }
}

#[async_trait]
impl Sender for WebhookSender {
    async fn send(&self, message: &Outgoing<'_>) -> Result<(), SendFailure> {
        let response = self
            .client
            .post(message.to)
            .header(reqwest::header::CONTENT_TYPE, "application/json")
            .header("Idempotency-Key", message.id.to_string())
            .body(message.body.to_owned())
            .send()
            .await
            .map_err(|error| {
                if error.is_connect() {
                    SendFailure::Transient("could not connect to the webhook".into())
                } else if error.is_timeout() {
                    SendFailure::Ambiguous(
                        "the webhook did not answer in time; unknown whether it was received"
                            .into(),
                    )
                } else {
                    SendFailure::Ambiguous(
                        "the connection to the webhook broke; unknown whether it was received"
                            .into(),
                    )
                }
            })?;
        let status = response.status();
        if status.is_success() {
            return Ok(());
        }
        let words = format!("webhook answered HTTP {}", status.as_u16());
        if status.as_u16() == 429 || status.is_server_error() {
            Err(SendFailure::Transient(words))
        } else {
            Err(SendFailure::Refused(words))
        }
    }
}
