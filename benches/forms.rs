//! Re-evaluating a form after one answer changes: what the engine does on every page save.
//! The forms are the largest we have: the SDC cardiology form (142 items, imported from the
//! shared fixtures) and our own adult pre-visit intake. `cargo bench --bench forms`

#![allow(
    clippy::expect_used,
    reason = "a benchmark: a broken fixture should stop it loudly"
)]

use std::{hint::black_box, path::Path};

use criterion::{Criterion, criterion_group, criterion_main};
use intake::{
    app::form_files,
    engine::{Answers, Evaluator, LaunchContext, answers_from_response, evaluate},
    forms::{Form, FormId, FormLibrary, answers_from_yaml, load_scenarios, sdc},
};
use serde_json::Value as Json;
use time::macros::date;

const FIXTURES: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../shared/fixtures/questionnaires/intake/"
);

/// One of our forms, with the answers of its scenario case that answers the most.
fn our_form(id: &str) -> (Form, Answers) {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("forms");
    let files = form_files(std::slice::from_ref(&dir)).expect("forms/");
    let library = FormLibrary::compile(files.iter().map(|(f, s)| (f.as_str(), s.as_str())))
        .expect("forms compile");
    let form = library
        .get(&FormId::parse(id).expect("id"))
        .expect("form")
        .as_ref()
        .clone();
    let scenarios =
        std::fs::read_to_string(dir.join(format!("{id}.test.yaml"))).expect("scenarios");
    let scenarios = load_scenarios(id, &scenarios).expect("scenarios parse");
    let case = scenarios
        .cases
        .iter()
        .max_by_key(|c| c.answers.len())
        .expect("a case");
    let answers = answers_from_yaml(
        form.sections.iter().flat_map(|s| s.items.iter()),
        &case.answers,
    )
    .expect("answers");
    (form, answers)
}

/// The SDC cardiology form and its example response (Maria Santos).
fn cardiology() -> (Form, Answers) {
    let source =
        std::fs::read_to_string(format!("{FIXTURES}sdc-Questionnaire-CardiologyForm.json"))
            .expect("fixture");
    // The fixture's e-mail constraint has an unescaped `'` inside a FHIRPath string.
    let source = source.replace("&'*+", "&\\\\'*+");
    let form = sdc::import(&serde_json::from_str(&source).expect("JSON")).expect("imports");
    let response: Json = serde_json::from_str(
        &std::fs::read_to_string(format!(
            "{FIXTURES}sdc-QuestionnaireResponse-Cardiology-MariaSantos.json"
        ))
        .expect("fixture"),
    )
    .expect("JSON");
    let answers = answers_from_response(&form, &response).expect("the response fits the form");
    (form, answers)
}

fn reevaluate(c: &mut Criterion) {
    let launch = LaunchContext {
        patient: Some(
            serde_json::json!({ "resourceType": "Patient", "birthDate": "1950-03-01", "gender": "female" }).into(),
        ),
        appointment: None,
        today: date!(2026 - 11 - 22),
        now_millis: 1_795_340_000_000,
        utc_offset: time::UtcOffset::UTC,
        // As a page save binds them: the chart read, here a chart with nothing on file.
        variables: intake::mapping::ChartSnapshot::default()
            .variables()
            .into_iter()
            .collect(),
    };
    for (name, (form, answers)) in [
        ("cardiology", cardiology()),
        ("adult-previsit", our_form("adult-previsit")),
    ] {
        let items = form.items().count();
        // Alternately clear and restore one answer: the change a page save brings.
        let mut changed = answers.clone();
        if let Some(first) = answers.iter().next().map(|(id, _)| id.clone()) {
            changed.set(&first, vec![]);
        }
        let states = [answers.clone(), changed];
        c.bench_function(
            &format!("evaluate {name} ({items} items) from scratch"),
            |b| {
                let mut step = 0;
                b.iter(|| {
                    step += 1;
                    black_box(evaluate(&form, &launch, &states[step % 2]))
                })
            },
        );
        c.bench_function(
            &format!("re-evaluate {name} ({items} items) after one answer"),
            |b| {
                let mut evaluator = Evaluator::new(&form, &launch);
                let mut step = 0;
                b.iter(|| {
                    step += 1;
                    black_box(evaluator.evaluate(&states[step % 2]))
                })
            },
        );
    }
}

criterion_group!(benches, reevaluate);
criterion_main!(benches);
