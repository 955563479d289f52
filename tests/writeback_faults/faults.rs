//! 2,000 submissions written back by the real worker through a proxy that injects every kind of
//! EHR failure on a seeded schedule: each change is posted exactly once or waits in the
//! exception queue, no retry comes before the EHR's `Retry-After`, and every refusal reaches
//! staff with the EHR's own words.

use std::{
    collections::HashMap,
    sync::Arc,
    time::{Duration, Instant},
};

use intake::{
    app,
    config::{Config, Overrides},
    engine::{Answer, Answers},
    forms::{Form, FormId},
    intake::Services,
    mapping::{ChartSnapshot, ExtractContext, Reviewer, Route, RoutedChange, propose},
    store::{ChangeRecord, ChangeState, NewSubmission},
    writeback::run_worker,
};
use tokio_util::sync::CancellationToken;
use uuid::Uuid;

use crate::{
    patient::{FORM, invitation},
    proxy::{Fault, FaultProxy, Schedule, refusal_diagnostics},
    support::{
        ChartPatient, ONE_AT_A_TIME, drain, every_change, fhir_server_url, fresh_database,
        patient_on_hfs, report, seed, tally,
    },
};

const SUBMISSIONS: usize = 2000;
/// Workers sharing the outbox (Postgres hands each change to one of them).
const WORKERS: usize = 8;
/// Intake's EHR timeout here; a hang lasts longer.
const CLIENT_TIMEOUT: Duration = Duration::from_millis(500);
/// How long the write-back may take, all faults included.
const DRAIN_DEADLINE: Duration = Duration::from_secs(300);

/// Per thousand: a quarter of the sends and a tenth of the lookups fail, in every way an EHR
/// (or what stands in front of it) fails; a 3-second outage comes 8 seconds in.
fn schedule(seed: u64) -> Schedule {
    Schedule {
        seed,
        first_writes: None,
        writes: vec![
            (Fault::ServerError, 40),
            (Fault::BadGatewayAfterCommit, 15),
            (Fault::Unavailable(None), 20),
            (Fault::Unavailable(Some(1)), 20),
            (Fault::TooManyRequests(1), 25),
            (Fault::TooManyRequests(2), 10),
            (Fault::Hang, 15),
            (Fault::HangAfterCommit, 15),
            (Fault::DropAfterCommit, 40),
            (Fault::SlowCommit, 15),
            (Fault::GatewayTimeout, 15),
            (Fault::Unprocessable, 20),
            (Fault::PreconditionFailed, 15),
        ],
        reads: vec![
            (Fault::ServerError, 30),
            (Fault::Unavailable(Some(1)), 15),
            (Fault::TooManyRequests(1), 20),
            (Fault::Hang, 10),
            (Fault::DropAfterCommit, 25),
        ],
        outage: Some((Duration::from_secs(8), Duration::from_secs(3))),
        client_timeout: CLIENT_TIMEOUT,
        latency: Duration::ZERO,
    }
}

/// The real write-back worker, `workers` of them, in this process, sending through `proxy_url`.
struct Writeback {
    services: Services,
    shutdown: CancellationToken,
    workers: Vec<tokio::task::JoinHandle<()>>,
    _dir: tempfile::TempDir,
}

impl Writeback {
    async fn start(proxy_url: &str, workers: usize) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let vars = HashMap::from([
            ("DATABASE_URL", fresh_database().await),
            (
                "INTAKE_DATA_KEY_FILE",
                super::support::data_key_file().display().to_string(),
            ),
            ("INTAKE_DATA_DIR", dir.path().display().to_string()),
            (
                "INTAKE_FORMS_DIR",
                concat!(env!("CARGO_MANIFEST_DIR"), "/forms").to_owned(),
            ),
            ("INTAKE_EHR_FHIR_URL", proxy_url.to_owned()),
            ("INTAKE_WORKER_POLL_MS", "20".to_owned()),
            ("INTAKE_WORKER_BACKOFF_MS", "50".to_owned()),
        ]);
        let mut config =
            Config::from_lookup(|name| vars.get(name).cloned(), &Overrides::default()).unwrap();
        config.ehr_timeout = CLIENT_TIMEOUT;
        let services = app::services(&config, false, app::system_clock())
            .await
            .unwrap();
        let shutdown = CancellationToken::new();
        let workers = (0..workers)
            .map(|_| {
                tokio::spawn(run_worker(
                    services.clone(),
                    app::worker_settings(&config),
                    shutdown.clone(),
                ))
            })
            .collect();
        Self {
            services,
            shutdown,
            workers,
            _dir: dir,
        }
    }

    /// Submits `count` submissions, `at_once` patients at a time, each with its first
    /// `changes_each` changes (3: the answers, an allergy, the Provenance).
    async fn submit(
        &self,
        patient: &ChartPatient,
        count: usize,
        at_once: usize,
        changes_each: usize,
    ) {
        let form = self
            .services
            .forms
            .get(&FormId::parse(FORM).unwrap())
            .expect("the form");
        let producers: Vec<_> = (0..at_once)
            .map(|p| {
                let (services, form, patient) =
                    (self.services.clone(), form.clone(), patient.clone());
                tokio::spawn(async move {
                    for n in (p..count).step_by(at_once) {
                        if n % 20 == 0 {
                            keep_pace(&services).await;
                        }
                        submit(&services, &form, &patient, changes_each).await;
                    }
                })
            })
            .collect();
        for producer in producers {
            producer.await.unwrap();
        }
    }

    /// Waits until the outbox is empty, and stops the workers.
    async fn drain(self, deadline: Duration) -> Services {
        drain(&self.services.store, deadline).await;
        self.shutdown.cancel();
        for worker in self.workers {
            worker.await.unwrap();
        }
        self.services
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_thousand_submissions_under_injected_faults_are_posted_once_or_queued_for_staff() {
    let _one = ONE_AT_A_TIME.lock().await;
    let hfs = fhir_server_url();
    let seed = seed(20_260_507);
    let patient = patient_on_hfs(&hfs).await;
    let started = Instant::now();
    let proxy = FaultProxy::start(&hfs, schedule(seed)).await;
    let writeback = Writeback::start(&proxy.url, WORKERS).await;
    // Patients submit while the workers drain, as in a clinic's morning.
    writeback.submit(&patient, SUBMISSIONS, 4, 3).await;
    let submitted_in = started.elapsed();
    let services = writeback.drain(DRAIN_DEADLINE).await;
    let drained_in = started.elapsed();

    let (submissions, changes) = every_change(&services.store).await;
    let tally = tally(&hfs, &changes).await;
    let early = proxy.early_retries();
    let refused = proxy.refused();
    let by_id: HashMap<Uuid, &ChangeRecord> = changes.iter().map(|c| (c.identifier.0, c)).collect();
    // Each refusal is in the exception queue with the EHR's words, and is not passed off as a
    // version conflict (no change here carries a version).
    let unreported: Vec<String> = refused
        .iter()
        .filter(|(id, fault)| {
            by_id.get(id).is_none_or(|c| {
                let error = c.last_error.as_deref().unwrap_or_default();
                c.state != ChangeState::Failed
                    || !error.contains(refusal_diagnostics(**fault))
                    || error.contains("the chart changed")
            })
        })
        .map(|(id, fault)| {
            let change = by_id.get(id);
            format!(
                "{id} ({fault:?}): {:?} {:?}",
                change.map(|c| c.state),
                change.and_then(|c| c.last_error.as_deref())
            )
        })
        .collect();
    let gave_up = changes
        .iter()
        .filter(|c| c.state == ChangeState::Failed && !refused.contains_key(&c.identifier.0))
        .count();
    let retried = changes.iter().filter(|c| c.attempts > 1).count();
    report(&format!(
        "faults: {} submissions, {} changes: {} posted once, {} in the exception queue \
         ({} refused with 422/412, {gave_up} given up after {} attempts, {} of them already on \
         the chart), {} lost, {} duplicated, {} early retries, {} refusals without the \
         EHR's words; {retried} changes needed more than one attempt; injected: {}; \
         seed {seed}; submitted in {:.1}s, drained in {:.1}s",
        submissions,
        tally.changes,
        tally.posted_once,
        tally.waiting(),
        refused.len(),
        intake::writeback::MAX_ATTEMPTS,
        tally.failed_but_on_chart,
        tally.lost.len(),
        tally.duplicated.len(),
        early.len(),
        unreported.len(),
        proxy.describe_faults(),
        submitted_in.as_secs_f64(),
        drained_in.as_secs_f64(),
    ));

    assert_eq!(submissions, SUBMISSIONS);
    assert_eq!(
        tally.changes,
        3 * SUBMISSIONS,
        "QR, allergy, Provenance each"
    );
    tally.assert_exactly_once("faults");
    assert!(
        early.is_empty(),
        "retries before Retry-After had elapsed (change, how early): {:?}",
        &early[..early.len().min(20)]
    );
    assert!(
        unreported.is_empty(),
        "refused changes not in the exception queue with the EHR's words: {:?}",
        &unreported[..unreported.len().min(20)]
    );
    assert!(
        !refused.is_empty() && tally.posted_once > SUBMISSIONS,
        "the schedule injected refusals and most changes got through"
    );
}

const SLOW_COMMITS: usize = 20;

/// Every change's first send goes unanswered while the EHR is still creating it, and lands up
/// to half a timeout after the client gave up. A retry that came meanwhile would find nothing
/// and send again alongside it, and HFS (like HAPI) then creates two.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_retry_waits_until_a_send_the_ehr_may_still_be_working_on_has_landed() {
    slow_commits(Fault::SlowCommit).await;
}

/// The same behind a gateway that answers 504 at once while the EHR goes on creating.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_retry_after_a_gateway_timeout_waits_until_the_send_has_landed() {
    slow_commits(Fault::GatewayTimeout).await;
}

async fn slow_commits(fault: Fault) {
    let _one = ONE_AT_A_TIME.lock().await;
    let hfs = fhir_server_url();
    let patient = patient_on_hfs(&hfs).await;
    let proxy = FaultProxy::start(
        &hfs,
        Schedule {
            first_writes: Some(fault),
            client_timeout: CLIENT_TIMEOUT,
            ..Schedule::latency_only(Duration::ZERO)
        },
    )
    .await;
    // One change per submission and a worker for each, so every retry comes as soon as the
    // worker's backoff allows (changes of one submission are sent one at a time).
    let writeback = Writeback::start(&proxy.url, SLOW_COMMITS).await;
    writeback
        .submit(&patient, SLOW_COMMITS, SLOW_COMMITS, 1)
        .await;
    let services = writeback.drain(Duration::from_secs(60)).await;
    let (_, changes) = every_change(&services.store).await;
    let tally = tally(&hfs, &changes).await;
    report(&format!(
        "slow commits: {} changes, each first sent to an EHR that was still creating it after the \
         client had its answer: {} posted once, {} lost, {} duplicated; {}",
        tally.changes,
        tally.posted_once,
        tally.lost.len(),
        tally.duplicated.len(),
        proxy.describe_faults(),
    ));
    tally.assert_exactly_once("slow commits");
    assert_eq!(tally.posted_once, SLOW_COMMITS);
}

/// Patients arrive about as fast as the workers post: the claim reads every due change, so a
/// backlog of thousands would make each claim cost tens of milliseconds and the test minutes.
/// (The outage still builds a backlog of a few hundred.)
async fn keep_pace(services: &Services) {
    const BACKLOG: i64 = 300;
    loop {
        let counts = services.store.queue_counts().await.unwrap();
        let queued: i64 = counts
            .by_state
            .iter()
            .filter(|(state, _, _)| state == "queued")
            .map(|(_, _, n)| n)
            .sum();
        if queued < BACKLOG {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Stores one submission whose first `changes_each` changes (of the answers, one allergy, the
/// Provenance) all post on their own.
async fn submit(
    services: &Services,
    form: &Arc<Form>,
    patient: &ChartPatient,
    changes_each: usize,
) {
    let now = services.clock.now_millis();
    let (invitation_id, _) = invitation(&services.store, patient, now).await;
    let mut answers = Answers::default();
    answers.set("reason", vec![Answer::String("Cough for two weeks".into())]);
    answers.set("new_allergies", vec![Answer::String("Latex".into())]);
    let id = Uuid::now_v7();
    let context = ExtractContext {
        words: intake::i18n::Language::english(),
        submission_id: id,
        patient_reference: &patient.reference,
        authored: "2026-11-22T10:00:00Z",
    };
    let changes = propose(form, &answers, &context, &ChartSnapshot::default())
        .changes
        .into_iter()
        .take(changes_each)
        .map(|change| RoutedChange {
            change,
            route: Route::Post,
            reviewer: Reviewer::FrontDesk,
        })
        .collect();
    services
        .store
        .submit(&NewSubmission {
            id,
            invitation_id,
            form_id: form.id.clone(),
            form_hash: form.content_hash.clone(),
            answers,
            patient_ref: patient.reference.clone(),
            submitted_at: now,
            changes,
            consents: Vec::new(),
            flags: Vec::new(),
            language: "en".into(),
            staff_notes: Vec::new(),
        })
        .await
        .unwrap();
}
