-- The clinician's summary and the front desk's markers. A submission keeps the language the
-- patient answered in (NULL for those stored before) and the notes its answers raised for the
-- front desk (the answers a form marks for staff, with their marker), so the worklist reads
-- those and never the clinical answers. A clinician's "reviewed" mark is one row per
-- clinician and submission; the first mark stands.
ALTER TABLE submissions ADD COLUMN language TEXT;
ALTER TABLE submissions ADD COLUMN staff_notes JSONB NOT NULL DEFAULT '[]';

CREATE TABLE submission_reviews (
    submission_id UUID NOT NULL REFERENCES submissions (id),
    staff_id      UUID NOT NULL REFERENCES staff_users (id),
    reviewed_at   BIGINT NOT NULL,
    PRIMARY KEY (submission_id, staff_id)
);
