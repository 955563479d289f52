//! Where one appointment's intake stands, as the front desk's worklist shows it: decided here,
//! once, from stored facts, so the list, its counts and the appointment page always agree.

use super::Message;

/// The status of an invitation link, as stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LinkStatus {
    /// Usable.
    Open,
    /// Too many wrong answers; staff may unlock it or send a new one.
    Locked,
    /// The patient submitted through it.
    Submitted,
    /// Replaced by a newer link, or cancelled by staff.
    Revoked,
}

impl LinkStatus {
    /// Reads the stored code (`open`, `locked`, `submitted`, `revoked`).
    pub fn parse(code: &str) -> Option<Self> {
        match code {
            "open" => Some(Self::Open),
            "locked" => Some(Self::Locked),
            "submitted" => Some(Self::Submitted),
            "revoked" => Some(Self::Revoked),
            _ => None,
        }
    }
}

/// Where the newest message carrying a link stands (the message outbox's states, a cancelled
/// message left out: it never went and never will).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LinkMessage {
    /// Waiting in the outbox.
    Queued,
    /// A sender has it.
    Sending,
    /// The gateway took it.
    Sent,
    /// The gateway refused it, or every retry failed.
    Failed,
}

impl LinkMessage {
    /// Reads the stored code.
    pub fn parse(code: &str) -> Option<Self> {
        match code {
            "queued" => Some(Self::Queued),
            "sending" => Some(Self::Sending),
            "sent" => Some(Self::Sent),
            "failed" => Some(Self::Failed),
            _ => None,
        }
    }
}

/// How the proposed chart changes of a submission stand, counted by state.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ChangeTally {
    /// Held for staff, or refused by the EHR: someone must look.
    pub waiting: i64,
    /// In the outbox or being sent.
    pub pending: i64,
    /// On the chart.
    pub posted: i64,
}

/// What is known about the newest invitation of an appointment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LinkFacts {
    /// The link's status.
    pub status: LinkStatus,
    /// When it stops working, epoch milliseconds.
    pub expires_at: i64,
    /// Whether the patient opened it.
    pub opened: bool,
    /// Whether the patient proved who they are.
    pub verified: bool,
    /// The page the patient last saved (0-based) and the form's page count, once a draft exists.
    pub draft_page: Option<(i64, i64)>,
    /// The newest message that carried it.
    pub message: Option<LinkMessage>,
    /// The submission's changes, once submitted.
    pub changes: Option<ChangeTally>,
}

/// The facts one appointment's intake state is decided from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IntakeFacts {
    /// Whether the EHR (or staff) cancelled the appointment.
    pub appointment_cancelled: bool,
    /// The newest invitation, if any was made.
    pub link: Option<LinkFacts>,
    /// Whether the last try to send a link, after the newest invitation was made, found no
    /// way to reach the patient (no mobile number or email on the chart).
    pub unreachable: bool,
}

/// Where an intake stands, in the order the front desk follows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum IntakeState {
    /// No link sent yet (none made, or made and not sent).
    NotSent,
    /// A message with the link waits in the outbox.
    Queued,
    /// The message with the link went out.
    Sent,
    /// The message with the link could not be sent.
    FailedToSend,
    /// The patient opened the link.
    Opened,
    /// The patient proved who they are.
    Verified,
    /// The patient has saved answers; page `page` of `pages`.
    InProgress {
        /// The page last saved, 1-based.
        page: i64,
        /// The form's pages.
        pages: i64,
    },
    /// Submitted; the chart changes are on their way.
    Submitted,
    /// Every chart change has posted (or staff rejected it).
    Posted,
    /// Some chart changes wait for staff in the exception queue.
    WaitingForReview,
    /// Too many wrong answers locked the link.
    Locked,
    /// The link expired before the patient submitted.
    Expired,
    /// The appointment or its invitation was cancelled.
    Cancelled,
}

/// Every state's kind, in worklist order, for the day's counts.
pub const STATE_KINDS: [IntakeState; 13] = [
    IntakeState::NotSent,
    IntakeState::Queued,
    IntakeState::Sent,
    IntakeState::FailedToSend,
    IntakeState::Opened,
    IntakeState::Verified,
    IntakeState::InProgress { page: 0, pages: 0 },
    IntakeState::Submitted,
    IntakeState::Posted,
    IntakeState::WaitingForReview,
    IntakeState::Locked,
    IntakeState::Expired,
    IntakeState::Cancelled,
];

impl IntakeState {
    /// Decides the state from the facts at `now` (epoch milliseconds).
    pub fn of(facts: &IntakeFacts, now: i64) -> Self {
        if facts.appointment_cancelled {
            return Self::Cancelled;
        }
        let not_sent = if facts.unreachable {
            Self::FailedToSend
        } else {
            Self::NotSent
        };
        let Some(link) = facts.link else {
            return not_sent;
        };
        match link.status {
            LinkStatus::Revoked => return Self::Cancelled,
            LinkStatus::Locked => return Self::Locked,
            LinkStatus::Submitted => return Self::after_submission(link.changes),
            LinkStatus::Open => {}
        }
        if link.expires_at <= now {
            return Self::Expired;
        }
        if let Some((page, pages)) = link.draft_page {
            return Self::InProgress {
                page: (page + 1).clamp(1, pages.max(1)),
                pages: pages.max(1),
            };
        }
        if link.verified {
            return Self::Verified;
        }
        if link.opened {
            return Self::Opened;
        }
        match link.message {
            None => not_sent,
            Some(LinkMessage::Queued | LinkMessage::Sending) => Self::Queued,
            Some(LinkMessage::Sent) => Self::Sent,
            Some(LinkMessage::Failed) => Self::FailedToSend,
        }
    }

    fn after_submission(changes: Option<ChangeTally>) -> Self {
        let tally = changes.unwrap_or_default();
        if tally.waiting > 0 {
            Self::WaitingForReview
        } else if tally.pending > 0 || tally.posted == 0 {
            Self::Submitted
        } else {
            Self::Posted
        }
    }

    /// The state without its page numbers, to count and filter by.
    pub fn kind(self) -> Self {
        match self {
            Self::InProgress { .. } => Self::InProgress { page: 0, pages: 0 },
            other => other,
        }
    }

    /// A short code for CSS classes and URLs.
    pub fn code(self) -> &'static str {
        match self {
            Self::NotSent => "not-sent",
            Self::Queued => "queued",
            Self::Sent => "sent",
            Self::FailedToSend => "failed-to-send",
            Self::Opened => "opened",
            Self::Verified => "verified",
            Self::InProgress { .. } => "in-progress",
            Self::Submitted => "submitted",
            Self::Posted => "posted",
            Self::WaitingForReview => "waiting-for-review",
            Self::Locked => "locked",
            Self::Expired => "expired",
            Self::Cancelled => "cancelled",
        }
    }

    /// Every message id of [`Self::message`].
    pub const MESSAGE_IDS: [&'static str; 13] = [
        "intake-state-not-sent",
        "intake-state-queued",
        "intake-state-sent",
        "intake-state-failed-to-send",
        "intake-state-opened",
        "intake-state-verified",
        "intake-state-in-progress",
        "intake-state-submitted",
        "intake-state-posted",
        "intake-state-waiting-for-review",
        "intake-state-locked",
        "intake-state-expired",
        "intake-state-cancelled",
    ];

    /// The state in the front desk's words: `intake-state-<code>` of `locales/en/staff.ftl`,
    /// with the page it is on while in progress (`0` before the first page).
    pub fn message(self) -> Message {
        let message = Message::new(match self {
            Self::NotSent => "intake-state-not-sent",
            Self::Queued => "intake-state-queued",
            Self::Sent => "intake-state-sent",
            Self::FailedToSend => "intake-state-failed-to-send",
            Self::Opened => "intake-state-opened",
            Self::Verified => "intake-state-verified",
            Self::InProgress { .. } => "intake-state-in-progress",
            Self::Submitted => "intake-state-submitted",
            Self::Posted => "intake-state-posted",
            Self::WaitingForReview => "intake-state-waiting-for-review",
            Self::Locked => "intake-state-locked",
            Self::Expired => "intake-state-expired",
            Self::Cancelled => "intake-state-cancelled",
        });
        match self {
            Self::InProgress { page, pages } => message.with("page", page).with("pages", pages),
            _ => message,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: i64 = 1_000_000;

    fn link(status: LinkStatus) -> LinkFacts {
        LinkFacts {
            status,
            expires_at: NOW + 1,
            opened: false,
            verified: false,
            draft_page: None,
            message: None,
            changes: None,
        }
    }

    fn with(link: LinkFacts) -> IntakeFacts {
        IntakeFacts {
            appointment_cancelled: false,
            link: Some(link),
            unreachable: false,
        }
    }

    #[test]
    fn each_combination_of_facts_gives_the_state_the_front_desk_expects() {
        let open = link(LinkStatus::Open);
        let tally = |waiting, pending, posted| ChangeTally {
            waiting,
            pending,
            posted,
        };
        let submitted = |changes| LinkFacts {
            changes: Some(changes),
            ..link(LinkStatus::Submitted)
        };
        let table: Vec<(&str, IntakeFacts, IntakeState)> = vec![
            (
                "no invitation",
                IntakeFacts {
                    appointment_cancelled: false,
                    link: None,
                    unreachable: false,
                },
                IntakeState::NotSent,
            ),
            (
                "no invitation: the chart has no way to reach the patient",
                IntakeFacts {
                    appointment_cancelled: false,
                    link: None,
                    unreachable: true,
                },
                IntakeState::FailedToSend,
            ),
            (
                "a link made at the desk, then a send that found no way to reach the patient",
                IntakeFacts {
                    unreachable: true,
                    ..with(open)
                },
                IntakeState::FailedToSend,
            ),
            (
                "a link made but never sent",
                with(open),
                IntakeState::NotSent,
            ),
            (
                "a message in the outbox",
                with(LinkFacts {
                    message: Some(LinkMessage::Queued),
                    ..open
                }),
                IntakeState::Queued,
            ),
            (
                "a message being sent",
                with(LinkFacts {
                    message: Some(LinkMessage::Sending),
                    ..open
                }),
                IntakeState::Queued,
            ),
            (
                "a message sent",
                with(LinkFacts {
                    message: Some(LinkMessage::Sent),
                    ..open
                }),
                IntakeState::Sent,
            ),
            (
                "a message refused",
                with(LinkFacts {
                    message: Some(LinkMessage::Failed),
                    ..open
                }),
                IntakeState::FailedToSend,
            ),
            (
                "opened after a failed message (handed over at the desk)",
                with(LinkFacts {
                    message: Some(LinkMessage::Failed),
                    opened: true,
                    ..open
                }),
                IntakeState::Opened,
            ),
            (
                "verified",
                with(LinkFacts {
                    opened: true,
                    verified: true,
                    ..open
                }),
                IntakeState::Verified,
            ),
            (
                "answering page 2 of 3",
                with(LinkFacts {
                    opened: true,
                    verified: true,
                    draft_page: Some((1, 3)),
                    ..open
                }),
                IntakeState::InProgress { page: 2, pages: 3 },
            ),
            (
                "a page beyond a shortened form reads as its last",
                with(LinkFacts {
                    draft_page: Some((7, 3)),
                    ..open
                }),
                IntakeState::InProgress { page: 3, pages: 3 },
            ),
            (
                "expired while in progress",
                with(LinkFacts {
                    expires_at: NOW,
                    draft_page: Some((1, 3)),
                    ..open
                }),
                IntakeState::Expired,
            ),
            (
                "locked",
                with(link(LinkStatus::Locked)),
                IntakeState::Locked,
            ),
            (
                "locked links stay locked after expiry",
                with(LinkFacts {
                    expires_at: 0,
                    ..link(LinkStatus::Locked)
                }),
                IntakeState::Locked,
            ),
            (
                "the newest link revoked: cancelled",
                with(link(LinkStatus::Revoked)),
                IntakeState::Cancelled,
            ),
            (
                "the appointment cancelled",
                IntakeFacts {
                    appointment_cancelled: true,
                    link: Some(submitted(tally(0, 0, 3))),
                    unreachable: false,
                },
                IntakeState::Cancelled,
            ),
            (
                "submitted, changes on their way",
                with(submitted(tally(0, 2, 1))),
                IntakeState::Submitted,
            ),
            (
                "submitted with nothing to post",
                with(submitted(tally(0, 0, 0))),
                IntakeState::Submitted,
            ),
            (
                "every change posted",
                with(submitted(tally(0, 0, 4))),
                IntakeState::Posted,
            ),
            (
                "one change held for staff",
                with(submitted(tally(1, 2, 1))),
                IntakeState::WaitingForReview,
            ),
            (
                "submitted links do not expire into 'expired'",
                with(LinkFacts {
                    expires_at: 0,
                    ..submitted(tally(0, 0, 1))
                }),
                IntakeState::Posted,
            ),
        ];
        for (case, facts, expected) in table {
            assert_eq!(IntakeState::of(&facts, NOW), expected, "{case}");
        }
    }

    #[test]
    fn states_read_in_the_front_desks_words_and_count_without_page_numbers() {
        let state = IntakeState::InProgress { page: 2, pages: 5 };
        let args = |state: IntakeState| -> Vec<&str> {
            state.message().args.iter().map(|(name, _)| *name).collect()
        };
        assert_eq!(state.message().id, "intake-state-in-progress");
        assert_eq!(args(state), ["page", "pages"]);
        assert_eq!(state.kind(), IntakeState::InProgress { page: 0, pages: 0 });
        assert_eq!(args(IntakeState::Locked), Vec::<&str>::new());
        assert!(STATE_KINDS.contains(&state.kind()));
        let codes: std::collections::BTreeSet<_> = STATE_KINDS.iter().map(|s| s.code()).collect();
        assert_eq!(codes.len(), STATE_KINDS.len(), "codes are distinct");
    }
}
