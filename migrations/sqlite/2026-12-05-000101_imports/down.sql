DROP TABLE import_rows;
DROP INDEX imports_agency_sha256;
DROP TABLE imports;
