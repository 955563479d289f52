-- The clinic's front door: appointments come from the EHR's schedule (or the front desk), carry
-- what inviting the patient needs (a mobile number or email address and a language, read from
-- the chart when the appointment is made), and can be cancelled; invitations record when they
-- were first opened and verified; messages to patients go through their own outbox.

-- The EHR's Appointment id and version (NULL for an appointment the front desk added); the sync
-- is idempotent on them.
ALTER TABLE appointments ADD COLUMN ehr_appointment_id TEXT;
ALTER TABLE appointments ADD COLUMN ehr_version TEXT;
ALTER TABLE appointments ADD COLUMN status TEXT NOT NULL DEFAULT 'booked'
    CHECK (status IN ('booked', 'cancelled'));
ALTER TABLE appointments ADD COLUMN patient_mobile TEXT;
ALTER TABLE appointments ADD COLUMN patient_email TEXT;
ALTER TABLE appointments ADD COLUMN patient_language TEXT;
ALTER TABLE appointments ADD COLUMN updated_at INTEGER;
CREATE UNIQUE INDEX appointments_by_ehr_id ON appointments (ehr_appointment_id);
CREATE INDEX appointments_by_start ON appointments (starts_at, id);
CREATE INDEX appointments_by_patient_value ON appointments (patient_value);

ALTER TABLE invitations ADD COLUMN opened_at INTEGER;
ALTER TABLE invitations ADD COLUMN verified_at INTEGER;
CREATE INDEX invitations_by_appointment_newest ON invitations (appointment_id, created_at);

-- One row per message to a person. Rows in state 'queued' are the outbox. A message is unique
-- per invitation and purpose, so a retry can never send a second one. The body (which holds
-- the link) is kept only until the message is sent.
CREATE TABLE messages (
    id              BLOB PRIMARY KEY,
    invitation_id   BLOB REFERENCES invitations (id),
    appointment_id  BLOB REFERENCES appointments (id),
    purpose         TEXT NOT NULL CHECK (purpose IN ('invitation', 'reminder', 'one_time_code', 'urgent_alert')),
    channel         TEXT NOT NULL CHECK (channel IN ('email', 'sms', 'log')),
    recipient       TEXT NOT NULL,
    language        TEXT NOT NULL,
    subject         TEXT NOT NULL,
    body            TEXT,
    state           TEXT NOT NULL CHECK (state IN ('queued', 'sending', 'sent', 'failed')),
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at INTEGER NOT NULL,
    lease_until     INTEGER,
    last_error      TEXT,
    created_at      INTEGER NOT NULL,
    updated_at      INTEGER NOT NULL,
    sent_at         INTEGER
);
CREATE UNIQUE INDEX messages_once_per_purpose ON messages (invitation_id, purpose);
CREATE INDEX messages_outbox ON messages (state, next_attempt_at);
CREATE INDEX messages_by_appointment ON messages (appointment_id, created_at);
