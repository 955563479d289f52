-- What the chart held when the patient started (read once per invitation), so the form shows
-- it and the submission is compared with exactly that.
CREATE TABLE chart_reads (
    invitation_id UUID PRIMARY KEY REFERENCES invitations (id),
    chart         JSONB NOT NULL,
    read_at       BIGINT NOT NULL
);
