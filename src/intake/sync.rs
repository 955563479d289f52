//! The schedule sync: the EHR's Appointments for the coming days in, each decided by the core
//! (`schedule::decide`) and carried out in its own transaction; what could not come in is kept
//! as a problem per EHR appointment id for staff. Runs on a timer in `serve` and `worker`, and
//! once with `intake appointments sync`.

use std::{
    collections::{BTreeMap, HashMap},
    time::Duration,
};

use serde_json::Value;
use tokio_util::sync::CancellationToken;

use super::{ServiceError, Services};
use crate::{
    domain::PatientIdentifier,
    ehr::{
        AppointmentPage, ChartPatient, EhrError, MAX_SCHEDULE_PAGES, chart_patient, too_many_pages,
    },
    schedule::{EhrAppointment, FormRules, ScheduleStatus, SyncDecision, VisitFacts, decide},
    store::{Booking, EhrVersion, NewAppointment, ScheduleProblem},
};

/// The schedule's settings, shared by the sync and the front desk's booking page.
#[derive(Debug, Clone, Default)]
pub struct ScheduleSettings {
    /// Which form each visit gets.
    pub rules: FormRules,
    /// How many days ahead the sync reads.
    pub sync_days: u32,
}

/// What one sync did: how many appointments got each decision, and the problems.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SyncReport {
    /// Appointments per decision (`new`, `moved`, `cancelled`, …).
    pub counts: BTreeMap<&'static str, usize>,
    /// What could not come in, by EHR appointment id.
    pub problems: Vec<ScheduleProblem>,
}

impl SyncReport {
    /// One line: `2 new, 1 moved, 1 cancelled, 4 unchanged, 1 problem`.
    pub fn summary(&self) -> String {
        let mut parts: Vec<String> = [
            "new",
            "moved",
            "cancelled",
            "rebooked",
            "new version",
            "unchanged",
            "skipped",
        ]
        .iter()
        .filter_map(|word| self.counts.get(word).map(|n| format!("{n} {word}")))
        .collect();
        parts.push(match self.problems.len() {
            1 => "1 problem".to_owned(),
            n => format!("{n} problems"),
        });
        parts.join(", ")
    }
}

/// The sync's window starts this long before now, so a visit under way today still closes its
/// link when the EHR cancels it.
const LOOK_BACK: time::Duration = time::Duration::hours(12);

impl Services {
    /// Reads the EHR's Appointments for the coming days and brings them in, a page at a time. A
    /// failure to read a page of the schedule is an error (the last run records it; the pages
    /// before it stay booked); a failure for one appointment is a problem for it, and the rest
    /// go on.
    pub async fn sync_schedule(&self) -> Result<SyncReport, ServiceError> {
        let now = self.clock.now();
        let from = now - LOOK_BACK;
        let to = now + time::Duration::days(i64::from(self.schedule.sync_days));
        let mut report = SyncReport::default();
        let mut patients = HashMap::new();
        let mut page = None;
        // Page by page: a clinic's whole window is never held at once.
        for _ in 0..MAX_SCHEDULE_PAGES {
            let AppointmentPage { appointments, next } =
                match self.ehr.appointments(from, to, page.as_deref()).await {
                    Ok(read) => read,
                    Err(error) => return self.schedule_unread(error).await,
                };
            for resource in &appointments {
                match self.sync_one(resource, &mut patients).await {
                    Ok(decision) => *report.counts.entry(decision.as_str()).or_default() += 1,
                    Err(problem) => report.problems.push(problem),
                }
            }
            let Some(next) = next else {
                self.store
                    .replace_schedule_problems(
                        &report.problems,
                        &report.summary(),
                        self.clock.now_millis(),
                    )
                    .await?;
                return Ok(report);
            };
            page = Some(next);
        }
        self.schedule_unread(too_many_pages()).await
    }

    /// Records that the schedule could not be read (what was booked before stays booked).
    async fn schedule_unread(&self, error: EhrError) -> Result<SyncReport, ServiceError> {
        self.store
            .record_schedule_sync_failure(
                &format!("the EHR's schedule could not be read: {error}"),
                self.clock.now_millis(),
            )
            .await?;
        Err(error.into())
    }

    /// The last sync's problems, `limit` after the EHR appointment id `after`.
    pub async fn schedule_problems(
        &self,
        after: Option<&str>,
        limit: i64,
    ) -> Result<Vec<ScheduleProblem>, ServiceError> {
        Ok(self.store.schedule_problems(after, limit).await?)
    }

    /// Brings in one Appointment, or says why it could not.
    async fn sync_one(
        &self,
        resource: &Value,
        patients: &mut HashMap<String, Option<(ChartPatient, PatientIdentifier)>>,
    ) -> Result<SyncDecision, ScheduleProblem> {
        let Some(appointment) = EhrAppointment::from_fhir(resource) else {
            return Err(problem(
                "(no id)",
                None,
                "an Appointment without an id; the EHR must give every Appointment one",
            ));
        };
        let starts_at = appointment.starts_at.map(crate::clock::millis);
        let fail = |message: String| problem(&appointment.id, starts_at, &message);
        let stored = self
            .store
            .synced_state(&appointment.id)
            .await
            .map_err(|e| fail(format!("could not be stored: {e}")))?;
        let Some(starts_at) = starts_at else {
            if appointment.status == ScheduleStatus::Active {
                return Err(fail("has no start time".into()));
            }
            return Ok(SyncDecision::Skipped);
        };
        let decision = decide(
            stored.as_ref().map(|(_, state)| state),
            appointment.status,
            &appointment.version,
            starts_at,
        );
        let now = self.clock.now_millis();
        let stored_id = stored.map(|(id, _)| id);
        let result = match (decision, stored_id) {
            (SyncDecision::New, _) => {
                return self
                    .book_synced(&appointment, starts_at, patients)
                    .await
                    .map_err(fail);
            }
            (SyncDecision::Moved | SyncDecision::Rebooked, Some(id)) => {
                let rebook = decision == SyncDecision::Rebooked;
                self.store
                    .move_appointment(id, starts_at, &appointment.version, rebook, now)
                    .await
            }
            (SyncDecision::Cancelled, Some(id)) => self
                .store
                .cancel_appointment(id, Some(&appointment.version), "system", now)
                .await
                .map(drop),
            (SyncDecision::NewVersion, Some(id)) => {
                self.store
                    .record_ehr_version(id, &appointment.version, now)
                    .await
            }
            _ => Ok(()),
        };
        result
            .map(|()| decision)
            .map_err(|e| fail(format!("could not be stored: {e}")))
    }

    /// Reads the patient (once per sync), chooses the form and books a new appointment.
    async fn book_synced(
        &self,
        appointment: &EhrAppointment,
        starts_at: i64,
        patients: &mut HashMap<String, Option<(ChartPatient, PatientIdentifier)>>,
    ) -> Result<SyncDecision, String> {
        let reference = appointment
            .patient
            .as_deref()
            .ok_or("has no Patient participant, so there is no one to invite")?;
        if !patients.contains_key(reference) {
            let read = self.read_chart_patient(reference).await.map_err(|e| {
                format!("its patient ({reference}) could not be read from the EHR: {e}")
            })?;
            patients.insert(reference.to_owned(), read);
        }
        let (patient, identifier) = patients
            .get(reference)
            .cloned()
            .flatten()
            .ok_or_else(|| format!("its patient ({reference}) is not on the chart"))?;
        let birth_date = patient.birth_date.ok_or_else(|| {
            format!("its patient ({reference}) has no date of birth on the chart, which the patient needs to open the link")
        })?;
        let visit_day = self.clinic.zone.local_millis(starts_at).date();
        let facts = VisitFacts {
            service_types: appointment.service_types.clone(),
            appointment_types: appointment.appointment_types.clone(),
            age: Some(birth_date.age_on(visit_day)),
            sex: patient.sex,
        };
        let choice = self
            .schedule
            .rules
            .choose(&facts)
            .ok_or("no form rule matches this visit and the rules give no default form")?;
        let booking = Booking {
            appointment: NewAppointment {
                patient: identifier,
                patient_name: patient.name.clone(),
                patient_birth_date: birth_date,
                patient_ref: patient.reference.clone(),
                starts_at,
                visit_type: appointment.visit_type.clone(),
                form_id: choice.form,
            },
            ehr: Some(EhrVersion {
                id: appointment.id.clone(),
                version: appointment.version.clone(),
            }),
            mobile: patient.mobile.clone(),
            email: patient.email.clone(),
            language: patient.language,
        };
        self.store
            .insert_booking(&booking, "system", self.clock.now_millis())
            .await
            .map_err(|e| format!("could not be stored: {e}"))?;
        Ok(SyncDecision::New)
    }

    /// The chart's Patient for a reference (`Patient/123`) with the identifier staff know them
    /// by, or `None` when the chart has no such patient.
    pub(super) async fn read_chart_patient(
        &self,
        reference: &str,
    ) -> Result<Option<(ChartPatient, PatientIdentifier)>, ServiceError> {
        let id = reference.strip_prefix("Patient/").unwrap_or(reference);
        let query = format!(
            "Patient?_id={}",
            url::form_urlencoded::byte_serialize(id.as_bytes()).collect::<String>()
        );
        let bundle = self.ehr.search(&query).await?;
        Ok(bundle["entry"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|e| e.get("resource"))
            .find(|r| r["resourceType"] == "Patient" && r["id"] == id)
            .and_then(|r| Some((chart_patient(r)?, record_identifier(r)))))
    }
}

/// The identifier staff know a patient by: the medical record number (type `MR`), else the
/// first identifier with a system and a value, else the EHR's own id.
pub(super) fn record_identifier(patient: &Value) -> PatientIdentifier {
    let identifiers: Vec<&Value> = patient["identifier"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|i| i["system"].is_string() && i["value"].is_string())
        .collect();
    let is_mrn = |i: &&&Value| {
        i["type"]["coding"]
            .as_array()
            .into_iter()
            .flatten()
            .any(|c| c["code"] == "MR")
    };
    identifiers
        .iter()
        .find(is_mrn)
        .or_else(|| identifiers.first())
        .map_or_else(
            || PatientIdentifier {
                system: "urn:intake:ehr-patient-id".into(),
                value: patient["id"].as_str().unwrap_or_default().to_owned(),
            },
            |i| PatientIdentifier {
                system: i["system"].as_str().unwrap_or_default().to_owned(),
                value: i["value"].as_str().unwrap_or_default().to_owned(),
            },
        )
}

fn problem(id: &str, starts_at: Option<i64>, message: &str) -> ScheduleProblem {
    ScheduleProblem {
        ehr_appointment_id: id.to_owned(),
        starts_at,
        message: message.to_owned(),
    }
}

/// Runs the sync every `every` until `shutdown`, logging counts (never patient data).
pub async fn run_schedule_sync(services: Services, every: Duration, shutdown: CancellationToken) {
    loop {
        match services.sync_schedule().await {
            Ok(report) => tracing::info!(summary = %report.summary(), "schedule sync"),
            Err(error) => tracing::warn!(%error, "schedule sync failed"),
        }
        tokio::select! {
            () = shutdown.cancelled() => return,
            () = tokio::time::sleep(every) => {}
        }
    }
}
