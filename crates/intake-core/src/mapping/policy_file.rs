//! The posting policy as a clinic writes it: a YAML file (`INTAKE_POSTING_POLICY`) saying, per
//! resource type and optionally per form, whether a proposed change posts on its own (`post`) or
//! waits for staff (`review`), and who decides on a held change (`reviewers`: per resource type
//! or per hold reason, `clinician` or `front_desk`). `deploy/posting-policy.yaml` is the
//! documented default.

use std::collections::BTreeMap;

use serde::Deserialize;

use super::{HoldReason, PostingPolicy, ResourceType, Reviewer, Route};
use crate::forms::{LoadError, parse_yaml};

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPolicy {
    #[serde(default)]
    default: BTreeMap<String, RawRoute>,
    #[serde(default)]
    forms: BTreeMap<String, BTreeMap<String, RawRoute>>,
    #[serde(default)]
    reviewers: BTreeMap<String, RawReviewer>,
}

#[derive(Deserialize, Clone, Copy)]
#[serde(rename_all = "snake_case")]
enum RawReviewer {
    Clinician,
    FrontDesk,
}

#[derive(Deserialize, Clone, Copy)]
#[serde(rename_all = "lowercase")]
enum RawRoute {
    Post,
    Review,
}

impl PostingPolicy {
    /// Reads a policy file. Types it does not name keep the built-in default. A resource type
    /// Intake does not write, or `post` for a Patient (who a patient is never changes without
    /// staff), is an error naming the file, line and column.
    pub fn from_yaml(file: &str, source: &str) -> Result<Self, LoadError> {
        let raw: RawPolicy = parse_yaml(file, source)?;
        let mut policy = Self::default();
        let sections = std::iter::once((None, &raw.default)).chain(
            raw.forms
                .iter()
                .map(|(form, rules)| (Some(form.as_str()), rules)),
        );
        for (form, rules) in sections {
            for (name, route) in rules {
                let at = |message: String| {
                    let (line, column) = locate(source, form, name);
                    LoadError::at(file, source, line, column, message)
                };
                let resource_type = ResourceType::parse(name).ok_or_else(|| {
                    at(format!(
                        "`{name}` is not a resource type Intake writes (QuestionnaireResponse, \
                         AllergyIntolerance, MedicationStatement, Condition, Observation, Patient, \
                         Provenance)"
                    ))
                })?;
                let route = match route {
                    RawRoute::Post if resource_type == ResourceType::Patient => {
                        return Err(at(
                            "a Patient change always waits for staff: it can only be `review`"
                                .into(),
                        ));
                    }
                    RawRoute::Post => Route::Post,
                    RawRoute::Review => Route::Hold(HoldReason::PatientReportedNeedsReview),
                };
                policy.set(form, resource_type, route);
            }
        }
        for (name, who) in &raw.reviewers {
            let who = match who {
                RawReviewer::Clinician => Reviewer::Clinician,
                RawReviewer::FrontDesk => Reviewer::FrontDesk,
            };
            if let Some(resource_type) = ResourceType::parse(name) {
                policy.set_reviewer_of_type(resource_type, who);
            } else if let Some(reason) = HoldReason::parse(name) {
                policy.set_reviewer_of_reason(reason, who);
            } else {
                let (line, column) = locate(source, Some("reviewers"), name);
                return Err(LoadError::at(
                    file,
                    source,
                    line,
                    column,
                    format!(
                        "`{name}` is neither a resource type Intake writes nor a hold reason \
                         (patient-reported, rejected-by-ehr, identity-mismatch, chart-changed, \
                         ehr-unavailable, invalid-for-ehr, ambiguous-mapping)"
                    ),
                ));
            }
        }
        Ok(policy)
    }
}

/// Where `name` is written (under `form` when given): the line and column of the key.
fn locate(source: &str, form: Option<&str>, name: &str) -> (u64, u64) {
    let start = form
        .and_then(|f| source.find(&format!("{f}:")))
        .unwrap_or(0);
    let offset = source[start..]
        .find(&format!("{name}:"))
        .map_or(0, |i| start + i);
    let line = source[..offset].matches('\n').count() + 1;
    let column = offset - source[..offset].rfind('\n').map_or(0, |i| i + 1) + 1;
    (
        u64::try_from(line).unwrap_or(1),
        u64::try_from(column).unwrap_or(1),
    )
}

#[cfg(test)]
mod tests {
    use uuid::Uuid;

    use super::*;
    use crate::mapping::{ChangeIdentifier, ProposedChange};

    fn change(resource_type: ResourceType) -> ProposedChange {
        ProposedChange {
            identifier: ChangeIdentifier(Uuid::nil()),
            resource_type,
            resource: serde_json::json!({}),
            summary: crate::mapping::ChangeSummary::verbatim(""),
            held_because: None,
        }
    }

    #[test]
    fn a_form_can_post_what_others_hold_and_the_rest_keeps_the_defaults() {
        let policy = PostingPolicy::from_yaml(
            "p.yaml",
            "default:\n  Observation: review\nforms:\n  hypertension-followup:\n    Observation: post\n",
        )
        .unwrap();
        let observation = change(ResourceType::Observation);
        assert_eq!(
            policy.route(&observation, "hypertension-followup"),
            Route::Post
        );
        assert!(matches!(
            policy.route(&observation, "adult-previsit"),
            Route::Hold(_)
        ));
        assert_eq!(
            policy.route(
                &change(ResourceType::QuestionnaireResponse),
                "adult-previsit"
            ),
            Route::Post
        );
        assert_eq!(
            policy.forms().collect::<Vec<_>>(),
            ["hypertension-followup"]
        );
    }

    #[test]
    fn reviewers_are_set_per_type_and_per_reason_and_a_reason_wins() {
        let policy = PostingPolicy::from_yaml(
            "p.yaml",
            "reviewers:\n  Observation: front_desk\n  ehr-unavailable: front_desk\n",
        )
        .unwrap();
        assert_eq!(
            policy.reviewer(ResourceType::Observation, None),
            Reviewer::FrontDesk
        );
        assert_eq!(
            policy.reviewer(ResourceType::Condition, Some(HoldReason::EhrUnavailable)),
            Reviewer::FrontDesk
        );
        assert_eq!(
            policy.reviewer(ResourceType::Condition, Some(HoldReason::RejectedByEhr)),
            Reviewer::Clinician
        );
        let error =
            PostingPolicy::from_yaml("p.yaml", "reviewers:\n  Allergy: clinician\n").unwrap_err();
        assert_eq!((error.line, error.column), (2, 3));
        let error =
            PostingPolicy::from_yaml("p.yaml", "reviewers:\n  Patient: nurse\n").unwrap_err();
        assert_eq!(error.line, 2);
    }

    #[test]
    fn the_shipped_policy_file_is_the_default() {
        let source = include_str!("../../../../deploy/posting-policy.yaml");
        let policy = PostingPolicy::from_yaml("deploy/posting-policy.yaml", source).unwrap();
        assert_eq!(policy, PostingPolicy::default());
    }

    #[test]
    fn mistakes_name_file_line_and_column() {
        let error = PostingPolicy::from_yaml("p.yaml", "default:\n  Allergy: post\n").unwrap_err();
        assert_eq!((error.line, error.column), (2, 3));
        assert!(
            error.message.contains("`Allergy` is not a resource type"),
            "{error}"
        );
        let error =
            PostingPolicy::from_yaml("p.yaml", "forms:\n  registration:\n    Patient: post\n")
                .unwrap_err();
        assert_eq!((error.line, error.column), (3, 5));
        let error =
            PostingPolicy::from_yaml("p.yaml", "default:\n  Condition: maybe\n").unwrap_err();
        assert_eq!(error.line, 2);
        let error = PostingPolicy::from_yaml("p.yaml", "defaults: {}\n").unwrap_err();
        assert_eq!(error.line, 1);
    }
}
