//! Patient sessions kept in memory between a patient's saves, so that a save is one statement
//! (the draft's write) instead of two (reading the session, then writing).
//!
//! Safe with many processes on one database, and with a session ended anywhere: a save made
//! with a kept session writes the draft only while the database still has that session open,
//! proved and on the same form (`Store::save_draft_over` given the session's token); when it no
//! longer does, nothing is written, the kept session is forgotten, and the save runs again with
//! the session as the database has it. Only saves use kept sessions: every page shown, the
//! review and the submission read the session afresh.
//!
//! A session is kept only while reading it would not move its `last_seen_at` (that is written
//! at most every [`SESSION_TOUCH_EVERY`]), so idle timeouts count exactly as before.

use std::num::NonZeroUsize;

use super::kept::Kept;
use crate::{
    domain::TokenHash,
    store::{InvitationStatus, PatientSession, SESSION_TOUCH_EVERY, seen_recorded},
};

/// How many sessions are kept; the least recently used go first. An entry is well under a
/// kilobyte (the appointment is most of it).
pub const SESSIONS_KEPT: usize = 4096;

/// The sessions kept, by their token's hash.
#[derive(Debug)]
pub struct SessionCache {
    entries: Kept<TokenHash, KeptSession>,
}

struct KeptSession {
    session: PatientSession,
    /// When the database last recorded a request on the session (`last_seen_at` as it is
    /// stored now, which may be later than the session's own, read before it was moved).
    seen_recorded: i64,
}

impl Default for SessionCache {
    fn default() -> Self {
        Self::new(NonZeroUsize::new(SESSIONS_KEPT).unwrap_or(NonZeroUsize::MIN))
    }
}

impl SessionCache {
    /// An empty cache keeping at most `capacity` sessions.
    pub fn new(capacity: NonZeroUsize) -> Self {
        Self {
            entries: Kept::new(capacity),
        }
    }

    /// Keeps a live session just read from the database at `now`, if it is one that saves:
    /// proved, with its link open.
    pub fn keep(&self, token: &TokenHash, session: &PatientSession, now: i64) {
        if session.verified && session.status == InvitationStatus::Open {
            let kept = KeptSession {
                session: session.clone(),
                seen_recorded: seen_recorded(session.last_seen_at, now),
            };
            self.entries.lock().put(token.clone(), kept);
        } else {
            self.forget(token);
        }
    }

    /// The session kept for a token, while reading it afresh at `now` would give the same:
    /// its link not yet expired and its last request recorded recently enough that the read
    /// would not record another.
    pub fn live(&self, token: &TokenHash, now: i64) -> Option<PatientSession> {
        let mut entries = self.entries.lock();
        let kept = entries.get(token)?;
        let fresh = now.saturating_sub(kept.seen_recorded) < SESSION_TOUCH_EVERY
            && now < kept.session.expires_at;
        if fresh {
            Some(kept.session.clone())
        } else {
            entries.pop(token);
            None
        }
    }

    /// Forgets a session (it ended, changed, or a guarded save found it gone).
    pub fn forget(&self, token: &TokenHash) {
        self.entries.lock().pop(token);
    }

    /// How many sessions are kept.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether nothing is kept.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

#[cfg(test)]
mod tests {
    use uuid::Uuid;

    use super::*;
    use crate::{
        domain::{BirthDate, PatientIdentifier, PatientName, SecretToken},
        forms::FormId,
        store::{Appointment, NewAppointment},
    };

    const NOW: i64 = 1_800_000_000_000;

    fn session(status: InvitationStatus, verified: bool) -> PatientSession {
        PatientSession {
            invitation_id: Uuid::now_v7(),
            status,
            expires_at: NOW + 3_600_000,
            verified,
            birth_date_proven: verified,
            csrf_token: "csrf".to_owned(),
            last_seen_at: NOW,
            appointment: Appointment {
                id: Uuid::now_v7(),
                details: NewAppointment {
                    patient: PatientIdentifier {
                        system: "urn:mrn".into(),
                        value: "1".into(),
                    },
                    patient_name: PatientName::new("Test Patient"),
                    patient_birth_date: BirthDate::from_chart("1970-01-01").unwrap(),
                    patient_ref: "Patient/t".into(),
                    starts_at: NOW,
                    visit_type: "Follow-up".into(),
                    form_id: FormId::parse("previsit-basic").unwrap(),
                },
            },
        }
    }

    fn token() -> TokenHash {
        SecretToken::generate().hash()
    }

    #[test]
    fn only_a_proved_session_with_its_link_open_is_kept() {
        let cache = SessionCache::default();
        let [proved, unproved, submitted] = [token(), token(), token()];
        cache.keep(&proved, &session(InvitationStatus::Open, true), NOW);
        cache.keep(&unproved, &session(InvitationStatus::Open, false), NOW);
        cache.keep(&submitted, &session(InvitationStatus::Submitted, true), NOW);
        assert!(cache.live(&proved, NOW).is_some());
        assert!(cache.live(&unproved, NOW).is_none());
        assert!(cache.live(&submitted, NOW).is_none());
        // A session read again in a state that does not save is forgotten.
        cache.keep(&proved, &session(InvitationStatus::Locked, true), NOW);
        assert!(cache.is_empty());
    }

    #[test]
    fn a_kept_session_serves_only_while_reading_it_would_record_nothing() {
        let cache = SessionCache::default();
        let hash = token();
        // Read 30 s after its last recorded request: the read recorded nothing, so the
        // minute counts from that request.
        cache.keep(&hash, &session(InvitationStatus::Open, true), NOW + 30_000);
        assert!(cache.live(&hash, NOW + SESSION_TOUCH_EVERY - 1).is_some());
        assert!(cache.live(&hash, NOW + SESSION_TOUCH_EVERY).is_none());
        assert!(cache.is_empty(), "a session past its minute is dropped");
        // Read two minutes on: the read recorded it, so the minute counts from the read.
        let later = NOW + 2 * SESSION_TOUCH_EVERY;
        cache.keep(&hash, &session(InvitationStatus::Open, true), later);
        assert!(cache.live(&hash, later + SESSION_TOUCH_EVERY - 1).is_some());
    }

    #[test]
    fn a_kept_session_stops_serving_when_its_link_expires_or_it_is_forgotten() {
        let cache = SessionCache::default();
        let hash = token();
        let mut expiring = session(InvitationStatus::Open, true);
        expiring.expires_at = NOW + 10;
        cache.keep(&hash, &expiring, NOW);
        assert!(cache.live(&hash, NOW + 9).is_some());
        assert!(cache.live(&hash, NOW + 10).is_none());
        cache.keep(&hash, &session(InvitationStatus::Open, true), NOW);
        cache.forget(&hash);
        assert!(cache.live(&hash, NOW).is_none());
    }
}
