-- Repeat requests (重复申请): a request's candidates are its applicant's other requests. Those under
-- the same applicant record are found through `cases_applicant`; an applicant without an identity
-- document is matched on the name and the phone or e-mail written on the application, through these.
CREATE INDEX cases_applicant_phone ON cases (applicant_phone, applicant_name);
CREATE INDEX cases_applicant_email ON cases (applicant_email, applicant_name);
