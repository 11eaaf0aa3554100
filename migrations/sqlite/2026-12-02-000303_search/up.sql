-- Text search (`q` of the case list) through a trigram index, kept by triggers in the same
-- transaction as the rows it indexes: each case's description, case number and the applicant's
-- name as given on its application. Contentless (the text stays in cases only); a query finds its
-- candidates here and the list checks them against the rows themselves.
CREATE VIRTUAL TABLE cases_fts USING fts5 (
    description, case_number, applicant_name, content = '', contentless_delete = 1, tokenize = 'trigram'
);
INSERT INTO cases_fts (rowid, description, case_number, applicant_name)
    SELECT id, description, case_number, applicant_name FROM cases;

CREATE TRIGGER cases_fts_insert AFTER INSERT ON cases BEGIN
    INSERT INTO cases_fts (rowid, description, case_number, applicant_name)
        VALUES (new.id, new.description, new.case_number, new.applicant_name);
END;
CREATE TRIGGER cases_fts_update AFTER UPDATE OF description, case_number, applicant_name ON cases BEGIN
    DELETE FROM cases_fts WHERE rowid = old.id;
    INSERT INTO cases_fts (rowid, description, case_number, applicant_name)
        VALUES (new.id, new.description, new.case_number, new.applicant_name);
END;
CREATE TRIGGER cases_fts_delete AFTER DELETE ON cases BEGIN
    DELETE FROM cases_fts WHERE rowid = old.id;
END;
