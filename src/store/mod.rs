//! Storage on SQLite (embedded default) and Postgres (production), through one API.
//!
//! Every query is written once with `$N` placeholders, which both backends accept, and runs on
//! whichever pool the database URL chose. Times are Unix epoch milliseconds in both.

mod appointments;
mod attachments;
mod audit;
pub(crate) mod audit_chain;
mod audit_verify;
mod changes;
mod chart_reads;
mod drafts;
mod history;
mod invitations;
mod message_outbox;
mod messages;
mod metrics;
mod one_time_codes;
mod operations;
mod queue;
mod queue_page;
mod rate_limits;
mod reviews;
mod schedule;
mod sealing;
mod staff;
mod staff_accounts;
mod staff_audit;
mod submissions;
mod urgent_flags;
mod visit;
mod worklist;
mod worklist_day;

use std::{str::FromStr, time::Duration};

use sqlx::{
    PgPool, SqlitePool,
    postgres::PgPoolOptions,
    sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous},
};

pub use appointments::{Appointment, AppointmentOverview, NewAppointment};
pub use attachments::StoredFile;
pub use audit::AuditEvent;
pub use audit_verify::{AuditVerdict, ChainSummary, Tamper};
pub use changes::{ChangeRecord, ChangeState, ClaimedChange, ExceptionItem};
pub use drafts::{Draft, FormState, HeldPage, SentAt};
pub use history::{AttemptOutcome, AuditRecord, SendAttempt, SubmissionHistory};
pub use invitations::{
    FailedVerification, InvitationStatus, MAX_FAILED_VERIFICATIONS, PatientSession,
    SESSION_TOUCH_EVERY, seen_recorded,
};
pub use message_outbox::{ABANDONED, ClaimedMessage, MessageEnding, MessageSituation};
pub use messages::{InvitationMessages, MessageRecord, MessageSummary, MessageTarget, NewMessage};
pub use metrics::QueueCounts;
pub use one_time_codes::{CodeIssue, CodeRules, StoredCode};
pub use operations::{PoolUse, PurgeCounts, RetentionCutoffs};
pub use queue::{QueueFilter, QueueSort};
pub use queue_page::QueueCursor;
pub use reviews::ReviewMark;
pub use schedule::{Booking, EhrVersion, LastSync, Reach, ScheduleProblem};
pub use sealing::{KeyError, normalised_name, normalised_record_number};
pub use staff::{StaffRole, StaffSession, StaffUser};
pub use staff_accounts::{AccountChange, NewStaffUser};
pub use staff_audit::{AuditQuery, AuditRow, StaffAudit, Viewed, staff_actor};
pub use submissions::{NewSubmission, SubmissionOverview, SubmissionRecord};
pub use urgent_flags::{
    Acknowledgement, EscalationDue, NewUrgentFlag, OpenUrgentFlag, UrgentAlert, UrgentFlagRecord,
};
pub use worklist::{
    AppointmentMessage, PageDirection, StoredLink, WorklistKey, WorklistQuery, WorklistRow,
};
pub use worklist_day::DayIntake;

/// Runs `$body` with `$pool` bound to the SQLite or the Postgres pool. The body is compiled
/// once per backend, so one query text serves both.
macro_rules! on_pool {
    ($store:expr, $pool:ident => $body:expr) => {
        match &$store.backend {
            $crate::store::Backend::Sqlite($pool) => {
                #[allow(unused_imports, reason = "not every body opens a transaction")]
                use $crate::store::BeginWrite as _;
                $body
            }
            $crate::store::Backend::Postgres($pool) => {
                #[allow(unused_imports, reason = "not every body opens a transaction")]
                use $crate::store::BeginWrite as _;
                $body
            }
        }
    };
}
pub(crate) use on_pool;

/// Storage failures, classified for the layers above.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The row asked for does not exist (or is not in a state the operation applies to).
    #[error("not found")]
    NotFound,
    /// A uniqueness rule refused the write (e.g. a second submission for one invitation).
    #[error("conflict: {0}")]
    Conflict(&'static str),
    /// The URL names no backend Intake supports.
    #[error("unsupported database URL scheme (use sqlite: or postgres:)")]
    UnsupportedUrl,
    /// The database failed. Displays the kind of failure only: a decode error's text can quote
    /// the stored value, which may be patient data, and this text reaches the log.
    #[error("database error: {}", database_failure(.0))]
    Database(#[from] sqlx::Error),
    /// A migration failed.
    #[error("migration failed: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    /// The database lacks migrations this version needs, and this process may not apply them.
    #[error(
        "the database is at migration {have} and this version needs {want}: run `intake migrate`"
    )]
    Behind {
        /// The newest migration applied.
        have: i64,
        /// The newest migration this version has.
        want: i64,
    },
    /// A stored value no longer reads back (a bug or a hand edit).
    #[error("corrupt stored value in {0}")]
    Corrupt(&'static str),
    /// The data key could not be unwrapped or made.
    #[error("{0}")]
    Keys(#[from] KeyError),
}

/// What kind of database failure, without any value it may have been handling.
fn database_failure(error: &sqlx::Error) -> String {
    match error {
        sqlx::Error::Database(db) => {
            format!("{} ({})", db.message(), db.code().unwrap_or_default())
        }
        sqlx::Error::ColumnDecode { index, .. } => {
            format!("a stored value in column {index} could not be read")
        }
        sqlx::Error::Decode(_) => "a stored value could not be read".to_owned(),
        sqlx::Error::RowNotFound => "no such row".to_owned(),
        sqlx::Error::PoolTimedOut => "timed out waiting for a connection".to_owned(),
        sqlx::Error::PoolClosed => "the connection pool is closed".to_owned(),
        sqlx::Error::Io(e) => format!("I/O: {}", e.kind()),
        sqlx::Error::Tls(_) => "TLS failure".to_owned(),
        sqlx::Error::Protocol(_) => "protocol error".to_owned(),
        _ => "unexpected failure".to_owned(),
    }
}

impl StoreError {
    /// Whether the database refused text it cannot hold (Postgres: NUL in `text`, or a `\u0000`
    /// escape in `jsonb`). The edge refuses such characters first; this keeps a path it missed
    /// a 400 rather than a 500.
    pub fn is_bad_text(&self) -> bool {
        match self {
            Self::Database(sqlx::Error::Database(db)) => {
                matches!(db.code().as_deref(), Some("22021" | "22P05"))
            }
            _ => false,
        }
    }

    /// Maps a unique-constraint violation to [`StoreError::Conflict`].
    fn conflict_on_unique(error: sqlx::Error, what: &'static str) -> Self {
        match &error {
            sqlx::Error::Database(db) if db.is_unique_violation() => Self::Conflict(what),
            _ => Self::Database(error),
        }
    }
}

/// Starts a transaction that may write. On SQLite, `BEGIN IMMEDIATE` takes the write lock at
/// once: a deferred transaction that reads and then writes fails with "database is locked" the
/// moment another connection wrote in between (SQLite cannot wait to upgrade a read lock), while
/// an immediate one waits its turn for up to the busy timeout. On Postgres, a plain `BEGIN`.
pub(crate) trait BeginWrite {
    /// The database.
    type Db: sqlx::Database;
    /// A transaction that holds the right to write from its start.
    fn begin_write(
        &self,
    ) -> impl Future<Output = Result<sqlx::Transaction<'static, Self::Db>, sqlx::Error>> + Send;
}

impl BeginWrite for SqlitePool {
    type Db = sqlx::Sqlite;
    fn begin_write(
        &self,
    ) -> impl Future<Output = Result<sqlx::Transaction<'static, Self::Db>, sqlx::Error>> + Send
    {
        self.begin_with("BEGIN IMMEDIATE")
    }
}

impl BeginWrite for PgPool {
    type Db = sqlx::Postgres;
    fn begin_write(
        &self,
    ) -> impl Future<Output = Result<sqlx::Transaction<'static, Self::Db>, sqlx::Error>> + Send
    {
        self.begin()
    }
}

#[derive(Debug, Clone)]
pub(crate) enum Backend {
    Sqlite(SqlitePool),
    Postgres(PgPool),
}

/// The database, cheap to clone.
#[derive(Debug, Clone)]
pub struct Store {
    pub(crate) backend: Backend,
    /// Seals and opens the patient data columns (see `sealing`).
    sealer: crate::crypt::Sealer,
}

static SQLITE_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("migrations/sqlite");
static POSTGRES_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("migrations/postgres");

impl Store {
    /// Connects to `url` (`sqlite:path` creates the file; `postgres://…`) and migrates it, for
    /// tests and one-off tools. The key-encryption key: on SQLite the file beside the database
    /// that `serve` also uses by default (`PATH.key`, made if missing); on Postgres one made
    /// for this process, so only this process can reopen a database it created this way
    /// (services use [`Store::open`] with `INTAKE_DATA_KEY_FILE`).
    pub async fn connect(url: &str) -> Result<Self, StoreError> {
        let kek = match sqlite_key_file(url) {
            Some(path) => {
                crate::crypt::KeyEncryptionKey::read_or_create(&path)
                    .map_err(|_| StoreError::Corrupt("the key file beside the database"))?
                    .0
            }
            None => crate::crypt::KeyEncryptionKey::for_this_process()
                .map_err(|_| StoreError::Corrupt("the process key"))?,
        };
        Self::open(url, true, &kek).await
    }

    /// Connects to `url`; with `migrate`, applies the migrations this version has and the
    /// database lacks, else refuses a database that is behind (a deployment whose migration
    /// job has not run yet) with [`StoreError::Behind`]. `kek` unwraps the data key (which the
    /// first start after migration 0019 makes, sealing what was stored before).
    pub async fn open(
        url: &str,
        migrate: bool,
        kek: &crate::crypt::KeyEncryptionKey,
    ) -> Result<Self, StoreError> {
        let backend = if url.starts_with("sqlite:") {
            let options = SqliteConnectOptions::from_str(url)?
                .create_if_missing(true)
                .foreign_keys(true)
                .journal_mode(SqliteJournalMode::Wal)
                .synchronous(SqliteSynchronous::Normal)
                .busy_timeout(Duration::from_secs(5));
            // A file on this machine's disk does not go away under a pooled connection: no ping
            // before each use (a round trip through sqlx-sqlite's worker thread per query).
            let pool = SqlitePoolOptions::new()
                .max_connections(8)
                .test_before_acquire(false)
                .connect_with(options)
                .await?;
            Backend::Sqlite(pool)
        } else if url.starts_with("postgres:") || url.starts_with("postgresql:") {
            // No `SELECT 1` before each use (one more round trip for every query of a page
            // save); connections idle for a minute are closed instead, before a database
            // restart or a proxy's idle timeout can leave one broken in the pool.
            let pool = PgPoolOptions::new()
                .max_connections(16)
                .acquire_timeout(Duration::from_secs(5))
                .test_before_acquire(false)
                .idle_timeout(Duration::from_secs(60))
                .connect(url)
                .await?;
            Backend::Postgres(pool)
        } else {
            return Err(StoreError::UnsupportedUrl);
        };
        let mut store = Self {
            backend,
            // Replaced below, before any patient data is read or written.
            sealer: crate::crypt::Sealer::placeholder(),
        };
        if migrate {
            // Several processes starting at once are safe: sqlx takes a lock while it migrates.
            match &store.backend {
                Backend::Sqlite(pool) => SQLITE_MIGRATIONS.run(pool).await?,
                Backend::Postgres(pool) => POSTGRES_MIGRATIONS.run(pool).await?,
            }
        } else {
            let (have, want) = store.schema_versions().await?;
            if have < want {
                return Err(StoreError::Behind { have, want });
            }
        }
        store.sealer = store.load_keys(kek).await?;
        if migrate {
            // After the keys: their first start rewrites the audit's patient column (record
            // numbers become keyed hashes), which the chain's hashes must cover as stored.
            store.chain_legacy_audit().await?;
        }
        Ok(store)
    }

    /// The newest migration applied to the database, and the newest this version of Intake has.
    pub async fn schema_versions(&self) -> Result<(i64, i64), StoreError> {
        let migrator = match self.backend {
            Backend::Sqlite(_) => &SQLITE_MIGRATIONS,
            Backend::Postgres(_) => &POSTGRES_MIGRATIONS,
        };
        let want = migrator.iter().map(|m| m.version).max().unwrap_or(0);
        // A fresh database has no migrations table yet: it is at version 0.
        let have: Option<i64> = on_pool!(self, pool => sqlx::query_scalar(
            "SELECT MAX(version) FROM _sqlx_migrations WHERE success",
        )
        .fetch_one(pool)
        .await)
        .unwrap_or(None);
        Ok((have.unwrap_or(0), want))
    }

    /// Which backend this is, for logs and `/readyz`.
    pub fn backend_name(&self) -> &'static str {
        match self.backend {
            Backend::Sqlite(_) => "sqlite",
            Backend::Postgres(_) => "postgres",
        }
    }

    /// Checks that the database answers.
    pub async fn ping(&self) -> Result<(), StoreError> {
        on_pool!(self, pool => sqlx::query("SELECT 1").execute(pool).await.map(|_| ()))?;
        Ok(())
    }

    /// Closes the pool, waiting for connections in use.
    pub async fn close(&self) {
        on_pool!(self, pool => pool.close().await);
    }
}

/// The key file `serve` uses by default for a SQLite database: `PATH.key` beside the file.
pub fn sqlite_key_file(url: &str) -> Option<std::path::PathBuf> {
    let path = url.strip_prefix("sqlite:")?.trim_start_matches("//");
    let path = path.split('?').next().unwrap_or(path);
    (!path.is_empty() && !path.starts_with(":memory:"))
        .then(|| std::path::PathBuf::from(format!("{path}.key")))
}

/// `$1, $2, …, $n`: the parameters of an `IN (…)` list of `n` values, bound in order.
fn in_list(n: usize) -> String {
    (1..=n)
        .map(|i| format!("${i}"))
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_database_error_never_repeats_the_value_it_failed_on() {
        let error = StoreError::Database(sqlx::Error::ColumnDecode {
            index: "answers".into(),
            source: Box::new(std::io::Error::other(
                "invalid value: string \"ZZQ-patient-answer\"",
            )),
        });
        let text = error.to_string();
        assert!(!text.contains("ZZQ"), "{text}");
        assert!(text.contains("answers"), "{text}");
    }
}
