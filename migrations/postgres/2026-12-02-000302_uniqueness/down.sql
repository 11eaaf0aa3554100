DROP INDEX outbox_queue;
DROP INDEX appeals_once;
DROP INDEX sealed_reports_successor;
ALTER TABLE sealed_reports DROP COLUMN supersedes;
