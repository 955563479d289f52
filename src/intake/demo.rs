//! Demo data for `intake serve --demo`: two staff accounts with fresh passwords, an appointment
//! for each synthetic patient in the demo EHR, and an invitation link for each.

use time::Duration;

use super::{ScheduleRequest, ServiceError, Services};
use crate::{
    auth::{generate_password, hash_password},
    domain::{BirthDate, PatientIdentifier, PatientName, SecretToken},
    forms::FormId,
    store::StaffRole,
};

/// The bundles of the demo EHR, shipped in the binary so the demo runs from anywhere.
pub const DEMO_EHR_FILES: [(&str, &str); 3] = [
    (
        "rosa-delgado.json",
        include_str!("../../demo/ehr/rosa-delgado.json"),
    ),
    (
        "samuel-okafor.json",
        include_str!("../../demo/ehr/samuel-okafor.json"),
    ),
    (
        "hannah-becker.json",
        include_str!("../../demo/ehr/hannah-becker.json"),
    ),
];

/// The identifier system of the demo patients' record numbers.
pub(super) const DEMO_MRN_SYSTEM: &str = "urn:oid:2.16.840.1.113883.19.5";

/// The form the demo appointments use.
pub const DEMO_FORM: &str = "previsit-basic";

/// What the demo printed once: sign-in details and one link per appointment.
#[derive(Debug)]
pub struct DemoSeed {
    /// `(username, role, password)` for each demo account.
    pub staff: Vec<(&'static str, StaffRole, String)>,
    /// One invitation per appointment that is not yet submitted.
    pub invitations: Vec<DemoInvitation>,
}

/// A link to try, with what the tester must type to verify.
#[derive(Debug)]
pub struct DemoInvitation {
    /// The synthetic patient's name.
    pub patient_name: PatientName,
    /// Their date of birth (synthetic).
    pub birth_date: BirthDate,
    /// The visit type.
    pub visit_type: String,
    /// The link's token.
    pub token: SecretToken,
}

/// Seeds the demo: new passwords for the demo accounts on every start (the old ones were only
/// ever printed), `appointments` appointments on first start (taking the synthetic patients in
/// turn; 3 gives each one), and fresh links for every open appointment.
pub async fn seed_demo(services: &Services, appointments: usize) -> Result<DemoSeed, ServiceError> {
    let now = services.clock.now_millis();
    let mut staff = Vec::new();
    for (username, display_name, role) in [
        ("frontdesk", "Front Desk (demo)", StaffRole::FrontDesk),
        ("clinician", "Dr. Demo", StaffRole::Clinician),
        // Sets up an authenticator app at its first sign-in, as any admin does.
        ("admin", "Admin (demo)", StaffRole::Admin),
    ] {
        let password = generate_password();
        let to_hash = password.clone();
        let hash = tokio::task::spawn_blocking(move || hash_password(&to_hash))
            .await
            .map_err(|e| ServiceError::Internal(format!("hashing did not finish: {e}")))?
            .map_err(|e| ServiceError::Internal(e.to_string()))?;
        services
            .store
            .upsert_staff_user(username, display_name, role, &hash, now)
            .await?;
        staff.push((username, role, password));
    }
    if services.store.list_appointments().await?.is_empty() {
        schedule_demo_appointments(services, appointments).await?;
    }
    let mut invitations = Vec::new();
    for overview in services.store.list_appointments().await? {
        if overview.intake_status.as_deref() == Some("submitted") {
            continue;
        }
        let token = services.issue_invitation(overview.appointment.id).await?;
        let details = overview.appointment.details;
        invitations.push(DemoInvitation {
            patient_name: details.patient_name,
            birth_date: details.patient_birth_date,
            visit_type: details.visit_type,
            token,
        });
    }
    Ok(DemoSeed { staff, invitations })
}

async fn schedule_demo_appointments(
    services: &Services,
    appointments: usize,
) -> Result<(), ServiceError> {
    let form_id = FormId::parse(DEMO_FORM)
        .ok_or_else(|| ServiceError::Internal("bad demo form id".into()))?;
    let tomorrow =
        (services.clock.now() + Duration::days(1)).replace_time(time::macros::time!(9:00));
    let visits = [
        ("MRN-1001", "Annual physical"),
        ("MRN-1002", "Follow-up"),
        ("MRN-1003", "New patient"),
    ];
    for (slot, (mrn, visit_type)) in (0_i64..).zip(visits.iter().cycle().take(appointments)) {
        let request = ScheduleRequest {
            patient: PatientIdentifier {
                system: DEMO_MRN_SYSTEM.into(),
                value: (*mrn).into(),
            },
            starts_at: crate::clock::millis(tomorrow + Duration::minutes(30 * slot)),
            visit_type: (*visit_type).into(),
            form_id: form_id.clone(),
        };
        services.schedule_appointment(request).await?;
    }
    Ok(())
}
