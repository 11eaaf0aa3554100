DROP INDEX cases_applicant_name_trgm;
DROP INDEX cases_case_number_trgm;
DROP INDEX cases_description_trgm;
-- Refused (RESTRICT) if anything else came to depend on the extension.
DROP EXTENSION pg_trgm;
