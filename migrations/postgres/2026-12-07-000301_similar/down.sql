DROP INDEX cases_applicant_email;
DROP INDEX cases_applicant_phone;
