//! Evaluation of a form against answers and a launch context: parsing what a patient typed,
//! enablement per repeat instance, calculated values, validation and flags. Pure and synchronous.

mod answers;
mod bind;
mod evaluate;
mod initial;
mod input;
mod literal;
mod photos;
mod query;
mod questionnaire_response;
mod response;
mod validate;

pub use answers::{Answer, Answers, FileRef, instance_heading, iso_date};
pub use evaluate::{Evaluation, Evaluator, LaunchContext, RaisedFlag, evaluate};
pub use initial::initial_answers;
pub use input::{
    FieldError, InputProblem, MAX_TEXT_CHARS, MediaError, PageInput, page_fields, page_groups,
    parse_answer, parse_page,
};
pub use literal::{answer_from_literal, answers_from_yaml};
pub use photos::photos;
pub use query::{fill_query, form_searches, observation_link_key, query_result};
pub use questionnaire_response::{answer_value, response_items};
pub use response::answers_from_response;
pub use validate::{Issue, IssueKind, check_item, too_many_changes};
#[cfg(test)]
mod imported_tests;
#[cfg(test)]
mod searched_tests;
#[cfg(test)]
mod tests;
