-- Case lists are ordered by receipt date (newest first), then id; an agency's open cases by status.
CREATE INDEX cases_received ON cases (received_on, id);
CREATE INDEX cases_agency_status ON cases (agency_id, status, received_on);
