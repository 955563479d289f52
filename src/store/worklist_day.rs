//! The facts a day's counts by intake state are decided from, read a day at a time in three
//! set-based queries (the day's invitations with their drafts and submissions, the messages
//! that carried their links, their changes counted by state), each driven by the
//! `(starts_at, id)` index over the day's window: the counts cost the same whatever the tables
//! hold, without a subquery per appointment and without the rows' names and details.

use std::collections::{HashMap, hash_map::Entry};

use sqlx::FromRow;
use uuid::Uuid;

use super::{Store, StoreError, on_pool, worklist::StoredLink};
use crate::{
    domain::{ChangeTally, LinkMessage, LinkStatus},
    forms::FormId,
};

/// What one of the day's appointments' intake state is decided from.
#[derive(Debug, Clone)]
pub struct DayIntake {
    /// The appointment's id.
    pub appointment_id: Uuid,
    /// The form it asks for (its pages number the "in progress" state).
    pub form_id: FormId,
    /// Whether it was cancelled.
    pub cancelled: bool,
    /// Its newest invitation.
    pub link: Option<StoredLink>,
    /// Whether a send after the newest invitation found no way to reach the patient.
    pub unreachable: bool,
}

/// One of the day's appointments with one of its invitations, if any.
#[derive(FromRow)]
struct LinkRow {
    appointment_id: Uuid,
    form_id: String,
    appointment_status: String,
    invitation_id: Option<Uuid>,
    link_status: Option<String>,
    expires_at: Option<i64>,
    invited_at: Option<i64>,
    opened_at: Option<i64>,
    verified_at: Option<i64>,
    draft_of: Option<Uuid>,
    draft_page: Option<i64>,
    submission_id: Option<Uuid>,
}

/// A message that carried one of the day's links.
#[derive(FromRow)]
struct MessageRow {
    invitation_id: Uuid,
    id: Uuid,
    state: String,
    created_at: i64,
}

/// The newest failed try to send a link that found no way to reach the patient, per
/// appointment of the day.
#[derive(FromRow)]
struct UnreachableRow {
    appointment_id: Uuid,
    at: i64,
}

/// One of the day's submissions with its changes counted by state.
#[derive(FromRow)]
struct TallyRow {
    submission_id: Uuid,
    waiting: i64,
    pending: i64,
    settled: i64,
}

impl Store {
    /// The facts of every appointment of a day, in no order, for its counts by state. The
    /// newest invitation (ties broken by id) and its newest link message are picked here, as
    /// the worklist's rows pick them.
    pub async fn worklist_day_facts(
        &self,
        day_start: i64,
        day_end: i64,
    ) -> Result<Vec<DayIntake>, StoreError> {
        let links: Vec<LinkRow> = on_pool!(self, pool => sqlx::query_as(
            "SELECT a.id AS appointment_id, a.form_id, a.status AS appointment_status, \
               i.id AS invitation_id, i.status AS link_status, i.expires_at, \
               i.created_at AS invited_at, i.opened_at, i.verified_at, \
               d.invitation_id AS draft_of, d.page AS draft_page, s.id AS submission_id \
             FROM appointments a \
             LEFT JOIN invitations i ON i.appointment_id = a.id \
             LEFT JOIN drafts d ON d.invitation_id = i.id \
             LEFT JOIN submissions s ON s.invitation_id = i.id \
             WHERE a.starts_at >= $1 AND a.starts_at < $2",
        )
        .bind(day_start)
        .bind(day_end)
        .fetch_all(pool)
        .await)?;
        let messages: Vec<MessageRow> = on_pool!(self, pool => sqlx::query_as(
            "SELECT m.invitation_id, m.id, m.state, m.created_at FROM appointments a \
             JOIN invitations i ON i.appointment_id = a.id \
             JOIN messages m ON m.invitation_id = i.id \
             WHERE a.starts_at >= $1 AND a.starts_at < $2 \
               AND m.purpose IN ('invitation', 'reminder') AND m.state <> 'cancelled'",
        )
        .bind(day_start)
        .bind(day_end)
        .fetch_all(pool)
        .await)?;
        let tallies: Vec<TallyRow> = on_pool!(self, pool => sqlx::query_as(
            "SELECT s.id AS submission_id, \
               SUM(CASE WHEN c.state IN ('held', 'failed') THEN 1 ELSE 0 END) AS waiting, \
               SUM(CASE WHEN c.state IN ('queued', 'sending') THEN 1 ELSE 0 END) AS pending, \
               SUM(CASE WHEN c.state IN ('posted', 'rejected') THEN 1 ELSE 0 END) AS settled \
             FROM appointments a \
             JOIN invitations i ON i.appointment_id = a.id \
             JOIN submissions s ON s.invitation_id = i.id \
             JOIN proposed_changes c ON c.submission_id = s.id \
             WHERE a.starts_at >= $1 AND a.starts_at < $2 \
             GROUP BY s.id",
        )
        .bind(day_start)
        .bind(day_end)
        .fetch_all(pool)
        .await)?;
        let unreachable: Vec<UnreachableRow> = on_pool!(self, pool => sqlx::query_as(
            "SELECT m.appointment_id, MAX(m.created_at) AS at FROM appointments a \
             JOIN messages m ON m.appointment_id = a.id \
             WHERE a.starts_at >= $1 AND a.starts_at < $2 \
               AND m.invitation_id IS NULL AND m.state = 'failed' \
             GROUP BY m.appointment_id",
        )
        .bind(day_start)
        .bind(day_end)
        .fetch_all(pool)
        .await)?;
        let mut day = assemble(links, &messages, &tallies)?;
        let tried: HashMap<Uuid, i64> = unreachable
            .iter()
            .map(|row| (row.appointment_id, row.at))
            .collect();
        for (intake, invited_at) in &mut day {
            intake.unreachable = tried
                .get(&intake.appointment_id)
                .is_some_and(|at| *at >= invited_at.unwrap_or(0));
        }
        Ok(day.into_iter().map(|(intake, _)| intake).collect())
    }
}

/// The day's appointments with their newest invitation, its newest link message and its
/// submission's tally, from the three queries' rows.
fn assemble(
    links: Vec<LinkRow>,
    messages: &[MessageRow],
    tallies: &[TallyRow],
) -> Result<Vec<(DayIntake, Option<i64>)>, StoreError> {
    let mut newest_message: HashMap<Uuid, (i64, Uuid, &str)> = HashMap::new();
    for m in messages {
        let entry = newest_message
            .entry(m.invitation_id)
            .or_insert((m.created_at, m.id, &m.state));
        if (m.created_at, m.id) > (entry.0, entry.1) {
            *entry = (m.created_at, m.id, &m.state);
        }
    }
    let tally: HashMap<Uuid, ChangeTally> = tallies
        .iter()
        .map(|t| {
            let tally = ChangeTally {
                waiting: t.waiting,
                pending: t.pending,
                posted: t.settled,
            };
            (t.submission_id, tally)
        })
        .collect();
    // Per appointment: its facts and the newest invitation's `(created_at, id)` so far.
    let mut day: HashMap<Uuid, (DayIntake, Option<(i64, Uuid)>)> = HashMap::new();
    for row in links {
        let link = match (row.invitation_id, row.link_status, row.expires_at) {
            (Some(invitation_id), Some(status), Some(expires_at)) => Some((
                (row.invited_at.unwrap_or_default(), invitation_id),
                StoredLink {
                    invitation_id,
                    status: LinkStatus::parse(&status)
                        .ok_or(StoreError::Corrupt("invitations.status"))?,
                    expires_at,
                    opened_at: row.opened_at,
                    verified_at: row.verified_at,
                    draft: row.draft_of.map(|_| row.draft_page),
                    message: newest_message
                        .get(&invitation_id)
                        .map(|(_, _, s)| {
                            LinkMessage::parse(s).ok_or(StoreError::Corrupt("messages.state"))
                        })
                        .transpose()?,
                    submission: row
                        .submission_id
                        .map(|id| (id, tally.get(&id).copied().unwrap_or_default())),
                },
            )),
            _ => None,
        };
        let slot = match day.entry(row.appointment_id) {
            Entry::Occupied(slot) => slot.into_mut(),
            Entry::Vacant(slot) => {
                let intake = DayIntake {
                    appointment_id: row.appointment_id,
                    form_id: FormId::parse(&row.form_id)
                        .ok_or(StoreError::Corrupt("appointments.form_id"))?,
                    cancelled: row.appointment_status == "cancelled",
                    link: None,
                    unreachable: false,
                };
                slot.insert((intake, None))
            }
        };
        if let Some((order, link)) = link
            && slot.1.is_none_or(|newest| order > newest)
        {
            slot.0.link = Some(link);
            slot.1 = Some(order);
        }
    }
    Ok(day
        .into_values()
        .map(|(intake, newest)| (intake, newest.map(|(at, _)| at)))
        .collect())
}
