-- Imports of an agency's ledger (台账): one row per import written, with the file's SHA-256 and
-- name, who imported it and the counts; and which case each row of the file created, so that the
-- same file imported again finds its rows (also those without a case number).
CREATE TABLE imports (
    id BIGSERIAL PRIMARY KEY,
    agency_id BIGINT NOT NULL REFERENCES agencies (id),
    file_name TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    imported_by BIGINT NOT NULL REFERENCES users (id),
    imported_at TIMESTAMP NOT NULL,
    rows_read INTEGER NOT NULL,
    created INTEGER NOT NULL,
    already_present INTEGER NOT NULL,
    invalid INTEGER NOT NULL
);
CREATE INDEX imports_agency_sha256 ON imports (agency_id, sha256);

CREATE TABLE import_rows (
    import_id BIGINT NOT NULL REFERENCES imports (id),
    file_row INTEGER NOT NULL,
    case_id BIGINT NOT NULL REFERENCES cases (id),
    PRIMARY KEY (import_id, file_row)
);
