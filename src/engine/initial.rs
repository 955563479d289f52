//! First answers, from the launch context: SDC `initialExpression` and literal `initial` values,
//! applied once when a draft starts. Spec: <https://build.fhir.org/ig/HL7/sdc/populate.html>

use super::{Answer, Answers, Evaluator, LaunchContext};
use crate::forms::{ExtractHook, Form, Item, ItemKind, answer_from_literal, on_file};

/// The answers a new draft starts with. Items inside repeating groups start empty (they have
/// no instance yet), except groups about what is on file: one instance per current entry of
/// that kind in the chart read (`%MedicationStatement`...), holding the entry's reference and
/// name.
pub fn initial_answers(form: &Form, launch: &LaunchContext) -> Answers {
    let evaluator = Evaluator::new(form, launch);
    let mut answers = Answers::default();
    for section in &form.sections {
        fill(&section.items, &evaluator, launch, &mut answers);
    }
    answers
}

fn on_file_instances(group: &str, kind: ExtractHook, launch: &LaunchContext) -> Vec<Answer> {
    let Some(bundle) = launch.variables.get(kind.resource_type()) else {
        return Vec::new();
    };
    on_file::current_entries(bundle)
        .into_iter()
        .map(|(reference, name)| {
            let mut instance = Answers::default();
            instance.set(&on_file::entry_id(group), vec![Answer::String(reference)]);
            instance.set(&on_file::name_id(group), vec![Answer::String(name)]);
            Answer::Group(instance)
        })
        .collect()
}

fn fill(items: &[Item], evaluator: &Evaluator<'_>, launch: &LaunchContext, answers: &mut Answers) {
    for item in items {
        match item.kind {
            ItemKind::Group if !item.repeats => fill(&item.items, evaluator, launch, answers),
            ItemKind::Group => {
                if let Some(kind) = item.on_file {
                    answers.set(&item.id, on_file_instances(&item.id, kind, launch));
                }
            }
            ItemKind::Display => {}
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
