//! What the three tests share: the servers they need, a seeded random source, and the count of
//! each change's copies on the FHIR server.

use std::{
    collections::HashMap,
    io::Write,
    time::{Duration, Instant},
};

use intake::store::{ChangeRecord, ChangeState, Store};
use serde_json::{Value, json};
use uuid::Uuid;

/// Runs the tests one at a time (see the binary's doc).
pub static ONE_AT_A_TIME: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

/// The FHIR server `scripts/test` started (HFS). Without it the test fails, saying why.
pub fn fhir_server_url() -> String {
    std::env::var("INTAKE_TEST_FHIR_URL").unwrap_or_else(|_| {
        panic!("INTAKE_TEST_FHIR_URL is not set: the write-back fault tests need the real FHIR server (HFS) that scripts/test installs and starts")
    })
}

/// The Postgres server `scripts/test` found or started. Without it the test fails, saying why.
fn postgres_admin_url() -> String {
    std::env::var("INTAKE_TEST_POSTGRES_URL").unwrap_or_else(|_| {
        panic!("INTAKE_TEST_POSTGRES_URL is not set: the write-back fault tests need the Postgres server that scripts/test finds or starts")
    })
}

/// A fresh, empty Postgres database (scripts/test drops `intake_test_*` when it ends).
pub async fn fresh_database() -> String {
    use sqlx::Connection;
    let admin = postgres_admin_url();
    let mut connection = sqlx::PgConnection::connect(&admin)
        .await
        .unwrap_or_else(|e| panic!("Postgres is not reachable at {admin} ({e})"));
    let name = format!("intake_test_{}", Uuid::new_v4().simple());
    sqlx::raw_sql(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
        .execute(&mut connection)
        .await
        .expect("create the test database");
    let (base, _) = admin
        .rsplit_once('/')
        .expect("the admin URL names a database");
    format!("{base}/{name}")
}

/// The key-encryption key file every process of this test binary shares (made once, in the
/// system's temp folder), as `INTAKE_DATA_KEY_FILE` is shared by a deployment's processes.
pub fn data_key_file() -> std::path::PathBuf {
    static FILE: std::sync::OnceLock<std::path::PathBuf> = std::sync::OnceLock::new();
    FILE.get_or_init(|| {
        let path = std::env::temp_dir().join(format!(
            "intake-test-data-key-{}-{}",
            std::process::id(),
            Uuid::new_v4().simple()
        ));
        intake::crypt::KeyEncryptionKey::generate()
            .unwrap()
            .write_new(&path)
            .unwrap();
        path
    })
    .clone()
}

/// The store of `database_url`, opened with [`data_key_file`] as the processes open it.
pub async fn connect(database_url: &str) -> Store {
    let key = intake::crypt::KeyEncryptionKey::read(&data_key_file()).unwrap();
    Store::open(database_url, true, &key).await.unwrap()
}

/// The seed of a test's random choices: `INTAKE_TEST_SEED` to replay or explore, else fixed.
pub fn seed(default: u64) -> u64 {
    std::env::var("INTAKE_TEST_SEED")
        .ok()
        .map(|s| s.parse().expect("INTAKE_TEST_SEED is a whole number"))
        .unwrap_or(default)
}

/// SplitMix64: small, seeded, and the same on every machine.
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Self(seed)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in `0..n`.
    pub fn below(&mut self, n: u64) -> u64 {
        self.next_u64() % n
    }

    /// A duration between `low` and `high` milliseconds.
    pub fn millis(&mut self, low: u64, high: u64) -> Duration {
        Duration::from_millis(low + self.below(high - low + 1))
    }
}

/// Prints a test's result line where `cargo test` shows it even when the test passes.
pub fn report(line: &str) {
    drop(writeln!(std::io::stderr(), "\n{line}"));
}

/// An HTTP client for talking to HFS directly.
pub fn http() -> reqwest::Client {
    drop(rustls::crypto::ring::default_provider().install_default());
    reqwest::Client::new()
}

/// A patient on HFS: their record number, reference and date of birth.
#[derive(Debug, Clone)]
pub struct ChartPatient {
    pub mrn: String,
    pub reference: String,
    pub birth_date: &'static str,
}

/// The system of the record numbers the tests give their patients.
pub const MRN_SYSTEM: &str = "urn:oid:2.16.840.1.113883.19.5";

/// Puts a patient with a fresh record number on HFS.
pub async fn patient_on_hfs(base: &str) -> ChartPatient {
    let mrn = format!("F-{}", Uuid::new_v4());
    let birth_date = "1971-05-06";
    let patient = json!({
        "resourceType": "Patient",
        "identifier": [{ "system": MRN_SYSTEM, "value": mrn }],
        "name": [{ "family": "Faultpatient", "given": ["Ada"] }],
        "birthDate": birth_date,
    });
    let response = http()
        .post(format!("{base}/Patient"))
        .header("content-type", "application/fhir+json")
        .json(&patient)
        .send()
        .await
        .expect("HFS answers");
    assert_eq!(response.status(), 201, "HFS takes the patient");
    let created: Value = response.json().await.unwrap();
    ChartPatient {
        mrn,
        reference: format!("Patient/{}", created["id"].as_str().unwrap()),
        birth_date,
    }
}

/// The ids of each change's copies on HFS, by change identifier: found by identifier search,
/// or, for a resource whose id Intake chose (a Provenance, which has no identifier), by `_id`.
/// Many changes per search, so thousands are counted in seconds.
pub async fn copies_on_hfs(base: &str, changes: &[ChangeRecord]) -> HashMap<Uuid, Vec<String>> {
    let client = http();
    let mut copies: HashMap<Uuid, Vec<String>> = HashMap::new();
    let mut by_type: HashMap<(&str, bool), Vec<&ChangeRecord>> = HashMap::new();
    for change in changes {
        let by_id = change.resource["id"].is_string();
        by_type
            .entry((change.resource_type.as_str(), by_id))
            .or_default()
            .push(change);
    }
    for ((resource_type, by_id), group) in by_type {
        // The change a resource on HFS belongs to, by the id or identifier value it carries.
        let owner: HashMap<String, Uuid> = group
            .iter()
            .map(|c| {
                let key = if by_id {
                    c.resource["id"].as_str().unwrap().to_owned()
                } else {
                    c.identifier.value()
                };
                (key, c.identifier.0)
            })
            .collect();
        for chunk in group.chunks(80) {
            let (parameter, values): (&str, Vec<String>) = if by_id {
                (
                    "_id",
                    chunk
                        .iter()
                        .map(|c| c.resource["id"].as_str().unwrap().to_owned())
                        .collect(),
                )
            } else {
                (
                    "identifier",
                    chunk.iter().map(|c| c.identifier.search_token()).collect(),
                )
            };
            let mut url = Some(format!("{base}/{resource_type}"));
            let mut query = vec![
                (parameter.to_owned(), values.join(",")),
                ("_count".to_owned(), "500".to_owned()),
            ];
            while let Some(next) = url.take() {
                let bundle: Value = client
                    .get(&next)
                    .query(&query)
                    .send()
                    .await
                    .expect("HFS answers the count")
                    .json()
                    .await
                    .expect("a searchset Bundle");
                assert_eq!(bundle["resourceType"], "Bundle", "{bundle}");
                for entry in bundle["entry"].as_array().into_iter().flatten() {
                    if entry["search"]["mode"] == "outcome" {
                        continue;
                    }
                    let resource = &entry["resource"];
                    let id = resource["id"].as_str().unwrap_or_default().to_owned();
                    let keys: Vec<String> = if by_id {
                        vec![id.clone()]
                    } else {
                        identifier_values(resource)
                    };
                    if let Some(change) = keys.iter().find_map(|k| owner.get(k)) {
                        copies.entry(*change).or_default().push(id);
                    }
                }
                url = bundle["link"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .find(|l| l["relation"] == "next")
                    .and_then(|l| l["url"].as_str())
                    .map(str::to_owned);
                query.clear();
            }
        }
    }
    copies
}

/// The `urn:ietf:rfc:3986` identifier values a resource carries (one Identifier or a list).
fn identifier_values(resource: &Value) -> Vec<String> {
    let identifiers = match &resource["identifier"] {
        Value::Array(list) => list.iter().collect(),
        single @ Value::Object(_) => vec![single],
        _ => Vec::new(),
    };
    identifiers
        .into_iter()
        .filter(|i| i["system"] == "urn:ietf:rfc:3986")
        .filter_map(|i| i["value"].as_str().map(str::to_owned))
        .collect()
}

/// Where every change ended up, checked against HFS.
#[derive(Debug, Default)]
pub struct Tally {
    pub changes: usize,
    /// Posted, and on HFS exactly once under the id Intake recorded.
    pub posted_once: usize,
    /// Held for staff (the posting policy) or failed (refused, or given up on).
    pub held: usize,
    pub failed: usize,
    /// Failed after an attempt that had reached the EHR: in the exception queue, yet on the
    /// chart once (staff retrying it finds it there; nothing is duplicated).
    pub failed_but_on_chart: usize,
    /// Neither on the chart nor in the exception queue, or posted but not on HFS.
    pub lost: Vec<String>,
    /// On HFS more than once.
    pub duplicated: Vec<String>,
}

impl Tally {
    pub fn waiting(&self) -> usize {
        self.held + self.failed
    }

    /// Fails the test, naming the changes, unless none was lost or duplicated.
    pub fn assert_exactly_once(&self, test: &str) {
        assert!(
            self.lost.is_empty() && self.duplicated.is_empty(),
            "{test}: {} lost, {} duplicated\nlost: {:#?}\nduplicated: {:#?}",
            self.lost.len(),
            self.duplicated.len(),
            self.lost.iter().take(20).collect::<Vec<_>>(),
            self.duplicated.iter().take(20).collect::<Vec<_>>(),
        );
        assert_eq!(
            self.posted_once + self.waiting(),
            self.changes,
            "{test}: every change is posted once or in the exception queue"
        );
    }
}

/// Checks every change against its copies on HFS.
pub async fn tally(base: &str, changes: &[ChangeRecord]) -> Tally {
    let copies = copies_on_hfs(base, changes).await;
    let mut tally = Tally {
        changes: changes.len(),
        ..Tally::default()
    };
    for change in changes {
        let on_hfs = copies
            .get(&change.identifier.0)
            .map_or(&[][..], Vec::as_slice);
        let describe = || {
            format!(
                "{} {} ({:?}, {} attempts, on HFS as {on_hfs:?}, last error {:?})",
                change.resource_type,
                change.identifier.0,
                change.state,
                change.attempts,
                change.last_error
            )
        };
        if on_hfs.len() > 1 {
            tally.duplicated.push(describe());
            continue;
        }
        match change.state {
            ChangeState::Posted
                if on_hfs.len() == 1
                    && change.ehr_resource_id.as_deref() == Some(on_hfs[0].as_str()) =>
            {
                tally.posted_once += 1;
            }
            ChangeState::Held | ChangeState::Rejected if on_hfs.is_empty() => tally.held += 1,
            ChangeState::Failed => {
                tally.failed += 1;
                tally.failed_but_on_chart += on_hfs.len();
            }
            _ => tally.lost.push(describe()),
        }
    }
    tally
}

/// Waits until no change is queued or being sent (a killed worker's lease must run out first).
pub async fn drain(store: &Store, deadline: Duration) {
    let started = Instant::now();
    loop {
        let counts = store.queue_counts().await.unwrap();
        let pending: i64 = counts
            .by_state
            .iter()
            .filter(|(state, _, _)| state == "queued" || state == "sending")
            .map(|(_, _, n)| n)
            .sum();
        if pending == 0 {
            return;
        }
        assert!(
            started.elapsed() < deadline,
            "{pending} changes still queued or being sent after {deadline:?}: {:?}",
            counts.by_state
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

/// How many submissions the store holds, and all their changes.
pub async fn every_change(store: &Store) -> (usize, Vec<ChangeRecord>) {
    let submissions = store.list_submissions().await.unwrap();
    let mut changes = Vec::new();
    for submission in &submissions {
        changes.extend(store.changes_for_submission(submission.id).await.unwrap());
    }
    (submissions.len(), changes)
}

/// The invitations the store holds a submission for.
pub async fn submitted_invitations(database_url: &str) -> std::collections::HashSet<Uuid> {
    let pool = sqlx::PgPool::connect(database_url).await.unwrap();
    let ids: Vec<Uuid> = sqlx::query_scalar("SELECT invitation_id FROM submissions")
        .fetch_all(&pool)
        .await
        .unwrap();
    pool.close().await;
    ids.into_iter().collect()
}
