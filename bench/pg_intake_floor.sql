-- pgbench script: the SQL statements of one intake (POST /cases) as the service sends them,
-- one round trip each, without the service: what PostgreSQL alone achieves with the intake's
-- writes (a case row and its ten indexes, its event, its applicant, a 2.5 kB letter in the
-- outbox, the case-number counter). bench/run.sh postgres runs it; by hand:
--   pgbench -n -c 8 -j 2 -T 10 -D from=3 -D to=3 -f bench/pg_intake_floor.sql postgres://…/db
-- -D from=1 -D to=50 spreads the intakes over agencies 1 to 50.
-- Writes rows of year 2099 into the database it runs on (a benchmark database only).
\set agency random(:from, :to)
BEGIN;
SELECT id, name, code, parent_id, path, created_at FROM agencies WHERE id = :agency;
INSERT INTO applicants (category, name, phone, email, address, updated_at, created_at)
  VALUES ('natural_person', '压测申请人', '13800000000', NULL, NULL, now(), now())
  RETURNING id, category, name, id_type, id_number, phone, email, address;
INSERT INTO case_counters (agency_id, year, last_number) VALUES (:agency, 2099, 1)
  ON CONFLICT (agency_id, year) DO UPDATE SET last_number = case_counters.last_number + 1
  RETURNING last_number \gset
INSERT INTO cases (agency_id, case_number, year, channel, submitted_on, received_on, applicant_id,
    applicant_category, description, status, due_on, paused, extended, version, created_by, created_at, updated_at)
  VALUES (:agency, 'FLOOR-' || :agency || '-' || :last_number, 2099, 'online', NULL, '2099-11-20', 1,
    'natural_person', '性能测试：申请公开2024年财政预算执行情况', 'received', '2099-12-11', false, false, 1, 1, now(), now())
  RETURNING id \gset
INSERT INTO case_events (case_id, seq, kind, effective_on, recorded_at, actor_id, payload)
  VALUES (:id, 1, 'received', '2099-11-20', now(), 1, '{"channel":"online","received_on":"2099-11-20","applicant_id":1,"applicant_category":"natural_person","case_number":"FLOOR","description":"性能测试：申请公开2024年财政预算执行情况","items":[],"sealed_override":null}')
  RETURNING id;
INSERT INTO outbox (case_id, kind, recipient, subject, body_text, body_html, message_id, status, attempts, next_attempt_at, created_at)
  VALUES (:id, 'acknowledgement', NULL, '【某机关】受理回执', '申请人您好，本机关已收到您的政府信息公开申请，现予受理。申请人您好，本机关已收到您的政府信息公开申请，现予受理。申请人您好，本机关已收到您的政府信息公开申请，现予受理。申请人您好，本机关已收到您的政府信息公开申请，现予受理。申请人您好，本机关已收到您的政府信息公开申请，现予受理。申请人您好，本机关已收到您的政府信息公开申请，现予受理。申请人您好，本机关已收到您的政府信息公开申请，现予受理。申请人您好，本机关已收到您的政府信息公开申请，现予受理。申请人您好，本机关已收到您的政府信息公开申请，现予受理。申请人您好，本机关已收到您的政府信息公开申请，现予受理。', '<p>申请人您好，本机关已收到您的政府信息公开申请，现予受理。申请人您好，本机关已收到您的政府信息公开申请，现予受理。申请人您好，本机关已收到您的政府信息公开申请，现予受理。申请人您好，本机关已收到您的政府信息公开申请，现予受理。申请人您好，本机关已收到您的政府信息公开申请，现予受理。申请人您好，本机关已收到您的政府信息公开申请，现予受理。申请人您好，本机关已收到您的政府信息公开申请，现予受理。申请人您好，本机关已收到您的政府信息公开申请，现予受理。申请人您好，本机关已收到您的政府信息公开申请，现予受理。申请人您好，本机关已收到您的政府信息公开申请，现予受理。申请人您好，本机关已收到您的政府信息公开申请，现予受理。申请人您好，本机关已收到您的政府信息公开申请，现予受理。申请人您好，本机关已收到您的政府信息公开申请，现予受理。申请人您好，本机关已收到您的政府信息公开申请，现予受理。</p>', 'floor-' || :id, 'print', 0, now(), now())
  RETURNING id;
COMMIT;
