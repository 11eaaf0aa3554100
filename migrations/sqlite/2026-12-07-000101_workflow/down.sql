DROP TABLE chases;
DROP INDEX cases_routed_to;
DROP INDEX cases_unit;
DROP INDEX cases_handler;
ALTER TABLE cases DROP COLUMN routed_to;
ALTER TABLE cases DROP COLUMN handler_id;
ALTER TABLE cases DROP COLUMN unit_id;
