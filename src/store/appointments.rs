//! Appointments: who is coming, when, and which form they fill in.

use sqlx::{AssertSqlSafe, FromRow, types::Json};
use uuid::Uuid;

use super::{Store, StoreError, WorklistKey, on_pool};
use crate::{
    domain::{BirthDate, PatientIdentifier, PatientName},
    engine::RaisedFlag,
    forms::FormId,
};

/// An appointment to create. The patient was already matched on the EHR (`patient_ref`).
#[derive(Debug, Clone)]
pub struct NewAppointment {
    /// The chart identifier the clinic scheduled the patient under.
    pub patient: PatientIdentifier,
    /// The name on the chart.
    pub patient_name: PatientName,
    /// The date of birth on the chart; the patient proves it to open the form.
    pub patient_birth_date: BirthDate,
    /// The EHR's reference to the patient, e.g. `Patient/123`.
    pub patient_ref: String,
    /// Start, epoch milliseconds.
    pub starts_at: i64,
    /// The visit type, e.g. "Annual physical".
    pub visit_type: String,
    /// The form the patient fills in.
    pub form_id: FormId,
}

/// A stored appointment.
#[derive(Debug, Clone)]
pub struct Appointment {
    /// Its id.
    pub id: Uuid,
    /// The rest, as created.
    pub details: NewAppointment,
}

impl Appointment {
    /// Its place in a list by start time.
    pub fn key(&self) -> WorklistKey {
        WorklistKey {
            starts_at: self.details.starts_at,
            id: self.id,
        }
    }
}

/// An appointment as the front desk sees it in the day's list.
#[derive(Debug, Clone)]
pub struct AppointmentOverview {
    /// The appointment.
    pub appointment: Appointment,
    /// The newest invitation's status (`open`, `locked`, `submitted`, `revoked`), if any.
    pub intake_status: Option<String>,
    /// The flags of its newest submission, most severe first (none before one).
    pub flags: Vec<RaisedFlag>,
}

#[derive(FromRow)]
pub(super) struct AppointmentRow {
    id: Uuid,
    patient_system: String,
    patient_value: String,
    patient_name: String,
    patient_birth_date: String,
    patient_ref: String,
    starts_at: i64,
    visit_type: String,
    form_id: String,
}

impl Store {
    /// The row with its sealed columns opened (the identifier, name and date of birth).
    pub(super) fn open_appointment(
        &self,
        mut row: AppointmentRow,
    ) -> Result<AppointmentRow, StoreError> {
        row.patient_value =
            self.unseal("appointments.patient_value", row.id, &row.patient_value)?;
        row.patient_name = self.unseal("appointments.patient_name", row.id, &row.patient_name)?;
        row.patient_birth_date = self.unseal(
            "appointments.patient_birth_date",
            row.id,
            &row.patient_birth_date,
        )?;
        Ok(row)
    }

    /// The sealed identifier, name and date of birth of appointment `id`, and the keyed hashes
    /// the worklist searches by, in bind order: value, name, birth date, record lookup, name
    /// lookups.
    pub(super) fn sealed_patient(
        &self,
        id: Uuid,
        new: &NewAppointment,
    ) -> Result<[String; 5], StoreError> {
        Ok([
            self.seal("appointments.patient_value", id, &new.patient.value)?,
            self.seal("appointments.patient_name", id, new.patient_name.as_str())?,
            self.seal(
                "appointments.patient_birth_date",
                id,
                &new.patient_birth_date.to_fhir(),
            )?,
            self.record_lookup(&new.patient.value),
            self.name_lookups(new.patient_name.as_str()),
        ])
    }
}

/// Reads a row whose sealed columns were opened ([`Store::open_appointment`]).
impl TryFrom<AppointmentRow> for Appointment {
    type Error = StoreError;
    fn try_from(row: AppointmentRow) -> Result<Self, StoreError> {
        Ok(Self {
            id: row.id,
            details: NewAppointment {
                patient: PatientIdentifier {
                    system: row.patient_system,
                    value: row.patient_value,
                },
                patient_name: PatientName::new(row.patient_name),
                patient_birth_date: BirthDate::from_chart(&row.patient_birth_date)
                    .map_err(|_| StoreError::Corrupt("appointments.patient_birth_date"))?,
                patient_ref: row.patient_ref,
                starts_at: row.starts_at,
                visit_type: row.visit_type,
                form_id: FormId::parse(&row.form_id)
                    .ok_or(StoreError::Corrupt("appointments.form_id"))?,
            },
        })
    }
}

/// The appointment columns, prefixed `a.`, in [`AppointmentRow`] order.
pub(super) const APPOINTMENT_COLUMNS: &str = "a.id, a.patient_system, a.patient_value, a.patient_name, \
     a.patient_birth_date, a.patient_ref, a.starts_at, a.visit_type, a.form_id";

#[derive(FromRow)]
struct OverviewRow {
    #[sqlx(flatten)]
    appointment: AppointmentRow,
    intake_status: Option<String>,
    flags: Option<Json<Vec<RaisedFlag>>>,
}

impl Store {
    /// Stores an appointment.
    pub async fn insert_appointment(
        &self,
        new: &NewAppointment,
        now: i64,
    ) -> Result<Uuid, StoreError> {
        let id = Uuid::now_v7();
        let [value, name, birth_date, record_lookup, name_lookup] = self.sealed_patient(id, new)?;
        on_pool!(self, pool => sqlx::query(
            "INSERT INTO appointments (id, patient_system, patient_value, patient_name, patient_birth_date, \
             patient_ref, starts_at, visit_type, form_id, created_at, patient_lookup, name_lookup) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
        )
        .bind(id)
        .bind(&new.patient.system)
        .bind(value)
        .bind(name)
        .bind(birth_date)
        .bind(&new.patient_ref)
        .bind(new.starts_at)
        .bind(&new.visit_type)
        .bind(new.form_id.as_str())
        .bind(now)
        .bind(record_lookup)
        .bind(name_lookup)
        .execute(pool)
        .await.map(drop))?;
        Ok(id)
    }

    /// Up to `limit` appointments by start time after `after` (from the first when `None`),
    /// each with its intake status.
    pub async fn list_appointments(
        &self,
        after: Option<WorklistKey>,
        limit: i64,
    ) -> Result<Vec<AppointmentOverview>, StoreError> {
        let sql = format!(
            "SELECT {APPOINTMENT_COLUMNS}, \
               (SELECT i.status FROM invitations i WHERE i.appointment_id = a.id \
                ORDER BY i.created_at DESC LIMIT 1) AS intake_status, \
               (SELECT s.flags FROM submissions s JOIN invitations i ON i.id = s.invitation_id \
                WHERE i.appointment_id = a.id ORDER BY s.submitted_at DESC LIMIT 1) AS flags \
             FROM appointments a WHERE $1 OR (a.starts_at, a.id) > ($2, $3) \
             ORDER BY a.starts_at, a.id LIMIT $4"
        );
        let key = after.unwrap_or(WorklistKey {
            starts_at: 0,
            id: Uuid::nil(),
        });
        let rows: Vec<OverviewRow> = on_pool!(self, pool => sqlx::query_as(AssertSqlSafe(sql))
            .bind(after.is_none())
            .bind(key.starts_at)
            .bind(key.id)
            .bind(limit)
            .fetch_all(pool)
            .await)?;
        rows.into_iter()
            .map(|row| {
                Ok(AppointmentOverview {
                    appointment: self.open_appointment(row.appointment)?.try_into()?,
                    intake_status: row.intake_status,
                    flags: row.flags.map(|f| f.0).unwrap_or_default(),
                })
            })
            .collect()
    }
}
