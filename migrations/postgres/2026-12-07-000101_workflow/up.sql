-- Team workflow (issue 21): who handles a case and where, and supervisors' chases.
-- The handling unit (NULL: the receiving agency itself), the handler, and a routing not yet
-- signed for or returned. The receiving agency (agency_id) stays the agency reported under.
ALTER TABLE cases ADD COLUMN unit_id BIGINT REFERENCES agencies (id);
ALTER TABLE cases ADD COLUMN handler_id BIGINT REFERENCES users (id);
ALTER TABLE cases ADD COLUMN routed_to BIGINT REFERENCES agencies (id);
-- "My cases", "my unit's cases" and the cases routed into a unit; most cases have none of them,
-- so the indexes hold only the rows that do.
CREATE INDEX cases_handler ON cases (handler_id, received_on, id) WHERE handler_id IS NOT NULL;
CREATE INDEX cases_unit ON cases (unit_id, received_on, id) WHERE unit_id IS NOT NULL;
CREATE INDEX cases_routed_to ON cases (routed_to) WHERE routed_to IS NOT NULL;

CREATE TABLE chases (
    id BIGSERIAL PRIMARY KEY,
    case_id BIGINT NOT NULL REFERENCES cases (id),
    -- The case's receiving agency, copied so a subtree's chases are listed from this table.
    agency_id BIGINT NOT NULL REFERENCES agencies (id),
    matter TEXT NOT NULL,
    due_on DATE NOT NULL,
    -- The step that settles it (a StepKind key), if one was named.
    step TEXT,
    recorded_on DATE NOT NULL,
    recorded_by BIGINT NOT NULL REFERENCES users (id),
    recorded_at TIMESTAMP NOT NULL,
    closed_on DATE,
    closed_by BIGINT REFERENCES users (id),
    close_note TEXT,
    -- The event that settled it: the step's, or the explicit closing's.
    closed_by_seq INTEGER
);
CREATE INDEX chases_case ON chases (case_id);
CREATE INDEX chases_open ON chases (agency_id, due_on) WHERE closed_on IS NULL;
