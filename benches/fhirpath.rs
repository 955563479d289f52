//! Criterion benchmarks: compile once, evaluate many times, over the expressions in
//! `benches/expressions.json` on the FHIRPath suite's inputs.

use criterion::{Criterion, criterion_group, criterion_main};
use intake::fhirpath::{Clock, EvalContext, compile};
use std::hint::black_box;

const INPUT: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../shared/fixtures/fhirpath/fhir-test-cases-r4/input/"
);
const LIST: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/benches/expressions.json");

#[expect(clippy::unwrap_used, reason = "benchmarks panic on broken fixtures")]
fn bench(c: &mut Criterion) {
    let list: Vec<serde_json::Value> =
        serde_json::from_str(&std::fs::read_to_string(LIST).unwrap()).unwrap();
    let ctx = EvalContext::new(Clock::parse("2024-01-02T10:00:00.000+00:00").unwrap());
    let mut g = c.benchmark_group("evaluate");
    for item in &list {
        let expr = item["expr"].as_str().unwrap();
        let path = format!("{INPUT}{}", item["input"].as_str().unwrap());
        let input: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
        let compiled = compile(expr).unwrap();
        g.bench_function(expr, |b| {
            b.iter(|| compiled.evaluate(Some(black_box(&input)), &ctx).unwrap())
        });
    }
    g.finish();
    c.bench_function("compile/Patient.name.where(use = 'official').family", |b| {
        b.iter(|| compile(black_box("Patient.name.where(use = 'official').family")).unwrap())
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
