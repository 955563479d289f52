-- Who decides on a held change (the posting policy's reviewer): clinical changes wait for a
-- clinician, the rest for the front desk. Changes stored before this get the default rule.
ALTER TABLE proposed_changes ADD COLUMN reviewer TEXT NOT NULL DEFAULT 'front_desk'
    CHECK (reviewer IN ('front_desk', 'clinician'));
UPDATE proposed_changes SET reviewer = 'clinician'
    WHERE resource_type IN ('AllergyIntolerance', 'MedicationStatement', 'Condition', 'Observation')
      AND COALESCE(hold_reason, '') <> 'identity-mismatch';
CREATE INDEX proposed_changes_by_reviewer ON proposed_changes (reviewer, state, created_at);
