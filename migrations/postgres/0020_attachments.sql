-- Files a patient sent with their answers: photos (insurance card, ID) and drawn signatures,
-- re-encoded without metadata before they are stored. An answer names its file by `id`; the
-- retention purge deletes them with the answers. `sealed` is how the bytes are kept: `plain`
-- until encryption at rest seals them.
CREATE TABLE attachments (
    id            UUID    PRIMARY KEY,
    invitation_id UUID    NOT NULL REFERENCES invitations (id) ON DELETE CASCADE,
    field         TEXT    NOT NULL,
    content_type  TEXT    NOT NULL,
    size          BIGINT  NOT NULL,
    sha1          TEXT    NOT NULL,
    sealed        TEXT    NOT NULL DEFAULT 'plain',
    bytes         BYTEA   NOT NULL,
    created_at    BIGINT  NOT NULL
);
CREATE INDEX attachments_by_invitation ON attachments (invitation_id);
