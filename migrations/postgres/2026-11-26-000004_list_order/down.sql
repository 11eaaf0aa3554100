DROP INDEX cases_agency_status;
DROP INDEX cases_received;
