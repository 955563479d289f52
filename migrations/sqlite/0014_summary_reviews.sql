-- The clinician's summary and the front desk's markers. A submission keeps the language the
-- patient answered in (NULL for those stored before) and the notes its answers raised for the
-- front desk (the answers a form marks for staff, with their marker), so the worklist reads
-- those and never the clinical answers. A clinician's "reviewed" mark is one row per
-- clinician and submission; the first mark stands.
ALTER TABLE submissions ADD COLUMN language TEXT;
ALTER TABLE submissions ADD COLUMN staff_notes TEXT NOT NULL DEFAULT '[]';

CREATE TABLE submission_reviews (
    submission_id BLOB NOT NULL REFERENCES submissions (id),
    staff_id      BLOB NOT NULL REFERENCES staff_users (id),
    reviewed_at   INTEGER NOT NULL,
    PRIMARY KEY (submission_id, staff_id)
);
