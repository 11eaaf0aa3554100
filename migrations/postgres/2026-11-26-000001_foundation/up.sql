-- Foundation: agencies, users and tokens, applicants, cases with their items and append-only events.
CREATE TABLE agencies (
    id BIGSERIAL PRIMARY KEY,
    name TEXT NOT NULL,
    code TEXT NOT NULL UNIQUE,
    parent_id BIGINT REFERENCES agencies (id),
    -- Materialised path of ids, e.g. '/1/4/9/': the subtree of A is every path starting with A's.
    path TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX agencies_path ON agencies (path);
CREATE INDEX agencies_parent ON agencies (parent_id);

CREATE TABLE users (
    id BIGSERIAL PRIMARY KEY,
    name TEXT NOT NULL,
    role TEXT NOT NULL,
    agency_id BIGINT REFERENCES agencies (id),
    active BOOLEAN NOT NULL DEFAULT TRUE,
    created_at TIMESTAMP NOT NULL
);

CREATE TABLE api_tokens (
    id BIGSERIAL PRIMARY KEY,
    user_id BIGINT NOT NULL REFERENCES users (id),
    -- SHA-256 (hex) of the token; the token itself is never stored.
    token_hash TEXT NOT NULL UNIQUE,
    created_at TIMESTAMP NOT NULL,
    revoked_at TIMESTAMP
);
CREATE INDEX api_tokens_user ON api_tokens (user_id);

CREATE TABLE applicants (
    id BIGSERIAL PRIMARY KEY,
    category TEXT NOT NULL,
    name TEXT NOT NULL,
    id_type TEXT,
    id_number TEXT,
    phone TEXT,
    email TEXT,
    address TEXT,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    UNIQUE (id_type, id_number)
);

CREATE TABLE cases (
    id BIGSERIAL PRIMARY KEY,
    agency_id BIGINT NOT NULL REFERENCES agencies (id),
    case_number TEXT NOT NULL,
    year INTEGER NOT NULL,
    channel TEXT NOT NULL,
    submitted_on DATE,
    received_on DATE NOT NULL,
    applicant_id BIGINT NOT NULL REFERENCES applicants (id),
    applicant_category TEXT NOT NULL,
    description TEXT NOT NULL,
    status TEXT NOT NULL,
    outcome TEXT,
    concluded_on DATE,
    decision_basis TEXT,
    due_on DATE,
    paused BOOLEAN NOT NULL DEFAULT FALSE,
    extended BOOLEAN NOT NULL DEFAULT FALSE,
    version BIGINT NOT NULL,
    created_by BIGINT NOT NULL REFERENCES users (id),
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    UNIQUE (agency_id, case_number)
);
-- Covering indexes for the annual report (received / concluded in a year) and the lists.
CREATE INDEX cases_agency_received ON cases (agency_id, received_on, applicant_category, concluded_on);
CREATE INDEX cases_agency_concluded ON cases (agency_id, concluded_on, outcome, applicant_category);
CREATE INDEX cases_applicant ON cases (applicant_id, received_on);
CREATE INDEX cases_open_due ON cases (status, due_on);

CREATE TABLE case_items (
    id BIGSERIAL PRIMARY KEY,
    case_id BIGINT NOT NULL REFERENCES cases (id),
    position INTEGER NOT NULL,
    description TEXT NOT NULL,
    outcome TEXT,
    UNIQUE (case_id, position)
);

CREATE TABLE case_events (
    id BIGSERIAL PRIMARY KEY,
    case_id BIGINT NOT NULL REFERENCES cases (id),
    seq INTEGER NOT NULL,
    kind TEXT NOT NULL,
    effective_on DATE NOT NULL,
    recorded_at TIMESTAMP NOT NULL,
    actor_id BIGINT REFERENCES users (id),
    payload TEXT NOT NULL,
    UNIQUE (case_id, seq)
);
CREATE FUNCTION case_events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN RAISE EXCEPTION 'case_events is append-only'; END $$;
CREATE TRIGGER case_events_no_update BEFORE UPDATE OR DELETE ON case_events
FOR EACH ROW EXECUTE FUNCTION case_events_append_only();

CREATE TABLE case_counters (
    agency_id BIGINT NOT NULL REFERENCES agencies (id),
    year INTEGER NOT NULL,
    last_number INTEGER NOT NULL,
    PRIMARY KEY (agency_id, year)
);

CREATE TABLE idempotency_keys (
    user_id BIGINT NOT NULL REFERENCES users (id),
    key TEXT NOT NULL,
    request_hash TEXT NOT NULL,
    case_id BIGINT NOT NULL REFERENCES cases (id),
    created_at TIMESTAMP NOT NULL,
    PRIMARY KEY (user_id, key)
);
