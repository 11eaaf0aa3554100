-- Text search (`q` of the case list) through trigram GIN indexes (pg_trgm, a trusted extension:
-- the database's owner may create it), maintained by PostgreSQL in each write's transaction:
-- each case's description, case number and the applicant's name as given on its application.
CREATE EXTENSION IF NOT EXISTS pg_trgm;
CREATE INDEX cases_description_trgm ON cases USING gin (description gin_trgm_ops);
CREATE INDEX cases_case_number_trgm ON cases USING gin (case_number gin_trgm_ops);
CREATE INDEX cases_applicant_name_trgm ON cases USING gin (applicant_name gin_trgm_ops);
