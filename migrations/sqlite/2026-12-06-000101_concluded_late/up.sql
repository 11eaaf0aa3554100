-- The dashboard counts the cases of a subtree concluded this year after their due date: with the
-- due date in the (agency, conclusion) index the count reads the index alone, not 100,000 rows.
DROP INDEX cases_agency_concluded_received;
CREATE INDEX cases_agency_concluded_received ON cases (agency_id, concluded_on, received_on, applicant_category, due_on);
