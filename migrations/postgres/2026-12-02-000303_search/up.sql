-- Text search (`q` of the case list) through trigram GIN indexes (pg_trgm, a trusted extension:
-- the database's owner may create it), maintained by PostgreSQL in each write's transaction:
-- the description and case number of each case, the name of each applicant.
CREATE EXTENSION IF NOT EXISTS pg_trgm;
CREATE INDEX cases_description_trgm ON cases USING gin (description gin_trgm_ops);
CREATE INDEX cases_case_number_trgm ON cases USING gin (case_number gin_trgm_ops);
CREATE INDEX applicants_name_trgm ON applicants USING gin (name gin_trgm_ops);
