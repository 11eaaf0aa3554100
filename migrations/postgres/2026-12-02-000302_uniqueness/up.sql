-- Exactly one seal in force at a time: each seal names the seal it replaces (NULL for the first),
-- and no two seals of one agency, year and scope replace the same one. Two supervisors sealing
-- at once then get one seal and a 409, on PostgreSQL as on SQLite.
ALTER TABLE sealed_reports ADD COLUMN supersedes BIGINT REFERENCES sealed_reports (id);
UPDATE sealed_reports SET supersedes = (
    SELECT MAX(p.id) FROM sealed_reports p
    WHERE p.agency_id = sealed_reports.agency_id AND p.year = sealed_reports.year
      AND p.include_descendants = sealed_reports.include_descendants AND p.id < sealed_reports.id
);
CREATE UNIQUE INDEX sealed_reports_successor
    ON sealed_reports (agency_id, year, include_descendants, COALESCE(supersedes, 0));

-- An appeal is filed once: the same case, kind and filing date again is a duplicate (409). A
-- database holding such duplicates from before must have them removed before this migration.
CREATE UNIQUE INDEX appeals_once ON appeals (case_id, kind, filed_on);

-- The outbox's queue depth (metrics) without reading the sent messages.
CREATE INDEX outbox_queue ON outbox (status) WHERE status IN ('pending', 'sending', 'failed');
