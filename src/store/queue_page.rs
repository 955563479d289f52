//! The exception queue a page at a time, by key, in each of its orders: a page reads the
//! waiting changes' index (migration 0015) from the key on and stops, so it costs the same with
//! 100,000 changes waiting as with 100, and a change added meanwhile neither repeats nor hides
//! a row of the pages either side of it.

use sqlx::{AssertSqlSafe, FromRow, types::Json};
use uuid::Uuid;

use super::{
    ChangeState, ExceptionItem, Store, StoreError,
    changes::{CHANGE_COLUMNS, ChangeRow},
    on_pool,
    queue::{QueueFilter, QueueSort},
};
use crate::{
    domain::PatientName,
    mapping::{HoldReason, ResourceType, Reviewer},
    summary::StaffNote,
};

/// Where a page of the queue starts: after or before a change of the list, named by its id
/// (the page looks its sort key up, so the link carries no patient data).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum QueueCursor {
    /// The rows after this change, in the list's order.
    After(Uuid),
    /// The rows before this change, in the list's order.
    Before(Uuid),
}

/// A change's place in every order of the queue.
#[derive(Debug, FromRow)]
struct SortKey {
    patient_key: String,
    created_at: i64,
    submission_id: Uuid,
    position: i32,
}

#[derive(FromRow)]
struct ExceptionRow {
    #[sqlx(flatten)]
    change: ChangeRow,
    appointment_id: Uuid,
    patient_name: String,
    form_id: String,
    staff_notes: Json<Vec<StaffNote>>,
}

/// The waiting changes `filter` keeps, as SQL conditions over `c` with their text parameters
/// from `$1` on. Only fixed texts go into the SQL; the values are bound.
fn conditions(filter: &QueueFilter) -> (Vec<String>, Vec<&'static str>) {
    // Spelled as the partial indexes' WHERE is, so both databases use them.
    let mut sql = vec!["c.state IN ('held', 'failed')".to_owned()];
    let mut values = Vec::new();
    let mut add = |column: &str, value: Option<&'static str>| {
        if let Some(value) = value {
            values.push(value);
            sql.push(format!("{column} = ${}", values.len()));
        }
    };
    add("c.reviewer", filter.reviewer.map(Reviewer::code));
    add("c.hold_reason", filter.reason.map(HoldReason::code));
    add(
        "c.resource_type",
        filter.resource_type.map(ResourceType::as_str),
    );
    add("c.state", filter.state.map(ChangeState::code));
    (sql, values)
}

impl QueueSort {
    /// The sort key's columns, in order, and whether the list reads them descending.
    fn key(self) -> (&'static str, bool) {
        match self {
            Self::OldestFirst => ("c.created_at, c.submission_id, c.position", false),
            Self::NewestFirst => ("c.created_at, c.submission_id, c.position", true),
            Self::Patient => (
                "c.patient_key, c.created_at, c.submission_id, c.position",
                false,
            ),
        }
    }
}

impl Store {
    /// One page of the exception queue as `filter` narrows and orders it, from `from` (the
    /// first page without one), with one row more than `limit` when there are more rows in the
    /// direction asked (the caller drops it). Rows come in the list's order either way. A
    /// cursor naming no change is read as no cursor.
    pub async fn exceptions_page(
        &self,
        filter: &QueueFilter,
        from: Option<QueueCursor>,
        limit: i64,
    ) -> Result<Vec<ExceptionItem>, StoreError> {
        let (mut wheres, values) = conditions(filter);
        let (columns, descending) = filter.sort.key();
        let (cursor, backwards) = match from {
            None => (None, false),
            Some(QueueCursor::After(id)) => (self.sort_key(id).await?, false),
            Some(QueueCursor::Before(id)) => (self.sort_key(id).await?, true),
        };
        let backwards = backwards && cursor.is_some();
        // Read in the list's order, or against it for the rows before a key.
        let reading_down = descending != backwards;
        let order = if reading_down { "DESC" } else { "ASC" };
        let next = values.len() + 1;
        if cursor.is_some() {
            let compare = if reading_down { "<" } else { ">" };
            let patient = if filter.sort == QueueSort::Patient {
                format!("${}, ", next + 3)
            } else {
                String::new()
            };
            wheres.push(format!(
                "({columns}) {compare} ({patient}${next}, ${}, ${})",
                next + 1,
                next + 2
            ));
        }
        let limit_at = if cursor.is_some() {
            next + 3 + usize::from(filter.sort == QueueSort::Patient)
        } else {
            next
        };
        let order_by = columns
            .split(", ")
            .map(|column| format!("{column} {order}"))
            .collect::<Vec<_>>()
            .join(", ");
        let sql = format!(
            "SELECT {CHANGE_COLUMNS}, a.id AS appointment_id, a.patient_name, s.form_id, s.staff_notes FROM proposed_changes c \
             JOIN submissions s ON s.id = c.submission_id JOIN invitations i ON i.id = s.invitation_id \
             JOIN appointments a ON a.id = i.appointment_id \
             WHERE {} ORDER BY {order_by} LIMIT ${limit_at}",
            wheres.join(" AND ")
        );
        let rows: Vec<ExceptionRow> = on_pool!(self, pool => {
            let mut query = sqlx::query_as(AssertSqlSafe(sql));
            for value in &values {
                query = query.bind(*value);
            }
            if let Some(key) = &cursor {
                query = query.bind(key.created_at).bind(key.submission_id).bind(key.position);
                if filter.sort == QueueSort::Patient {
                    query = query.bind(&key.patient_key);
                }
            }
            query.bind(limit.saturating_add(1)).fetch_all(pool).await
        })?;
        let mut items = rows
            .into_iter()
            .map(|row| {
                Ok(ExceptionItem {
                    change: self.change_record(row.change)?,
                    patient_name: PatientName::new(self.unseal(
                        "appointments.patient_name",
                        row.appointment_id,
                        &row.patient_name,
                    )?),
                    form_id: row.form_id,
                    markers: row.staff_notes.0.into_iter().map(|n| n.marker).collect(),
                })
            })
            .collect::<Result<Vec<_>, StoreError>>()?;
        if backwards {
            items.reverse();
        }
        Ok(items)
    }

    /// How many waiting changes `filter` keeps, counting no further than `cap` + 1: the page
    /// says "1,000+" rather than walk a long queue to the end.
    pub async fn count_exceptions_capped(
        &self,
        filter: &QueueFilter,
        cap: i64,
    ) -> Result<i64, StoreError> {
        let (wheres, values) = conditions(filter);
        let sql = format!(
            "SELECT COUNT(*) FROM (SELECT 1 FROM proposed_changes c WHERE {} LIMIT ${}) AS waiting",
            wheres.join(" AND "),
            values.len() + 1
        );
        Ok(on_pool!(self, pool => {
            let mut query = sqlx::query_scalar(AssertSqlSafe(sql));
            for value in &values {
                query = query.bind(*value);
            }
            query.bind(cap.saturating_add(1)).fetch_one(pool).await
        })?)
    }

    async fn sort_key(&self, id: Uuid) -> Result<Option<SortKey>, StoreError> {
        Ok(on_pool!(self, pool => sqlx::query_as(
            "SELECT patient_key, created_at, submission_id, position FROM proposed_changes WHERE id = $1",
        )
        .bind(id)
        .fetch_optional(pool)
        .await)?)
    }
}
