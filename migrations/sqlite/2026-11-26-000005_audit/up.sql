-- Who did what, when, from where: every change requested over the API (whether it succeeded or
-- not), every failed authentication, and every read of a case page (it shows the applicant's
-- full identity number).
CREATE TABLE audit_log (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    at TIMESTAMP NOT NULL,
    user_id INTEGER,
    method TEXT NOT NULL,
    path TEXT NOT NULL,
    status INTEGER NOT NULL,
    case_id INTEGER,
    remote_addr TEXT,
    action TEXT NOT NULL
);
CREATE INDEX audit_log_case ON audit_log (case_id, id);
CREATE INDEX audit_log_user ON audit_log (user_id, id);
CREATE INDEX audit_log_at ON audit_log (at);
