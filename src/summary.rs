//! The clinician's pre-visit summary, as data: what the patient answered and what they asked
//! to change on the chart, in the form's order.

use crate::{
    engine::Answers,
    forms::{Form, ItemKind},
};

/// One screen for the clinician.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PreVisitSummary {
    /// The form's title.
    pub form_title: String,
    /// Answered questions, section by section.
    pub sections: Vec<SummarySection>,
}

/// A section with at least one answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SummarySection {
    /// Its heading.
    pub title: String,
    /// Question and answer pairs.
    pub answers: Vec<SummaryAnswer>,
}

/// A question and what the patient said.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SummaryAnswer {
    /// The question.
    pub question: String,
    /// The answers, as the patient would read them.
    pub answers: Vec<String>,
}

/// Builds the summary in `language`. Unanswered questions and empty sections are left out.
pub fn summarize(form: &Form, answers: &Answers, language: &str) -> PreVisitSummary {
    let sections = form
        .sections
        .iter()
        .filter_map(|section| {
            let answers: Vec<SummaryAnswer> = section
                .items
                .iter()
                .filter(|item| item.kind != ItemKind::Display)
                .filter_map(|item| {
                    let given = answers.get(&item.id);
                    (!given.is_empty()).then(|| SummaryAnswer {
                        question: item.text.in_language(language).to_owned(),
                        answers: given.iter().map(|a| a.display(item, language)).collect(),
                    })
                })
                .collect();
            (!answers.is_empty()).then(|| SummarySection {
                title: section.title.in_language(language).to_owned(),
                answers,
            })
        })
        .collect();
    PreVisitSummary {
        form_title: form.title.in_language(language).to_owned(),
        sections,
    }
}
