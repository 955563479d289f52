-- Times are Unix epoch milliseconds (UTC) in both backends, so one set of queries serves both.
-- Ids are UUIDs (native uuid here).

CREATE TABLE staff_users (
    id            UUID PRIMARY KEY,
    username      TEXT NOT NULL UNIQUE,
    display_name  TEXT NOT NULL,
    role          TEXT NOT NULL CHECK (role IN ('front_desk', 'clinician')),
    password_hash TEXT NOT NULL,
    created_at    BIGINT NOT NULL
);

CREATE TABLE staff_sessions (
    token_hash   TEXT PRIMARY KEY,
    user_id      UUID NOT NULL REFERENCES staff_users (id) ON DELETE CASCADE,
    csrf_token   TEXT NOT NULL,
    created_at   BIGINT NOT NULL,
    last_seen_at BIGINT NOT NULL
);

CREATE TABLE appointments (
    id                 UUID PRIMARY KEY,
    patient_system     TEXT NOT NULL,
    patient_value      TEXT NOT NULL,
    patient_name       TEXT NOT NULL,
    patient_birth_date TEXT NOT NULL,
    patient_ref        TEXT NOT NULL,
    starts_at          BIGINT NOT NULL,
    visit_type         TEXT NOT NULL,
    form_id            TEXT NOT NULL,
    created_at         BIGINT NOT NULL
);

CREATE TABLE invitations (
    id              UUID PRIMARY KEY,
    appointment_id  UUID NOT NULL REFERENCES appointments (id),
    token_hash      TEXT NOT NULL UNIQUE,
    status          TEXT NOT NULL CHECK (status IN ('open', 'locked', 'submitted', 'revoked')),
    failed_attempts BIGINT NOT NULL DEFAULT 0,
    expires_at      BIGINT NOT NULL,
    created_at      BIGINT NOT NULL
);
CREATE INDEX invitations_by_appointment ON invitations (appointment_id);

CREATE TABLE patient_sessions (
    token_hash    TEXT PRIMARY KEY,
    invitation_id UUID NOT NULL REFERENCES invitations (id) ON DELETE CASCADE,
    csrf_token    TEXT NOT NULL,
    verified      BOOLEAN NOT NULL DEFAULT FALSE,
    created_at    BIGINT NOT NULL,
    last_seen_at  BIGINT NOT NULL
);

CREATE TABLE drafts (
    invitation_id UUID PRIMARY KEY REFERENCES invitations (id),
    form_id       TEXT NOT NULL,
    form_hash     TEXT NOT NULL,
    answers       JSONB NOT NULL,
    updated_at    BIGINT NOT NULL
);

CREATE TABLE submissions (
    id            UUID PRIMARY KEY,
    invitation_id UUID NOT NULL UNIQUE REFERENCES invitations (id),
    form_id       TEXT NOT NULL,
    form_hash     TEXT NOT NULL,
    answers       JSONB NOT NULL,
    patient_ref   TEXT NOT NULL,
    submitted_at  BIGINT NOT NULL
);

-- One row per proposed chart change. Rows in state 'queued' are the outbox; 'held' and
-- 'failed' rows are the exception queue.
CREATE TABLE proposed_changes (
    id              UUID PRIMARY KEY,
    submission_id   UUID NOT NULL REFERENCES submissions (id),
    position        INTEGER NOT NULL,
    resource_type   TEXT NOT NULL,
    resource        JSONB NOT NULL,
    summary         TEXT NOT NULL,
    state           TEXT NOT NULL CHECK (state IN ('held', 'queued', 'sending', 'posted', 'failed', 'rejected')),
    hold_reason     TEXT,
    attempts        BIGINT NOT NULL DEFAULT 0,
    next_attempt_at BIGINT NOT NULL,
    lease_until     BIGINT,
    ehr_resource_id TEXT,
    last_error      TEXT,
    created_at      BIGINT NOT NULL,
    updated_at      BIGINT NOT NULL
);
CREATE INDEX proposed_changes_outbox ON proposed_changes (state, next_attempt_at);
CREATE UNIQUE INDEX proposed_changes_by_submission ON proposed_changes (submission_id, position);

CREATE TABLE audit_events (
    id           UUID PRIMARY KEY,
    at           BIGINT NOT NULL,
    actor        TEXT NOT NULL,
    action       TEXT NOT NULL,
    subject_kind TEXT NOT NULL,
    subject_id   UUID NOT NULL,
    detail       JSONB NOT NULL
);
CREATE INDEX audit_events_by_subject ON audit_events (subject_id, at);
