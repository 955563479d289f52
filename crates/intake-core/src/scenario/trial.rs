//! A trial run of a form with generated answers: every question a patient types or picks
//! answered, the form evaluated, and the QuestionnaireResponse its submission posts checked
//! against the Questionnaire's structure. It is how `intake forms import-check` and the import
//! tests show that an imported Questionnaire runs for a patient, not only that it imports.

use std::{collections::BTreeSet, sync::Arc};

use serde_json::{Map, Value as Json, json};

use crate::{
    domain::Translate,
    engine::{Answers, LaunchContext, answers_from_yaml, evaluate, initial_answers},
    forms::{Bound, Form, Item, ItemKind, sdc},
    mapping::{ChartSnapshot, ExtractContext, extract},
};

/// The patient a trial run is for: a birth date and a gender, as most forms read.
fn trial_patient() -> Json {
    json!({"resourceType": "Patient", "id": "p1", "gender": "female", "birthDate": "1970-01-01",
        "name": [{"use": "official", "family": "Trial", "given": ["Tess"]}]})
}

/// The launch context of a trial run: [`trial_patient`], at noon UTC on 2026-01-01, with a
/// chart that has nothing on file (`%MedicationStatement` and the others empty Bundles).
pub fn trial_launch() -> LaunchContext {
    let now = time::macros::datetime!(2026-01-01 12:00 UTC);
    LaunchContext {
        patient: Some(Arc::new(trial_patient())),
        appointment: None,
        today: now.date(),
        now_millis: crate::clock::millis(now),
        utc_offset: time::UtcOffset::UTC,
        variables: ChartSnapshot::default().variables().into_iter().collect(),
    }
}

/// An answer for every question of `items` a patient types or picks (not calculated or
/// read-only ones, files or references), as scenario files write them: the first option of a
/// choice, a value within an item's bounds, one instance of a repeating group; a repeating item
/// with a `min_occurs` gets that many (the first options of a choice, copies of the instance).
fn generated(items: &[Item]) -> Map<String, Json> {
    let mut given = Map::new();
    for item in items {
        if item.calculated.is_some() || item.read_only {
            continue;
        }
        let value = match item.kind {
            ItemKind::Display | ItemKind::Attachment | ItemKind::Reference => continue,
            ItemKind::Group if item.repeats => {
                let inner = generated(&item.items);
                if inner.is_empty() {
                    continue;
                }
                Json::Array(vec![Json::Object(inner); least(item)])
            }
            ItemKind::Group => {
                given.extend(generated(&item.items));
                continue;
            }
            _ if item.repeats && least(item) > 1 && !item.options.is_empty() => item
                .options
                .iter()
                .take(least(item))
                .map(|option| json!({ "code": option.code }))
                .collect(),
            _ if !item.options.is_empty() => match item.options.first() {
                Some(option) => json!({ "code": option.code }),
                None => continue,
            },
            ItemKind::Boolean => json!(true),
            ItemKind::Integer | ItemKind::Decimal | ItemKind::Quantity => {
                match (&item.min, &item.max) {
                    (Some(Bound::Number(min)), _) => json!(min.ceil() as i64),
                    (_, Some(Bound::Number(max))) => json!(max.floor() as i64),
                    _ => json!(1),
                }
            }
            ItemKind::Date => json!("2000-01-01"),
            ItemKind::DateTime => json!("2000-01-01T10:00:00Z"),
            ItemKind::Time => json!("10:00:00"),
            ItemKind::String | ItemKind::Text => json!("An answer"),
            ItemKind::Url => json!("https://example.org/"),
            ItemKind::OpenChoice => json!("Something else"),
            ItemKind::Choice => continue,
        };
        given.insert(item.id.clone(), value);
    }
    given
}

/// How many answers (or instances) [`generated`] gives a repeating item: its `min_occurs`, at
/// least one.
fn least(item: &Item) -> usize {
    item.min_occurs
        .map_or(1, |n| usize::try_from(n).unwrap_or(1))
        .max(1)
}

/// Answers to every question of `form` a patient types or picks (see [`generated`]), as the
/// engine holds them.
pub fn generated_answers(form: &Form) -> Result<Answers, String> {
    let items: Vec<Item> = form
        .sections
        .iter()
        .flat_map(|s| s.items.iter().cloned())
        .collect();
    answers_from_yaml(items.iter(), &generated(&items))
}

/// Whether `id` is answered in the form's scope: among `items` or, through groups that do not
/// repeat, their children (not inside a repeating group's instances), and not read-only.
fn in_form_scope(items: &[&Item], id: &str) -> bool {
    items.iter().any(|item| {
        (item.id == id && !item.read_only)
            || (item.kind == ItemKind::Group
                && !item.repeats
                && in_form_scope(&item.items.iter().collect::<Vec<_>>(), id))
    })
}

/// What a trial run of a form gave: the QuestionnaireResponse its submission posts, the linkIds
/// the evaluation enabled, and the issues that would stop the patient submitting.
#[derive(Debug, Clone)]
pub struct TrialRun {
    /// The QuestionnaireResponse (status `completed`).
    pub response: Json,
    /// The linkIds of the enabled items.
    pub enabled: BTreeSet<String>,
    /// `linkId: message` of each issue that blocks submission, in `words`.
    pub blocking: Vec<String>,
}

/// Why a form does not run for a patient; each names the item.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TrialFailure {
    /// No answers could be generated for it.
    #[error("no answers can be generated: {0}")]
    Answers(String),
    /// With every question answered, something still stops submission.
    #[error("does not submit: {}", .0.join("; "))]
    Blocked(Vec<String>),
    /// The response it posts has not the Questionnaire's structure.
    #[error("its response has not the Questionnaire's structure: {}", .0.join("; "))]
    Shape(Vec<String>),
}

impl TrialFailure {
    /// What failed, without the items, for tallies.
    pub fn feature(&self) -> &'static str {
        match self {
            Self::Answers(_) => "runs: generated answers refused",
            Self::Blocked(_) => "runs: does not submit with every question answered",
            Self::Shape(_) => "runs: response not shaped like the Questionnaire",
        }
    }
}

/// Runs `form` in [`trial_launch`] with the answers a draft starts with and, over them,
/// [`generated_answers`]: evaluates it, extracts the submission, and reads back the response and what blocks it; messages in `words`.
pub fn trial_run(form: &Form, words: &dyn Translate) -> Result<TrialRun, TrialFailure> {
    // What a draft starts with (initial values, prefill from the patient), then the patient's.
    let launch = trial_launch();
    let mut answers = initial_answers(form, &launch);
    for (id, given) in generated_answers(form)
        .map_err(TrialFailure::Answers)?
        .iter()
    {
        answers.set(id, given.clone());
    }
    let mut evaluation = evaluate(form, &launch, &answers);
    // A choice whose list the answers compute is answered from the list they gave.
    let mut picked = false;
    for (id, listed) in &evaluation.answer_options {
        if let Some(first) = listed.first()
            && answers.get(id).is_empty()
            && in_form_scope(
                &form
                    .sections
                    .iter()
                    .flat_map(|s| &s.items)
                    .collect::<Vec<_>>(),
                id,
            )
        {
            answers.set(id, vec![crate::engine::Answer::Choice(first.code.clone())]);
            picked = true;
        }
    }
    if picked {
        evaluation = evaluate(form, &launch, &answers);
    }
    let context = ExtractContext {
        words,
        submission_id: uuid::Uuid::from_u128(1),
        patient_reference: "Patient/p1",
        authored: "2026-01-01T12:00:00Z",
    };
    let changes = extract(form, &evaluation.answers, &context);
    let response = changes
        .into_iter()
        .next()
        .map(|change| change.resource)
        .unwrap_or(Json::Null);
    let enabled = evaluation
        .enabled
        .iter()
        .filter_map(|id| form.link_id_of(id).map(str::to_owned))
        .collect();
    let blocking = evaluation
        .blocking_issues()
        .iter()
        .map(|issue| {
            let item = form.link_id_of(&issue.item_id).unwrap_or(&issue.item_id);
            format!("`{item}`: {}", issue.kind.message(words))
        })
        .collect();
    Ok(TrialRun {
        response,
        enabled,
        blocking,
    })
}

impl TrialRun {
    /// Whether the run submits and its response has `questionnaire`'s structure (every linkId
    /// at its place, required items answered when enabled, cardinalities).
    pub fn check(&self, questionnaire: &Json) -> Result<(), TrialFailure> {
        if !self.blocking.is_empty() {
            return Err(TrialFailure::Blocked(self.blocking.clone()));
        }
        let issues = sdc::validate_response(questionnaire, &self.response, &|link_id| {
            self.enabled.contains(link_id)
        });
        if issues.is_empty() {
            Ok(())
        } else {
            Err(TrialFailure::Shape(
                issues.iter().map(ToString::to_string).collect(),
            ))
        }
    }
}

#[cfg(test)]
#[path = "trial_tests.rs"]
mod tests;
