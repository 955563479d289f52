//! Who the patient is dealing with: the clinic's name, phone number and logo, shown on every
//! patient page and in every message, and the time zone its clocks keep.

use std::path::PathBuf;

/// The clinic, as configured (`INTAKE_CLINIC_NAME`, `INTAKE_CLINIC_PHONE`, `INTAKE_CLINIC_LOGO`,
/// `INTAKE_TIMEZONE`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Clinic {
    /// The name patients know the clinic by, e.g. "Riverside Family Practice".
    pub name: String,
    /// The number patients call, as it should be shown, e.g. "(555) 010-2000"; `None` when
    /// the clinic gave none (pages then say "call the clinic").
    pub phone: Option<String>,
    /// A logo image (PNG, SVG or JPEG) shown at the top of patient pages.
    pub logo: Option<PathBuf>,
    /// The zone of the clinic's clocks: every time people read or type is in it, and the
    /// clinic's day (the worklist's, a patient's age, `%today`) runs by it.
    pub zone: super::ClinicZone,
}

impl Default for Clinic {
    fn default() -> Self {
        Self {
            name: "Your clinic".to_owned(),
            phone: None,
            logo: None,
            zone: super::ClinicZone::utc(),
        }
    }
}
