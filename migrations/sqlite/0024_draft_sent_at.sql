-- When the patient's page sent the save last applied to a draft, by the page's own clock (in
-- microseconds; pages with JavaScript send it with every save). Saves can overtake one another
-- on the way (a live save, then the beacon sent as the page is hidden): one sent before the
-- save already applied is older than what is stored and is not written over it.
ALTER TABLE drafts ADD COLUMN sent_at INTEGER;
