//! Every list staff see, and one write-back claim, with 100,000 appointments, 100,000
//! submissions and 50,000 waiting changes (25,000 held for a clinician's review, 25,000 due in
//! the outbox) against the same clinic at 1,000, on SQLite and on Postgres: p50 and p95 of each
//! through `Services`, as the handlers call them, and the ratio of the two sizes' p95s.
//! Target: each p95 under 50 ms, and at most twice the same figure at 1,000.
//!
//! `cargo bench --bench scale` (or `scripts/scale.sh`). Postgres is the one at
//! `INTAKE_TEST_POSTGRES_URL` (default `postgres://postgres@127.0.0.1:5432/postgres`), where
//! throwaway databases are made. `INTAKE_SCALE_SIZE` changes the large size;
//! `INTAKE_SCALE_ONLY=sqlite` (or `postgres`) runs one backend; `INTAKE_BENCH_KEEP=1` keeps the
//! databases and prints where they are, for `EXPLAIN`. The two sizes are measured in
//! alternating rounds, so the load of a shared machine falls on both alike.

#![allow(
    clippy::expect_used,
    clippy::print_stdout,
    clippy::unwrap_used,
    reason = "a benchmark: it prints its figures and stops loudly on a broken setup"
)]

#[expect(
    dead_code,
    reason = "the scale benchmark uses most, not all, of what the benchmarks share"
)]
mod support;

use std::{collections::HashMap, time::Instant};
use support::{Backend, DAY, Dice, FAMILY, FIRST_DAY, RUNS, database, load, services};

use intake::{
    intake::{AuditFilter, QUEUE_PAGE_SIZE, Services, WORKLIST_PAGE_SIZE, WorklistRequest},
    mapping::Reviewer,
    store::{PageDirection, QueueCursor, QueueFilter, StaffRole},
};
use uuid::Uuid;

/// Appointments a day: a busy clinic's. The larger clinic has more days of history, not busier
/// days, so that a day's worklist is the same size in both (a day is what a page counts).
const PER_DAY: i64 = 100;
/// Rows a page of the clinician's list holds, as its handler asks.
const CLINICIAN_PAGE: i64 = 50;
/// How long a claim leases a change, as a worker with the default EHR timeout does.
const LEASE_MS: i64 = 130_000;

/// What the measured pages start from: ids in the middle of the data, and a record number.
struct Probe {
    appointment: Uuid,
    submission: Uuid,
    record_number: String,
}

/// Statements inserting a clinic of `count` appointments, each invited, messaged and
/// submitted, with one posted change each (history) and, for every other submission, one
/// waiting change: held for a clinician, or due in the outbox, in turn. Each change has its
/// audit event, and every other appointment a staff member's view of it.
fn load_statements(backend: Backend, count: i64) -> (Vec<String>, Probe) {
    let mut dice = Dice(0x5eed_1234_abcd_0003);
    let mut tables: HashMap<&str, Vec<String>> = HashMap::new();
    let u = |id: Uuid| backend.uuid(id);
    let viewer = Uuid::now_v7();
    let mut probe = None;
    let days = (count / PER_DAY).max(1);
    for n in 0..count {
        let day = FIRST_DAY + (n % days) * DAY;
        let starts_at = day + 8 * 3_600_000 + i64::try_from(dice.below(600)).unwrap() * 60_000;
        let (appointment, invitation, submission) =
            (Uuid::now_v7(), Uuid::now_v7(), Uuid::now_v7());
        if n == count / 2 {
            probe = Some(Probe {
                appointment,
                submission,
                record_number: format!("MRN-{n}"),
            });
        }
        let name = format!(
            "Pat{n:06} {}",
            FAMILY[usize::try_from(dice.below(10)).unwrap()]
        );
        tables.entry("appointments").or_default().push(format!(
            "({}, 'urn:mrn', 'MRN-{n}', '{name}', '1970-01-01', 'Patient/{n}', {starts_at}, 'Follow-up', 'previsit-basic', {day})",
            u(appointment)
        ));
        tables.entry("invitations").or_default().push(format!(
            "({}, {}, 'token-{n}', 'submitted', {}, {}, {day}, {day})",
            u(invitation),
            u(appointment),
            starts_at + 14 * DAY,
            day - 2 * DAY
        ));
        tables.entry("messages").or_default().push(format!(
            "({}, {}, {}, 'invitation', 'email', 'patient{n}@example.org', 'en', 'Your visit', 'sent', 1, {day}, NULL, {day}, {day})",
            u(Uuid::now_v7()),
            u(invitation),
            u(appointment)
        ));
        tables.entry("submissions").or_default().push(format!(
            "({}, {}, 'previsit-basic', 'hash', '{{}}', 'Patient/{n}', {day})",
            u(submission),
            u(invitation)
        ));
        let key = name.to_lowercase();
        let mut change = |position: i32, state: &str, reason: &str, due: i64| {
            let id = Uuid::now_v7();
            tables.entry("proposed_changes").or_default().push(format!(
                "({}, {}, {position}, 'Observation', '{{}}', 'A change', '{state}', {reason}, 'clinician', '{key}', {due}, {day}, {day})",
                u(id),
                u(submission)
            ));
            tables.entry("audit_events").or_default().push(format!(
                "({}, {day}, 'system', 'change.{state}', 'proposed_change', {}, '{{}}', NULL, NULL)",
                u(Uuid::now_v7()),
                u(id)
            ));
        };
        change(0, "posted", "NULL", day);
        match n % 4 {
            // Due since the start, whatever the clock: the backlog after an outage.
            1 => change(1, "queued", "NULL", FIRST_DAY + n),
            3 => change(1, "held", "'patient-reported'", day),
            _ => {}
        }
        if n % 2 == 0 {
            tables.entry("audit_events").or_default().push(format!(
                "({}, {}, 'staff:{viewer}', 'patient_data.viewed', 'appointment', {}, '{{}}', '127.0.0.1', 'MRN-{n}')",
                u(Uuid::now_v7()),
                day + 60_000,
                u(appointment)
            ));
        }
    }
    let columns = [
        (
            "appointments",
            "id, patient_system, patient_value, patient_name, patient_birth_date, patient_ref, starts_at, visit_type, form_id, created_at",
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
            "submissions",
            "id, invitation_id, form_id, form_hash, answers, patient_ref, submitted_at",
        ),
        (
            "proposed_changes",
            "id, submission_id, position, resource_type, resource, summary, state, hold_reason, reviewer, patient_key, next_attempt_at, created_at, updated_at",
        ),
        (
            "audit_events",
            "id, at, actor, action, subject_kind, subject_id, detail, source, patient",
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
    (statements, probe.expect("a probe"))
}

/// The pages, in the order they print.
const PAGES: [&str; 13] = [
    "worklist, a day's first page",
    "worklist, its next page",
    "worklist, a search",
    "review queue, first page",
    "review queue, next page",
    "clinician's list, first page",
    "clinician's list, mid-list",
    "audit log, newest page",
    "audit log, one patient",
    "appointment page",
    "submission trail",
    "staff accounts",
    "write-back claim",
];

/// Rounds each page's runs are split into, alternating between the two sizes, so that the
/// machine's load at any moment (two cores, shared) falls on both alike.
const ROUNDS: usize = 10;

/// A loaded clinic and where its pages start.
struct Clinic {
    services: Services,
    probe: Probe,
    url: String,
    dir: tempfile::TempDir,
    worklist: [WorklistRequest; 3],
    queue: [Option<QueueCursor>; 2],
    clinical: QueueFilter,
    audit: [AuditFilter; 2],
}

/// A clinic of `count` appointments on `backend`, loaded, with its pages' starting points.
async fn clinic(backend: Backend, name: &str, count: i64) -> Clinic {
    let dir = tempfile::tempdir().unwrap();
    let url = database(backend, dir.path(), "scale-bench.db").await;
    let services = services(&url, dir.path()).await;
    for n in 0..20 {
        let role = if n % 2 == 0 {
            StaffRole::FrontDesk
        } else {
            StaffRole::Clinician
        };
        let user = format!("staff{n:02}");
        services
            .store
            .upsert_staff_user(&user, &user, role, "not-a-hash", FIRST_DAY)
            .await
            .unwrap();
    }
    let started = Instant::now();
    let (statements, probe) = load_statements(backend, count);
    load(backend, &url, statements).await;
    println!(
        "{name}: {count} appointments and submissions, {} waiting changes, loaded in {:.1} s",
        count / 2,
        started.elapsed().as_secs_f64()
    );
    // A day both clinics have, of the same size.
    let day = time::Date::from_calendar_date(2026, time::Month::January, 6).unwrap();
    let first_day = WorklistRequest {
        day,
        search: None,
        from: None,
        page_size: WORKLIST_PAGE_SIZE,
    };
    let later = services.worklist(&first_day).await.unwrap().later;
    let worklist = [
        first_day.clone(),
        WorklistRequest {
            from: later.map(PageDirection::After),
            ..first_day.clone()
        },
        WorklistRequest {
            search: Some("garcia".into()),
            ..first_day
        },
    ];
    let clinical = QueueFilter {
        reviewer: Some(Reviewer::Clinician),
        ..QueueFilter::default()
    };
    let queue_next = services
        .exception_page(&clinical, None, QUEUE_PAGE_SIZE)
        .await
        .unwrap()
        .later;
    let audit = [
        AuditFilter::default(),
        AuditFilter {
            patient: Some(probe.record_number.clone()),
            ..AuditFilter::default()
        },
    ];
    Clinic {
        services,
        probe,
        url,
        dir,
        worklist,
        queue: [None, queue_next],
        clinical,
        audit,
    }
}

/// One visit of page `page` of [`PAGES`] on `clinic`, as its handler makes it; its time in ms.
async fn visit(page: usize, clinic: &Clinic) -> f64 {
    let services = &clinic.services;
    let started = Instant::now();
    match page {
        0..=2 => {
            services.worklist(&clinic.worklist[page]).await.unwrap();
            services
                .exception_count(Some(intake::mapping::Reviewer::FrontDesk))
                .await
                .unwrap();
        }
        3 | 4 => {
            services
                .exception_page(&clinic.clinical, clinic.queue[page - 3], QUEUE_PAGE_SIZE)
                .await
                .unwrap();
        }
        5 | 6 => {
            let from = (page == 6).then_some(QueueCursor::After(clinic.probe.submission));
            let list = services
                .submissions_page(from, CLINICIAN_PAGE)
                .await
                .unwrap();
            let ids: Vec<Uuid> = list.rows.iter().map(|s| s.id).collect();
            services.urgent_flags_of(&ids).await.unwrap();
            services.open_urgent_flags().await.unwrap();
        }
        7 | 8 => {
            services.audit_page(&clinic.audit[page - 7]).await.unwrap();
        }
        9 => {
            services
                .appointment_detail(clinic.probe.appointment)
                .await
                .unwrap();
        }
        10 => {
            services
                .submission_trail(clinic.probe.submission)
                .await
                .unwrap();
        }
        11 => {
            services.accounts().list(None, 51).await.unwrap();
        }
        _ => {
            // One claim of the oldest due change, then (untimed) posted, as a worker's send
            // would leave it.
            let now = services.clock.now_millis();
            let claim = services
                .store
                .claim_next_change(now, LEASE_MS)
                .await
                .unwrap()
                .expect("a change due");
            let took = started.elapsed();
            services
                .store
                .mark_posted(&claim, "Observation/1", now)
                .await
                .unwrap();
            return took.as_secs_f64() * 1000.0;
        }
    }
    started.elapsed().as_secs_f64() * 1000.0
}

/// p50 and p95, in ms.
fn percentiles(mut times: Vec<f64>) -> (f64, f64) {
    times.sort_by(f64::total_cmp);
    (times[times.len() / 2], times[times.len() * 95 / 100])
}

/// Both sizes on `backend`, each page measured in alternating rounds; prints each and a
/// SUMMARY, and says whether every page was within target.
async fn compare(backend: Backend, name: &str, small: i64, large: i64) -> bool {
    let clinics = [
        clinic(backend, name, small).await,
        clinic(backend, name, large).await,
    ];
    let (mut worst, mut slowest) = (0.0_f64, 0.0_f64);
    for (page, what) in PAGES.iter().enumerate() {
        let mut times = [Vec::new(), Vec::new()];
        for _ in 0..ROUNDS {
            for (clinic, times) in clinics.iter().zip(&mut times) {
                for _ in 0..RUNS / ROUNDS {
                    times.push(visit(page, clinic).await);
                }
            }
        }
        let [at_small, at_large] = times;
        let ((s50, s95), (l50, l95)) = (percentiles(at_small), percentiles(at_large));
        let ratio = l95 / s95;
        worst = worst.max(ratio);
        slowest = slowest.max(l95);
        println!(
            "{name}: {what:<30} {small}: p50 {s50:6.2} ms p95 {s95:6.2} ms | {large}: p50 {l50:6.2} ms p95 {l95:6.2} ms | p50 x{:.2} p95 x{ratio:.2}{}",
            l50 / s50,
            if l95 < 50.0 && ratio <= 2.0 {
                ""
            } else {
                "  OVER TARGET"
            }
        );
    }
    let within = slowest < 50.0 && worst <= 2.0;
    println!(
        "SUMMARY {name}: slowest p95 at {large} {slowest:.1} ms (target < 50), largest p95 ratio {large} vs {small} x{worst:.2} (target <= 2): {}",
        if within { "within" } else { "NOT within" }
    );
    for clinic in clinics {
        clinic.services.store.close().await;
        if std::env::var("INTAKE_BENCH_KEEP").is_ok_and(|v| v == "1") {
            println!("{name}: kept at {}", clinic.url);
            std::mem::forget(clinic.dir);
        }
    }
    within
}

fn main() {
    let large: i64 = std::env::var("INTAKE_SCALE_SIZE")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(100_000);
    let only = std::env::var("INTAKE_SCALE_ONLY").unwrap_or_default();
    let runtime = tokio::runtime::Runtime::new().unwrap();
    runtime.block_on(async {
        let mut verdicts = Vec::new();
        for (backend, name) in [(Backend::Sqlite, "sqlite"), (Backend::Postgres, "postgres")] {
            if only.is_empty() || only == name {
                let within = compare(backend, name, 1_000, large).await;
                verdicts.push(format!("{name} {}", if within { "yes" } else { "NO" }));
            }
        }
        println!(
            "every page and claim within target: {}",
            verdicts.join(", ")
        );
    });
}
