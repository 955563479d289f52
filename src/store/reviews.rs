//! Clinicians' "reviewed" marks on submissions: one per clinician and submission, recorded
//! with its audit event in one transaction.

use uuid::Uuid;

use super::{StaffAudit, Store, StoreError, on_pool, staff_audit::insert_staff_audit};

/// A clinician's mark that they reviewed a submission.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct ReviewMark {
    /// The submission.
    pub submission_id: Uuid,
    /// The clinician.
    pub staff_id: Uuid,
    /// Their display name.
    pub staff_name: String,
    /// When, epoch milliseconds.
    pub reviewed_at: i64,
}

impl Store {
    /// Marks `submission_id` reviewed by the staff member `event` names (`event.actor`), with
    /// the audit event. A second mark by the same clinician changes nothing and is not audited;
    /// returns whether this one was new.
    pub async fn mark_reviewed(
        &self,
        submission_id: Uuid,
        staff_id: Uuid,
        event: &StaffAudit,
    ) -> Result<bool, StoreError> {
        on_pool!(self, pool => {
            let mut tx = pool.begin_write().await?;
            // The audit names the patient by the keyed hash of the record number, as views do.
            let patient: Option<String> = sqlx::query_scalar(
                "SELECT a.patient_lookup FROM submissions s \
                 JOIN invitations i ON i.id = s.invitation_id \
                 JOIN appointments a ON a.id = i.appointment_id WHERE s.id = $1",
            )
            .bind(submission_id)
            .fetch_optional(&mut *tx)
            .await?;
            let Some(patient) = patient else {
                return Err(StoreError::NotFound);
            };
            let added = sqlx::query(
                "INSERT INTO submission_reviews (submission_id, staff_id, reviewed_at) VALUES ($1, $2, $3) \
                 ON CONFLICT (submission_id, staff_id) DO NOTHING",
            )
            .bind(submission_id)
            .bind(staff_id)
            .bind(event.at)
            .execute(&mut *tx)
            .await?
            .rows_affected()
                == 1;
            if added {
                insert_staff_audit!(&mut *tx, event, Some(patient.as_str()))?;
            }
            tx.commit().await?;
            Ok::<_, StoreError>(added)
        })
    }

    /// The review marks on one submission, first first.
    pub async fn review_marks(&self, submission_id: Uuid) -> Result<Vec<ReviewMark>, StoreError> {
        Ok(on_pool!(self, pool => sqlx::query_as(
            "SELECT r.submission_id, r.staff_id, u.display_name AS staff_name, r.reviewed_at \
             FROM submission_reviews r JOIN staff_users u ON u.id = r.staff_id \
             WHERE r.submission_id = $1 ORDER BY r.reviewed_at, r.staff_id",
        )
        .bind(submission_id)
        .fetch_all(pool)
        .await)?)
    }

    /// Who marked each of `submission_ids` reviewed (a list page's), first first: one query.
    pub async fn reviewers_of(
        &self,
        submission_ids: &[Uuid],
    ) -> Result<std::collections::HashMap<Uuid, Vec<String>>, StoreError> {
        let mut reviewed_by: std::collections::HashMap<Uuid, Vec<String>> =
            std::collections::HashMap::new();
        if submission_ids.is_empty() {
            return Ok(reviewed_by);
        }
        let sql = format!(
            "SELECT r.submission_id, u.display_name FROM submission_reviews r \
             JOIN staff_users u ON u.id = r.staff_id WHERE r.submission_id IN ({}) \
             ORDER BY r.reviewed_at, r.staff_id",
            super::in_list(submission_ids.len())
        );
        let marks: Vec<(Uuid, String)> = on_pool!(self, pool => {
            let mut query = sqlx::query_as(sqlx::AssertSqlSafe(sql));
            for id in submission_ids {
                query = query.bind(*id);
            }
            query.fetch_all(pool).await
        })?;
        for (submission, name) in marks {
            reviewed_by.entry(submission).or_default().push(name);
        }
        Ok(reviewed_by)
    }
}
