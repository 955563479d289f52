//! Walking the audit chains (`intake audit verify`), and chaining once the events written before
//! the chains existed.

use std::fmt;

use serde_json::Value;
use sqlx::{FromRow, types::Json};
use uuid::Uuid;

use super::{
    Store, StoreError,
    audit_chain::{GENESIS, LinkFields, RECORDS_CHAIN, link_hash},
    on_pool,
};

/// Events read per query while walking a chain.
const PAGE: i64 = 1_000;

/// What a walk of the chains found wrong: the first broken link of each chain, and the first
/// event that no writer of Intake put where it is. Names events by id, chain, number and time,
/// never by what they hold.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Tamper {
    /// The event no longer hashes to what was stored for it, or the event after it remembers a
    /// different hash for it: its fields (or its hash) were edited after it was written.
    Changed {
        /// The event's chain.
        chain: String,
        /// Its number in the chain.
        seq: i64,
        /// Its id.
        id: Uuid,
        /// When it says it happened, epoch milliseconds.
        at: i64,
    },
    /// Events `from..=to` of the chain are gone.
    Removed {
        /// The chain.
        chain: String,
        /// The first number missing.
        from: i64,
        /// The last number missing.
        to: i64,
        /// The event right after the gap, if the gap is not at the end.
        next: Option<Uuid>,
    },
    /// An event outside every chain, or numbered past its chain's head.
    Inserted {
        /// Its id.
        id: Uuid,
        /// When it says it happened, epoch milliseconds.
        at: i64,
    },
    /// Events from before the chains existed that the first start after the upgrade has not
    /// chained yet.
    NotYetChained {
        /// How many.
        events: i64,
    },
}

impl fmt::Display for Tamper {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Changed { chain, seq, id, at } => write!(
                f,
                "audit event {id} ({chain} #{seq}, {}) was changed after it was written",
                when(*at)
            ),
            Self::Removed {
                chain,
                from,
                to,
                next: Some(next),
            } => write!(
                f,
                "audit events {chain} #{from} to #{to} were removed (the next event left is {next})"
            ),
            Self::Removed {
                chain,
                from,
                to,
                next: None,
            } => write!(
                f,
                "the last audit events of {chain}, #{from} to #{to}, were removed"
            ),
            Self::Inserted { id, at } => write!(
                f,
                "audit event {id} ({}) was inserted: Intake did not write it into any chain",
                when(*at)
            ),
            Self::NotYetChained { events } => write!(
                f,
                "{events} audit events from before the hash chain are not chained yet: run `intake migrate`"
            ),
        }
    }
}

/// Epoch milliseconds as an RFC 3339 time in UTC, or the number if out of range.
fn when(at: i64) -> String {
    time::OffsetDateTime::from_unix_timestamp_nanos(i128::from(at) * 1_000_000)
        .ok()
        .and_then(|t| {
            t.format(&time::format_description::well_known::Rfc3339)
                .ok()
        })
        .unwrap_or_else(|| at.to_string())
}

/// One chain as the walk found it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChainSummary {
    /// Its name.
    pub chain: String,
    /// Events walked (all of them when the chain is intact).
    pub events: i64,
    /// The head's number: the chain's last event when the walk began.
    pub seq: i64,
    /// The head's hash in hex: kept somewhere else (a ticket, the monitoring system), it shows
    /// later that nobody rewrote the whole chain since.
    pub head: String,
}

/// The result of walking every chain.
#[derive(Debug, Clone, Default)]
pub struct AuditVerdict {
    /// The chains, by name.
    pub chains: Vec<ChainSummary>,
    /// What was found wrong; empty when the log is intact.
    pub problems: Vec<Tamper>,
}

/// An audit event as stored, with its links. No `Debug`: it holds a patient's record number.
#[derive(FromRow)]
struct StoredEvent {
    id: Uuid,
    at: i64,
    actor: String,
    action: String,
    subject_kind: String,
    subject_id: Uuid,
    detail: Json<Value>,
    source: Option<String>,
    patient: Option<String>,
    seq: Option<i64>,
    prev_hash: Option<Vec<u8>>,
    hash: Option<Vec<u8>>,
}

impl StoredEvent {
    fn fields(&self) -> LinkFields<'_> {
        LinkFields {
            id: self.id,
            at: self.at,
            actor: &self.actor,
            action: &self.action,
            subject_kind: &self.subject_kind,
            subject_id: self.subject_id,
            detail: &self.detail.0,
            source: self.source.as_deref(),
            patient: self.patient.as_deref(),
        }
    }
}

const EVENT_COLUMNS: &str = "id, at, actor, action, subject_kind, subject_id, detail, source, patient, seq, prev_hash, hash";

/// Walks one chain's events in order up to the head read before, checking each link.
#[derive(Debug)]
struct Walk {
    chain: String,
    expected: i64,
    prev_hash: Vec<u8>,
    prev: Option<(i64, Uuid, i64)>,
}

impl Walk {
    fn new(chain: String) -> Self {
        Self {
            chain,
            expected: 1,
            prev_hash: GENESIS.to_vec(),
            prev: None,
        }
    }

    fn changed(&self, (seq, id, at): (i64, Uuid, i64)) -> Tamper {
        Tamper::Changed {
            chain: self.chain.clone(),
            seq,
            id,
            at,
        }
    }

    /// Checks the next event; the first problem ends the walk.
    fn step(&mut self, event: &StoredEvent) -> Result<(), Tamper> {
        let seq = event.seq.unwrap_or_default();
        let this = (seq, event.id, event.at);
        if seq < self.expected {
            // A second event under a number already walked (the unique index was dropped).
            return Err(Tamper::Inserted {
                id: event.id,
                at: event.at,
            });
        }
        if seq > self.expected {
            return Err(Tamper::Removed {
                chain: self.chain.clone(),
                from: self.expected,
                to: seq - 1,
                next: Some(event.id),
            });
        }
        let stored_prev = event.prev_hash.as_deref().unwrap_or_default();
        if stored_prev != self.prev_hash.as_slice() {
            // The event before was rewritten together with its own hash (or this link was).
            return Err(self.changed(self.prev.unwrap_or(this)));
        }
        let hash = link_hash(&self.chain, seq, stored_prev, &event.fields());
        if event.hash.as_deref() != Some(hash.as_slice()) {
            return Err(self.changed(this));
        }
        self.prev_hash = hash.to_vec();
        self.prev = Some(this);
        self.expected += 1;
        Ok(())
    }

    /// Checks the end of the walk against the head read before it.
    fn finish(&self, head_seq: i64, head: &[u8]) -> Result<(), Tamper> {
        let last = self.expected - 1;
        if last < head_seq {
            return Err(Tamper::Removed {
                chain: self.chain.clone(),
                from: self.expected,
                to: head_seq,
                next: None,
            });
        }
        match self.prev {
            Some(prev) if head != self.prev_hash.as_slice() => Err(self.changed(prev)),
            _ => Ok(()),
        }
    }
}

fn hex(bytes: &[u8]) -> String {
    data_encoding::HEXLOWER.encode(bytes)
}

impl Store {
    /// Walks every audit chain and reports the first broken link of each, and the first event
    /// that sits outside the chains. Safe while others write: each chain is walked up to the
    /// head read at its start, and events added since are left for the next walk.
    pub async fn verify_audit(&self) -> Result<AuditVerdict, StoreError> {
        let heads: Vec<(String, i64, Vec<u8>, bool)> = on_pool!(self, pool => sqlx::query_as(
            "SELECT chain, seq, head, legacy_chained FROM audit_chains ORDER BY chain",
        )
        .fetch_all(pool)
        .await)?;
        let mut verdict = AuditVerdict::default();
        for (chain, head_seq, head, legacy_chained) in heads {
            if !legacy_chained {
                let events: i64 = on_pool!(self, pool => sqlx::query_scalar(
                    "SELECT COUNT(*) FROM audit_events WHERE seq IS NULL",
                )
                .fetch_one(pool)
                .await)?;
                verdict.problems.push(Tamper::NotYetChained { events });
            }
            let mut walk = Walk::new(chain.clone());
            let outcome = self.walk(&mut walk, head_seq).await?;
            let outcome = outcome.and_then(|()| walk.finish(head_seq, &head));
            if let Err(problem) = outcome {
                verdict.problems.push(problem);
            }
            verdict.chains.push(ChainSummary {
                chain,
                events: walk.expected - 1,
                seq: head_seq,
                head: hex(&head),
            });
        }
        // One statement, so one snapshot: an event past its head, or in no chain at all, was
        // not written by Intake (a writer moves the head in the transaction that adds the event).
        let inserted: Option<(Uuid, i64)> = on_pool!(self, pool => sqlx::query_as(
            "SELECT e.id, e.at FROM audit_events e LEFT JOIN audit_chains c ON c.chain = e.chain \
             WHERE (c.chain IS NULL OR e.seq IS NULL OR e.seq > c.seq) \
             AND (e.seq IS NOT NULL OR NOT EXISTS (SELECT 1 FROM audit_chains WHERE NOT legacy_chained)) \
             ORDER BY e.at, e.id LIMIT 1",
        )
        .fetch_optional(pool)
        .await)?;
        if let Some((id, at)) = inserted {
            verdict.problems.push(Tamper::Inserted { id, at });
        }
        Ok(verdict)
    }

    /// The stored hash of event `seq` of `chain`, if there is one: compared with a head kept
    /// elsewhere earlier, it shows whether the chain was rewritten since.
    pub async fn audit_hash_at(&self, chain: &str, seq: i64) -> Result<Option<String>, StoreError> {
        let hash: Option<Option<Vec<u8>>> = on_pool!(self, pool => sqlx::query_scalar(
            "SELECT hash FROM audit_events WHERE chain = $1 AND seq = $2",
        )
        .bind(chain)
        .bind(seq)
        .fetch_optional(pool)
        .await)?;
        Ok(hash.flatten().map(|h| hex(&h)))
    }

    /// Reads `walk`'s chain page by page up to `head_seq`, stepping through each event.
    async fn walk(&self, walk: &mut Walk, head_seq: i64) -> Result<Result<(), Tamper>, StoreError> {
        let sql = format!(
            "SELECT {EVENT_COLUMNS} FROM audit_events WHERE chain = $1 AND seq > $2 AND seq <= $3 \
             ORDER BY seq LIMIT $4"
        );
        let mut after = 0_i64;
        loop {
            let page: Vec<StoredEvent> = on_pool!(self, pool => sqlx::query_as(
                sqlx::AssertSqlSafe(sql.clone()),
            )
            .bind(&walk.chain)
            .bind(after)
            .bind(head_seq)
            .bind(PAGE)
            .fetch_all(pool)
            .await)?;
            let Some(last) = page.last() else {
                return Ok(Ok(()));
            };
            after = last.seq.unwrap_or(head_seq);
            for event in &page {
                if let Err(problem) = walk.step(event) {
                    return Ok(Err(problem));
                }
            }
        }
    }

    /// Chains the events written before the chains existed into `records`, oldest first, once
    /// (the first start after the 0018 migration); returns how many. Later unchained events
    /// are left for `intake audit verify` to report as inserted.
    pub(crate) async fn chain_legacy_audit(&self) -> Result<u64, StoreError> {
        let sql = format!(
            "SELECT {EVENT_COLUMNS} FROM audit_events WHERE seq IS NULL ORDER BY at, id LIMIT $1"
        );
        on_pool!(self, pool => {
            let mut tx = pool.begin_write().await?;
            let (mut seq, mut prev, chained): (i64, Vec<u8>, bool) = sqlx::query_as(
                "UPDATE audit_chains SET seq = seq WHERE chain = $1 RETURNING seq, head, legacy_chained",
            )
            .bind(RECORDS_CHAIN)
            .fetch_one(&mut *tx)
            .await?;
            if chained {
                tx.rollback().await?;
                return Ok(0);
            }
            let mut count = 0_u64;
            loop {
                let page: Vec<StoredEvent> = sqlx::query_as(sqlx::AssertSqlSafe(sql.clone()))
                    .bind(PAGE)
                    .fetch_all(&mut *tx)
                    .await?;
                if page.is_empty() {
                    break;
                }
                for event in &page {
                    seq += 1;
                    let hash = link_hash(RECORDS_CHAIN, seq, &prev, &event.fields());
                    sqlx::query(
                        "UPDATE audit_events SET chain = $1, seq = $2, prev_hash = $3, hash = $4 WHERE id = $5",
                    )
                    .bind(RECORDS_CHAIN)
                    .bind(seq)
                    .bind(&prev)
                    .bind(hash.to_vec())
                    .bind(event.id)
                    .execute(&mut *tx)
                    .await?;
                    prev = hash.to_vec();
                    count += 1;
                }
            }
            sqlx::query(
                "UPDATE audit_chains SET seq = $1, head = $2, legacy_chained = TRUE WHERE chain = $3",
            )
            .bind(seq)
            .bind(&prev)
            .bind(RECORDS_CHAIN)
            .execute(&mut *tx)
            .await?;
            tx.commit().await?;
            Ok::<_, StoreError>(count)
        })
    }
}
