-- Each save of a draft counts up its version, so a process that kept a draft in memory writes
-- over it only while it is still the one stored (UPDATE ... WHERE version = the one it read):
-- a save from another tab or process in between makes the write miss, and it reads again.
ALTER TABLE drafts ADD COLUMN version BIGINT NOT NULL DEFAULT 0;
