-- A one-time code after the date of birth (INTAKE_VERIFY_CODE): the session remembers that its
-- date of birth was right, and each invitation has at most one current code, kept only as a
-- hash, with its expiry, whether it was used, and how many were sent on the link.
ALTER TABLE patient_sessions ADD COLUMN birth_date_proven BOOLEAN NOT NULL DEFAULT FALSE;

CREATE TABLE one_time_codes (
    invitation_id BLOB PRIMARY KEY REFERENCES invitations (id) ON DELETE CASCADE,
    code_hash     TEXT NOT NULL,
    sent_at       INTEGER NOT NULL,
    expires_at    INTEGER NOT NULL,
    used_at       INTEGER,
    sends         INTEGER NOT NULL
);
