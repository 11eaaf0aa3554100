-- Each case keeps the applicant's particulars as they were given on that application: letters and
-- lists read them from the case, so a later intake under the same identity document changes
-- nothing an earlier case shows (the applicant record only links the requests).
ALTER TABLE cases ADD COLUMN applicant_name TEXT NOT NULL DEFAULT '';
ALTER TABLE cases ADD COLUMN applicant_phone TEXT;
ALTER TABLE cases ADD COLUMN applicant_email TEXT;
ALTER TABLE cases ADD COLUMN applicant_address TEXT;
UPDATE cases SET
    applicant_name = (SELECT name FROM applicants WHERE applicants.id = cases.applicant_id),
    applicant_phone = (SELECT phone FROM applicants WHERE applicants.id = cases.applicant_id),
    applicant_email = (SELECT email FROM applicants WHERE applicants.id = cases.applicant_id),
    applicant_address = (SELECT address FROM applicants WHERE applicants.id = cases.applicant_id);

-- Letters as issued: rendered once, when their step is recorded, and kept byte for byte with
-- their SHA-256 and a document number per agency, kind and year.
-- delivery: email (queued in the outbox), print (to be printed and posted), recorded (kept and
-- printable, not sent: a back-dated step or an import).
CREATE TABLE letters (
    id BIGSERIAL PRIMARY KEY,
    case_id BIGINT NOT NULL REFERENCES cases (id),
    agency_id BIGINT NOT NULL REFERENCES agencies (id),
    kind TEXT NOT NULL,
    year INTEGER NOT NULL,
    number INTEGER NOT NULL,
    document_number TEXT NOT NULL,
    event_seq INTEGER NOT NULL,
    consultation_id BIGINT REFERENCES consultations (id),
    issued_on DATE NOT NULL,
    recipient TEXT NOT NULL,
    subject TEXT NOT NULL,
    body_html TEXT NOT NULL,
    body_text TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    refers_to BIGINT REFERENCES letters (id),
    delivery TEXT NOT NULL CHECK (delivery IN ('email', 'print', 'recorded')),
    outbox_id BIGINT REFERENCES outbox (id),
    printed_at TIMESTAMP,
    posted_on DATE,
    tracking_number TEXT,
    served_on DATE,
    created_at TIMESTAMP NOT NULL,
    UNIQUE (agency_id, kind, year, number)
);
CREATE INDEX letters_case ON letters (case_id, id);
CREATE INDEX letters_unposted ON letters (agency_id, id) WHERE delivery = 'print' AND posted_on IS NULL;

CREATE TABLE letter_counters (
    agency_id BIGINT NOT NULL REFERENCES agencies (id),
    kind TEXT NOT NULL,
    year INTEGER NOT NULL,
    last_number INTEGER NOT NULL,
    PRIMARY KEY (agency_id, kind, year)
);

-- What an agency's letters print besides the case: the prefix of its document numbers, the
-- contact line of its disclosure office, the reconsideration body and the court named in the
-- remedies, and how a fee is paid.
CREATE TABLE agency_settings (
    agency_id BIGINT PRIMARY KEY REFERENCES agencies (id),
    document_prefix TEXT,
    contact TEXT,
    reconsideration_body TEXT,
    court TEXT,
    fee_payment TEXT,
    updated_at TIMESTAMP NOT NULL,
    updated_by BIGINT REFERENCES users (id)
);

-- A letter sent by post counts its reply or payment period from its delivery (送达) when recorded.
ALTER TABLE consultations ADD COLUMN delivered_on DATE;
ALTER TABLE fee_notices ADD COLUMN delivered_on DATE;
