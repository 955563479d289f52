//! First answers, from the launch context: SDC `initialExpression` and literal `initial` values,
//! applied once when a draft starts. Spec: <https://build.fhir.org/ig/HL7/sdc/populate.html>

use super::{Answer, Answers, Evaluator, LaunchContext};
use crate::forms::{Form, Item, ItemKind, answer_from_literal};

/// The answers a new draft starts with. Items inside repeating groups start empty (they have
/// no instance yet).
pub fn initial_answers(form: &Form, launch: &LaunchContext) -> Answers {
    let evaluator = Evaluator::new(form, launch);
    let mut answers = Answers::default();
    for section in &form.sections {
        fill(&section.items, &evaluator, &mut answers);
    }
    answers
}

fn fill(items: &[Item], evaluator: &Evaluator<'_>, answers: &mut Answers) {
    for item in items {
        match item.kind {
            ItemKind::Group if !item.repeats => fill(&item.items, evaluator, answers),
            ItemKind::Group | ItemKind::Display => {}
            _ => {
                let values: Vec<Answer> = match (&item.initial, &item.initial_value) {
                    (Some(expression), _) => evaluator.evaluate_for(item, expression),
                    (None, Some(literal)) => {
                        answer_from_literal(item, literal).into_iter().collect()
                    }
                    (None, None) => vec![],
                };
                answers.set(&item.id, values);
            }
        }
    }
}
