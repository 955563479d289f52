//! Demo data for `intake serve --demo`: two staff accounts with fresh passwords, Appointments
//! for the synthetic patients in the demo EHR folder (brought in by the schedule sync), and an
//! invitation link for each.

use std::{io::Write, path::Path};

use time::Duration;

use super::{ServiceError, Services};
use crate::{
    auth::{generate_password, hash_password, on_password_thread},
    domain::{BirthDate, PatientName, SecretToken},
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

/// The form most demo appointments get (the shipped rules' default).
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
/// ever printed); Appointments for the synthetic patients written into the demo EHR `folder`
/// (from later today, or tomorrow morning) when it has none for the coming days, brought in by
/// the schedule sync like any clinic's; and fresh links for every open appointment. `appointments` Appointments
/// are written (taking the patients in turn; 3 gives each one, and the second is a mental-health
/// visit, which the shipped rules give the form with the PHQ-9).
pub async fn seed_demo(
    services: &Services,
    appointments: usize,
    folder: Option<&Path>,
) -> Result<DemoSeed, ServiceError> {
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
        let hash = on_password_thread(move || hash_password(&to_hash))
            .await
            .map_err(|e| ServiceError::Internal(format!("hashing did not finish: {e}")))?
            .map_err(|e| ServiceError::Internal(e.to_string()))?;
        services
            .store
            .upsert_staff_user(username, display_name, role, &hash, now)
            .await?;
        staff.push((username, role, password));
    }
    if let Some(folder) = folder {
        write_demo_appointments(services, appointments, folder).await?;
    }
    services.sync_schedule().await?;
    let mut invitations = Vec::new();
    let mut after = None;
    loop {
        let page = services.store.list_appointments(after, 500).await?;
        let Some(last) = page.last() else { break };
        after = Some(last.appointment.key());
        for overview in page {
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
    }
    Ok(DemoSeed { staff, invitations })
}

/// The demo visits: the patient's id in the demo folder, the visit's name, and its coding.
const DEMO_VISITS: [(&str, &str, &str); 3] = [
    ("rosa-delgado", "Annual physical", "ROUTINE"),
    ("samuel-okafor", "Mental health visit", "FOLLOWUP"),
    ("hannah-becker", "Follow-up", "FOLLOWUP"),
];

/// The demo's first appointment, on the clinic's clocks: the half hour after next, while that
/// leaves the afternoon for the rest; else 09:00 tomorrow.
fn first_demo_slot(
    now: time::OffsetDateTime,
    zone: &crate::domain::ClinicZone,
) -> time::OffsetDateTime {
    let now = zone.local(now);
    let minutes = i64::from(now.minute());
    let next_half_hour = now
        .replace_second(0)
        .unwrap_or(now)
        .replace_nanosecond(0)
        .unwrap_or(now)
        + Duration::minutes(30 - minutes % 30);
    let soon = next_half_hour + Duration::minutes(30);
    if soon.date() == now.date() && soon.hour() < 18 {
        soon
    } else {
        let tomorrow = now.date().next_day().unwrap_or(now.date());
        zone.local(zone.instant(tomorrow.with_time(time::macros::time!(9:00))))
    }
}

/// Writes `appointments` Appointments 30 minutes apart into `folder/demo-appointments.json`,
/// unless the EHR already has Appointments for the coming days: from the next half hour but one
/// today, so the worklist opens on them, or from 09:00 tomorrow late in the day.
async fn write_demo_appointments(
    services: &Services,
    appointments: usize,
    folder: &Path,
) -> Result<(), ServiceError> {
    let now = services.clock.now();
    let days = Duration::days(i64::from(services.schedule.sync_days.max(1)));
    let booked = services.ehr.appointments(now, now + days, None).await?;
    if !booked.appointments.is_empty() {
        return Ok(());
    }
    let first = first_demo_slot(now, &services.clinic.zone);
    let path = folder.join("demo-appointments.json");
    let written = tokio::task::spawn_blocking({
        let path = path.clone();
        move || write_bundle(&path, first, appointments)
    });
    written
        .await
        .map_err(|e| ServiceError::Internal(format!("writing did not finish: {e}")))?
        .map_err(|e| ServiceError::Internal(format!("{}: {e}", path.display())))
}

/// Writes the Bundle entry by entry: 10,000 visits built as one JSON tree took 100 MB for a
/// moment.
fn write_bundle(
    path: &Path,
    first: time::OffsetDateTime,
    appointments: usize,
) -> std::io::Result<()> {
    let mut file = std::io::BufWriter::new(std::fs::File::create(path)?);
    file.write_all(br#"{"resourceType":"Bundle","type":"collection","entry":["#)?;
    let visits = DEMO_VISITS.iter().cycle().take(appointments);
    for (slot, (patient, visit, code)) in (0_i64..).zip(visits) {
        if slot > 0 {
            file.write_all(b",")?;
        }
        let appointment = demo_appointment(first, slot, patient, visit, code);
        serde_json::to_writer(&mut file, &serde_json::json!({ "resource": appointment }))?;
    }
    file.write_all(b"]}")?;
    file.flush()
}

/// The demo's `slot`th Appointment, 30 minutes after the one before.
fn demo_appointment(
    first: time::OffsetDateTime,
    slot: i64,
    patient: &str,
    visit: &str,
    code: &str,
) -> serde_json::Value {
    let start = first + Duration::minutes(30 * slot);
    let end = start + Duration::minutes(30);
    let mut appointment = serde_json::json!({
        "resourceType": "Appointment",
        "id": format!("demo-{}-{slot}", first.date()),
        "meta": {"versionId": "1"},
        "status": "booked",
        "appointmentType": {
            "coding": [{"system": "http://terminology.hl7.org/CodeSystem/v2-0276", "code": code}],
            "text": visit,
        },
        "start": rfc3339(start),
        "end": rfc3339(end),
        "participant": [{"actor": {"reference": format!("Patient/{patient}")}, "status": "accepted"}],
    });
    if slot == 1 {
        appointment["serviceType"] = serde_json::json!([{
            "coding": [{"system": DEMO_SERVICE_TYPES, "code": "mental-health", "display": "Mental health"}],
        }]);
    }
    appointment
}

/// The demo clinic's own service-type codes.
const DEMO_SERVICE_TYPES: &str = "urn:intake:demo:service-type";

fn rfc3339(at: time::OffsetDateTime) -> String {
    at.format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use time::macros::datetime;

    use super::first_demo_slot;
    use crate::domain::ClinicZone;

    #[test]
    fn the_demo_books_later_today_while_there_is_time_and_tomorrow_morning_otherwise() {
        for (now, first) in [
            (
                datetime!(2026-12-04 08:10 UTC),
                datetime!(2026-12-04 09:00 UTC),
            ),
            (
                datetime!(2026-12-04 08:30 UTC),
                datetime!(2026-12-04 09:30 UTC),
            ),
            (
                datetime!(2026-12-04 16:59:59 UTC),
                datetime!(2026-12-04 17:30 UTC),
            ),
            (
                datetime!(2026-12-04 17:05 UTC),
                datetime!(2026-12-05 09:00 UTC),
            ),
            (
                datetime!(2026-12-04 23:50 UTC),
                datetime!(2026-12-05 09:00 UTC),
            ),
        ] {
            assert_eq!(first_demo_slot(now, &ClinicZone::utc()), first, "at {now}");
        }
        // In New York 17:05 UTC is 12:05: there is time today. 23:50 UTC is 18:50: tomorrow at
        // 09:00 local.
        let new_york = ClinicZone::parse("America/New_York").unwrap();
        for (now, first) in [
            (
                datetime!(2026-12-04 17:05 UTC),
                datetime!(2026-12-04 18:00 UTC),
            ),
            (
                datetime!(2026-12-04 23:50 UTC),
                datetime!(2026-12-05 14:00 UTC),
            ),
        ] {
            let slot = first_demo_slot(now, &new_york);
            assert_eq!(slot, first, "at {now}");
            assert_eq!(slot.offset(), time::macros::offset!(-5), "at {now}");
        }
    }
}
