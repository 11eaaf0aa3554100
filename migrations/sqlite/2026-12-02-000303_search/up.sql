-- Text search (`q` of the case list) through trigram indexes, kept by triggers in the same
-- transaction as the rows they index: the description and case number of each case, the name of
-- each applicant. Contentless (the text stays in cases and applicants only); a query finds its
-- candidates here and the list checks them against the rows themselves.
CREATE VIRTUAL TABLE cases_fts USING fts5 (
    description, case_number, content = '', contentless_delete = 1, tokenize = 'trigram'
);
CREATE VIRTUAL TABLE applicants_fts USING fts5 (
    name, content = '', contentless_delete = 1, tokenize = 'trigram'
);
INSERT INTO cases_fts (rowid, description, case_number) SELECT id, description, case_number FROM cases;
INSERT INTO applicants_fts (rowid, name) SELECT id, name FROM applicants;

CREATE TRIGGER cases_fts_insert AFTER INSERT ON cases BEGIN
    INSERT INTO cases_fts (rowid, description, case_number) VALUES (new.id, new.description, new.case_number);
END;
CREATE TRIGGER cases_fts_update AFTER UPDATE OF description, case_number ON cases BEGIN
    DELETE FROM cases_fts WHERE rowid = old.id;
    INSERT INTO cases_fts (rowid, description, case_number) VALUES (new.id, new.description, new.case_number);
END;
CREATE TRIGGER cases_fts_delete AFTER DELETE ON cases BEGIN
    DELETE FROM cases_fts WHERE rowid = old.id;
END;
CREATE TRIGGER applicants_fts_insert AFTER INSERT ON applicants BEGIN
    INSERT INTO applicants_fts (rowid, name) VALUES (new.id, new.name);
END;
CREATE TRIGGER applicants_fts_update AFTER UPDATE OF name ON applicants BEGIN
    DELETE FROM applicants_fts WHERE rowid = old.id;
    INSERT INTO applicants_fts (rowid, name) VALUES (new.id, new.name);
END;
CREATE TRIGGER applicants_fts_delete AFTER DELETE ON applicants BEGIN
    DELETE FROM applicants_fts WHERE rowid = old.id;
END;
