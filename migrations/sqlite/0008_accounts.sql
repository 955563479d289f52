-- Staff accounts without the demo: an admin role, accounts that can be disabled, a password that
-- must be changed after an initial one or a reset, a TOTP second factor with recovery codes, a
-- growing delay after failed sign-ins per username, and audit events that name the source address
-- and the patient whose data was seen.

-- The role CHECK changes, so SQLite rebuilds the table. Dropping the old table deletes its
-- sessions (ON DELETE CASCADE), so everyone signs in again after this upgrade.
PRAGMA defer_foreign_keys = ON;

CREATE TABLE staff_users_new (
    id                   BLOB PRIMARY KEY,
    username             TEXT NOT NULL UNIQUE,
    display_name         TEXT NOT NULL,
    role                 TEXT NOT NULL CHECK (role IN ('admin', 'front_desk', 'clinician')),
    password_hash        TEXT NOT NULL,
    created_at           INTEGER NOT NULL,
    -- Set by an initial password or a reset: the next sign-in asks for a new one.
    must_change_password BOOLEAN NOT NULL DEFAULT FALSE,
    disabled_at          INTEGER,
    -- The enrolled TOTP secret (base32), and one offered at enrolment but not yet confirmed.
    totp_secret          TEXT,
    totp_pending         TEXT,
    -- The last 30-second step a code was accepted for, so a code is never accepted twice.
    totp_last_step       INTEGER,
    updated_at           INTEGER
);
INSERT INTO staff_users_new (id, username, display_name, role, password_hash, created_at)
    SELECT id, username, display_name, role, password_hash, created_at FROM staff_users;
DROP TABLE staff_users;
ALTER TABLE staff_users_new RENAME TO staff_users;

-- When the session passed the second factor (NULL: not yet, or not asked).
ALTER TABLE staff_sessions ADD COLUMN second_factor_at INTEGER;
CREATE INDEX staff_sessions_by_user ON staff_sessions (user_id);

-- Recovery codes, hashed (SHA-256 of a random 60-bit code), each usable once.
CREATE TABLE staff_recovery_codes (
    user_id   BLOB NOT NULL REFERENCES staff_users (id) ON DELETE CASCADE,
    code_hash TEXT NOT NULL,
    used_at   INTEGER,
    PRIMARY KEY (user_id, code_hash)
);

-- Failed sign-ins per username tried (known or not, so both take the same path), cleared by a
-- successful one.
CREATE TABLE sign_in_failures (
    username       TEXT PRIMARY KEY,
    failures       INTEGER NOT NULL,
    last_failed_at INTEGER NOT NULL
);
CREATE INDEX sign_in_failures_by_age ON sign_in_failures (last_failed_at);

-- Who did it from where, and whose data it was (the patient's record number).
ALTER TABLE audit_events ADD COLUMN source TEXT;
ALTER TABLE audit_events ADD COLUMN patient TEXT;
-- The audit viewer pages newest first by (at, id), with or without one filter.
CREATE INDEX audit_events_newest ON audit_events (at, id);
CREATE INDEX audit_events_by_actor ON audit_events (actor, at, id);
CREATE INDEX audit_events_by_action ON audit_events (action, at, id);
CREATE INDEX audit_events_by_patient ON audit_events (patient, at, id);
