//! The review queue with 100,000 changes waiting, on SQLite and on Postgres, against the same
//! queue with 100 in the same run: p50 and p95 of its first page, a next page and a filtered
//! page (by patient, one kind of change), through `Services::exception_page` (the page's query
//! and its capped count, as the handler calls them), and the ratio of the two sizes' p95s.
//! A page should cost the same whatever the queue holds: a ratio near 1.
//!
//! `cargo bench --bench queue` (or `scripts/queue-bench.sh`). Postgres is the one at
//! `INTAKE_TEST_POSTGRES_URL` (default `postgres://postgres@127.0.0.1:5432/postgres`), where
//! throwaway databases are made. `INTAKE_BENCH_CHANGES` changes the large count;
//! `INTAKE_BENCH_KEEP=1` keeps the databases and prints where they are, for `EXPLAIN`.

#![allow(
    clippy::expect_used,
    clippy::print_stdout,
    clippy::unwrap_used,
    reason = "a benchmark: it prints its figures and stops loudly on a broken setup"
)]

mod support;

use std::{collections::HashMap, time::Instant};
use support::{Backend, DAY, Dice, FAMILY, FIRST_DAY, RUNS, database, load, sealed, services};

use intake::{
    intake::{QUEUE_PAGE_SIZE, Services},
    mapping::{ResourceType, Reviewer},
    store::{QueueCursor, QueueFilter, QueueSort},
};
use uuid::Uuid;

/// Clinical kinds of change, in the shares a clinic's reported changes come in.
const KINDS: [&str; 5] = [
    "AllergyIntolerance",
    "MedicationStatement",
    "MedicationStatement",
    "Condition",
    "Observation",
];

/// Statements inserting `count` waiting changes (held for a clinician, a few failed), two per
/// submission, each submission with its appointment and invitation, plus as many posted
/// changes (history the queue must not read).
fn load_statements(backend: Backend, count: i64, store: &intake::store::Store) -> Vec<String> {
    let mut dice = Dice(0x5eed_1234_abcd_0002);
    let mut tables: HashMap<&str, Vec<String>> = HashMap::new();
    let u = |id: Uuid| backend.uuid(id);
    for n in 0..(count + 1) / 2 {
        let at = FIRST_DAY + n * 60_000;
        let (appointment, invitation, submission) =
            (Uuid::now_v7(), Uuid::now_v7(), Uuid::now_v7());
        let name = format!(
            "Pat{n:06} {}",
            FAMILY[usize::try_from(dice.below(10)).unwrap()]
        );
        // Names, record numbers and dates of birth sealed, with their search hashes, as the
        // store writes them.
        let mrn = format!("MRN-{n}");
        tables.entry("appointments").or_default().push(format!(
            "({}, 'urn:mrn', {}, {}, {}, 'Patient/{n}', {}, 'Follow-up', 'previsit-basic', {at}, '{}', '{}')",
            u(appointment),
            sealed(store, "appointments.patient_value", appointment, &mrn),
            sealed(store, "appointments.patient_name", appointment, &name),
            sealed(store, "appointments.patient_birth_date", appointment, "1970-01-01"),
            at + DAY,
            store.record_lookup(&mrn),
            store.name_lookups(&name),
        ));
        tables.entry("invitations").or_default().push(format!(
            "({}, {}, 'token-{n}', 'submitted', {}, {at}, {at}, {at})",
            u(invitation),
            u(appointment),
            at + 14 * DAY
        ));
        tables.entry("submissions").or_default().push(format!(
            "({}, {}, 'previsit-basic', 'hash', '{{}}', 'Patient/{n}', {at})",
            u(submission),
            u(invitation)
        ));
        let key = name.to_lowercase();
        for position in 0..4 {
            let kind = KINDS[usize::try_from(dice.below(5)).unwrap()];
            let change = Uuid::now_v7();
            let (state, reason) = match (position, dice.chance(5)) {
                (0 | 1, false) => ("held", "'patient-reported'"),
                (0 | 1, true) => ("failed", "'rejected-by-ehr'"),
                _ => ("posted", "NULL"),
            };
            tables.entry("proposed_changes").or_default().push(format!(
                "({}, {}, {position}, '{kind}', {}, {}, '{state}', {reason}, 'clinician', '{key}', {at}, {at}, {at})",
                u(change),
                u(submission),
                sealed(store, "proposed_changes.resource", change, "{}"),
                sealed(store, "proposed_changes.summary", change, "A change"),
            ));
        }
    }
    let columns = [
        (
            "appointments",
            "id, patient_system, patient_value, patient_name, patient_birth_date, patient_ref, starts_at, visit_type, form_id, created_at, patient_lookup, name_lookup",
        ),
        (
            "invitations",
            "id, appointment_id, token_hash, status, expires_at, created_at, opened_at, verified_at",
        ),
        (
            "submissions",
            "id, invitation_id, form_id, form_hash, answers, patient_ref, submitted_at",
        ),
        (
            "proposed_changes",
            "id, submission_id, position, resource_type, resource, summary, state, hold_reason, reviewer, patient_key, next_attempt_at, created_at, updated_at",
        ),
    ];
    let mut statements = Vec::new();
    for (table, names) in columns {
        for chunk in tables.remove(table).unwrap_or_default().chunks(1000) {
            statements.push(format!(
                "INSERT INTO {table} ({names}) VALUES {}",
                chunk.join(", ")
            ));
        }
    }
    statements
}

/// p50 and p95 of `RUNS` calls, in milliseconds, and the rows of the last.
async fn measure(
    services: &Services,
    filter: &QueueFilter,
    from: Option<QueueCursor>,
) -> (f64, f64, usize) {
    let mut times = Vec::with_capacity(RUNS);
    let mut rows = 0;
    for _ in 0..RUNS {
        let started = Instant::now();
        let page = services
            .exception_page(filter, from, QUEUE_PAGE_SIZE)
            .await
            .expect("page");
        times.push(started.elapsed().as_secs_f64() * 1000.0);
        rows = page.items.len();
    }
    times.sort_by(f64::total_cmp);
    (times[RUNS / 2], times[RUNS * 95 / 100], rows)
}

/// The p95 of each page, in the order first, next, filtered.
async fn bench(backend: Backend, name: &str, count: i64) -> Vec<f64> {
    let dir = tempfile::tempdir().unwrap();
    let url = database(backend, dir.path(), "queue-bench.db").await;
    let services = services(&url, dir.path()).await;
    let started = Instant::now();
    load(
        backend,
        &url,
        load_statements(backend, count, &services.store),
    )
    .await;
    println!(
        "{name}: {count} waiting changes loaded in {:.1} s",
        started.elapsed().as_secs_f64()
    );
    let clinical = QueueFilter {
        reviewer: Some(Reviewer::Clinician),
        ..QueueFilter::default()
    };
    let first = services
        .exception_page(&clinical, None, QUEUE_PAGE_SIZE)
        .await
        .unwrap();
    let filtered = QueueFilter {
        resource_type: Some(ResourceType::Condition),
        sort: QueueSort::Patient,
        ..clinical
    };
    let mut p95s = Vec::new();
    for (what, filter, from) in [
        ("first page", &clinical, None),
        ("next page", &clinical, first.later),
        ("filtered", &filtered, None),
    ] {
        let (p50, p95, rows) = measure(&services, filter, from).await;
        p95s.push(p95);
        println!(
            "{name} ({count}): {what:<10} {rows:>3} rows, {} matching: p50 {p50:.2} ms, p95 {p95:.2} ms",
            first.matching
        );
    }
    services.store.close().await;
    if std::env::var("INTAKE_BENCH_KEEP").is_ok_and(|v| v == "1") {
        println!("{name}: kept at {url}");
        std::mem::forget(dir);
    }
    p95s
}

fn main() {
    let count: i64 = std::env::var("INTAKE_BENCH_CHANGES")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(100_000);
    let runtime = tokio::runtime::Runtime::new().unwrap();
    runtime.block_on(async {
        for (backend, name) in [(Backend::Sqlite, "sqlite"), (Backend::Postgres, "postgres")] {
            let small = bench(backend, name, 100).await;
            let large = bench(backend, name, count).await;
            let ratios: Vec<String> = ["first page", "next page", "filtered"]
                .iter()
                .zip(small.iter().zip(&large))
                .map(|(what, (s, l))| format!("{what} {l:.1} ms vs {s:.1} ms (x{:.2})", l / s))
                .collect();
            println!(
                "SUMMARY {name}: p95 with {count} waiting vs 100: {}",
                ratios.join(", ")
            );
        }
    });
}
