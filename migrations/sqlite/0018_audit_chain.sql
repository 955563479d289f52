-- A tamper-evident audit log: every event carries the hash of the one before it in its chain
-- (SHA-256 over the event's fields and that hash; see src/store/audit_chain.rs), and each chain's
-- head row holds the last number and hash. A writer moves the head in the transaction that adds
-- the event, so concurrent writers queue on that one row. `intake audit verify` walks the chains.
ALTER TABLE audit_events ADD COLUMN chain TEXT;
ALTER TABLE audit_events ADD COLUMN seq INTEGER;
ALTER TABLE audit_events ADD COLUMN prev_hash BLOB;
ALTER TABLE audit_events ADD COLUMN hash BLOB;
CREATE UNIQUE INDEX audit_events_by_chain ON audit_events (chain, seq);

-- `records`: what patients, the posting policy and the worker did; `staff`: sign-ins, account
-- changes and views. Events written before this migration are chained into `records` once, by
-- the first start after it (`legacy_chained`), since SQL alone cannot compute the hashes here.
CREATE TABLE audit_chains (
    chain          TEXT PRIMARY KEY,
    seq            INTEGER NOT NULL,
    head           BLOB NOT NULL,
    legacy_chained BOOLEAN NOT NULL
);
INSERT INTO audit_chains (chain, seq, head, legacy_chained) VALUES
    ('records', 0, zeroblob(32), FALSE),
    ('staff', 0, zeroblob(32), TRUE);
