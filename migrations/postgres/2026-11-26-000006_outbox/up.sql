-- The outbox: every letter a step owes the applicant, written in the step's transaction and
-- delivered afterwards by the worker (at least once; a resend carries the same Message-ID).
-- status: pending (waiting for next_attempt_at), sending (claimed by claimed_by until
-- claimed_until), sent, failed (permanent error or too many attempts), print (no e-mail address:
-- to be printed and posted).
CREATE TABLE outbox (
    id BIGSERIAL PRIMARY KEY,
    case_id BIGINT REFERENCES cases (id),
    kind TEXT NOT NULL,
    recipient TEXT,
    subject TEXT NOT NULL,
    body_text TEXT NOT NULL,
    body_html TEXT NOT NULL,
    message_id TEXT NOT NULL UNIQUE,
    status TEXT NOT NULL CHECK (status IN ('pending', 'sending', 'sent', 'failed', 'print')),
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TIMESTAMP NOT NULL,
    last_error TEXT,
    claimed_by TEXT,
    claimed_until TIMESTAMP,
    created_at TIMESTAMP NOT NULL,
    sent_at TIMESTAMP
);
-- The worker's queries: due pending rows, and expired claims.
CREATE INDEX outbox_pending ON outbox (next_attempt_at, id) WHERE status = 'pending';
CREATE INDEX outbox_sending ON outbox (claimed_until) WHERE status = 'sending';
CREATE INDEX outbox_case ON outbox (case_id, id);

-- Reminder digests sent: one per day and recipient, across all instances.
CREATE TABLE reminder_runs (
    day DATE NOT NULL,
    recipient TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    PRIMARY KEY (day, recipient)
);
