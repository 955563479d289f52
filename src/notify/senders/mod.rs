//! The ways a message leaves Intake: SMTP, a text message gateway, or the log. Each says whether
//! a failure is worth retrying, in the gateway's own words.

mod log;
mod sms;
mod smtp;
mod webhook;

use std::{fmt, sync::Arc};

use async_trait::async_trait;
use uuid::Uuid;

pub use log::LogSender;
pub use sms::SmsGateway;
pub use smtp::SmtpSender;
pub use webhook::WebhookSender;

use super::{Channel, Purpose, plan::SendersSetUp};

/// One message, as a sender gets it. Its `Debug` output names no recipient and no text.
pub struct Outgoing<'a> {
    /// The message's id (an email's `Message-ID`; the log sender's reference).
    pub id: Uuid,
    /// The invitation it concerns, if one.
    pub invitation_id: Option<Uuid>,
    /// Why it is sent.
    pub purpose: Purpose,
    /// The phone number or email address.
    pub to: &'a str,
    /// The email subject.
    pub subject: &'a str,
    /// The text.
    pub body: &'a str,
    /// The language it is written in.
    pub language: &'a str,
}

impl fmt::Debug for Outgoing<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Outgoing")
            .field("id", &self.id)
            .field("purpose", &self.purpose)
            .finish_non_exhaustive()
    }
}

/// Why a send did not work, in the words of the server or gateway that said so (which staff
/// read on the worklist; never logged, as they may quote the address).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SendFailure {
    /// Worth trying again later (a 5xx or 429 from a gateway, an SMTP 4xx, no connection).
    #[error("{0}")]
    Transient(String),
    /// Refused for good (an invalid number, an unknown mailbox): no retry helps.
    #[error("{0}")]
    Refused(String),
    /// No answer after the message was handed over: it may have gone out. Not retried, so a
    /// patient never gets it twice.
    #[error("{0}")]
    Ambiguous(String),
}

/// Delivers messages of one channel.
#[async_trait]
pub trait Sender: Send + Sync + fmt::Debug {
    /// Hands the message over. `Ok` once the server or gateway accepted it.
    async fn send(&self, message: &Outgoing<'_>) -> Result<(), SendFailure>;
}

/// The senders set up in this process.
#[derive(Debug, Clone)]
pub struct Senders {
    /// Email, when `INTAKE_SMTP_URL` is set.
    pub email: Option<Arc<dyn Sender>>,
    /// Text messages, when `INTAKE_SMS_URL` is set.
    pub sms: Option<Arc<dyn Sender>>,
    /// Webhooks (urgent alerts to an `https://` contact), always: they need no set-up.
    pub webhook: Option<Arc<dyn Sender>>,
    /// The log, always.
    pub log: Arc<dyn Sender>,
}

impl Default for Senders {
    fn default() -> Self {
        Self {
            email: None,
            sms: None,
            webhook: None,
            log: Arc::new(LogSender),
        }
    }
}

impl Senders {
    /// Which channels have a real sender.
    pub fn set_up(&self) -> SendersSetUp {
        SendersSetUp {
            email: self.email.is_some(),
            sms: self.sms.is_some(),
        }
    }

    /// The sender of a channel, or why there is none (the configuration changed since the
    /// message was queued).
    pub fn for_channel(&self, channel: Channel) -> Result<&dyn Sender, SendFailure> {
        match channel {
            Channel::Email => self.email.as_deref().ok_or_else(|| {
                SendFailure::Refused("email is not set up (INTAKE_SMTP_URL)".into())
            }),
            Channel::Sms => self.sms.as_deref().ok_or_else(|| {
                SendFailure::Refused("text messages are not set up (INTAKE_SMS_URL)".into())
            }),
            Channel::Webhook => self.webhook.as_deref().ok_or_else(|| {
                SendFailure::Refused("webhooks are not set up in this process".into())
            }),
            Channel::Log => Ok(self.log.as_ref()),
        }
    }
}
