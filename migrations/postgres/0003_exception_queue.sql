-- Every send to the EHR, recorded when a worker claims the change (before anything is sent) and
-- completed with how it ended and the EHR's own words, so staff and analysts see every attempt,
-- not only the last error. An attempt without an outcome lost its lease mid-send.
CREATE TABLE change_attempts (
    change_id       UUID NOT NULL REFERENCES proposed_changes (id),
    attempt         BIGINT NOT NULL,
    started_at      BIGINT NOT NULL,
    finished_at     BIGINT,
    outcome         TEXT CHECK (outcome IN ('posted', 'retry', 'failed')),
    ehr_words       TEXT,
    ehr_resource_id TEXT,
    PRIMARY KEY (change_id, attempt)
);

-- The resource as extracted, kept when staff edit a proposed change before accepting it.
ALTER TABLE proposed_changes ADD COLUMN original_resource JSONB;
