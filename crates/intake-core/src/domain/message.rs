//! What a message to a person is for, how it goes, and where it stands: the codes the
//! `messages` table keeps, parsed in one place.

/// Why a message is sent. One message per invitation and purpose (and, for one-time codes, per
/// code), never two.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Purpose {
    /// The link to the form, days before the visit.
    Invitation,
    /// The link again, when the form is not in hours before the visit.
    Reminder,
    /// A one-time code after the date of birth (`INTAKE_VERIFY_CODE`).
    OneTimeCode,
    /// An urgent answer, to the clinic's urgent contact: no patient data, a staff link.
    UrgentAlert,
}

impl Purpose {
    /// Every purpose, for counts.
    pub const ALL: [Self; 4] = [
        Self::Invitation,
        Self::Reminder,
        Self::OneTimeCode,
        Self::UrgentAlert,
    ];

    /// The stored code.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Invitation => "invitation",
            Self::Reminder => "reminder",
            Self::OneTimeCode => "one_time_code",
            Self::UrgentAlert => "urgent_alert",
        }
    }

    /// Reads a stored code.
    pub fn parse(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|p| p.as_str() == code)
    }
}

/// How a message goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Channel {
    /// Over SMTP (`INTAKE_SMTP_URL`).
    Email,
    /// Through the text message gateway (`INTAKE_SMS_URL`).
    Sms,
    /// An HTTP POST of a small JSON document with no patient data (urgent alerts only).
    Webhook,
    /// Into the log, without the link or the contact, when neither is set up.
    Log,
}

impl Channel {
    /// The stored code.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Email => "email",
            Self::Sms => "sms",
            Self::Webhook => "webhook",
            Self::Log => "log",
        }
    }

    /// Reads a stored code.
    pub fn parse(code: &str) -> Option<Self> {
        [Self::Email, Self::Sms, Self::Webhook, Self::Log]
            .into_iter()
            .find(|c| c.as_str() == code)
    }
}

/// Where a message stands. `queued` and `sending` are the outbox; the others are final.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum MessageState {
    /// Waiting for a sender (due at its `next_attempt_at`).
    Queued,
    /// Leased by a sender.
    Sending,
    /// The gateway took it.
    Sent,
    /// Refused, or kept failing, or no way to send it: the reason is kept in the gateway's words.
    Failed,
    /// Not sent because it no longer applied (a newer link, a submitted form, a cancelled visit).
    Cancelled,
}

impl MessageState {
    /// Every state, for counts.
    pub const ALL: [Self; 5] = [
        Self::Queued,
        Self::Sending,
        Self::Sent,
        Self::Failed,
        Self::Cancelled,
    ];

    /// The stored code.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Queued => "queued",
            Self::Sending => "sending",
            Self::Sent => "sent",
            Self::Failed => "failed",
            Self::Cancelled => "cancelled",
        }
    }

    /// Reads a stored code.
    pub fn parse(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.as_str() == code)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_code_reads_back_as_what_it_was_written_from() {
        for purpose in Purpose::ALL {
            assert_eq!(Purpose::parse(purpose.as_str()), Some(purpose));
        }
        for state in MessageState::ALL {
            assert_eq!(MessageState::parse(state.as_str()), Some(state));
        }
        for channel in [Channel::Email, Channel::Sms, Channel::Webhook, Channel::Log] {
            assert_eq!(Channel::parse(channel.as_str()), Some(channel));
        }
        assert_eq!(Purpose::parse("fax"), None);
    }
}
