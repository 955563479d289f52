-- The front-desk worklist: the page a patient last saved, so the list can say "in progress
-- (page 2 of 3)". NULL for drafts saved before this column existed (shown without a page).
ALTER TABLE drafts ADD COLUMN page INTEGER;
