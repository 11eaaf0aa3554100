-- An agency's cases in a range of receipt dates, or in one status, newest first (the case list's
-- order is received_on, then id): with id in the index the list reads exactly one page of entries
-- instead of sorting. The first index still covers the report's "received in the year" query.
DROP INDEX cases_agency_received;
CREATE INDEX cases_agency_received ON cases (agency_id, received_on, id, applicant_category, concluded_on);
DROP INDEX cases_agency_status;
CREATE INDEX cases_agency_status ON cases (agency_id, status, received_on, id);
