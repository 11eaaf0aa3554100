-- The written parts of the annual report (一、总体情况, 五、存在的主要问题及改进情况,
-- 六、其他需要报告的事项 and, in template 2019, sections added before 六), per agency and year.
-- Every save is a new version; versions are never changed or removed.
CREATE TABLE report_texts (
    id BIGSERIAL PRIMARY KEY,
    agency_id BIGINT NOT NULL REFERENCES agencies (id),
    year INTEGER NOT NULL,
    -- 1, 2, 3, … per agency and year.
    version INTEGER NOT NULL,
    overview TEXT NOT NULL,
    problems_and_improvements TEXT NOT NULL,
    other_matters TEXT NOT NULL,
    -- JSON array of {"title": …, "text": …}.
    additional_sections TEXT NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    updated_by BIGINT NOT NULL REFERENCES users (id),
    -- The supervisor's reason when the year was sealed.
    amendment_reason TEXT
);
-- One writer wins each version number: of two saves at once, the second is refused (409).
CREATE UNIQUE INDEX report_texts_version ON report_texts (agency_id, year, version);
CREATE FUNCTION report_texts_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN RAISE EXCEPTION 'report_texts is append-only'; END $$;
CREATE TRIGGER report_texts_no_update BEFORE UPDATE OR DELETE ON report_texts
FOR EACH ROW EXECUTE FUNCTION report_texts_append_only();

-- What a seal stores of the whole document: the text version it printed and the document's
-- canonical content (JSON) with its SHA-256, from which the sealed document is rendered again.
-- Seals made before this table existed have no row.
CREATE TABLE sealed_report_documents (
    seal_id BIGINT PRIMARY KEY REFERENCES sealed_reports (id),
    text_version INTEGER,
    document TEXT NOT NULL,
    document_hash TEXT NOT NULL
);
