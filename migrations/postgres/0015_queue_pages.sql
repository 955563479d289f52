-- The review queue pages by key in each of its orders, so a page costs the same whatever the
-- queue holds. Its sort by patient needs the patient's name on the change itself (lower case,
-- as the sort compares it), kept from the appointment when the change is stored.
ALTER TABLE proposed_changes ADD COLUMN patient_key TEXT NOT NULL DEFAULT '';
UPDATE proposed_changes SET patient_key = COALESCE((
    SELECT LOWER(a.patient_name) FROM submissions s
    JOIN invitations i ON i.id = s.invitation_id
    JOIN appointments a ON a.id = i.appointment_id
    WHERE s.id = proposed_changes.submission_id), '');
-- Only waiting changes (held or failed) are in these indexes: the queue's pages read them in
-- order and stop after a page, and posted history does not grow them.
CREATE INDEX proposed_changes_waiting_by_age
    ON proposed_changes (reviewer, created_at, submission_id, position)
    WHERE state IN ('held', 'failed');
CREATE INDEX proposed_changes_waiting_by_patient
    ON proposed_changes (reviewer, patient_key, created_at, submission_id, position)
    WHERE state IN ('held', 'failed');
-- The queue's capped count ("1,000+") of a filtered queue reads this index alone.
CREATE INDEX proposed_changes_waiting_kinds
    ON proposed_changes (reviewer, resource_type, hold_reason, state)
    WHERE state IN ('held', 'failed');
