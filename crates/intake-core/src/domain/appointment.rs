//! Where an appointment stands: booked, or cancelled (by the EHR's schedule or at the desk).

/// An appointment's status, as the `appointments.status` column keeps it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AppointmentStatus {
    /// The visit is on: its link may be sent and used.
    Booked,
    /// The visit was cancelled: its open link was revoked and says so to the patient.
    Cancelled,
}

impl AppointmentStatus {
    /// The stored code.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Booked => "booked",
            Self::Cancelled => "cancelled",
        }
    }

    /// Reads a stored code.
    pub fn parse(code: &str) -> Option<Self> {
        match code {
            "booked" => Some(Self::Booked),
            "cancelled" => Some(Self::Cancelled),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_status_reads_back_what_it_stores() {
        for status in [AppointmentStatus::Booked, AppointmentStatus::Cancelled] {
            assert_eq!(AppointmentStatus::parse(status.as_str()), Some(status));
        }
        assert_eq!(AppointmentStatus::parse("noshow"), None);
    }
}
