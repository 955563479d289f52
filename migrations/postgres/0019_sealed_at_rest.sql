-- Patient data encrypted at rest (issue 16, point 6). The values themselves are sealed by the
-- application on its first start after this migration (src/store/sealing.rs), in one
-- transaction with the first row of `data_keys`: either every existing value is sealed and the
-- key is kept, or nothing changed.

-- The data keys, each wrapped (AES-256-GCM) by the key-encryption key in INTAKE_DATA_KEY_FILE.
-- The id is the second byte of every value the key sealed; the newest seals new values.
CREATE TABLE data_keys (
    id         BIGINT  PRIMARY KEY CHECK (id BETWEEN 1 AND 255),
    wrapped    TEXT    NOT NULL,
    created_at BIGINT  NOT NULL,
    wrapped_at BIGINT  NOT NULL
);

-- Sealed values are text, not JSON: the columns that held JSON become text (their JSON as text,
-- sealed at first start). Their defaults would be plaintext, and every insert names them.
ALTER TABLE drafts ALTER COLUMN answers TYPE TEXT USING answers::text;
ALTER TABLE chart_reads ALTER COLUMN chart TYPE TEXT USING chart::text;
ALTER TABLE submissions ALTER COLUMN answers TYPE TEXT USING answers::text;
ALTER TABLE submissions ALTER COLUMN consents DROP DEFAULT;
ALTER TABLE submissions ALTER COLUMN consents TYPE TEXT USING consents::text;
ALTER TABLE proposed_changes ALTER COLUMN resource TYPE TEXT USING resource::text;
ALTER TABLE proposed_changes ALTER COLUMN original_resource TYPE TEXT USING original_resource::text;

-- The worklist finds a patient by record number or full name through keyed hashes
-- (HMAC-SHA256 under a key derived from the data key) of the normalised value, as the
-- plaintext columns now hold sealed values.
ALTER TABLE appointments ADD COLUMN patient_lookup TEXT;
ALTER TABLE appointments ADD COLUMN name_lookup TEXT;
DROP INDEX appointments_by_patient_value;
CREATE INDEX appointments_by_patient_lookup ON appointments (patient_lookup);
CREATE INDEX appointments_by_name_lookup ON appointments (name_lookup);
