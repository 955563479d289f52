//! The visit behind a submission, for pages that name the patient and the visit.

use sqlx::AssertSqlSafe;
use uuid::Uuid;

use super::{
    Appointment, Store, StoreError,
    appointments::{APPOINTMENT_COLUMNS, AppointmentRow},
    on_pool,
};

impl Store {
    /// The appointment a submission was made for.
    pub async fn appointment_of_submission(
        &self,
        submission_id: Uuid,
    ) -> Result<Appointment, StoreError> {
        let sql = format!(
            "SELECT {APPOINTMENT_COLUMNS} FROM submissions s \
             JOIN invitations i ON i.id = s.invitation_id \
             JOIN appointments a ON a.id = i.appointment_id WHERE s.id = $1"
        );
        let row: Option<AppointmentRow> = on_pool!(self, pool => sqlx::query_as(AssertSqlSafe(sql))
            .bind(submission_id)
            .fetch_optional(pool)
            .await)?;
        self.open_appointment(row.ok_or(StoreError::NotFound)?)?
            .try_into()
    }
}
