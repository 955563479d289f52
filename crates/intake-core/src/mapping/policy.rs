//! The posting policy: which proposed changes post to the chart on their own, and which wait
//! for staff in the exception queue, with the reason.

use std::collections::BTreeMap;

use super::{ProposedChange, ResourceType};

/// Where a proposed change goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Route {
    /// Straight to the outbox.
    Post,
    /// Into the exception queue until staff decide.
    Hold(HoldReason),
}

/// Why a change waits for staff. The codes are stored; the text is what staff read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum HoldReason {
    /// Patient-reported clinical data (allergies, medications, conditions) is reviewed first.
    PatientReportedNeedsReview,
    /// The EHR refused the change; its own words are in the attempt history.
    RejectedByEhr,
    /// What the patient entered about who they are differs from the chart.
    IdentityMismatch,
    /// The chart changed after the patient saw it (the EHR answered 409 or 412).
    ChartChanged,
    /// The EHR kept failing or not answering, and the sends ran out.
    EhrUnavailable,
    /// The EHR found the change invalid (HTTP 400 or 422).
    InvalidForEhr,
    /// The answer could not be mapped to one coded concept (free text where the item lists
    /// coded answers), so staff choose what it means.
    AmbiguousMapping,
}

impl HoldReason {
    /// The stored code.
    pub fn code(self) -> &'static str {
        match self {
            Self::PatientReportedNeedsReview => "patient-reported",
            Self::RejectedByEhr => "rejected-by-ehr",
            Self::IdentityMismatch => "identity-mismatch",
            Self::ChartChanged => "chart-changed",
            Self::EhrUnavailable => "ehr-unavailable",
            Self::InvalidForEhr => "invalid-for-ehr",
            Self::AmbiguousMapping => "ambiguous-mapping",
        }
    }

    /// Reads a stored code back.
    pub fn parse(code: &str) -> Option<Self> {
        [
            Self::PatientReportedNeedsReview,
            Self::RejectedByEhr,
            Self::IdentityMismatch,
            Self::ChartChanged,
            Self::EhrUnavailable,
            Self::InvalidForEhr,
            Self::AmbiguousMapping,
        ]
        .into_iter()
        .find(|r| r.code() == code)
    }

    /// Every message id of [`Self::message`].
    pub const MESSAGE_IDS: [&'static str; 7] = [
        "hold-patient-reported",
        "hold-rejected-by-ehr",
        "hold-identity-mismatch",
        "hold-chart-changed",
        "hold-ehr-unavailable",
        "hold-invalid-for-ehr",
        "hold-ambiguous-mapping",
    ];

    /// What staff read: `changes.ftl`, rendered at the edge.
    pub fn message(self) -> crate::domain::Message {
        let index = match self {
            Self::PatientReportedNeedsReview => 0,
            Self::RejectedByEhr => 1,
            Self::IdentityMismatch => 2,
            Self::ChartChanged => 3,
            Self::EhrUnavailable => 4,
            Self::InvalidForEhr => 5,
            Self::AmbiguousMapping => 6,
        };
        crate::domain::Message::new(Self::MESSAGE_IDS[index])
    }
}

/// Who decides on a held change. Clinical decisions belong to clinicians; who a patient is
/// and how to reach them belong to the front desk (ARCHITECTURE, decision 9).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Reviewer {
    /// Identity, demographics, contact details, the answers' own record.
    FrontDesk,
    /// Allergies, medicines, conditions and clinical findings.
    Clinician,
}

impl Reviewer {
    /// The stored code (the same as the staff role's).
    pub fn code(self) -> &'static str {
        match self {
            Self::FrontDesk => "front_desk",
            Self::Clinician => "clinician",
        }
    }

    /// Reads a stored code back.
    pub fn parse(code: &str) -> Option<Self> {
        [Self::FrontDesk, Self::Clinician]
            .into_iter()
            .find(|r| r.code() == code)
    }

    /// Every message id of [`Self::message`].
    pub const MESSAGE_IDS: [&'static str; 2] = ["reviewer-front-desk", "reviewer-clinician"];

    /// Who, in words ("a clinician", "the front desk"): `changes.ftl`, rendered at the edge.
    pub fn message(self) -> crate::domain::Message {
        crate::domain::Message::new(match self {
            Self::FrontDesk => Self::MESSAGE_IDS[0],
            Self::Clinician => Self::MESSAGE_IDS[1],
        })
    }

    /// Who, in English, for the command line and the log; pages say [`Self::message`].
    pub fn describe(self) -> &'static str {
        match self {
            Self::FrontDesk => "the front desk",
            Self::Clinician => "a clinician",
        }
    }
}

/// A proposed change with the policy's decisions on it: where it goes, and who decides on it
/// should it wait.
#[derive(Debug, Clone, PartialEq)]
pub struct RoutedChange {
    /// The change.
    pub change: ProposedChange,
    /// Where it goes.
    pub route: Route,
    /// Who decides on it while it waits (now, or later if the EHR refuses it).
    pub reviewer: Reviewer,
}

/// The rules: a route per resource type, with a default for the rest, and per-form exceptions.
/// A reason attached to a change itself (an identity mismatch) holds it whatever the rules say;
/// so do the EHR's refusals and conflicts, which happen later, at sending.
#[derive(Debug, Clone, PartialEq)]
pub struct PostingPolicy {
    by_type: BTreeMap<ResourceType, Route>,
    otherwise: Route,
    by_form: BTreeMap<String, BTreeMap<ResourceType, Route>>,
    reviewer_by_type: BTreeMap<ResourceType, Reviewer>,
    reviewer_by_reason: BTreeMap<HoldReason, Reviewer>,
}

impl Default for PostingPolicy {
    /// The answers themselves post on their own; patient-reported clinical facts wait for review.
    fn default() -> Self {
        let review = Route::Hold(HoldReason::PatientReportedNeedsReview);
        Self {
            by_type: BTreeMap::from([
                (ResourceType::QuestionnaireResponse, Route::Post),
                (ResourceType::AllergyIntolerance, review),
                (ResourceType::MedicationStatement, review),
                (ResourceType::Condition, review),
                (ResourceType::Observation, review),
                (ResourceType::Provenance, Route::Post),
                (ResourceType::Patient, review),
                // Intake's own record of an urgent answer, not the patient's report.
                (ResourceType::Flag, Route::Post),
                (ResourceType::Task, Route::Post),
                // The patient's own record of what they agreed to, as they signed it.
                (ResourceType::Consent, Route::Post),
            ]),
            otherwise: review,
            by_form: BTreeMap::new(),
            reviewer_by_type: BTreeMap::from([
                (ResourceType::AllergyIntolerance, Reviewer::Clinician),
                (ResourceType::MedicationStatement, Reviewer::Clinician),
                (ResourceType::Condition, Reviewer::Clinician),
                (ResourceType::Observation, Reviewer::Clinician),
                (ResourceType::Flag, Reviewer::Clinician),
                (ResourceType::Task, Reviewer::Clinician),
            ]),
            // Who the patient is comes before anything about them.
            reviewer_by_reason: BTreeMap::from([(
                HoldReason::IdentityMismatch,
                Reviewer::FrontDesk,
            )]),
        }
    }
}

impl PostingPolicy {
    /// Decides one change of a submission of `form`.
    pub fn route(&self, change: &ProposedChange, form: &str) -> Route {
        if let Some(reason) = change.held_because {
            return Route::Hold(reason);
        }
        self.by_form
            .get(form)
            .and_then(|rules| rules.get(&change.resource_type))
            .or_else(|| self.by_type.get(&change.resource_type))
            .copied()
            .unwrap_or(self.otherwise)
    }

    /// Routes one change of a submission of `form` and names its reviewer.
    pub fn decide(&self, change: ProposedChange, form: &str) -> RoutedChange {
        let route = self.route(&change, form);
        let reason = match route {
            Route::Hold(reason) => Some(reason),
            Route::Post => None,
        };
        RoutedChange {
            reviewer: self.reviewer(change.resource_type, reason),
            route,
            change,
        }
    }

    /// Who decides on a change of `resource_type` held for `reason`: a rule for the reason wins
    /// over one for the type; without either, the front desk.
    pub fn reviewer(&self, resource_type: ResourceType, reason: Option<HoldReason>) -> Reviewer {
        reason
            .and_then(|reason| self.reviewer_by_reason.get(&reason))
            .or_else(|| self.reviewer_by_type.get(&resource_type))
            .copied()
            .unwrap_or(Reviewer::FrontDesk)
    }

    /// Sets who decides on changes of a type.
    pub(super) fn set_reviewer_of_type(&mut self, resource_type: ResourceType, who: Reviewer) {
        self.reviewer_by_type.insert(resource_type, who);
    }

    /// Sets who decides on changes held for a reason.
    pub(super) fn set_reviewer_of_reason(&mut self, reason: HoldReason, who: Reviewer) {
        self.reviewer_by_reason.insert(reason, who);
    }

    /// The forms the policy has rules for.
    pub fn forms(&self) -> impl Iterator<Item = &str> {
        self.by_form.keys().map(String::as_str)
    }

    /// Sets the route of a resource type, for every form or for one.
    pub(super) fn set(&mut self, form: Option<&str>, resource_type: ResourceType, route: Route) {
        match form {
            None => {
                self.by_type.insert(resource_type, route);
            }
            Some(form) => {
                self.by_form
                    .entry(form.to_owned())
                    .or_default()
                    .insert(resource_type, route);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::mapping::ChangeIdentifier;

    fn change(resource_type: ResourceType) -> ProposedChange {
        ProposedChange {
            identifier: ChangeIdentifier(uuid::Uuid::nil()),
            resource_type,
            resource: serde_json::json!({}),
            summary: crate::mapping::ChangeSummary::verbatim(""),
            held_because: None,
        }
    }

    #[test]
    fn by_default_answers_post_and_patient_reported_facts_wait_for_review() {
        let policy = PostingPolicy::default();
        assert_eq!(
            policy.route(&change(ResourceType::QuestionnaireResponse), "f"),
            Route::Post
        );
        for held in [
            ResourceType::AllergyIntolerance,
            ResourceType::MedicationStatement,
            ResourceType::Condition,
        ] {
            assert_eq!(
                policy.route(&change(held), "f"),
                Route::Hold(HoldReason::PatientReportedNeedsReview)
            );
        }
    }

    #[test]
    fn clinical_changes_wait_for_a_clinician_and_who_the_patient_is_for_the_front_desk() {
        let policy = PostingPolicy::default();
        let review = Some(HoldReason::PatientReportedNeedsReview);
        for (resource_type, reason, who) in [
            (
                ResourceType::AllergyIntolerance,
                review,
                Reviewer::Clinician,
            ),
            (
                ResourceType::MedicationStatement,
                review,
                Reviewer::Clinician,
            ),
            (ResourceType::Condition, review, Reviewer::Clinician),
            (ResourceType::Observation, review, Reviewer::Clinician),
            (
                ResourceType::AllergyIntolerance,
                Some(HoldReason::RejectedByEhr),
                Reviewer::Clinician,
            ),
            (ResourceType::Patient, review, Reviewer::FrontDesk),
            (
                ResourceType::Patient,
                Some(HoldReason::IdentityMismatch),
                Reviewer::FrontDesk,
            ),
            (
                ResourceType::Condition,
                Some(HoldReason::IdentityMismatch),
                Reviewer::FrontDesk,
            ),
            (
                ResourceType::QuestionnaireResponse,
                Some(HoldReason::InvalidForEhr),
                Reviewer::FrontDesk,
            ),
            (ResourceType::Provenance, None, Reviewer::FrontDesk),
            (
                ResourceType::Flag,
                Some(HoldReason::RejectedByEhr),
                Reviewer::Clinician,
            ),
        ] {
            assert_eq!(
                policy.reviewer(resource_type, reason),
                who,
                "{resource_type} {reason:?}"
            );
        }
        for who in [Reviewer::FrontDesk, Reviewer::Clinician] {
            assert_eq!(Reviewer::parse(who.code()), Some(who));
        }
    }

    #[test]
    fn hold_reasons_round_trip_through_their_codes() {
        for reason in [
            HoldReason::PatientReportedNeedsReview,
            HoldReason::RejectedByEhr,
            HoldReason::IdentityMismatch,
            HoldReason::ChartChanged,
            HoldReason::EhrUnavailable,
            HoldReason::InvalidForEhr,
            HoldReason::AmbiguousMapping,
        ] {
            assert_eq!(HoldReason::parse(reason.code()), Some(reason));
        }
    }
}
