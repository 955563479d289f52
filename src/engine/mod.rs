//! Evaluation of a form against answers: parsing what a patient typed, and the issues that
//! stop a submission. Pure and synchronous.

mod answers;
mod input;
mod validate;

pub use answers::{Answer, Answers, iso_date};
pub use input::{FieldError, PageInput, parse_page};
pub use validate::{Issue, IssueKind, validate};
