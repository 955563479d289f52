//! `kill -9` of the server and the worker at random moments while 500 patients submit: every
//! submission a patient saw confirmed is stored, and each of its changes is posted exactly once
//! or waits in the exception queue.

use std::time::{Duration, Instant};

use crate::{
    patient::{invitation, walk_all},
    processes::{Intake, Setup},
    proxy::{FaultProxy, Schedule},
    support::{
        ONE_AT_A_TIME, Rng, connect, drain, every_change, fhir_server_url, fresh_database,
        patient_on_hfs, report, seed, submitted_invitations, tally,
    },
};

const SUBMISSIONS: usize = 500;
const PATIENTS_AT_ONCE: usize = 8;
/// A killed worker's lease (6 × the 1 s EHR timeout + 10 s) runs out within this, and the rest
/// drains.
const DRAIN_DEADLINE: Duration = Duration::from_secs(120);

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn killing_the_server_and_the_worker_at_random_moments_loses_and_duplicates_nothing() {
    let _one = ONE_AT_A_TIME.lock().await;
    let hfs = fhir_server_url();
    let database_url = fresh_database().await;
    let seed = seed(6_062_026);
    let started = Instant::now();
    let store = connect(&database_url).await;
    let patient = patient_on_hfs(&hfs).await;
    // The worker's answers come 15 ms after HFS committed, so kills often land in between.
    let proxy = FaultProxy::start(&hfs, Schedule::latency_only(Duration::from_millis(15))).await;
    let dir = tempfile::tempdir().unwrap();
    let setup = Setup {
        database_url: database_url.clone(),
        dir: dir.path().to_owned(),
    };
    let mut server = Intake::server(&setup, "server", &hfs);
    let mut worker = Intake::worker(&setup, "worker", &proxy.url);
    server.start().await;
    worker.start().await;

    let now = intake::clock::millis(time::OffsetDateTime::now_utc());
    let mut invitations = Vec::new();
    for _ in 0..SUBMISSIONS {
        invitations.push(invitation(&store, &patient, now).await);
    }
    let patients = walk_all(
        &[server.url.clone().unwrap()],
        invitations,
        patient.birth_date,
        PATIENTS_AT_ONCE,
    );
    let mut rng = Rng::new(seed);
    while !patients.is_finished() {
        tokio::time::sleep(rng.millis(300, 2000)).await;
        server.assert_running();
        worker.assert_running();
        let (kill_server, kill_worker) = match rng.below(5) {
            0 | 1 => (true, false),
            2 | 3 => (false, true),
            _ => (true, true),
        };
        if kill_server {
            server.kill().await;
        }
        if kill_worker {
            worker.kill().await;
        }
        tokio::time::sleep(rng.millis(0, 300)).await;
        if kill_server {
            server.start().await;
        }
        if kill_worker {
            worker.start().await;
        }
    }
    let walks = patients.await.unwrap();
    let submitted_in = started.elapsed();
    drain(&store, DRAIN_DEADLINE).await;
    server.assert_running();
    worker.assert_running();
    let drained_in = started.elapsed();

    let stored = submitted_invitations(&database_url).await;
    let confirmed: Vec<_> = walks.iter().filter(|w| w.confirmed.is_ok()).collect();
    let unconfirmed: Vec<_> = walks.iter().filter(|w| w.confirmed.is_err()).collect();
    let confirmed_but_lost = confirmed
        .iter()
        .filter(|w| !stored.contains(&w.invitation_id))
        .count();
    let (submissions, changes) = every_change(&store).await;
    let tally = tally(&hfs, &changes).await;
    let resent = changes.iter().filter(|c| c.attempts > 1).count();
    report(&format!(
        "crash: {SUBMISSIONS} patients, {} saw their submission confirmed ({submissions} stored, \
         {confirmed_but_lost} confirmed but not stored); {} changes: {} posted once, {} waiting \
         in the exception queue, {} lost, {} duplicated; kill -9: server {} times, worker {} \
         times; {resent} changes taken over after a killed worker's lease ran out; seed {seed}; \
         submitted in {:.1}s, drained in {:.1}s",
        confirmed.len(),
        tally.changes,
        tally.posted_once,
        tally.waiting(),
        tally.lost.len(),
        tally.duplicated.len(),
        server.kills,
        worker.kills,
        submitted_in.as_secs_f64(),
        drained_in.as_secs_f64(),
    ));

    assert!(
        unconfirmed.is_empty(),
        "patients who never saw the confirmation: {:?}",
        &unconfirmed[..unconfirmed.len().min(10)]
    );
    assert_eq!(confirmed_but_lost, 0, "a confirmed submission was lost");
    tally.assert_exactly_once("crash");
    assert!(
        server.kills > 0 && worker.kills > 0,
        "both processes were killed"
    );
}
