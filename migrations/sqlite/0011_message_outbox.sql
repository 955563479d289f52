-- The message outbox, as the notify module uses it: a message can be cancelled before it goes
-- (a newer link replaced it, the form was submitted, the visit was cancelled), and one-time codes,
-- of which a link may have several, are numbered, so the rule "one message per invitation and
-- purpose" becomes "one per invitation, purpose and number" (0 for invitations and reminders).
-- SQLite cannot change a CHECK constraint in place: the table is rebuilt.
PRAGMA defer_foreign_keys = ON;

CREATE TABLE messages_new (
    id              BLOB PRIMARY KEY,
    invitation_id   BLOB REFERENCES invitations (id),
    appointment_id  BLOB REFERENCES appointments (id),
    purpose         TEXT NOT NULL CHECK (purpose IN ('invitation', 'reminder', 'one_time_code', 'urgent_alert')),
    sequence        INTEGER NOT NULL DEFAULT 0,
    channel         TEXT NOT NULL CHECK (channel IN ('email', 'sms', 'log')),
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
    sent_at         INTEGER
);
INSERT INTO messages_new (id, invitation_id, appointment_id, purpose, sequence, channel, recipient,
    language, subject, body, state, attempts, next_attempt_at, lease_until, last_error, created_at,
    updated_at, sent_at)
SELECT id, invitation_id, appointment_id, purpose, 0, channel, recipient, language, subject, body,
    state, attempts, next_attempt_at, lease_until, last_error, created_at, updated_at, sent_at
FROM messages;
DROP TABLE messages;
ALTER TABLE messages_new RENAME TO messages;
CREATE UNIQUE INDEX messages_once_per_purpose ON messages (invitation_id, purpose, sequence);
CREATE INDEX messages_outbox ON messages (state, next_attempt_at);
CREATE INDEX messages_by_appointment ON messages (appointment_id, created_at);
