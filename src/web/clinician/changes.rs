//! The proposed chart changes on the pre-visit summary: each with a statement of where it stands
//! that is true at the moment the page is made, and the clinician's decision forms for those
//! that wait for them.

use crate::web::staff_texts::StaffTexts;
use crate::{
    intake::{Decision, retry_can_fix},
    mapping::{HoldReason, Reviewer},
    store::{ChangeRecord, ChangeState},
    web::paths,
};

/// One proposed change as the summary lists it.
pub(super) struct ChangeLine {
    /// What it is, e.g. "Allergy: Latex".
    pub summary: String,
    /// Where it stands, in words.
    pub statement: String,
    /// The state's code, for the badge's colour.
    pub state: &'static str,
    /// The decision forms, when it waits for this clinician.
    pub decide: Option<DecideUrls>,
}

/// Where the summary's decision forms post, and the page with the edit form.
pub(super) struct DecideUrls {
    pub approve: String,
    pub reject: String,
    pub detail: String,
    /// The id of the reject reason's field (unique on the page).
    pub reason_id: String,
}

/// The line of `change`; `viewer` is who looks (their decisions get forms).
pub(super) fn line(
    change: &ChangeRecord,
    decision: Option<&Decision>,
    viewer: Option<Reviewer>,
) -> ChangeLine {
    let id = change.identifier.0;
    let waiting = matches!(change.state, ChangeState::Held | ChangeState::Failed);
    ChangeLine {
        summary: StaffTexts.change_summary(&change.summary),
        statement: statement(change, decision),
        state: change.state.code(),
        decide: (waiting && viewer == Some(change.reviewer)).then(|| DecideUrls {
            approve: paths::approve(id),
            reject: paths::reject(id),
            detail: paths::exception(id),
            reason_id: format!("reason-{id}"),
        }),
    }
}

/// Where a change stands, from its stored state and the decision recorded on it, so the
/// summary never says more than is true: "Waiting for review by a clinician", "Posted to the
/// chart (accepted by Dr. Lee)", "Rejected by Dr. Lee: duplicate".
pub(super) fn statement(change: &ChangeRecord, decision: Option<&Decision>) -> String {
    let who = StaffTexts.message(&change.reviewer.message());
    let accepted_by = decision
        .filter(|d| !d.rejected)
        .map(|d| StaffTexts.phrase(&d.by));
    match change.state {
        ChangeState::Held => StaffTexts.change_waiting(who),
        ChangeState::Failed if retry_can_fix(change) => StaffTexts.change_unavailable(who),
        ChangeState::Failed if change.hold_reason == Some(HoldReason::ChartChanged) => {
            StaffTexts.change_chart_changed(who)
        }
        ChangeState::Failed => StaffTexts.change_refused(who),
        ChangeState::Queued | ChangeState::Sending => match accepted_by {
            Some(by) => StaffTexts.change_sending_accepted(&by),
            None => StaffTexts.change_sending(),
        },
        ChangeState::Posted => match accepted_by {
            Some(by) => StaffTexts.change_posted_accepted(&by),
            None => StaffTexts.change_posted(),
        },
        ChangeState::Rejected => match decision {
            Some(Decision {
                by,
                reason: Some(reason),
                ..
            }) => StaffTexts.change_rejected_why(StaffTexts.phrase(by), StaffTexts.phrase(reason)),
            Some(Decision { by, .. }) => StaffTexts.change_rejected_by(StaffTexts.phrase(by)),
            None => StaffTexts.change_rejected(),
        },
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;
    use uuid::Uuid;

    use super::*;
    use crate::mapping::{ChangeIdentifier, ResourceType};

    fn change(state: ChangeState, reason: Option<HoldReason>) -> ChangeRecord {
        ChangeRecord {
            identifier: ChangeIdentifier(Uuid::nil()),
            submission_id: Uuid::nil(),
            resource_type: ResourceType::AllergyIntolerance,
            resource: json!({}),
            summary: crate::mapping::ChangeSummary::verbatim("Allergy: Latex"),
            state,
            hold_reason: reason,
            attempts: 0,
            ehr_resource_id: None,
            last_error: None,
            created_at: 0,
            original_resource: None,
            reviewer: Reviewer::Clinician,
        }
    }

    fn by(name: &str, rejected: bool, reason: Option<&str>) -> Decision {
        Decision {
            rejected,
            by: crate::domain::Phrase::verbatim(name),
            reason: reason.map(crate::writeback::rejection_reason),
        }
    }

    #[test]
    fn each_state_is_stated_as_it_is() {
        let review = Some(HoldReason::PatientReportedNeedsReview);
        let lee = by("Dr. Lee", false, None);
        for (change, decision, said) in [
            (
                change(ChangeState::Held, review),
                None,
                "Waiting for review by a clinician",
            ),
            (
                change(ChangeState::Queued, None),
                None,
                "Being sent to the chart",
            ),
            (
                change(ChangeState::Sending, review),
                Some(&lee),
                "Being sent to the chart (accepted by Dr. Lee)",
            ),
            (
                change(ChangeState::Posted, review),
                Some(&lee),
                "Posted to the chart (accepted by Dr. Lee)",
            ),
            (
                change(ChangeState::Posted, None),
                None,
                "Posted to the chart",
            ),
            (
                change(ChangeState::Failed, Some(HoldReason::EhrUnavailable)),
                Some(&lee),
                "The EHR was unavailable; waiting for a clinician to retry it",
            ),
            (
                change(ChangeState::Failed, Some(HoldReason::InvalidForEhr)),
                None,
                "The EHR refused it; waiting for review by a clinician",
            ),
            (
                change(ChangeState::Failed, Some(HoldReason::ChartChanged)),
                None,
                "The chart changed meanwhile; waiting for review by a clinician",
            ),
            (
                change(ChangeState::Rejected, review),
                Some(&by("Dr. Lee", true, Some("duplicate"))),
                "Rejected by Dr. Lee: duplicate",
            ),
            (change(ChangeState::Rejected, review), None, "Rejected"),
        ] {
            assert_eq!(statement(&change, decision), said);
        }
    }

    #[test]
    fn only_the_reviewer_gets_the_decision_forms_and_only_while_it_waits() {
        let held = change(
            ChangeState::Held,
            Some(HoldReason::PatientReportedNeedsReview),
        );
        assert!(
            line(&held, None, Some(Reviewer::Clinician))
                .decide
                .is_some()
        );
        assert!(
            line(&held, None, Some(Reviewer::FrontDesk))
                .decide
                .is_none()
        );
        let posted = change(ChangeState::Posted, None);
        assert!(
            line(&posted, None, Some(Reviewer::Clinician))
                .decide
                .is_none()
        );
    }
}
