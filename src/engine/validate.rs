//! The issues that stop a submission, computed over the whole form.

use super::Answers;
use crate::forms::{Form, ItemKind};

/// Something the patient must fix before submitting.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Issue {
    /// The item.
    pub item_id: String,
    /// What is wrong.
    pub kind: IssueKind,
}

/// The kinds of issue.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IssueKind {
    /// A required item has no answer.
    Required,
}

impl IssueKind {
    /// The message the patient sees next to the field.
    pub fn message(self) -> &'static str {
        match self {
            Self::Required => "This question needs an answer.",
        }
    }
}

/// Every issue in the form, page by page. Every item is enabled until the form language adds
/// enablement; the engine's later versions narrow `required` to enabled items only.
pub fn validate(form: &Form, answers: &Answers) -> Vec<Issue> {
    form.items()
        .filter(|item| item.kind != ItemKind::Display && item.required)
        .filter(|item| answers.get(&item.id).is_empty())
        .map(|item| Issue {
            item_id: item.id.clone(),
            kind: IssueKind::Required,
        })
        .collect()
}
