DROP TRIGGER applicants_fts_delete;
DROP TRIGGER applicants_fts_update;
DROP TRIGGER applicants_fts_insert;
DROP TRIGGER cases_fts_delete;
DROP TRIGGER cases_fts_update;
DROP TRIGGER cases_fts_insert;
DROP TABLE applicants_fts;
DROP TABLE cases_fts;
