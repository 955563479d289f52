//! Text messages through an HTTP gateway (`INTAKE_SMS_URL`, `INTAKE_SMS_FROM`): a form POST of
//! `To`, `From` and `Body` with basic auth from the URL's user and password, the shape Twilio
//! and the gateways that copy it take. A 429 or 5xx is retried; any other refusal is final and
//! kept in the gateway's words.

use std::time::Duration;

use async_trait::async_trait;
use url::Url;

use super::{Outgoing, SendFailure, Sender};

/// The longest piece of a gateway's answer kept as its words.
const MAX_WORDS: usize = 500;

/// Posts text messages to one gateway.
pub struct SmsGateway {
    client: reqwest::Client,
    url: Url,
    user: Option<String>,
    password: Option<String>,
    from: String,
}

impl std::fmt::Debug for SmsGateway {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The URL's host is fine to show; its credentials are not.
        f.debug_struct("SmsGateway")
            .field("host", &self.url.host_str())
            .finish_non_exhaustive()
    }
}

impl SmsGateway {
    /// A gateway at `url`, whose user and password (if any) become basic auth, sending from
    /// `from`.
    pub fn new(url: &Url, from: &str, timeout: Duration) -> Result<Self, String> {
        drop(rustls::crypto::ring::default_provider().install_default());
        let decode = |s: &str| percent_decode(s);
        let user = (!url.username().is_empty()).then(|| decode(url.username()));
        let password = url.password().map(decode);
        let mut bare = url.clone();
        let _ = bare.set_username("");
        let _ = bare.set_password(None);
        let client = reqwest::Client::builder()
            .connect_timeout(Duration::from_secs(5).min(timeout))
            .timeout(timeout)
            .user_agent(concat!("intake/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| format!("cannot build the HTTP client: {e}"))?;
        Ok(Self {
            client,
            url: bare,
            user,
            password,
            from: from.to_owned(),
        })
    }
}

/// Undoes the URL's percent-encoding of a user or password (`p%40ss` is `p@ss`).
fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |b: u8| char::from(b).to_digit(16);
        match (
            bytes[i],
            bytes.get(i + 1).copied().and_then(hex),
            bytes.get(i + 2).copied().and_then(hex),
        ) {
            (b'%', Some(high), Some(low)) => {
                out.push(u8::try_from(high * 16 + low).unwrap_or(b'?'));
                i += 3;
            }
            (byte, _, _) => {
                out.push(byte);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[async_trait]
impl Sender for SmsGateway {
    async fn send(&self, message: &Outgoing<'_>) -> Result<(), SendFailure> {
        let mut request = self.client.post(self.url.clone()).form(&[
            ("To", message.to),
            ("From", self.from.as_str()),
            ("Body", message.body),
        ]);
        if let Some(user) = &self.user {
            request = request.basic_auth(user, self.password.as_deref());
        }
        let response = request.send().await.map_err(|error| {
            // Without the URL reqwest would add: it is the configuration's, not news to staff.
            if error.is_connect() {
                // Nothing reached the gateway: safe to try again.
                SendFailure::Transient("could not connect to the text message gateway".into())
            } else if error.is_timeout() {
                SendFailure::Ambiguous(
                    "the text message gateway did not answer in time; unknown whether it went out"
                        .into(),
                )
            } else {
                SendFailure::Ambiguous(
                    "the connection to the text message gateway broke; unknown whether it went out"
                        .into(),
                )
            }
        })?;
        let status = response.status();
        if status.is_success() {
            return Ok(());
        }
        let text = response.text().await.unwrap_or_default();
        let words = format!("HTTP {}: {}", status.as_u16(), gateway_words(&text));
        if status.as_u16() == 429 || status.is_server_error() {
            Err(SendFailure::Transient(words))
        } else {
            Err(SendFailure::Refused(words))
        }
    }
}

/// What the gateway said: the `message` of a Twilio-style JSON error (else `error`, `detail`),
/// or its text, cut short.
fn gateway_words(body: &str) -> String {
    let from_json = serde_json::from_str::<serde_json::Value>(body)
        .ok()
        .and_then(|json| {
            ["message", "error_message", "error", "detail"]
                .iter()
                .find_map(|key| json[*key].as_str().map(str::to_owned))
        });
    let words = from_json.unwrap_or_else(|| body.trim().to_owned());
    let words = if words.is_empty() {
        "no reason given".to_owned()
    } else {
        words
    };
    match words.char_indices().nth(MAX_WORDS) {
        Some((cut, _)) => format!("{}…", &words[..cut]),
        None => words,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_gateways_words_come_from_its_json_error_or_its_text() {
        assert_eq!(
            gateway_words(
                r#"{"code": 21211, "message": "The 'To' number is not a valid phone number.", "status": 400}"#
            ),
            "The 'To' number is not a valid phone number."
        );
        assert_eq!(
            gateway_words("Service Unavailable\n"),
            "Service Unavailable"
        );
        assert_eq!(gateway_words(""), "no reason given");
        assert_eq!(
            gateway_words(&"x".repeat(600)).chars().count(),
            MAX_WORDS + 1
        );
    }

    #[test]
    fn credentials_come_out_of_the_url_and_are_decoded() {
        let url =
            Url::parse("https://AC123:p%40ss@gateway.example/2010-04-01/Messages.json").unwrap();
        let gateway = SmsGateway::new(&url, "+15550100", Duration::from_secs(5)).unwrap();
        assert_eq!(gateway.user.as_deref(), Some("AC123"));
        assert_eq!(gateway.password.as_deref(), Some("p@ss"));
        assert_eq!(
            gateway.url.as_str(),
            "https://gateway.example/2010-04-01/Messages.json"
        );
        assert!(!format!("{gateway:?}").contains("p@ss"));
    }
}
