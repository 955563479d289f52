-- Urgent flags reach a person (issue 13): one row per urgent flag a submission raised, with its
-- acknowledgement (who, when, note) and its escalation; the alerts go through the message
-- outbox, which learns a webhook channel and which urgent flag an alert is about.
CREATE TABLE urgent_flags (
    id                   UUID PRIMARY KEY,
    submission_id        UUID NOT NULL REFERENCES submissions (id),
    appointment_id       UUID NOT NULL REFERENCES appointments (id),
    flag_id              TEXT NOT NULL,
    raised_at            BIGINT NOT NULL,
    escalate_at          BIGINT NOT NULL,
    escalated_at         BIGINT,
    acknowledged_at      BIGINT,
    acknowledged_by      UUID REFERENCES staff_users (id),
    acknowledgement_note TEXT,
    UNIQUE (submission_id, flag_id)
);
CREATE INDEX urgent_flags_open ON urgent_flags (raised_at, id) WHERE acknowledged_at IS NULL;
CREATE INDEX urgent_flags_to_escalate ON urgent_flags (escalate_at)
    WHERE acknowledged_at IS NULL AND escalated_at IS NULL;

ALTER TABLE messages DROP CONSTRAINT messages_channel_check;
ALTER TABLE messages ADD CONSTRAINT messages_channel_check
    CHECK (channel IN ('email', 'sms', 'webhook', 'log'));
ALTER TABLE messages ADD COLUMN urgent_flag_id UUID REFERENCES urgent_flags (id);
-- One alert per urgent flag, recipient and round (0 when raised, 1 the escalation).
CREATE UNIQUE INDEX messages_urgent_once ON messages (urgent_flag_id, recipient, sequence);
