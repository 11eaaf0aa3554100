DROP TABLE sealed_report_documents;
DROP TRIGGER report_texts_no_delete;
DROP TRIGGER report_texts_no_update;
DROP INDEX report_texts_version;
DROP TABLE report_texts;
