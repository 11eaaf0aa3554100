-- Online applications (Art. 29, 31 (3)): an agency an administrator opened for them, and the
-- submissions waiting for the intake desk to confirm (they become cases) or reject.
ALTER TABLE agencies ADD COLUMN accepts_online_applications BOOLEAN NOT NULL DEFAULT FALSE;

CREATE TABLE submissions (
    id BIGSERIAL PRIMARY KEY,
    -- Shown to the applicant, e.g. WS-20261206-7KQ4M2PX.
    submission_number TEXT NOT NULL UNIQUE,
    agency_id BIGINT NOT NULL REFERENCES agencies (id),
    applicant_category TEXT NOT NULL,
    applicant_name TEXT NOT NULL,
    applicant_id_type TEXT,
    applicant_id_number TEXT,
    applicant_phone TEXT,
    applicant_email TEXT,
    applicant_address TEXT,
    description TEXT NOT NULL,
    -- JSON array of the items' descriptions.
    items TEXT NOT NULL,
    -- paper, electronic, inspection / pick_up, post, email, online.
    delivery_form TEXT NOT NULL,
    delivery_method TEXT NOT NULL,
    submitted_at TIMESTAMP NOT NULL,
    -- pending, confirmed, rejected.
    status TEXT NOT NULL,
    reject_reason TEXT,
    decided_at TIMESTAMP,
    decided_by BIGINT REFERENCES users (id),
    case_id BIGINT UNIQUE REFERENCES cases (id),
    -- SHA-256 (hex) of the query code; the code itself is never stored.
    query_code_hash TEXT NOT NULL,
    -- The page's key of one submission: a retry is stored once.
    idempotency_key TEXT UNIQUE,
    -- SHA-256 (hex) of the canonical request that came with the idempotency key.
    request_hash TEXT NOT NULL,
    -- The client address it came from (for the per-address limits and abuse review).
    requester TEXT,
    -- When the applicant asked, on the status page, to withdraw the request.
    withdrawal_requested_at TIMESTAMP
);
CREATE INDEX submissions_queue ON submissions (status, submitted_at, id);
CREATE INDEX submissions_agency ON submissions (agency_id, status);
