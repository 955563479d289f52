//! What the worklist and queue benchmarks share: the backends, a deterministic generator,
//! loading a database and the services over it.

use std::{collections::HashMap, sync::Arc};

use intake::{
    app,
    clock::{Clock, ManualClock},
    config::{Config, Overrides},
    intake::Services,
};
use sqlx::AssertSqlSafe;
use uuid::Uuid;

pub const DAY: i64 = 86_400_000;
/// 2026-01-01T00:00:00Z: the first day of the synthetic data.
pub const FIRST_DAY: i64 = 1_767_225_600_000;
pub const RUNS: usize = 200;

/// Which database, and how to write a UUID literal in its SQL.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    pub fn uuid(self, id: Uuid) -> String {
        match self {
            Self::Sqlite => format!("X'{}'", id.simple()),
            Self::Postgres => format!("'{id}'"),
        }
    }
}

/// A tiny deterministic generator, so every run loads the same schedule.
pub struct Dice(pub u64);

impl Dice {
    pub fn next(&mut self) -> u64 {
        // xorshift64*
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    /// True with `percent` percent.
    pub fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }

    pub fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

pub const FAMILY: [&str; 10] = [
    "Garcia", "Smith", "Nguyen", "Okafor", "Delgado", "Becker", "Rossi", "Kim", "Haddad", "Novak",
];

/// Runs `statements` in one transaction, then brings the planner's statistics up to date (on
/// Postgres also the visibility map, as autovacuum leaves a table in steady use, so counts
/// read an index alone).
pub async fn load(backend: Backend, url: &str, statements: Vec<String>) {
    match backend {
        Backend::Sqlite => {
            let pool = sqlx::SqlitePool::connect(url).await.expect("SQLite");
            let mut tx = pool.begin().await.unwrap();
            for sql in statements {
                sqlx::raw_sql(AssertSqlSafe(sql))
                    .execute(&mut *tx)
                    .await
                    .expect("load");
            }
            tx.commit().await.unwrap();
            sqlx::raw_sql("ANALYZE").execute(&pool).await.unwrap();
        }
        Backend::Postgres => {
            let pool = sqlx::PgPool::connect(url).await.expect("Postgres");
            let mut tx = pool.begin().await.unwrap();
            for sql in statements {
                sqlx::raw_sql(AssertSqlSafe(sql))
                    .execute(&mut *tx)
                    .await
                    .expect("load");
            }
            tx.commit().await.unwrap();
            sqlx::raw_sql("VACUUM ANALYZE")
                .execute(&pool)
                .await
                .unwrap();
        }
    }
}

/// `plain` sealed for `column` (`table.column`) of row `id` as the store seals it, as an SQL
/// string literal (sealed text is `~1` and base64url: nothing to escape).
pub fn sealed(store: &intake::store::Store, column: &str, id: Uuid, plain: &str) -> String {
    let text = store
        .sealer()
        .seal_text(plain, &intake::crypt::aad(column, id))
        .expect("seal");
    format!("'{text}'")
}

/// A database URL for `backend`: the file `file` under `dir`, or a new database on the Postgres server.
pub async fn database(backend: Backend, dir: &std::path::Path, file: &str) -> String {
    match backend {
        Backend::Sqlite => format!("sqlite:{}", dir.join(file).display()),
        Backend::Postgres => {
            use sqlx::Connection;
            let admin = std::env::var("INTAKE_TEST_POSTGRES_URL")
                .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into());
            let mut connection = sqlx::PgConnection::connect(&admin)
                .await
                .unwrap_or_else(|e| panic!("Postgres is not reachable at {admin}: {e}"));
            let name = format!("intake_bench_{}", Uuid::new_v4().simple());
            sqlx::raw_sql(AssertSqlSafe(format!("CREATE DATABASE {name}")))
                .execute(&mut connection)
                .await
                .expect("create the bench database");
            let (base, _) = admin.rsplit_once('/').expect("a database in the URL");
            format!("{base}/{name}")
        }
    }
}

/// The services on `url`, with the clock mid-schedule.
pub async fn services(url: &str, dir: &std::path::Path) -> Services {
    services_with(url, dir, &[]).await.0
}

/// [`services`] with more configuration (`INTAKE_EHR_FHIR_URL` replaces the EHR folder), and
/// the configuration read.
pub async fn services_with(
    url: &str,
    dir: &std::path::Path,
    more: &[(&'static str, String)],
) -> (Services, Config) {
    let mut vars: HashMap<&str, String> = HashMap::from([
        ("DATABASE_URL", url.to_owned()),
        ("INTAKE_DATA_DIR", dir.display().to_string()),
        (
            "INTAKE_FORMS_DIR",
            concat!(env!("CARGO_MANIFEST_DIR"), "/forms").to_owned(),
        ),
    ]);
    vars.extend(more.iter().cloned());
    if !vars.contains_key("INTAKE_EHR_FHIR_URL") {
        vars.insert("INTAKE_EHR_FOLDER", dir.join("ehr").display().to_string());
    }
    std::fs::create_dir_all(dir.join("ehr")).unwrap();
    // Postgres needs a key file; SQLite would make one beside the database.
    let key_file = dir.join("data.key");
    if !key_file.exists() {
        intake::crypt::KeyEncryptionKey::generate()
            .unwrap()
            .write_new(&key_file)
            .unwrap();
    }
    vars.insert("INTAKE_DATA_KEY_FILE", key_file.display().to_string());
    let config =
        Config::from_lookup(|name| vars.get(name).cloned(), &Overrides::default()).expect("config");
    // Mid-schedule, so every link is still open.
    let now = time::OffsetDateTime::from_unix_timestamp((FIRST_DAY + 180 * DAY) / 1000).unwrap();
    let clock = Arc::new(ManualClock::at(now)) as Arc<dyn Clock>;
    let services = app::services(&config, false, clock)
        .await
        .expect("services");
    (services, config)
}
