//! The photos a patient sent, for the pages staff read and the documents written to the chart.

use super::{Answer, Answers, FileRef, instance_heading};
use crate::forms::{Form, Item, ItemKind};

/// Each photo among `answers`, with its question (in English, as staff read it; inside a
/// repeating group's instance, after the instance's heading), in the form's order. A drawn
/// signature is not a photo: it is kept with its consent.
pub fn photos(form: &Form, answers: &Answers) -> Vec<(String, FileRef)> {
    let mut found = Vec::new();
    for section in &form.sections {
        collect(&section.items, answers, "", &mut found);
    }
    found
}

fn collect(items: &[Item], answers: &Answers, heading: &str, found: &mut Vec<(String, FileRef)>) {
    for item in items {
        match item.kind {
            ItemKind::Attachment if item.drawn_signature_of.is_none() => {
                let title = match heading {
                    "" => item.text.en().to_owned(),
                    heading => format!("{heading}: {}", item.text.en()),
                };
                found.extend(
                    answers
                        .get(&item.id)
                        .iter()
                        .filter_map(|answer| match answer {
                            Answer::Attachment(file) => Some((title.clone(), file.clone())),
                            _ => None,
                        }),
                );
            }
            ItemKind::Group if item.repeats => {
                for (index, instance) in answers.get(&item.id).iter().enumerate() {
                    if let Answer::Group(inner) = instance {
                        let heading = instance_heading(item, inner, index, "en");
                        collect(&item.items, inner, &heading, found);
                    }
                }
            }
            ItemKind::Group => collect(&item.items, answers, heading, found),
            _ => {}
        }
    }
}
