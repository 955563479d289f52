//! Where a proposed change and an invitation stand: the codes the store keeps, parsed in one place.
//!
//! Lifecycle: `held` (waiting for staff) or `queued` (outbox) → `sending` (leased by a worker)
//! → `posted`; a refusal from the EHR makes it `failed` (back in the exception queue); staff
//! may also make it `rejected`.

/// Where a proposed change stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChangeState {
    /// Waiting for staff.
    Held,
    /// In the outbox.
    Queued,
    /// Leased by a worker; a request may be in flight.
    Sending,
    /// On the chart.
    Posted,
    /// The EHR refused it; waiting for staff.
    Failed,
    /// Staff decided it does not go on the chart.
    Rejected,
}

impl ChangeState {
    /// Every state.
    pub const ALL: [Self; 6] = [
        Self::Held,
        Self::Queued,
        Self::Sending,
        Self::Posted,
        Self::Failed,
        Self::Rejected,
    ];

    /// The stored code.
    pub fn code(self) -> &'static str {
        match self {
            Self::Held => "held",
            Self::Queued => "queued",
            Self::Sending => "sending",
            Self::Posted => "posted",
            Self::Failed => "failed",
            Self::Rejected => "rejected",
        }
    }

    /// Reads a stored code.
    pub fn parse(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.code() == code)
    }
}

/// Where an invitation (the link a patient opens) stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InvitationStatus {
    /// Usable.
    Open,
    /// Too many wrong answers; staff must reissue.
    Locked,
    /// The patient submitted; the link is closed.
    Submitted,
    /// Staff replaced or withdrew it.
    Revoked,
}

impl InvitationStatus {
    /// Every status.
    pub const ALL: [Self; 4] = [Self::Open, Self::Locked, Self::Submitted, Self::Revoked];

    /// The stored code.
    pub fn code(self) -> &'static str {
        match self {
            Self::Open => "open",
            Self::Locked => "locked",
            Self::Submitted => "submitted",
            Self::Revoked => "revoked",
        }
    }

    /// Reads a stored code.
    pub fn parse(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.code() == code)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_stored_codes_stay_as_rows_hold_them() {
        let changes: Vec<&str> = ChangeState::ALL.map(ChangeState::code).to_vec();
        assert_eq!(
            changes,
            ["held", "queued", "sending", "posted", "failed", "rejected"]
        );
        let invitations: Vec<&str> = InvitationStatus::ALL.map(InvitationStatus::code).to_vec();
        assert_eq!(invitations, ["open", "locked", "submitted", "revoked"]);
        for state in ChangeState::ALL {
            assert_eq!(ChangeState::parse(state.code()), Some(state));
        }
        for status in InvitationStatus::ALL {
            assert_eq!(InvitationStatus::parse(status.code()), Some(status));
        }
        assert_eq!(ChangeState::parse("Held"), None);
        assert_eq!(InvitationStatus::parse(""), None);
    }
}
