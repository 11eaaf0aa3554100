DROP INDEX cases_agency_concluded_received;
CREATE INDEX cases_agency_concluded_received ON cases (agency_id, concluded_on, received_on, applicant_category);
