//! Times each expression of `benches/expressions.json` (compile once, evaluate many times)
//! and prints `{"<expr>": ns_per_iter, ...}` as JSON; used by `benches/compare_fhirpath.sh`.

use intake::fhirpath::{Clock, EvalContext, compile};
use std::collections::BTreeMap;
use std::time::{Duration, Instant};

const INPUT: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../shared/fixtures/fhirpath/fhir-test-cases-r4/input/"
);
const LIST: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/benches/expressions.json");

#[expect(
    clippy::print_stdout,
    clippy::unwrap_used,
    reason = "a benchmark tool: prints JSON, panics on broken fixtures"
)]
fn main() {
    let list: Vec<serde_json::Value> =
        serde_json::from_str(&std::fs::read_to_string(LIST).unwrap()).unwrap();
    let budget = Duration::from_millis(
        std::env::args()
            .nth(1)
            .and_then(|a| a.parse().ok())
            .unwrap_or(300),
    );
    let ctx = EvalContext::new(Clock::parse("2024-01-02T10:00:00.000+00:00").unwrap());
    let mut out = BTreeMap::new();
    for item in &list {
        let expr = item["expr"].as_str().unwrap();
        let input: serde_json::Value = serde_json::from_str(
            &std::fs::read_to_string(format!("{INPUT}{}", item["input"].as_str().unwrap()))
                .unwrap(),
        )
        .unwrap();
        let c = compile(expr).unwrap();
        c.evaluate(Some(&input), &ctx).unwrap();
        // calibrate, then measure
        let mut iters = 1u64;
        loop {
            let t = Instant::now();
            for _ in 0..iters {
                std::hint::black_box(
                    c.evaluate(Some(std::hint::black_box(&input)), &ctx)
                        .unwrap(),
                );
            }
            let el = t.elapsed();
            if el >= budget {
                out.insert(expr.to_string(), el.as_nanos() as f64 / iters as f64);
                break;
            }
            iters = if el.as_nanos() == 0 {
                iters * 100
            } else {
                (iters * 2).max(
                    (iters as f64 * budget.as_nanos() as f64 / el.as_nanos() as f64 * 1.1) as u64,
                )
            };
        }
    }
    println!("{}", serde_json::to_string(&out).unwrap());
}
