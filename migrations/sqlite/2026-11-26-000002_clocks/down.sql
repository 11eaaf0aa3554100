DROP TABLE sweep_runs;
DROP INDEX cases_lapses;
ALTER TABLE cases DROP COLUMN lapses_on;
DROP TABLE fee_notices;
DROP TABLE consultations;
DROP TABLE calendar_changes;
DROP TABLE calendar_years;
