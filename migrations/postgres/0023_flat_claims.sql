-- The write-back claim reads the outbox in its order (oldest due first, then by submission and
-- position) and stops at the first change it may take: this index holds only what is queued, in
-- that order, so a claim costs the same with 50,000 changes due after an EHR outage as with 5,
-- and posted history does not grow it.
CREATE INDEX proposed_changes_due
    ON proposed_changes (next_attempt_at, submission_id, position)
    WHERE state = 'queued';
