-- The message outbox, as the notify module uses it: a message can be cancelled before it goes
-- (a newer link replaced it, the form was submitted, the visit was cancelled), and one-time codes,
-- of which a link may have several, are numbered, so the rule "one message per invitation and
-- purpose" becomes "one per invitation, purpose and number" (0 for invitations and reminders).
ALTER TABLE messages DROP CONSTRAINT messages_state_check;
ALTER TABLE messages ADD CONSTRAINT messages_state_check
    CHECK (state IN ('queued', 'sending', 'sent', 'failed', 'cancelled'));
ALTER TABLE messages ADD COLUMN sequence BIGINT NOT NULL DEFAULT 0;
DROP INDEX messages_once_per_purpose;
CREATE UNIQUE INDEX messages_once_per_purpose ON messages (invitation_id, purpose, sequence);
