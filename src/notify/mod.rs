//! Messages to people: invitations, reminders, one-time codes and urgent alerts to staff. Each is recorded in the `messages` outbox in the transaction that decides it, sent
//! by a worker through SMTP, a text message gateway or the log, at most once per invitation and
//! purpose, with the gateway's words kept when it fails.
//!
//! - [`plan`]: which appointments are due an invitation, whether a message still applies, and
//!   which way it goes (pure, table-tested);
//! - [`texts`]: what messages say, in every language of `locales/` (data);
//! - [`senders`]: SMTP (`lettre`), the text message gateway, the log;
//! - [`outbox`]: the sender worker and the planner loop;
//! - `service`: `Services::send_invitation`, the planner's round, the worklist's message states;
//! - `code`: one-time codes through the same outbox;
//! - [`urgent`]: urgent alerts, their recipients and words (pure).

mod code;
pub mod outbox;
pub mod plan;
pub mod senders;
mod service;
pub mod texts;
pub mod urgent;

use std::{sync::Arc, time::Duration};

pub use code::OutboxCodeSender;
pub use outbox::{
    MAX_MESSAGE_ATTEMPTS, MessageOutcome, OutboxSettings, run_outbox, run_planner,
    send_next_message,
};
pub use plan::{Reachable, SendersSetUp, Timing, Unreachable};
pub use senders::{
    LogSender, Outgoing, SendFailure, Sender, Senders, SmsGateway, SmtpSender, WebhookSender,
};
pub use service::{InvitationSent, MessageStatus, PlanRound, latest_status};

pub use crate::domain::{Channel, MessageState, Purpose};

/// How this process sends messages, shared by the services, the planner and the sender.
#[derive(Debug, Clone)]
pub struct Messaging {
    /// The senders set up.
    pub senders: Senders,
    /// When invitations and reminders go.
    pub timing: Timing,
    /// How often the planner runs.
    pub plan_every: Duration,
    /// Links start with this (`INTAKE_PUBLIC_URL`).
    pub public_url: url::Url,
    /// Who urgent flags reach, and when they are escalated.
    pub urgent: crate::config::UrgentSettings,
    /// Wakes this process's sender at once (an urgent alert was queued) instead of at its next
    /// poll; a sender in another process finds it at its next poll.
    pub wake: Arc<tokio::sync::Notify>,
}

impl Messaging {
    /// Builds the senders the configuration names (none: the log sender only).
    pub fn from_config(config: &crate::config::Config) -> Result<Self, String> {
        // Long enough for a slow gateway, short enough that a hung one does not hold the
        // sender's lease for long.
        const SEND_TIMEOUT: Duration = Duration::from_secs(30);
        let settings = &config.messages;
        let mut senders = Senders::default();
        if let Some(smtp) = &settings.smtp {
            let from = smtp
                .from
                .parse()
                .map_err(|e| format!("INTAKE_MAIL_FROM: {e}"))?;
            senders.email = Some(Arc::new(
                SmtpSender::new(&smtp.url, from, SEND_TIMEOUT)
                    .map_err(|e| format!("INTAKE_SMTP_URL: {e}"))?,
            ));
        }
        if let Some(sms) = &settings.sms {
            senders.sms = Some(Arc::new(
                SmsGateway::new(&sms.url, &sms.from, SEND_TIMEOUT)
                    .map_err(|e| format!("INTAKE_SMS_URL: {e}"))?,
            ));
        }
        senders.webhook = Some(Arc::new(WebhookSender::new(SEND_TIMEOUT)?));
        Ok(Self {
            urgent: config.urgent.clone(),
            wake: Arc::new(tokio::sync::Notify::new()),
            senders,
            timing: Timing {
                invite_before: settings.invite_before,
                reminder_before: settings.reminder_before,
            },
            plan_every: settings.plan_every,
            public_url: config.public_url.clone(),
        })
    }

    /// The link a patient opens for an invitation token.
    pub fn link(&self, token: &crate::domain::SecretToken) -> String {
        format!(
            "{}/i/{}",
            self.public_url.as_str().trim_end_matches('/'),
            token.expose()
        )
    }
}
