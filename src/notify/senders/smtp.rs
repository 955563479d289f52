//! Email over SMTP with `lettre` (`INTAKE_SMTP_URL`, `INTAKE_MAIL_FROM`): plain text in UTF-8,
//! a `Message-ID` made from the message's id, and the server's reply kept when it refuses.

use std::time::Duration;

use async_trait::async_trait;
use lettre::{
    AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor,
    message::{Mailbox, header::ContentType},
};

use super::{Outgoing, SendFailure, Sender};

/// Sends email through one SMTP server, reusing its connections.
pub struct SmtpSender {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
}

impl std::fmt::Debug for SmtpSender {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The transport holds the server's credentials.
        f.debug_struct("SmtpSender").finish_non_exhaustive()
    }
}

impl SmtpSender {
    /// A sender for `url` (`smtp://user:pass@host:587?tls=required`, `smtps://host:465`, or
    /// `smtp://host:25` without TLS, for a relay on the same network). Connects lazily.
    pub fn new(url: &str, from: Mailbox, timeout: Duration) -> Result<Self, String> {
        // lettre's rustls wants a process-wide crypto provider, as reqwest does.
        drop(rustls::crypto::ring::default_provider().install_default());
        let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(url)
            .map_err(|e| format!("not an SMTP URL lettre understands: {e}"))?
            .timeout(Some(timeout))
            .build();
        Ok(Self { transport, from })
    }
}

#[async_trait]
impl Sender for SmtpSender {
    async fn send(&self, message: &Outgoing<'_>) -> Result<(), SendFailure> {
        let to: Mailbox = message.to.parse().map_err(|_| {
            SendFailure::Refused("the email address on file is not one an email can go to".into())
        })?;
        let domain = self.from.email.domain().to_owned();
        let email = Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(message.subject)
            // A retry after an unanswered send carries the same id, so mail clients that
            // honour it show one message.
            .message_id(Some(format!("<{}@{domain}>", message.id)))
            .header(ContentType::TEXT_PLAIN)
            .body(message.body.to_owned())
            .map_err(|e| SendFailure::Refused(format!("the email could not be built: {e}")))?;
        match self.transport.send(email).await {
            Ok(_) => Ok(()),
            Err(error) if error.is_permanent() => Err(SendFailure::Refused(error.to_string())),
            // The server may have taken the message before the answer was lost.
            Err(error) if error.is_timeout() => Err(SendFailure::Ambiguous(format!(
                "{error}; unknown whether it went out"
            ))),
            // A 4xx, or no connection: the server did not take it.
            Err(error) => Err(SendFailure::Transient(error.to_string())),
        }
    }
}
