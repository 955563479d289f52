//! One-time codes through the message outbox: the [`CodeSender`] Intake uses, which queues the
//! code as a message (purpose `one_time_code`, numbered per link) for the sender worker, by text
//! or email as `INTAKE_VERIFY_CODE` says, or to the log when that channel is not set up.

use std::sync::Arc;

use async_trait::async_trait;
use uuid::Uuid;

use super::{
    Channel, Purpose, SendersSetUp,
    plan::code_channel,
    texts::{MessageText, render},
};
use crate::{
    clock::Clock,
    domain::{Clinic, Contact, ContactKind, OneTimeCode},
    intake::{CodeSender, SendError},
    store::{NewMessage, Store},
};

/// Queues one-time codes in the outbox.
#[derive(Debug, Clone)]
pub struct OutboxCodeSender {
    store: Store,
    clock: Arc<dyn Clock>,
    clinic: Arc<Clinic>,
    set_up: SendersSetUp,
}

impl OutboxCodeSender {
    /// A sender that queues on `store`, worded for `clinic`, over the channels `set_up`.
    pub fn new(
        store: Store,
        clock: Arc<dyn Clock>,
        clinic: Arc<Clinic>,
        set_up: SendersSetUp,
    ) -> Self {
        Self {
            store,
            clock,
            clinic,
            set_up,
        }
    }
}

#[async_trait]
impl CodeSender for OutboxCodeSender {
    async fn send(
        &self,
        invitation_id: Uuid,
        to: &Contact,
        code: &OneTimeCode,
        language: &str,
    ) -> Result<(), SendError> {
        let channel = code_channel(to.kind(), self.set_up);
        let language = super::texts::message_language(Some(language));
        let sms =
            channel == Channel::Sms || (channel == Channel::Log && to.kind() == ContactKind::Sms);
        let rendered = render(
            &MessageText::OneTimeCode {
                code: code.expose(),
            },
            language,
            sms,
            &self.clinic,
        );
        let message = NewMessage {
            id: Uuid::now_v7(),
            invitation_id: Some(invitation_id),
            appointment_id: None,
            purpose: Purpose::OneTimeCode,
            channel,
            recipient: to.expose().to_owned(),
            language: language.code().to_owned(),
            subject: rendered.subject,
            body: rendered.body,
            due_at: self.clock.now_millis(),
        };
        self.store
            .queue_code_message(&message, self.clock.now_millis())
            .await
            .map_err(|error| SendError(format!("could not queue the code: {error}")))
    }
}
