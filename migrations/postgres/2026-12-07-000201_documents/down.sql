DROP INDEX documents_sha256;
DROP INDEX documents_case;
DROP TABLE documents;
