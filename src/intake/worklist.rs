//! The front desk's worklist: a day's appointments a page at a time with each intake's state
//! and the day's counts by state; one appointment with its messages; and the actions on its
//! link (a fresh link to show or copy, unlock, cancel), each audited with who did it.

use std::collections::BTreeMap;

use uuid::Uuid;

use super::{ServiceError, Services, millis_of, review::actor};
use crate::{
    domain::{IntakeFacts, IntakeState, LinkFacts, STATE_KINDS, SecretToken},
    forms::FormId,
    store::{
        AppointmentMessage, PageDirection, StaffSession, StoredLink, WorklistKey, WorklistQuery,
        WorklistRow,
    },
};

/// Rows on one page of the worklist.
pub const WORKLIST_PAGE_SIZE: i64 = 50;

/// Which part of the worklist to show.
#[derive(Debug, Clone)]
pub struct WorklistRequest {
    /// The clinic's day: its appointments run from the clinic's midnight to the next.
    pub day: time::Date,
    /// Part of a name, or a record number; `None` for everyone.
    pub search: Option<String>,
    /// Where the page starts; `None` for the day's first page.
    pub from: Option<PageDirection>,
    /// Rows a page holds.
    pub page_size: i64,
}

/// One appointment with its intake state.
#[derive(Debug, Clone)]
pub struct WorklistEntry {
    /// The appointment and its stored facts.
    pub row: WorklistRow,
    /// Where its intake stands.
    pub state: IntakeState,
}

/// One page of a day's worklist.
#[derive(Debug, Clone)]
pub struct Worklist {
    /// The rows, in time order.
    pub entries: Vec<WorklistEntry>,
    /// How many of the day's appointments are in each state (page numbers left out), in
    /// worklist order; states no appointment is in are left out.
    pub counts: Vec<(IntakeState, usize)>,
    /// The day's appointments, whatever the search.
    pub day_total: usize,
    /// The key to page back from, when there are earlier rows.
    pub earlier: Option<WorklistKey>,
    /// The key to page on from, when there are later rows.
    pub later: Option<WorklistKey>,
}

/// One appointment for its page.
#[derive(Debug, Clone)]
pub struct AppointmentDetail {
    /// The appointment and its state.
    pub entry: WorklistEntry,
    /// The messages about it, newest first.
    pub messages: Vec<AppointmentMessage>,
}

fn key_of(entry: &WorklistEntry) -> WorklistKey {
    WorklistKey {
        starts_at: entry.row.appointment.details.starts_at,
        id: entry.row.appointment.id,
    }
}

impl Services {
    /// One page of a day's worklist, with the day's counts by state.
    pub async fn worklist(&self, request: &WorklistRequest) -> Result<Worklist, ServiceError> {
        let (day_start, day_end) = self.clinic.zone.day_millis(request.day);
        let page_size = request.page_size.max(1);
        let query = WorklistQuery {
            day_start,
            day_end,
            search: request
                .search
                .as_deref()
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_owned),
            from: request.from,
            limit: page_size,
        };
        let mut rows = self.store.worklist_page(&query).await?;
        let more = usize::try_from(page_size).is_ok_and(|size| rows.len() > size);
        if more {
            // The extra row is the one past the page, in the direction asked.
            match request.from {
                Some(PageDirection::Before(_)) => drop(rows.remove(0)),
                _ => drop(rows.pop()),
            }
        }
        let entries: Vec<WorklistEntry> = rows.into_iter().map(|row| self.entry(row)).collect();
        let (has_earlier, has_later) = match request.from {
            None => (false, more),
            Some(PageDirection::After(_)) => (true, more),
            Some(PageDirection::Before(_)) => (more, true),
        };
        let now = self.clock.now_millis();
        let day = self.store.worklist_day_facts(day_start, day_end).await?;
        let mut tally: BTreeMap<IntakeState, usize> = BTreeMap::new();
        for intake in &day {
            let facts = self.facts(
                &intake.form_id,
                (intake.cancelled, intake.unreachable),
                intake.link.as_ref(),
            );
            *tally
                .entry(IntakeState::of(&facts, now).kind())
                .or_default() += 1;
        }
        let day_total = tally.values().sum();
        let counts = STATE_KINDS
            .iter()
            .filter_map(|kind| tally.get(kind).map(|n| (*kind, *n)))
            .collect();
        Ok(Worklist {
            earlier: entries.first().filter(|_| has_earlier).map(key_of),
            later: entries.last().filter(|_| has_later).map(key_of),
            entries,
            counts,
            day_total,
        })
    }

    /// One appointment with its state and messages.
    pub async fn appointment_detail(&self, id: Uuid) -> Result<AppointmentDetail, ServiceError> {
        let entry = self.entry(self.store.worklist_entry(id).await?);
        let messages = self.store.appointment_messages(id).await?;
        Ok(AppointmentDetail { entry, messages })
    }

    /// A fresh link for the appointment, to show as text and QR code or to copy; any earlier
    /// link stops working. The token is returned once: only its hash is stored.
    pub async fn issue_link(
        &self,
        staff: &StaffSession,
        appointment_id: Uuid,
    ) -> Result<SecretToken, ServiceError> {
        let entry = self.entry(self.store.worklist_entry(appointment_id).await?);
        if entry.row.cancelled {
            return Err(ServiceError::Conflict("the appointment was cancelled"));
        }
        if matches!(
            entry.state,
            IntakeState::Submitted | IntakeState::Posted | IntakeState::WaitingForReview
        ) {
            return Err(ServiceError::Conflict(
                "the patient already sent their answers",
            ));
        }
        let token = SecretToken::generate();
        let now = self.clock.now_millis();
        let expires_at = now.saturating_add(millis_of(self.lifetimes.invitation));
        self.store
            .issue_invitation_by(
                appointment_id,
                &token.hash(),
                expires_at,
                now,
                &actor(staff),
            )
            .await?;
        Ok(token)
    }

    /// Unlocks the appointment's locked link: the patient's link works again with five fresh
    /// tries.
    pub async fn unlock_link(
        &self,
        staff: &StaffSession,
        appointment_id: Uuid,
    ) -> Result<(), ServiceError> {
        let now = self.clock.now_millis();
        Ok(self
            .store
            .unlock_invitation(appointment_id, &actor(staff), now)
            .await?)
    }

    /// Cancels the appointment's open or locked link.
    pub async fn cancel_link(
        &self,
        staff: &StaffSession,
        appointment_id: Uuid,
    ) -> Result<(), ServiceError> {
        let now = self.clock.now_millis();
        Ok(self
            .store
            .cancel_invitation(appointment_id, &actor(staff), now)
            .await?)
    }

    /// The row with its state, decided at the clock's now.
    fn entry(&self, row: WorklistRow) -> WorklistEntry {
        let facts = self.facts(
            &row.appointment.details.form_id,
            (row.cancelled, row.unreachable),
            row.link.as_ref(),
        );
        let state = IntakeState::of(&facts, self.clock.now_millis());
        WorklistEntry { row, state }
    }

    /// What an appointment's intake state is decided from: its stored facts, with the page
    /// count of the form it asks for. The rows and the day's counts both read it from here.
    fn facts(
        &self,
        form_id: &FormId,
        (cancelled, unreachable): (bool, bool),
        link: Option<&StoredLink>,
    ) -> IntakeFacts {
        let pages = self
            .forms
            .get(form_id)
            .map_or(1, |form| i64::try_from(form.sections.len()).unwrap_or(1));
        IntakeFacts {
            appointment_cancelled: cancelled,
            unreachable,
            link: link.map(|link| LinkFacts {
                status: link.status,
                expires_at: link.expires_at,
                opened: link.opened_at.is_some(),
                verified: link.verified_at.is_some(),
                draft_page: link.draft.map(|page| (page.unwrap_or(-1), pages)),
                message: link.message,
                changes: link.submission.map(|(_, tally)| tally),
            }),
        }
    }
}
