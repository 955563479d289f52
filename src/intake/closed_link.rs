//! Why a link did not open, in the few cases where telling the patient helps them: they already
//! sent their answers, or the link is locked and the clinic can help. Anything else (unknown,
//! expired, replaced) gets one message, so nothing more can be learnt by trying links.

use super::{ServiceError, Services};
use crate::domain::{LinkStatus, SecretToken};

/// Why a link could not be opened.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ClosedLink {
    /// The patient submitted through it.
    AlreadySent,
    /// Too many wrong answers locked it.
    Locked,
    /// Unknown, expired, replaced or cancelled.
    Unusable,
}

impl Services {
    /// Why the link `raw_link` did not open.
    pub async fn closed_link(&self, raw_link: &str) -> Result<ClosedLink, ServiceError> {
        let Some(link) = SecretToken::parse(raw_link) else {
            return Ok(ClosedLink::Unusable);
        };
        let status = self.store.link_status(&link.hash()).await?;
        Ok(match status {
            Some(LinkStatus::Submitted) => ClosedLink::AlreadySent,
            Some(LinkStatus::Locked) => ClosedLink::Locked,
            _ => ClosedLink::Unusable,
        })
    }
}
