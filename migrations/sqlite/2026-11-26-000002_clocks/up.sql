-- Statutory clocks: the working-day calendar as data, consultations, fee notices, lapse dates and
-- the daily sweep's claim table.
CREATE TABLE calendar_years (
    year INTEGER PRIMARY KEY,
    -- JSON arrays: the notices, the rest days and the make-up working days of the year.
    notices TEXT NOT NULL,
    rest_days TEXT NOT NULL,
    work_days TEXT NOT NULL,
    -- 'shipped' (config/calendar) or 'api' (replaced by an administrator).
    source TEXT NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    updated_by INTEGER REFERENCES users (id)
);

CREATE TABLE calendar_changes (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    year INTEGER NOT NULL,
    changed_at TIMESTAMP NOT NULL,
    changed_by INTEGER REFERENCES users (id),
    -- The notice the new data comes from, as the administrator named it.
    notice TEXT NOT NULL,
    -- JSON of the year before and after the change (before is null for a new year).
    previous TEXT,
    data TEXT NOT NULL
);
CREATE INDEX calendar_changes_year ON calendar_changes (year, id);

CREATE TABLE consultations (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    case_id INTEGER NOT NULL REFERENCES cases (id),
    party_kind TEXT NOT NULL,
    party TEXT NOT NULL,
    sent_on DATE NOT NULL,
    reply_due DATE NOT NULL,
    replied_on DATE,
    opinion TEXT
);
CREATE INDEX consultations_case ON consultations (case_id);

CREATE TABLE fee_notices (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    case_id INTEGER NOT NULL REFERENCES cases (id),
    issued_on DATE NOT NULL,
    basis TEXT NOT NULL,
    pages INTEGER,
    nth_request INTEGER,
    amount_fen BIGINT NOT NULL,
    pay_by DATE NOT NULL,
    paid_on DATE
);
CREATE INDEX fee_notices_case ON fee_notices (case_id);

-- The first day an outstanding correction or fee lapses (the sweep concludes the case then).
ALTER TABLE cases ADD COLUMN lapses_on DATE;
CREATE INDEX cases_lapses ON cases (status, lapses_on);

-- One row per day the sweep ran: the first instance to insert the day runs it.
CREATE TABLE sweep_runs (
    day DATE PRIMARY KEY,
    started_at TIMESTAMP NOT NULL,
    finished_at TIMESTAMP,
    concluded INTEGER NOT NULL DEFAULT 0
);
