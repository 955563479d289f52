//! The audit log's hash chains: each event carries the hash of the event before it in its chain,
//! and a head row per chain holds the last number and hash. Editing, removing or inserting an
//! event directly in the database breaks a link that `intake audit verify` finds.
//!
//! An event's hash is SHA-256 over a canonical encoding of its stored fields, its chain, its
//! number and the previous hash (see [`link_hash`]); the encoding never depends on how a backend
//! prints JSON, so SQLite and Postgres agree and a chain survives a dump and restore.

use ring::digest::{Context, SHA256};
use serde_json::Value;
use uuid::Uuid;

/// The chain of what patients, the posting policy and the worker did (and of every event
/// written before the chains existed).
pub const RECORDS_CHAIN: &str = "records";
/// The chain of staff sign-ins, account changes and views of patient data.
pub const STAFF_CHAIN: &str = "staff";

/// The hash before a chain's first event.
pub const GENESIS: [u8; 32] = [0; 32];

/// The fields of one audit event as they are stored, which its hash covers. No `Debug`: it
/// holds a patient's record number.
#[derive(Clone, Copy)]
pub struct LinkFields<'a> {
    /// The event's id.
    pub id: Uuid,
    /// When, epoch milliseconds.
    pub at: i64,
    /// Who.
    pub actor: &'a str,
    /// What.
    pub action: &'a str,
    /// The kind of thing acted on.
    pub subject_kind: &'a str,
    /// Its id.
    pub subject_id: Uuid,
    /// Ids and codes.
    pub detail: &'a Value,
    /// The client address, for staff events.
    pub source: Option<&'a str>,
    /// The patient's record number as stored, for staff events about one patient.
    pub patient: Option<&'a str>,
}

/// The hash of event number `seq` of `chain`, whose predecessor's hash is `prev`.
///
/// Every variable-length field is length-prefixed and every optional one tagged, so no two
/// different events encode alike; JSON objects are written with their keys sorted, since
/// Postgres `jsonb` does not keep the order a writer used.
pub fn link_hash(chain: &str, seq: i64, prev: &[u8], fields: &LinkFields<'_>) -> [u8; 32] {
    let mut ctx = Context::new(&SHA256);
    ctx.update(b"intake.audit.v1\0");
    text(&mut ctx, chain);
    ctx.update(&seq.to_be_bytes());
    bytes(&mut ctx, prev);
    ctx.update(fields.id.as_bytes());
    ctx.update(&fields.at.to_be_bytes());
    text(&mut ctx, fields.actor);
    text(&mut ctx, fields.action);
    text(&mut ctx, fields.subject_kind);
    ctx.update(fields.subject_id.as_bytes());
    let mut detail = String::new();
    canonical_json(fields.detail, &mut detail);
    text(&mut ctx, &detail);
    for optional in [fields.source, fields.patient] {
        match optional {
            None => ctx.update(&[0]),
            Some(value) => {
                ctx.update(&[1]);
                text(&mut ctx, value);
            }
        }
    }
    let mut hash = [0; 32];
    hash.copy_from_slice(ctx.finish().as_ref());
    hash
}

fn bytes(ctx: &mut Context, value: &[u8]) {
    ctx.update(&(value.len() as u64).to_be_bytes());
    ctx.update(value);
}

fn text(ctx: &mut Context, value: &str) {
    bytes(ctx, value.as_bytes());
}

/// `value` as JSON with object keys in byte order and no whitespace.
fn canonical_json(value: &Value, out: &mut String) {
    match value {
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                canonical_json(item, out);
            }
            out.push(']');
        }
        Value::Object(map) => {
            let mut keys: Vec<&String> = map.keys().collect();
            keys.sort();
            out.push('{');
            for (i, key) in keys.into_iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                out.push_str(&Value::String(key.clone()).to_string());
                out.push(':');
                if let Some(item) = map.get(key) {
                    canonical_json(item, out);
                }
            }
            out.push('}');
        }
        scalar => out.push_str(&scalar.to_string()),
    }
}

/// Appends one event to `$chain` on a transaction's connection (`&mut *tx`): moves the chain's
/// head (on Postgres the `UPDATE` holds the head's row lock until commit, so concurrent writers
/// queue; on SQLite `BEGIN IMMEDIATE` already serialises writers), writes the event with its
/// links, and stores the new head. A pool does not compile here: the three statements must be
/// one transaction. Put it last in a transaction where possible, so the head is held briefly
/// and never while waiting for another lock.
macro_rules! insert_chained {
    ($conn:expr, $chain:expr, $fields:expr) => {{
        let conn = $conn;
        let chain: &'static str = $chain;
        let fields: $crate::store::audit_chain::LinkFields<'_> = $fields;
        async {
            let (seq, prev): (i64, Vec<u8>) = sqlx::query_as(
                "UPDATE audit_chains SET seq = seq + 1 WHERE chain = $1 RETURNING seq, head",
            )
            .bind(chain)
            .fetch_one(&mut *conn)
            .await?;
            let hash = $crate::store::audit_chain::link_hash(chain, seq, &prev, &fields);
            sqlx::query(
                "INSERT INTO audit_events (id, at, actor, action, subject_kind, subject_id, detail, \
                 source, patient, chain, seq, prev_hash, hash) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)",
            )
            .bind(fields.id)
            .bind(fields.at)
            .bind(fields.actor)
            .bind(fields.action)
            .bind(fields.subject_kind)
            .bind(fields.subject_id)
            .bind(sqlx::types::Json(fields.detail))
            .bind(fields.source)
            .bind(fields.patient)
            .bind(chain)
            .bind(seq)
            .bind(prev)
            .bind(hash.to_vec())
            .execute(&mut *conn)
            .await?;
            sqlx::query("UPDATE audit_chains SET head = $1 WHERE chain = $2")
                .bind(hash.to_vec())
                .bind(chain)
                .execute(&mut *conn)
                .await?;
            Ok::<(), sqlx::Error>(())
        }
        .await
    }};
}
pub(crate) use insert_chained;

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn fields(detail: &Value) -> LinkFields<'_> {
        LinkFields {
            id: Uuid::nil(),
            at: 1,
            actor: "worker",
            action: "change.posted",
            subject_kind: "proposed_change",
            subject_id: Uuid::nil(),
            detail,
            source: None,
            patient: None,
        }
    }

    #[test]
    fn the_hash_ignores_the_order_json_keys_were_written_in() {
        let a: Value = serde_json::from_str(r#"{"b":1,"a":[{"y":2,"x":"3"}]}"#).unwrap();
        let b: Value = serde_json::from_str(r#"{ "a": [ {"x":"3", "y":2} ], "b": 1 }"#).unwrap();
        assert_eq!(
            link_hash("records", 1, &GENESIS, &fields(&a)),
            link_hash("records", 1, &GENESIS, &fields(&b))
        );
    }

    #[test]
    fn every_field_the_number_the_chain_and_the_previous_hash_change_the_hash() {
        let detail = json!({"attempts": 1});
        let other_detail = json!({"attempts": 2});
        let base = fields(&detail);
        let hash = link_hash("records", 1, &GENESIS, &base);
        let variants = [
            link_hash("staff", 1, &GENESIS, &base),
            link_hash("records", 2, &GENESIS, &base),
            link_hash("records", 1, &[1; 32], &base),
            link_hash("records", 1, &GENESIS, &LinkFields { at: 2, ..base }),
            link_hash(
                "records",
                1,
                &GENESIS,
                &LinkFields {
                    actor: "system",
                    ..base
                },
            ),
            link_hash(
                "records",
                1,
                &GENESIS,
                &LinkFields {
                    action: "change.held",
                    ..base
                },
            ),
            link_hash("records", 1, &GENESIS, &fields(&other_detail)),
            link_hash(
                "records",
                1,
                &GENESIS,
                &LinkFields {
                    source: Some(""),
                    ..base
                },
            ),
            link_hash(
                "records",
                1,
                &GENESIS,
                &LinkFields {
                    patient: Some(""),
                    ..base
                },
            ),
            link_hash(
                "records",
                1,
                &GENESIS,
                &LinkFields {
                    id: Uuid::max(),
                    ..base
                },
            ),
        ];
        for (i, variant) in variants.iter().enumerate() {
            assert_ne!(&hash, variant, "variant {i}");
        }
    }

    #[test]
    fn moving_text_between_fields_changes_the_hash() {
        let detail = json!({});
        let a = LinkFields {
            actor: "ab",
            action: "c",
            ..fields(&detail)
        };
        let b = LinkFields {
            actor: "a",
            action: "bc",
            ..fields(&detail)
        };
        assert_ne!(
            link_hash("records", 1, &GENESIS, &a),
            link_hash("records", 1, &GENESIS, &b)
        );
    }
}
