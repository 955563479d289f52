-- Urgent flags reach a person (issue 13): one row per urgent flag a submission raised, with its
-- acknowledgement (who, when, note) and its escalation; the alerts go through the message
-- outbox, which learns a webhook channel and which urgent flag an alert is about.
-- SQLite cannot change a CHECK constraint in place: the messages table is rebuilt.
CREATE TABLE urgent_flags (
    id                   BLOB PRIMARY KEY,
    submission_id        BLOB NOT NULL REFERENCES submissions (id),
    appointment_id       BLOB NOT NULL REFERENCES appointments (id),
    flag_id              TEXT NOT NULL,
    raised_at            INTEGER NOT NULL,
    escalate_at          INTEGER NOT NULL,
    escalated_at         INTEGER,
    acknowledged_at      INTEGER,
    acknowledged_by      BLOB REFERENCES staff_users (id),
    acknowledgement_note TEXT,
    UNIQUE (submission_id, flag_id)
);
CREATE INDEX urgent_flags_open ON urgent_flags (raised_at, id) WHERE acknowledged_at IS NULL;
CREATE INDEX urgent_flags_to_escalate ON urgent_flags (escalate_at)
    WHERE acknowledged_at IS NULL AND escalated_at IS NULL;

PRAGMA defer_foreign_keys = ON;

CREATE TABLE messages_new (
    id              BLOB PRIMARY KEY,
    invitation_id   BLOB REFERENCES invitations (id),
    appointment_id  BLOB REFERENCES appointments (id),
    purpose         TEXT NOT NULL CHECK (purpose IN ('invitation', 'reminder', 'one_time_code', 'urgent_alert')),
    sequence        INTEGER NOT NULL DEFAULT 0,
    channel         TEXT NOT NULL CHECK (channel IN ('email', 'sms', 'webhook', 'log')),
    recipient       TEXT NOT NULL,
    language        TEXT NOT NULL,
    subject         TEXT NOT NULL,
    body            TEXT,
    state           TEXT NOT NULL CHECK (state IN ('queued', 'sending', 'sent', 'failed', 'cancelled')),
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at INTEGER NOT NULL,
    lease_until     INTEGER,
    last_error      TEXT,
    created_at      INTEGER NOT NULL,
    updated_at      INTEGER NOT NULL,
    sent_at         INTEGER,
    urgent_flag_id  BLOB REFERENCES urgent_flags (id)
);
INSERT INTO messages_new (id, invitation_id, appointment_id, purpose, sequence, channel, recipient,
    language, subject, body, state, attempts, next_attempt_at, lease_until, last_error, created_at,
    updated_at, sent_at)
SELECT id, invitation_id, appointment_id, purpose, sequence, channel, recipient, language, subject,
    body, state, attempts, next_attempt_at, lease_until, last_error, created_at, updated_at, sent_at
FROM messages;
DROP TABLE messages;
ALTER TABLE messages_new RENAME TO messages;
CREATE UNIQUE INDEX messages_once_per_purpose ON messages (invitation_id, purpose, sequence);
CREATE INDEX messages_outbox ON messages (state, next_attempt_at);
CREATE INDEX messages_by_appointment ON messages (appointment_id, created_at);
-- One alert per urgent flag, recipient and round (0 when raised, 1 the escalation).
CREATE UNIQUE INDEX messages_urgent_once ON messages (urgent_flag_id, recipient, sequence);
