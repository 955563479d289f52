//! What the schedule sync does with one EHR Appointment, given what Intake already has for its
//! id: the decision is pure and table-tested; the service carries it out.

use super::visit::ScheduleStatus;
use crate::domain::AppointmentStatus;

/// What Intake holds for an EHR appointment id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyncedState {
    /// The EHR version last applied.
    pub version: Option<String>,
    /// Start, epoch milliseconds.
    pub starts_at: i64,
    /// Booked or cancelled.
    pub status: AppointmentStatus,
}

/// The sync's decision for one Appointment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SyncDecision {
    /// Not seen before and on: read the patient, choose the form, store it.
    New,
    /// A new version with another start time: move it.
    Moved,
    /// Cancelled on the EHR: cancel it and revoke its open link.
    Cancelled,
    /// Cancelled here but on again at the EHR: book it again (at the start the EHR gives).
    Rebooked,
    /// A new version that changes nothing Intake keeps: record the version only.
    NewVersion,
    /// The version Intake already applied: nothing is written.
    Unchanged,
    /// Nothing to do (a cancelled or other-status appointment Intake never had).
    Skipped,
}

impl SyncDecision {
    /// The word the sync's summary counts it under.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::New => "new",
            Self::Moved => "moved",
            Self::Cancelled => "cancelled",
            Self::Rebooked => "rebooked",
            Self::NewVersion => "new version",
            Self::Unchanged => "unchanged",
            Self::Skipped => "skipped",
        }
    }
}

/// Decides what to do with an Appointment of `status`, `version` and start `starts_at` (epoch
/// milliseconds), given what Intake has for its id.
pub fn decide(
    stored: Option<&SyncedState>,
    status: ScheduleStatus,
    version: &str,
    starts_at: i64,
) -> SyncDecision {
    let Some(stored) = stored else {
        return match status {
            ScheduleStatus::Active => SyncDecision::New,
            ScheduleStatus::Cancelled | ScheduleStatus::Other => SyncDecision::Skipped,
        };
    };
    // An empty version (the EHR keeps none) never counts as already applied.
    if !version.is_empty() && stored.version.as_deref() == Some(version) {
        return SyncDecision::Unchanged;
    }
    match (status, stored.status) {
        (ScheduleStatus::Cancelled, AppointmentStatus::Booked) => SyncDecision::Cancelled,
        (ScheduleStatus::Active, AppointmentStatus::Cancelled) => SyncDecision::Rebooked,
        (ScheduleStatus::Active, AppointmentStatus::Booked) if stored.starts_at != starts_at => {
            SyncDecision::Moved
        }
        // Without versions, what Intake keeps is compared instead: the same is unchanged.
        (ScheduleStatus::Active, AppointmentStatus::Booked)
        | (ScheduleStatus::Cancelled, AppointmentStatus::Cancelled)
            if version.is_empty() =>
        {
            SyncDecision::Unchanged
        }
        (ScheduleStatus::Active | ScheduleStatus::Cancelled, _) => SyncDecision::NewVersion,
        // A visit that went to `noshow`, `fulfilled` or the like: Intake leaves it be.
        (ScheduleStatus::Other, _) => SyncDecision::Skipped,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use AppointmentStatus::{Booked, Cancelled};
    use ScheduleStatus::{Active, Other};

    fn held(version: &str, starts_at: i64, status: AppointmentStatus) -> SyncedState {
        SyncedState {
            version: Some(version.to_owned()),
            starts_at,
            status,
        }
    }

    fn versionless(status: AppointmentStatus) -> SyncedState {
        SyncedState {
            version: Some(String::new()),
            starts_at: 100,
            status,
        }
    }

    #[test]
    fn each_appointment_gets_the_decision_its_state_and_version_call_for() {
        let table: [(Option<SyncedState>, ScheduleStatus, &str, i64, SyncDecision); 14] = [
            (None, Active, "1", 100, SyncDecision::New),
            (
                None,
                ScheduleStatus::Cancelled,
                "1",
                100,
                SyncDecision::Skipped,
            ),
            (None, Other, "1", 100, SyncDecision::Skipped),
            (
                Some(held("1", 100, Booked)),
                Active,
                "1",
                100,
                SyncDecision::Unchanged,
            ),
            // The same version is not rewritten, even if the clock or feed says otherwise.
            (
                Some(held("1", 100, Booked)),
                Active,
                "1",
                200,
                SyncDecision::Unchanged,
            ),
            (
                Some(held("1", 100, Booked)),
                Active,
                "2",
                200,
                SyncDecision::Moved,
            ),
            (
                Some(held("1", 100, Booked)),
                Active,
                "2",
                100,
                SyncDecision::NewVersion,
            ),
            (
                Some(held("1", 100, Booked)),
                ScheduleStatus::Cancelled,
                "2",
                100,
                SyncDecision::Cancelled,
            ),
            (
                Some(held("2", 100, Cancelled)),
                ScheduleStatus::Cancelled,
                "3",
                100,
                SyncDecision::NewVersion,
            ),
            (
                Some(held("2", 100, Cancelled)),
                Active,
                "3",
                300,
                SyncDecision::Rebooked,
            ),
            (
                Some(held("1", 100, Booked)),
                Other,
                "2",
                100,
                SyncDecision::Skipped,
            ),
            // An EHR that keeps no versions: compared on the start and status instead.
            (
                Some(versionless(Booked)),
                Active,
                "",
                100,
                SyncDecision::Unchanged,
            ),
            (
                Some(versionless(Booked)),
                Active,
                "",
                200,
                SyncDecision::Moved,
            ),
            (
                Some(versionless(Booked)),
                ScheduleStatus::Cancelled,
                "",
                100,
                SyncDecision::Cancelled,
            ),
        ];
        for (stored, status, version, starts_at, decision) in table {
            assert_eq!(
                decide(stored.as_ref(), status, version, starts_at),
                decision,
                "{stored:?} {status:?} {version} {starts_at}"
            );
        }
    }
}
