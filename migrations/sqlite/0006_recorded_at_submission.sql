-- What a submission recorded as it was made, kept as recorded (a later version of the form
-- changes neither): the consents given or declined (the version of each text, the typed name
-- that signed it and when), and the flags the answers raised (urgent first).
ALTER TABLE submissions ADD COLUMN consents TEXT NOT NULL DEFAULT '[]';
ALTER TABLE submissions ADD COLUMN flags TEXT NOT NULL DEFAULT '[]';
