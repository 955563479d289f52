//! The log sender: for trying Intake out and for sites without email or text messages. It
//! writes the message's ids, purpose and language, never the recipient or the link; a one-time
//! code's text (the clinic's name and the code) is the one thing `LOGGING.md` lets it write.

use async_trait::async_trait;

use super::{Outgoing, SendFailure, Sender};
use crate::notify::Purpose;

/// Writes messages to the log at INFO.
#[derive(Debug, Clone, Copy, Default)]
pub struct LogSender;

#[async_trait]
impl Sender for LogSender {
    async fn send(&self, message: &Outgoing<'_>) -> Result<(), SendFailure> {
        let kind = if message.to.contains('@') {
            "email"
        } else {
            "sms"
        };
        let invitation = message
            .invitation_id
            .map(|id| id.to_string())
            .unwrap_or_default();
        if message.purpose == Purpose::UrgentAlert {
            // The alert's text has no patient data: the clinic, "an urgent answer needs
            // review" and the staff link, which needs a sign-in.
            tracing::warn!(
                message_id = %message.id,
                text = message.body,
                "urgent alert (the log sender: set INTAKE_URGENT_CONTACT to reach a person)"
            );
        } else if message.purpose == Purpose::OneTimeCode {
            tracing::info!(
                message_id = %message.id,
                invitation,
                channel = kind,
                language = message.language,
                text = message.body,
                "one-time code (the log sender; set INTAKE_SMTP_URL or INTAKE_SMS_URL to deliver it)"
            );
        } else {
            tracing::info!(
                message_id = %message.id,
                invitation,
                purpose = message.purpose.as_str(),
                would_go_by = kind,
                language = message.language,
                "message not delivered (the log sender; set INTAKE_SMTP_URL or INTAKE_SMS_URL to deliver it)"
            );
        }
        Ok(())
    }
}
