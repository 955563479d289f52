//! Reading the audit log (admins), and recording what staff saw: every page with patient data
//! calls [`Services::record_view`] once.

use std::collections::HashMap;

use serde_json::json;
use uuid::Uuid;

use super::{ServiceError, Services, staff::staff_event};
use crate::store::{AuditQuery, AuditRow, StaffSession, Viewed, staff_actor};

/// Rows per page of the audit viewer.
pub const AUDIT_PAGE_ROWS: u32 = 50;

/// The viewer's filters, parsed; `None` means "any".
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AuditFilter {
    /// A staff username.
    pub username: Option<String>,
    /// A patient's record number.
    pub patient: Option<String>,
    /// An action code.
    pub action: Option<String>,
    /// From (inclusive), epoch milliseconds.
    pub from: Option<i64>,
    /// Until (exclusive), epoch milliseconds.
    pub until: Option<i64>,
    /// The key of the last row of the previous page.
    pub before: Option<(i64, Uuid)>,
}

/// One event as the viewer shows it.
#[derive(Debug, Clone)]
pub struct AuditLine {
    /// The stored event.
    pub row: AuditRow,
    /// The staff member's username, when the actor is one.
    pub username: Option<String>,
}

/// One page of events, newest first, and the key of the next page if there is one.
#[derive(Debug, Clone)]
pub struct AuditPage {
    /// The events.
    pub lines: Vec<AuditLine>,
    /// Where the next (older) page starts.
    pub next: Option<(i64, Uuid)>,
    /// The username filter named no account.
    pub unknown_user: bool,
}

impl Services {
    /// Records that `session`'s user, at `source`, saw a page with patient data.
    pub async fn record_view(
        &self,
        session: &StaffSession,
        source: &str,
        viewed: Viewed,
    ) -> Result<(), ServiceError> {
        let event = staff_event(
            self.clock.now_millis(),
            Some(session.user.id),
            "patient_data.viewed",
            json!({}),
            source,
        );
        Ok(self.store.record_view(&event, viewed).await?)
    }

    /// One page of the audit log under `filter`.
    pub async fn audit_page(&self, filter: &AuditFilter) -> Result<AuditPage, ServiceError> {
        let mut actor = None;
        if let Some(username) = &filter.username {
            match self.store.find_staff_user(username).await? {
                Some(user) => actor = Some(staff_actor(user.id)),
                None => {
                    return Ok(AuditPage {
                        lines: vec![],
                        next: None,
                        unknown_user: true,
                    });
                }
            }
        }
        let query = AuditQuery {
            actor,
            action: filter.action.clone(),
            patient: filter.patient.clone(),
            from: filter.from,
            until: filter.until,
            before: filter.before,
            limit: AUDIT_PAGE_ROWS + 1,
        };
        let mut rows = self.store.audit_page(&query).await?;
        let more = rows.len() > AUDIT_PAGE_ROWS as usize;
        rows.truncate(AUDIT_PAGE_ROWS as usize);
        let next = more.then(|| rows.last().map(|r| (r.at, r.id))).flatten();
        let mut names: HashMap<Uuid, Option<String>> = HashMap::new();
        let mut lines = Vec::with_capacity(rows.len());
        for row in rows {
            let id = row
                .actor
                .strip_prefix("staff:")
                .and_then(|id| Uuid::parse_str(id).ok());
            let username = match id {
                Some(id) => match names.get(&id) {
                    Some(name) => name.clone(),
                    None => {
                        let name = self
                            .store
                            .find_staff_user_by_id(id)
                            .await?
                            .map(|u| u.username);
                        names.insert(id, name.clone());
                        name
                    }
                },
                None => None,
            };
            lines.push(AuditLine { row, username });
        }
        Ok(AuditPage {
            lines,
            next,
            unknown_user: false,
        })
    }
}
