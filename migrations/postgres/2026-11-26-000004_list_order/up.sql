-- Case lists are ordered by receipt date (newest first), then id.
CREATE INDEX cases_received ON cases (received_on, id);
