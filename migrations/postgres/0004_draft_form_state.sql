-- What a draft knows of the form version it was saved under (each item's fingerprint), and
-- the sections the patient should check again after the form changed.
ALTER TABLE drafts ADD COLUMN form_state JSONB;
