//! The use cases of messages: send an invitation now (staff's "send now" and "re-send", and the
//! planner's round), and the newest message state of each appointment for the worklist.

use std::collections::HashMap;

use uuid::Uuid;

use super::{
    Channel, MessageState, Purpose,
    plan::{
        Reachable, Unreachable, Visit, choose_channel, invitation_due, reminder_due_at,
        reminder_follows,
    },
    texts::{MessageText, render},
};
use crate::{
    domain::SecretToken,
    intake::{ServiceError, Services},
    store::{InvitationMessages, MessageSummary, MessageTarget, NewMessage},
};

/// What `send_invitation` did.
#[derive(Debug, Clone)]
pub struct InvitationSent {
    /// The new invitation (earlier links of the appointment no longer work).
    pub invitation_id: Uuid,
    /// Its link's token, for a page that shows the link or its QR code now. Only its hash is kept.
    pub token: SecretToken,
    /// How the message goes.
    pub channel: Channel,
    /// Whether a reminder is queued behind it.
    pub reminder: bool,
}

/// What one round of the planner did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PlanRound {
    /// Appointments invited.
    pub invited: usize,
    /// Appointments that could not be (no contact), recorded for the worklist.
    pub unreachable: usize,
    /// Queued messages cancelled because they no longer applied.
    pub cancelled: u64,
}

/// An appointment's newest message, as the worklist shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MessageStatus {
    /// The invitation or the reminder.
    pub purpose: Purpose,
    /// How it went.
    pub channel: Channel,
    /// Queued, sending, sent or failed.
    pub state: MessageState,
    /// When failed, why, in the gateway's words (or "no mobile number or email on the chart").
    pub words: Option<String>,
    /// When it last changed, epoch milliseconds.
    pub at: i64,
}

/// The message that says where an appointment's messages stand: the newest one that went, failed
/// or is on its way, leaving out reminders still waiting for their time and cancelled ones.
pub fn latest_status(messages: &[MessageSummary], now: i64) -> Option<MessageStatus> {
    messages
        .iter()
        .filter(|m| m.state != MessageState::Cancelled)
        .filter(|m| {
            !(m.state == MessageState::Queued
                && m.next_attempt_at > now
                && m.purpose == Purpose::Reminder)
        })
        .max_by_key(|m| (m.sent_at.unwrap_or(m.updated_at), m.created_at))
        .map(|m| MessageStatus {
            purpose: m.purpose,
            channel: m.channel,
            state: m.state,
            words: m.last_error.clone(),
            at: m.sent_at.unwrap_or(m.updated_at),
        })
}

/// Who asks for an invitation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Asker<'a> {
    /// Staff (`staff:<uuid>`): a fresh link whatever came before.
    Staff(&'a str),
    /// The planner: only an appointment due and never invited.
    Planner,
}

/// How an invitation attempt ended, short of an error.
enum Invite {
    Sent(InvitationSent),
    NotDue,
    Unreachable(Unreachable),
}

impl Services {
    /// Issues a fresh link for an appointment (the old one stops working) and queues the message
    /// that carries it, by text to a mobile number or else by email, with a reminder behind it
    /// when the visit is more than a reminder's time away: one transaction, with its audit event
    /// by `actor`. Fails with [`ServiceError::Unreachable`] when the chart has no way to reach the
    /// patient (recorded, so the worklist shows it).
    pub async fn send_invitation(
        &self,
        appointment_id: Uuid,
        actor: &str,
    ) -> Result<InvitationSent, ServiceError> {
        match self.invite(appointment_id, Asker::Staff(actor)).await? {
            Invite::Sent(sent) => Ok(sent),
            Invite::Unreachable(why) => Err(ServiceError::Unreachable(why)),
            Invite::NotDue => Err(ServiceError::Conflict("the visit was cancelled or is over")),
        }
    }

    /// One round of the planner: cancels queued messages that no longer apply, then invites
    /// the appointments due an invitation (at most a hundred a round, soonest first).
    pub async fn plan_messages(&self) -> Result<PlanRound, ServiceError> {
        const PER_ROUND: i64 = 100;
        let timing = self.messaging.timing;
        let now = self.clock.now_millis();
        let mut round = PlanRound {
            cancelled: self
                .store
                .tidy_queued_messages(now, millis(timing.reminder_before))
                .await?,
            ..PlanRound::default()
        };
        let until = now.saturating_add(millis(timing.invite_before));
        for appointment_id in self
            .store
            .appointments_to_invite(now, until, PER_ROUND)
            .await?
        {
            match self.invite(appointment_id, Asker::Planner).await {
                Ok(Invite::Sent(_)) => round.invited += 1,
                Ok(Invite::Unreachable(_)) => round.unreachable += 1,
                Ok(Invite::NotDue) => {}
                // One chart that cannot be read must not hold up the rest; it is tried next round.
                Err(error) => {
                    tracing::warn!(appointment = %appointment_id, %error, "could not invite; will try again");
                }
            }
        }
        Ok(round)
    }

    /// The newest invitation or reminder message of each appointment (a worklist page's).
    pub async fn message_statuses(
        &self,
        appointment_ids: &[Uuid],
    ) -> Result<HashMap<Uuid, MessageStatus>, ServiceError> {
        let messages = self.store.messages_of_appointments(appointment_ids).await?;
        let now = self.clock.now_millis();
        let mut by_appointment: HashMap<Uuid, Vec<MessageSummary>> = HashMap::new();
        for message in messages {
            by_appointment
                .entry(message.appointment_id)
                .or_default()
                .push(message);
        }
        Ok(by_appointment
            .into_iter()
            .filter_map(|(id, messages)| latest_status(&messages, now).map(|status| (id, status)))
            .collect())
    }

    /// Messages by purpose and state, for `/metrics`.
    pub async fn message_counts(&self) -> Result<Vec<(String, String, i64)>, ServiceError> {
        Ok(self.store.message_counts().await?)
    }

    async fn invite(&self, appointment_id: Uuid, asker: Asker<'_>) -> Result<Invite, ServiceError> {
        let target = self.store.message_target(appointment_id).await?;
        let now = self.clock.now_millis();
        let timing = self.messaging.timing;
        let visit = Visit {
            booked: target.status == "booked",
            starts_at: target.starts_at,
        };
        let wanted = match asker {
            Asker::Planner => invitation_due(visit, target.invited_before, now, timing),
            Asker::Staff(_) => visit.booked && visit.starts_at > now,
        };
        if !wanted {
            return Ok(Invite::NotDue);
        }
        let actor = match asker {
            Asker::Staff(actor) => actor,
            Asker::Planner => "system",
        };
        let reachable = self.reachable(&target).await?;
        let (channel, contact) = match choose_channel(&reachable, self.messaging.senders.set_up()) {
            Ok(found) => found,
            Err(why) => {
                self.store
                    .record_unsendable(
                        appointment_id,
                        Purpose::Invitation,
                        &why.to_string(),
                        actor,
                        now,
                    )
                    .await?;
                return Ok(Invite::Unreachable(why));
            }
        };
        let token = SecretToken::generate();
        let link = self.messaging.link(&token);
        let language = reachable.message_language();
        let sms =
            channel == Channel::Sms || (channel == Channel::Log && !contact.expose().contains('@'));
        let invitation_id = Uuid::now_v7();
        let message = |purpose, text: MessageText<'_>, due_at| {
            let rendered = render(&text, language, sms, &self.clinic);
            NewMessage {
                id: Uuid::now_v7(),
                invitation_id: Some(invitation_id),
                appointment_id: Some(appointment_id),
                purpose,
                channel,
                recipient: contact.expose().to_owned(),
                language: language.code().to_owned(),
                subject: rendered.subject,
                body: rendered.body,
                due_at,
            }
        };
        let mut messages = vec![message(
            Purpose::Invitation,
            MessageText::Invitation {
                starts_at: target.starts_at,
                link: &link,
            },
            now,
        )];
        let reminder = reminder_follows(target.starts_at, now, timing);
        if reminder {
            messages.push(message(
                Purpose::Reminder,
                MessageText::Reminder {
                    starts_at: target.starts_at,
                    link: &link,
                },
                reminder_due_at(target.starts_at, timing),
            ));
        }
        let stored = self
            .store
            .queue_invitation(
                &InvitationMessages {
                    invitation_id,
                    appointment_id,
                    token: token.hash(),
                    expires_at: now.saturating_add(millis(self.lifetimes.invitation)),
                    messages,
                    actor: actor.to_owned(),
                    only_if_uninvited: asker == Asker::Planner,
                },
                now,
            )
            .await?;
        if !stored {
            return Ok(Invite::NotDue);
        }
        Ok(Invite::Sent(InvitationSent {
            invitation_id,
            token,
            channel,
            reminder,
        }))
    }

    /// Where the patient can be reached: what the schedule sync stored on the appointment, or,
    /// for an appointment made before it did, the chart's `Patient`.
    async fn reachable(&self, target: &MessageTarget) -> Result<Reachable, ServiceError> {
        let stored = Reachable::from_columns(
            target.patient_mobile.as_deref(),
            target.patient_email.as_deref(),
            target.patient_language.as_deref(),
        );
        if !stored.is_empty() {
            return Ok(stored);
        }
        let id = target
            .patient_ref
            .strip_prefix("Patient/")
            .unwrap_or(&target.patient_ref);
        let bundle = self.ehr.search(&format!("Patient?_id={id}")).await?;
        let patient = bundle["entry"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|entry| &entry["resource"])
            .find(|resource| resource["resourceType"] == "Patient");
        Ok(match patient {
            Some(patient) => {
                let mut found =
                    Reachable::from_patient(patient, self.clinic.zone.today(self.clock.now()));
                found.language = found.language.or(stored.language);
                found
            }
            None => stored,
        })
    }
}

fn millis(duration: std::time::Duration) -> i64 {
    i64::try_from(duration.as_millis()).unwrap_or(i64::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: i64 = 1_800_000_000_000;

    fn summary(
        purpose: Purpose,
        state: MessageState,
        updated_at: i64,
        next_attempt_at: i64,
    ) -> MessageSummary {
        MessageSummary {
            appointment_id: Uuid::from_u128(1),
            purpose,
            channel: Channel::Sms,
            state,
            last_error: (state == MessageState::Failed)
                .then(|| "HTTP 400: not a mobile number".to_owned()),
            next_attempt_at,
            created_at: NOW - 10_000,
            updated_at,
            sent_at: (state == MessageState::Sent).then_some(updated_at),
        }
    }

    #[test]
    fn the_worklist_shows_the_newest_message_that_went_or_failed_not_a_reminder_waiting_its_turn() {
        let sent = summary(
            Purpose::Invitation,
            MessageState::Sent,
            NOW - 5000,
            NOW - 10_000,
        );
        let waiting = summary(
            Purpose::Reminder,
            MessageState::Queued,
            NOW - 10_000,
            NOW + 86_400_000,
        );
        let status = latest_status(&[sent.clone(), waiting], NOW).unwrap();
        assert_eq!(
            (status.purpose, status.state),
            (Purpose::Invitation, MessageState::Sent)
        );

        let failed_reminder = summary(
            Purpose::Reminder,
            MessageState::Failed,
            NOW - 100,
            NOW - 200,
        );
        let status = latest_status(&[sent.clone(), failed_reminder], NOW).unwrap();
        assert_eq!(
            (status.purpose, status.state),
            (Purpose::Reminder, MessageState::Failed)
        );
        assert_eq!(
            status.words.as_deref(),
            Some("HTTP 400: not a mobile number")
        );

        let cancelled = summary(Purpose::Reminder, MessageState::Cancelled, NOW, NOW);
        assert_eq!(
            latest_status(&[sent, cancelled], NOW).unwrap().state,
            MessageState::Sent
        );
        assert_eq!(latest_status(&[], NOW), None);
    }
}
