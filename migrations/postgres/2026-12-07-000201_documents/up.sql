-- Case documents (案件材料): files attached to a case. The bytes live in the content-addressed
-- store under files.dir (named by their SHA-256, one copy per content); a row is never deleted,
-- only withdrawn with a reason.
CREATE TABLE documents (
    id BIGSERIAL PRIMARY KEY,
    case_id BIGINT NOT NULL REFERENCES cases (id),
    -- application, identity_proof, correspondence, information_provided, letter_as_sent, other.
    kind TEXT NOT NULL,
    -- The name as uploaded (shown, and given back on download).
    filename TEXT NOT NULL,
    -- SHA-256 of the content, 64 lower-case hex digits: the blob's name in the store.
    sha256 TEXT NOT NULL,
    size BIGINT NOT NULL CHECK (size > 0),
    -- The type sniffed from the content, e.g. application/pdf.
    media_type TEXT NOT NULL,
    uploaded_by BIGINT NOT NULL REFERENCES users (id),
    uploaded_at TIMESTAMP NOT NULL,
    -- The seq of the case's document_added event.
    event_seq INTEGER NOT NULL,
    withdrawn_at TIMESTAMP,
    withdrawn_by BIGINT REFERENCES users (id),
    withdraw_reason TEXT,
    CHECK ((withdrawn_at IS NULL) = (withdraw_reason IS NULL))
);
CREATE INDEX documents_case ON documents (case_id, id);
-- Backups and their verification look blobs up by hash.
CREATE INDEX documents_sha256 ON documents (sha256);
