//! The write-back backlog after an EHR outage, on Postgres against HFS: `INTAKE_DRAIN_CHANGES`
//! changes (default 50,000) due at once, two per submission, drained by 1 and then by 4
//! workers, each run on a fresh database. Prints the changes posted per second with each, and
//! how a worker's time splits between the claim and the rest of the send (the EHR's request and
//! recording its answer), measured around each in the same run: a claim that stays a small
//! share of a send, and the same at 4 workers as at 1, is not the bottleneck.
//!
//! `scripts/drain.sh` starts HFS and runs `cargo bench --bench drain`; the FHIR server is
//! `INTAKE_TEST_FHIR_URL`, Postgres `INTAKE_TEST_POSTGRES_URL` (default local, trust).

#![allow(
    clippy::expect_used,
    clippy::print_stdout,
    clippy::unwrap_used,
    reason = "a benchmark: it prints its figures and stops loudly on a broken setup"
)]

#[expect(
    dead_code,
    reason = "the drain uses only part of what the benchmarks share"
)]
mod support;

use std::time::{Duration, Instant};
use support::{Backend, DAY, FIRST_DAY, database, load, services_with};

use intake::{
    app::worker_settings,
    intake::Services,
    writeback::{SendOutcome, WorkerSettings, claim, deliver},
};
use uuid::Uuid;

/// How long a worker keeps looking once nothing is due (the last changes of a submission wait
/// for their sibling in flight), before it counts the backlog as drained.
const IDLE_GIVE_UP: Duration = Duration::from_millis(500);

/// An Observation HFS accepts as it is (its validation is on); the worker adds the change's
/// identifier.
const RESOURCE: &str = r#"{"resourceType": "Observation", "status": "final", "code": {"text": "Blood pressure"}, "valueString": "128/84"}"#;

/// Statements inserting `count` changes due since the outage began, two per submission.
fn load_statements(count: i64) -> Vec<String> {
    let u = |id: Uuid| Backend::Postgres.uuid(id);
    let (mut appointments, mut invitations, mut submissions, mut changes) =
        (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    for n in 0..(count + 1) / 2 {
        let at = FIRST_DAY + n;
        let (appointment, invitation, submission) =
            (Uuid::now_v7(), Uuid::now_v7(), Uuid::now_v7());
        appointments.push(format!(
            "({}, 'urn:mrn', 'MRN-{n}', 'Pat{n:06} Garcia', '1970-01-01', 'Patient/{n}', {}, 'Follow-up', 'previsit-basic', {at})",
            u(appointment),
            at + DAY
        ));
        invitations.push(format!(
            "({}, {}, 'token-{n}', 'submitted', {}, {at}, {at}, {at})",
            u(invitation),
            u(appointment),
            at + 14 * DAY
        ));
        submissions.push(format!(
            "({}, {}, 'previsit-basic', 'hash', '{{}}', 'Patient/{n}', {at})",
            u(submission),
            u(invitation)
        ));
        for position in 0..2 {
            changes.push(format!(
                "({}, {}, {position}, 'Observation', '{RESOURCE}', 'A change', 'queued', 'clinician', {at}, {at}, {at})",
                u(Uuid::now_v7()),
                u(submission)
            ));
        }
    }
    let mut statements = Vec::new();
    for (table, names, rows) in [
        (
            "appointments",
            "id, patient_system, patient_value, patient_name, patient_birth_date, patient_ref, starts_at, visit_type, form_id, created_at",
            appointments,
        ),
        (
            "invitations",
            "id, appointment_id, token_hash, status, expires_at, created_at, opened_at, verified_at",
            invitations,
        ),
        (
            "submissions",
            "id, invitation_id, form_id, form_hash, answers, patient_ref, submitted_at",
            submissions,
        ),
        (
            "proposed_changes",
            "id, submission_id, position, resource_type, resource, summary, state, reviewer, next_attempt_at, created_at, updated_at",
            changes,
        ),
    ] {
        for chunk in rows.chunks(1000) {
            statements.push(format!(
                "INSERT INTO {table} ({names}) VALUES {}",
                chunk.join(", ")
            ));
        }
    }
    statements
}

/// What one worker did: changes posted, and the time of each claim and of each delivery, in ms.
#[derive(Default)]
struct Tally {
    posted: usize,
    other: usize,
    claims: Vec<f64>,
    sends: Vec<f64>,
}

/// Claims and delivers until nothing has been due for [`IDLE_GIVE_UP`].
async fn worker(services: Services, settings: WorkerSettings) -> Tally {
    let mut tally = Tally::default();
    let mut idle_since: Option<Instant> = None;
    loop {
        let started = Instant::now();
        let claimed = claim(&services, &settings).await.expect("claim");
        let claimed_at = Instant::now();
        let Some(change) = claimed else {
            let since = *idle_since.get_or_insert(started);
            if since.elapsed() > IDLE_GIVE_UP {
                return tally;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
            continue;
        };
        idle_since = None;
        let outcome = deliver(&services, &settings, change)
            .await
            .expect("deliver");
        tally
            .claims
            .push((claimed_at - started).as_secs_f64() * 1000.0);
        tally
            .sends
            .push(claimed_at.elapsed().as_secs_f64() * 1000.0);
        if outcome == SendOutcome::Posted {
            tally.posted += 1;
        } else {
            tally.other += 1;
        }
    }
}

fn percentile(times: &mut [f64], p: usize) -> f64 {
    times.sort_by(f64::total_cmp);
    times.get(times.len() * p / 100).copied().unwrap_or(0.0)
}

/// Drains `count` due changes with `workers` workers; returns changes posted per second.
async fn drain(fhir: &str, count: i64, workers: usize) -> f64 {
    let dir = tempfile::tempdir().unwrap();
    let url = database(Backend::Postgres, dir.path(), "").await;
    let (services, config) = services_with(
        &url,
        dir.path(),
        &[("INTAKE_EHR_FHIR_URL", fhir.to_owned())],
    )
    .await;
    load(Backend::Postgres, &url, load_statements(count)).await;
    let settings = worker_settings(&config);
    let started = Instant::now();
    let handles: Vec<_> = (0..workers)
        .map(|_| tokio::spawn(worker(services.clone(), settings)))
        .collect();
    let mut all = Tally::default();
    for handle in handles {
        let tally = handle.await.unwrap();
        all.posted += tally.posted;
        all.other += tally.other;
        all.claims.extend(tally.claims);
        all.sends.extend(tally.sends);
    }
    // The last worker gave up after IDLE_GIVE_UP of nothing due: not part of the drain.
    let seconds = (started.elapsed().saturating_sub(IDLE_GIVE_UP)).as_secs_f64();
    let rate = all.posted as f64 / seconds;
    let claimed: f64 = all.claims.iter().sum();
    let sent: f64 = all.sends.iter().sum();
    let (claim50, claim95) = (
        percentile(&mut all.claims, 50),
        percentile(&mut all.claims, 95),
    );
    let (send50, send95) = (
        percentile(&mut all.sends, 50),
        percentile(&mut all.sends, 95),
    );
    println!(
        "postgres, {workers} worker(s): {} of {count} posted ({} otherwise) in {seconds:.1} s: {rate:.1} changes/s",
        all.posted, all.other
    );
    println!(
        "postgres, {workers} worker(s): claim p50 {claim50:.2} ms p95 {claim95:.2} ms; rest of the send (EHR request, recording it) p50 {send50:.2} ms p95 {send95:.2} ms; claims are {:.1}% of the workers' time",
        100.0 * claimed / (claimed + sent)
    );
    services.store.close().await;
    rate
}

fn main() {
    let fhir = std::env::var("INTAKE_TEST_FHIR_URL")
        .expect("INTAKE_TEST_FHIR_URL: the FHIR server to drain to (scripts/drain.sh starts HFS)");
    let count: i64 = std::env::var("INTAKE_DRAIN_CHANGES")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(50_000);
    let runtime = tokio::runtime::Runtime::new().unwrap();
    runtime.block_on(async {
        let one = drain(&fhir, count, 1).await;
        let four = drain(&fhir, count, 4).await;
        println!(
            "SUMMARY drain of {count} due changes to HFS on Postgres: 1 worker {one:.1}/s, 4 workers {four:.1}/s (x{:.2})",
            four / one
        );
    });
}
