//! The front desk's worklist with 100,000 appointments, on SQLite and on Postgres: its p50 and
//! p95 for a day's first page, a later page and a search, through `Services::worklist` (the
//! page's query and the day's counts, as the handler calls them). Target: p95 under 50 ms.
//!
//! `cargo bench --bench worklist` (or `scripts/worklist-bench.sh`). Postgres is the one at
//! `INTAKE_TEST_POSTGRES_URL` (default `postgres://postgres@127.0.0.1:5432/postgres`), where a
//! throwaway database is made. `INTAKE_BENCH_APPOINTMENTS` changes the count (e.g. 100 to see
//! that the cost does not grow with the table); `INTAKE_BENCH_KEEP=1` keeps the databases and
//! prints where they are, for `EXPLAIN`.

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
    intake::{Services, WORKLIST_PAGE_SIZE, WorklistRequest},
    store::PageDirection,
};
use uuid::Uuid;

/// Days the schedule spreads over.
const DAYS: i64 = 365;

const GIVEN: [&str; 8] = [
    "Ana", "Ben", "Chen", "Dara", "Eli", "Fatima", "Goran", "Hana",
];

/// Statements inserting `count` appointments with invitations, messages, drafts, submissions
/// and changes in proportions like a clinic's: most invited, some re-sent, a third answering,
/// a quarter submitted, a few messages failed and a few changes held.
fn load_statements(backend: Backend, count: i64, store: &intake::store::Store) -> Vec<String> {
    let mut dice = Dice(0x5eed_1234_abcd_0001);
    let mut tables: HashMap<&str, Vec<String>> = HashMap::new();
    let u = |id: Uuid| backend.uuid(id);
    for n in 0..count {
        let day = FIRST_DAY + (n % DAYS) * DAY;
        let starts_at = day + 8 * 3_600_000 + i64::try_from(dice.below(10 * 60)).unwrap() * 60_000;
        let appointment = Uuid::now_v7();
        let name = format!(
            "{} {}",
            GIVEN[usize::try_from(dice.below(8)).unwrap()],
            FAMILY[usize::try_from(dice.below(10)).unwrap()]
        );
        // Names, record numbers and dates of birth sealed, with their search hashes, as the
        // store writes them.
        let mrn = format!("MRN-{n}");
        tables.entry("appointments").or_default().push(format!(
            "({}, 'urn:mrn', {}, {}, {}, 'Patient/{n}', {starts_at}, 'Follow-up', 'previsit-basic', {day}, '{}', '{}')",
            u(appointment),
            sealed(store, "appointments.patient_value", appointment, &mrn),
            sealed(store, "appointments.patient_name", appointment, &name),
            sealed(store, "appointments.patient_birth_date", appointment, "1970-01-01"),
            store.record_lookup(&mrn),
            store.name_lookups(&name),
        ));
        if !dice.chance(85) {
            continue;
        }
        let resent = dice.chance(10);
        let mut invitation = Uuid::now_v7();
        if resent {
            tables.entry("invitations").or_default().push(format!(
                "({}, {}, 'old-{n}', 'revoked', {}, {}, NULL, NULL)",
                u(invitation),
                u(appointment),
                starts_at + 14 * DAY,
                day - 3 * DAY
            ));
            invitation = Uuid::now_v7();
        }
        let opened = dice.chance(60);
        let verified = opened && dice.chance(80);
        let drafted = verified && dice.chance(85);
        let submitted = drafted && dice.chance(70);
        let locked = !verified && opened && dice.chance(5);
        let status = if submitted {
            "submitted"
        } else if locked {
            "locked"
        } else {
            "open"
        };
        let at = |yes: bool| {
            if yes {
                (day - DAY).to_string()
            } else {
                "NULL".into()
            }
        };
        tables.entry("invitations").or_default().push(format!(
            "({}, {}, 'token-{n}', '{status}', {}, {}, {}, {})",
            u(invitation),
            u(appointment),
            starts_at + 14 * DAY,
            day - 2 * DAY,
            at(opened),
            at(verified)
        ));
        if dice.chance(90) {
            let failed = dice.chance(8);
            tables.entry("messages").or_default().push(format!(
                "({}, {}, {}, 'invitation', 'email', 'patient{n}@example.org', 'en', 'Your visit', '{}', 1, {day}, {}, {day}, {day})",
                u(Uuid::now_v7()),
                u(invitation),
                u(appointment),
                if failed { "failed" } else { "sent" },
                if failed { "'550 mailbox unavailable'" } else { "NULL" }
            ));
        }
        if drafted {
            tables.entry("drafts").or_default().push(format!(
                "({}, 'previsit-basic', 'hash', '{{}}', {day}, {})",
                u(invitation),
                dice.below(3)
            ));
        }
        if submitted {
            let submission = Uuid::now_v7();
            tables.entry("submissions").or_default().push(format!(
                "({}, {}, 'previsit-basic', 'hash', '{{}}', 'Patient/{n}', {day})",
                u(submission),
                u(invitation)
            ));
            for position in 0..3 {
                let state = match dice.below(10) {
                    0 => "held",
                    1 => "failed",
                    2 => "queued",
                    _ => "posted",
                };
                tables.entry("proposed_changes").or_default().push(format!(
                    "({}, {}, {position}, 'Observation', '{{}}', 'A change', '{state}', {day}, {day}, {day})",
                    u(Uuid::now_v7()),
                    u(submission)
                ));
            }
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
            "messages",
            "id, invitation_id, appointment_id, purpose, channel, recipient, language, subject, state, attempts, next_attempt_at, last_error, created_at, updated_at",
        ),
        (
            "drafts",
            "invitation_id, form_id, form_hash, answers, updated_at, page",
        ),
        (
            "submissions",
            "id, invitation_id, form_id, form_hash, answers, patient_ref, submitted_at",
        ),
        (
            "proposed_changes",
            "id, submission_id, position, resource_type, resource, summary, state, next_attempt_at, created_at, updated_at",
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

/// p50 and p95 of `RUNS` calls, in milliseconds.
async fn measure(services: &Services, request: &WorklistRequest) -> (f64, f64, usize) {
    let mut times = Vec::with_capacity(RUNS);
    let mut rows = 0;
    for _ in 0..RUNS {
        let started = Instant::now();
        let page = services.worklist(request).await.expect("worklist");
        times.push(started.elapsed().as_secs_f64() * 1000.0);
        rows = page.entries.len();
    }
    times.sort_by(f64::total_cmp);
    (times[RUNS / 2], times[RUNS * 95 / 100], rows)
}

async fn bench(backend: Backend, name: &str, count: i64) -> bool {
    let dir = tempfile::tempdir().unwrap();
    let url = database(backend, dir.path(), "worklist-bench.db").await;
    let services = services(&url, dir.path()).await;
    let started = Instant::now();
    load(
        backend,
        &url,
        load_statements(backend, count, &services.store),
    )
    .await;
    println!(
        "{name}: {count} appointments loaded in {:.1} s",
        started.elapsed().as_secs_f64()
    );
    let day = time::Date::from_calendar_date(2026, time::Month::July, 1).unwrap();
    let first = WorklistRequest {
        day,
        search: None,
        from: None,
        page_size: WORKLIST_PAGE_SIZE,
    };
    let page = services.worklist(&first).await.unwrap();
    let later = WorklistRequest {
        from: page.later.map(PageDirection::After),
        ..first.clone()
    };
    let search = WorklistRequest {
        search: Some("garcia".into()),
        ..first.clone()
    };
    let mut within = true;
    let mut summary = Vec::new();
    for (what, request) in [
        ("first page", &first),
        ("next page", &later),
        ("search", &search),
    ] {
        let (p50, p95, rows) = measure(&services, request).await;
        within &= p95 < 50.0;
        summary.push(format!("{what} {p95:.1} ms"));
        println!(
            "{name}: {what:<10} {rows:>3} rows of {} that day: p50 {p50:.2} ms, p95 {p95:.2} ms",
            page.day_total
        );
    }
    println!(
        "SUMMARY {name} ({count} appointments): p95 {} -> {}",
        summary.join(", "),
        if within { "under 50 ms" } else { "OVER 50 ms" }
    );
    services.store.close().await;
    if std::env::var("INTAKE_BENCH_KEEP").is_ok_and(|v| v == "1") {
        println!("{name}: kept at {url}");
        std::mem::forget(dir);
    }
    within
}

fn main() {
    let count: i64 = std::env::var("INTAKE_BENCH_APPOINTMENTS")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(100_000);
    let runtime = tokio::runtime::Runtime::new().unwrap();
    runtime.block_on(async {
        let sqlite = bench(Backend::Sqlite, "sqlite", count).await;
        let postgres = bench(Backend::Postgres, "postgres", count).await;
        println!(
            "worklist p95 under 50 ms: sqlite {}, postgres {}",
            if sqlite { "yes" } else { "NO" },
            if postgres { "yes" } else { "NO" }
        );
    });
}
