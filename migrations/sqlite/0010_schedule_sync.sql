-- The schedule sync: what it could not bring in, per EHR appointment id, replaced by each run so
-- staff see today's problems and not last week's; and when it last ran, with its counts.
-- Messages name the problem, never the patient.
CREATE TABLE schedule_problems (
    ehr_appointment_id TEXT PRIMARY KEY,
    starts_at          INTEGER,
    message            TEXT NOT NULL,
    recorded_at        INTEGER NOT NULL
);

CREATE TABLE schedule_sync_runs (
    id          INTEGER PRIMARY KEY CHECK (id = 1),
    finished_at INTEGER NOT NULL,
    summary     TEXT NOT NULL
);
