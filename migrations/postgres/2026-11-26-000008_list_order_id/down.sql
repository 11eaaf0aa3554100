DROP INDEX cases_agency_status;
CREATE INDEX cases_agency_status ON cases (agency_id, status, received_on);
DROP INDEX cases_agency_received;
CREATE INDEX cases_agency_received ON cases (agency_id, received_on, applicant_category, concluded_on);
