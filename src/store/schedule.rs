//! The schedule's storage: appointments the sync or the front desk books (with the patient's
//! contact and language), moved, cancelled with their open link revoked, and the problems the
//! last sync found. Every change is one transaction with its audit event.

use sqlx::FromRow;
use uuid::Uuid;

use super::{AuditEvent, NewAppointment, Store, StoreError, audit::insert_audit, on_pool};
use crate::{
    domain::{AppointmentStatus, Contact, TokenHash},
    schedule::SyncedState,
};

/// An appointment to book: the appointment, where it came from, and how to reach the patient.
#[derive(Debug, Clone)]
pub struct Booking {
    /// The appointment.
    pub appointment: NewAppointment,
    /// The EHR's Appointment id and version; `None` for one the front desk added.
    pub ehr: Option<EhrVersion>,
    /// The mobile number (else another phone) on the chart.
    pub mobile: Option<Contact>,
    /// The email address on the chart.
    pub email: Option<Contact>,
    /// `en` or `es`.
    pub language: &'static str,
}

/// An EHR Appointment's id and the version applied.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EhrVersion {
    /// `Appointment.id`.
    pub id: String,
    /// `meta.versionId` (or what stands in for it).
    pub version: String,
}

/// Something the sync could not bring in, named by the EHR's appointment id, in words with no
/// patient data.
#[derive(Debug, Clone, PartialEq, Eq, FromRow)]
pub struct ScheduleProblem {
    /// The EHR's Appointment id.
    pub ehr_appointment_id: String,
    /// The visit's start, epoch milliseconds, when the Appointment gave one.
    pub starts_at: Option<i64>,
    /// What is wrong and what to do.
    pub message: String,
}

/// How to reach an appointment's patient, as the chart said when it was booked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reach {
    /// The mobile number (else another phone).
    pub mobile: Option<Contact>,
    /// The email address.
    pub email: Option<Contact>,
    /// `en` or `es`.
    pub language: String,
}

/// When the sync last finished, and what it did.
#[derive(Debug, Clone, PartialEq, Eq, FromRow)]
pub struct LastSync {
    /// Epoch milliseconds.
    pub finished_at: i64,
    /// E.g. `3 new, 1 moved, 1 cancelled, 10 unchanged, 2 problems`.
    pub summary: String,
}

#[derive(FromRow)]
struct StateRow {
    id: Uuid,
    ehr_version: Option<String>,
    starts_at: i64,
    status: String,
}

impl Store {
    /// What Intake holds for an EHR Appointment id: the appointment's id and synced state.
    pub async fn synced_state(
        &self,
        ehr_appointment_id: &str,
    ) -> Result<Option<(Uuid, SyncedState)>, StoreError> {
        let row: Option<StateRow> = on_pool!(self, pool => sqlx::query_as(
            "SELECT id, ehr_version, starts_at, status FROM appointments WHERE ehr_appointment_id = $1",
        )
        .bind(ehr_appointment_id)
        .fetch_optional(pool)
        .await)?;
        row.map(|row| {
            let status = AppointmentStatus::parse(&row.status)
                .ok_or(StoreError::Corrupt("appointments.status"))?;
            Ok((
                row.id,
                SyncedState {
                    version: row.ehr_version,
                    starts_at: row.starts_at,
                    status,
                },
            ))
        })
        .transpose()
    }

    /// Books an appointment with its audit event. With an EHR id already booked (a sync
    /// racing another), nothing is written and `None` comes back.
    pub async fn insert_booking(
        &self,
        booking: &Booking,
        actor: &str,
        now: i64,
    ) -> Result<Option<Uuid>, StoreError> {
        let id = Uuid::now_v7();
        let new = &booking.appointment;
        let audit = AuditEvent {
            at: now,
            actor: actor.to_owned(),
            action: "appointment.booked",
            subject_kind: "appointment",
            subject_id: id,
            detail: serde_json::json!({
                "ehr_appointment": booking.ehr.as_ref().map(|e| &e.id),
                "form": new.form_id.as_str(),
            }),
        };
        let [value, name, birth_date, record_lookup, name_lookup] = self.sealed_patient(id, new)?;
        let mobile = self.seal_opt(
            "appointments.patient_mobile",
            id,
            booking.mobile.as_ref().map(Contact::expose),
        )?;
        let email = self.seal_opt(
            "appointments.patient_email",
            id,
            booking.email.as_ref().map(Contact::expose),
        )?;
        let inserted = on_pool!(self, pool => {
            let mut tx = pool.begin_write().await?;
            let inserted = sqlx::query(
                "INSERT INTO appointments (id, patient_system, patient_value, patient_name, patient_birth_date, \
                 patient_ref, starts_at, visit_type, form_id, created_at, ehr_appointment_id, ehr_version, \
                 status, patient_mobile, patient_email, patient_language, updated_at, patient_lookup, name_lookup) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, 'booked', $13, $14, $15, $10, $16, $17) \
                 ON CONFLICT (ehr_appointment_id) DO NOTHING",
            )
            .bind(id)
            .bind(&new.patient.system)
            .bind(&value)
            .bind(&name)
            .bind(&birth_date)
            .bind(&new.patient_ref)
            .bind(new.starts_at)
            .bind(&new.visit_type)
            .bind(new.form_id.as_str())
            .bind(now)
            .bind(booking.ehr.as_ref().map(|e| e.id.as_str()))
            .bind(booking.ehr.as_ref().map(|e| e.version.as_str()))
            .bind(&mobile)
            .bind(&email)
            .bind(booking.language)
            .bind(&record_lookup)
            .bind(&name_lookup)
            .execute(&mut *tx)
            .await?
            .rows_affected()
                == 1;
            if inserted {
                insert_audit!(&mut *tx, &audit)?;
            }
            tx.commit().await?;
            Ok::<_, sqlx::Error>(inserted)
        })?;
        Ok(inserted.then_some(id))
    }

    /// Moves a booked appointment to a new start (the EHR rescheduled it), or books a
    /// cancelled one again (`rebook`), recording the version.
    pub async fn move_appointment(
        &self,
        id: Uuid,
        starts_at: i64,
        version: &str,
        rebook: bool,
        now: i64,
    ) -> Result<(), StoreError> {
        let audit = AuditEvent {
            at: now,
            actor: "system".into(),
            action: if rebook {
                "appointment.rebooked"
            } else {
                "appointment.moved"
            },
            subject_kind: "appointment",
            subject_id: id,
            detail: serde_json::json!({ "starts_at": starts_at, "ehr_version": version }),
        };
        on_pool!(self, pool => {
            let mut tx = pool.begin_write().await?;
            sqlx::query(
                "UPDATE appointments SET starts_at = $2, ehr_version = $3, status = 'booked', updated_at = $4 \
                 WHERE id = $1",
            )
            .bind(id)
            .bind(starts_at)
            .bind(version)
            .bind(now)
            .execute(&mut *tx)
            .await?;
            insert_audit!(&mut *tx, &audit)?;
            tx.commit().await
        })?;
        Ok(())
    }

    /// Records a new EHR version that changes nothing Intake keeps.
    pub async fn record_ehr_version(
        &self,
        id: Uuid,
        version: &str,
        now: i64,
    ) -> Result<(), StoreError> {
        on_pool!(self, pool => sqlx::query(
            "UPDATE appointments SET ehr_version = $2, updated_at = $3 WHERE id = $1",
        )
        .bind(id)
        .bind(version)
        .bind(now)
        .execute(pool)
        .await
        .map(drop))?;
        Ok(())
    }

    /// Cancels an appointment and revokes its open (or locked) link, with the audit event, in
    /// one transaction. `version` is the EHR's, when the EHR cancelled it. `false` when it was
    /// already cancelled.
    pub async fn cancel_appointment(
        &self,
        id: Uuid,
        version: Option<&str>,
        actor: &str,
        now: i64,
    ) -> Result<bool, StoreError> {
        let audit = AuditEvent {
            at: now,
            actor: actor.to_owned(),
            action: "appointment.cancelled",
            subject_kind: "appointment",
            subject_id: id,
            detail: serde_json::json!({ "ehr_version": version }),
        };
        let cancelled = on_pool!(self, pool => {
            let mut tx = pool.begin_write().await?;
            let cancelled = sqlx::query(
                "UPDATE appointments SET status = 'cancelled', ehr_version = COALESCE($2, ehr_version), \
                 updated_at = $3 WHERE id = $1 AND status = 'booked'",
            )
            .bind(id)
            .bind(version)
            .bind(now)
            .execute(&mut *tx)
            .await?
            .rows_affected()
                == 1;
            if cancelled {
                sqlx::query(
                    "UPDATE invitations SET status = 'revoked' WHERE appointment_id = $1 AND status IN ('open', 'locked')",
                )
                .bind(id)
                .execute(&mut *tx)
                .await?;
                insert_audit!(&mut *tx, &audit)?;
            }
            tx.commit().await?;
            Ok::<_, sqlx::Error>(cancelled)
        })?;
        Ok(cancelled)
    }

    /// How to reach the patient of an appointment: the mobile number and email address the
    /// chart gave when it was booked, and the language.
    pub async fn appointment_reach(&self, id: Uuid) -> Result<Reach, StoreError> {
        let row: Option<(Option<String>, Option<String>, Option<String>)> = on_pool!(self, pool => sqlx::query_as(
            "SELECT patient_mobile, patient_email, patient_language FROM appointments WHERE id = $1",
        )
        .bind(id)
        .fetch_optional(pool)
        .await)?;
        let (mobile, email, language) = row.ok_or(StoreError::NotFound)?;
        let mobile = self.unseal_opt("appointments.patient_mobile", id, mobile.as_deref())?;
        let email = self.unseal_opt("appointments.patient_email", id, email.as_deref())?;
        Ok(Reach {
            mobile: mobile.as_deref().and_then(Contact::phone),
            email: email.as_deref().and_then(Contact::email),
            language: language.unwrap_or_else(|| "en".to_owned()),
        })
    }

    /// Whether the link whose token hashes to `link` belongs to a cancelled appointment (so
    /// the patient is told the visit was cancelled rather than that the link is unusable).
    pub async fn link_cancelled(&self, link: &TokenHash) -> Result<bool, StoreError> {
        let found: Option<Uuid> = on_pool!(self, pool => sqlx::query_scalar(
            "SELECT a.id FROM invitations i JOIN appointments a ON a.id = i.appointment_id \
             WHERE i.token_hash = $1 AND a.status = 'cancelled'",
        )
        .bind(link.as_str())
        .fetch_optional(pool)
        .await)?;
        Ok(found.is_some())
    }

    /// An appointment's status.
    pub async fn appointment_status(&self, id: Uuid) -> Result<AppointmentStatus, StoreError> {
        let status: Option<String> = on_pool!(self, pool => sqlx::query_scalar(
            "SELECT status FROM appointments WHERE id = $1",
        )
        .bind(id)
        .fetch_optional(pool)
        .await)?;
        let status = status.ok_or(StoreError::NotFound)?;
        AppointmentStatus::parse(&status).ok_or(StoreError::Corrupt("appointments.status"))
    }

    /// Replaces the problems of the last sync with this run's, and records the run, in one
    /// transaction (a page never shows half of two runs).
    pub async fn replace_schedule_problems(
        &self,
        problems: &[ScheduleProblem],
        summary: &str,
        now: i64,
    ) -> Result<(), StoreError> {
        on_pool!(self, pool => {
            let mut tx = pool.begin_write().await?;
            sqlx::query("DELETE FROM schedule_problems").execute(&mut *tx).await?;
            for problem in problems {
                sqlx::query(
                    "INSERT INTO schedule_problems (ehr_appointment_id, starts_at, message, recorded_at) \
                     VALUES ($1, $2, $3, $4) ON CONFLICT (ehr_appointment_id) DO NOTHING",
                )
                .bind(&problem.ehr_appointment_id)
                .bind(problem.starts_at)
                .bind(&problem.message)
                .bind(now)
                .execute(&mut *tx)
                .await?;
            }
            sqlx::query(
                "INSERT INTO schedule_sync_runs (id, finished_at, summary) VALUES (1, $1, $2) \
                 ON CONFLICT (id) DO UPDATE SET finished_at = excluded.finished_at, summary = excluded.summary",
            )
            .bind(now)
            .bind(summary)
            .execute(&mut *tx)
            .await?;
            tx.commit().await
        })?;
        Ok(())
    }

    /// Records a sync that could not read the schedule at all; the last problems stay.
    pub async fn record_schedule_sync_failure(
        &self,
        summary: &str,
        now: i64,
    ) -> Result<(), StoreError> {
        on_pool!(self, pool => sqlx::query(
            "INSERT INTO schedule_sync_runs (id, finished_at, summary) VALUES (1, $1, $2) \
             ON CONFLICT (id) DO UPDATE SET finished_at = excluded.finished_at, summary = excluded.summary",
        )
        .bind(now)
        .bind(summary)
        .execute(pool)
        .await
        .map(drop))?;
        Ok(())
    }

    /// The last sync's problems, by EHR appointment id, `limit` after the key `after` (key
    /// pagination: each page costs the same however many there are).
    pub async fn schedule_problems(
        &self,
        after: Option<&str>,
        limit: i64,
    ) -> Result<Vec<ScheduleProblem>, StoreError> {
        let rows = on_pool!(self, pool => sqlx::query_as(
            "SELECT ehr_appointment_id, starts_at, message FROM schedule_problems \
             WHERE ehr_appointment_id > $1 ORDER BY ehr_appointment_id LIMIT $2",
        )
        .bind(after.unwrap_or(""))
        .bind(limit)
        .fetch_all(pool)
        .await)?;
        Ok(rows)
    }

    /// When the sync last finished, if it ever ran.
    pub async fn last_schedule_sync(&self) -> Result<Option<LastSync>, StoreError> {
        let row = on_pool!(self, pool => sqlx::query_as(
            "SELECT finished_at, summary FROM schedule_sync_runs WHERE id = 1",
        )
        .fetch_optional(pool)
        .await)?;
        Ok(row)
    }
}
