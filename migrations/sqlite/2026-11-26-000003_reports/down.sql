DROP INDEX cases_agency_concluded_received;
DROP TABLE sealed_reports;
DROP TABLE section_two;
DROP TABLE appeals;
