-- The annual report: appeals (section four), section two figures, sealed reports; and a
-- covering index for counting cases open across a year boundary.
CREATE TABLE appeals (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    case_id INTEGER NOT NULL REFERENCES cases (id),
    -- The case's agency, copied so section four is counted from this table's indexes alone.
    agency_id INTEGER NOT NULL REFERENCES agencies (id),
    kind TEXT NOT NULL,
    filed_on DATE NOT NULL,
    result TEXT,
    decided_on DATE,
    created_by INTEGER NOT NULL REFERENCES users (id),
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX appeals_case ON appeals (case_id);
CREATE INDEX appeals_agency_decided ON appeals (agency_id, decided_on, kind, result);
CREATE INDEX appeals_agency_filed ON appeals (agency_id, filed_on, kind, decided_on);

CREATE TABLE section_two (
    agency_id INTEGER NOT NULL REFERENCES agencies (id),
    year INTEGER NOT NULL,
    template TEXT NOT NULL,
    -- JSON of the figures (see the API's SectionTwo schema).
    data TEXT NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    updated_by INTEGER NOT NULL REFERENCES users (id),
    PRIMARY KEY (agency_id, year)
);

CREATE TABLE sealed_reports (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    agency_id INTEGER NOT NULL REFERENCES agencies (id),
    year INTEGER NOT NULL,
    include_descendants BOOLEAN NOT NULL,
    template TEXT NOT NULL,
    -- The canonical JSON of the whole report (figures and checks) and its SHA-256.
    figures TEXT NOT NULL,
    content_hash TEXT NOT NULL,
    sealed_at TIMESTAMP NOT NULL,
    sealed_by INTEGER NOT NULL REFERENCES users (id),
    reason TEXT,
    -- The last case event recorded when sealing: later events are the candidates for drift.
    last_event_id INTEGER NOT NULL
);
CREATE INDEX sealed_reports_scope ON sealed_reports (agency_id, year, include_descendants, id);

-- Cases open across 1 January: concluded on or after a date (or never), received before it.
CREATE INDEX cases_agency_concluded_received ON cases (agency_id, concluded_on, received_on, applicant_category);
