-- The consents a submission gave or declined: the version of each text, the typed name that
-- signed it and when, kept as recorded (a later version of the form does not change them).
ALTER TABLE submissions ADD COLUMN consents TEXT NOT NULL DEFAULT '[]';
