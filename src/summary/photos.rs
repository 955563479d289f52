//! The photos a patient sent, for the pages staff read.

use crate::{
    engine::{Answer, Answers, FileRef},
    forms::{Form, ItemKind},
};

/// Each photo among `answers`, with its question (in English, as staff read it), in the
/// form's order.
pub fn photos(form: &Form, answers: &Answers) -> Vec<(String, FileRef)> {
    form.items()
        .filter(|item| item.kind == ItemKind::Attachment)
        .flat_map(|item| {
            answers
                .get(&item.id)
                .iter()
                .filter_map(|answer| match answer {
                    Answer::Attachment(file) => Some((item.text.en().to_owned(), file.clone())),
                    _ => None,
                })
        })
        .collect()
}
