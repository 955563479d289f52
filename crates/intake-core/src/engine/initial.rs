//! First answers, from the launch context: SDC `initialExpression`, `itemPopulationContext`,
//! `observationLinkPeriod` and literal `initial` values, applied once when a draft starts.
//! Spec: <https://build.fhir.org/ig/HL7/sdc/populate.html>

use std::sync::Arc;

use serde_json::Value as Json;

use super::{
    Answer, Answers, Evaluator, LaunchContext, answer_from_literal,
    bind::{Bound, Scope},
    iso_date,
    query::observation_link_key,
};
use crate::{
    fhirpath::{self, Clock, EvalContext},
    forms::{ExtractHook, Form, Item, ItemKind, LinkPeriod, on_file},
};

/// The answers a new draft starts with. Items inside repeating groups start empty (they have
/// no instance yet), except groups about what is on file: one instance per current entry of
/// that kind in the chart read (`%MedicationStatement`...), holding the entry's reference and
/// name; and groups with a population context: one instance per value it gives, its children's
/// initial expressions reading that value by the context's name.
pub fn initial_answers(form: &Form, launch: &LaunchContext) -> Answers {
    let evaluator = Evaluator::new(form, launch);
    let mut answers = Answers::default();
    let fill = Fill {
        evaluator: &evaluator,
        launch,
    };
    for section in &form.sections {
        fill.items(&section.items, None, &mut answers);
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

struct Fill<'a, 'f> {
    evaluator: &'a Evaluator<'f>,
    launch: &'a LaunchContext,
}

impl Fill<'_, '_> {
    /// Fills `items`; `overlay` binds the population contexts of the groups around them.
    fn items(&self, items: &[Item], overlay: Option<&Scope>, answers: &mut Answers) {
        for item in items {
            match item.kind {
                ItemKind::Group => self.group(item, overlay, answers),
                ItemKind::Display => {}
                _ => {
                    let values: Vec<Answer> = match (&item.initial, &item.initial_value) {
                        (Some(expression), _) => {
                            self.evaluator.evaluate_for(item, expression, overlay)
                        }
                        (None, Some(literal)) => {
                            answer_from_literal(item, literal).into_iter().collect()
                        }
                        (None, None) => item
                            .observation_link
                            .as_ref()
                            .map(|period| self.linked_observation(item, period))
                            .unwrap_or_default(),
                    };
                    answers.set(&item.id, values);
                }
            }
        }
    }

    fn group(&self, item: &Item, overlay: Option<&Scope>, answers: &mut Answers) {
        let Some(context) = &item.population_context else {
            if !item.repeats {
                self.items(&item.items, overlay, answers);
            } else if let Some(kind) = item.on_file {
                answers.set(&item.id, on_file_instances(&item.id, kind, self.launch));
            }
            return;
        };
        let values = self.evaluator.values_of(&context.expression, overlay);
        let scope_of = |value: Arc<Json>| {
            let mut scope = overlay.cloned().unwrap_or_default();
            scope.set(&context.name, vec![Bound::Element(value, "")]);
            scope
        };
        if item.repeats {
            let instances = values
                .into_iter()
                .map(|value| {
                    let mut instance = Answers::default();
                    self.items(&item.items, Some(&scope_of(value)), &mut instance);
                    Answer::Group(instance)
                })
                .collect();
            answers.set(&item.id, instances);
        } else {
            let scope = values.into_iter().next().map(scope_of);
            self.items(&item.items, scope.as_ref().or(overlay), answers);
        }
    }

    /// The value of the newest Observation of the item's code, if it is recent enough (SDC
    /// `observationLinkPeriod`): a number for a number or quantity item, a code for a choice.
    fn linked_observation(&self, item: &Item, period: &LinkPeriod) -> Vec<Answer> {
        let launch = self.launch;
        let Some(bundle) = launch.variables.get(&observation_link_key(&item.id)) else {
            return Vec::new();
        };
        let Some(observation) = bundle["entry"][0].get("resource") else {
            return Vec::new();
        };
        let when = ["effectiveDateTime", "effectiveInstant", "issued"]
            .iter()
            .find_map(|k| observation[k].as_str())
            .or_else(|| observation["effectivePeriod"]["start"].as_str())
            .unwrap_or_default();
        let earliest = iso_date(period.earliest(launch.today));
        if when.get(..10).unwrap_or(when) < earliest.as_str() {
            return Vec::new();
        }
        let path = match item.kind {
            ItemKind::Integer | ItemKind::Decimal | ItemKind::Quantity => "value.value",
            ItemKind::Choice | ItemKind::OpenChoice => "value.coding.code",
            _ => "value",
        };
        let clock = Clock::from_unix_millis(launch.now_millis, launch.utc_offset.whole_minutes());
        let context = EvalContext::new(clock);
        fhirpath::compile(path)
            .ok()
            .and_then(|compiled| compiled.evaluate(Some(observation), &context).ok())
            .map(|coll| super::bind::answers_from(item, &coll))
            .unwrap_or_default()
    }
}
