DROP TABLE sealed_report_documents;
DROP TRIGGER report_texts_no_update ON report_texts;
DROP FUNCTION report_texts_append_only();
DROP TABLE report_texts;
