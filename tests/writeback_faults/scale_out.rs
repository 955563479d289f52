//! Two server processes and two worker processes on one Postgres database: patients submit
//! through both servers, both workers drain the one outbox, and no change is posted twice.

use std::time::{Duration, Instant};

use crate::{
    patient::{invitation, walk_all},
    processes::{Intake, Setup},
    proxy::{FaultProxy, Schedule},
    support::{
        ONE_AT_A_TIME, connect, drain, every_change, fhir_server_url, fresh_database,
        patient_on_hfs, report, submitted_invitations, tally,
    },
};

const SUBMISSIONS: usize = 200;
const PATIENTS_AT_ONCE: usize = 8;
const DRAIN_DEADLINE: Duration = Duration::from_secs(60);

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_servers_and_two_workers_on_one_database_post_each_change_once() {
    let _one = ONE_AT_A_TIME.lock().await;
    let hfs = fhir_server_url();
    let database_url = fresh_database().await;
    let started = Instant::now();
    let store = connect(&database_url).await;
    let patient = patient_on_hfs(&hfs).await;
    // One proxy per worker, to count each worker's sends; both add a little latency so the
    // workers' sends overlap.
    let proxies = [
        FaultProxy::start(&hfs, Schedule::latency_only(Duration::from_millis(10))).await,
        FaultProxy::start(&hfs, Schedule::latency_only(Duration::from_millis(10))).await,
    ];
    let dir = tempfile::tempdir().unwrap();
    let setup = Setup {
        database_url: database_url.clone(),
        dir: dir.path().to_owned(),
    };
    let mut processes = vec![
        Intake::server(&setup, "server-1", &hfs),
        Intake::server(&setup, "server-2", &hfs),
        Intake::worker(&setup, "worker-1", &proxies[0].url),
        Intake::worker(&setup, "worker-2", &proxies[1].url),
    ];
    for process in &mut processes {
        process.start().await;
    }
    let bases: Vec<String> = processes.iter().filter_map(|p| p.url.clone()).collect();

    let now = intake::clock::millis(time::OffsetDateTime::now_utc());
    let mut invitations = Vec::new();
    for _ in 0..SUBMISSIONS {
        invitations.push(invitation(&store, &patient, now).await);
    }
    let walks = walk_all(&bases, invitations, patient.birth_date, PATIENTS_AT_ONCE)
        .await
        .unwrap();
    drain(&store, DRAIN_DEADLINE).await;
    for process in &mut processes {
        process.assert_running();
    }
    let elapsed = started.elapsed();

    let stored = submitted_invitations(&database_url).await;
    let confirmed = walks
        .iter()
        .filter(|w| w.confirmed.is_ok() && stored.contains(&w.invitation_id))
        .count();
    let (submissions, changes) = every_change(&store).await;
    let tally = tally(&hfs, &changes).await;
    let sends: Vec<u64> = proxies
        .iter()
        .map(|p| p.counts().get("passed").copied().unwrap_or_default())
        .collect();
    report(&format!(
        "scale-out: 2 servers, 2 workers, {submissions} submissions ({confirmed} confirmed and \
         stored), {} changes: {} posted once, {} waiting in the exception queue, {} lost, {} \
         duplicated; EHR requests by worker: {} and {}; {:.1}s",
        tally.changes,
        tally.posted_once,
        tally.waiting(),
        tally.lost.len(),
        tally.duplicated.len(),
        sends[0],
        sends[1],
        elapsed.as_secs_f64(),
    ));

    assert_eq!(
        confirmed, SUBMISSIONS,
        "every patient saw a stored submission confirmed"
    );
    tally.assert_exactly_once("scale-out");
    assert!(
        sends.iter().all(|n| *n > 0),
        "both workers sent changes: {sends:?}"
    );
}
