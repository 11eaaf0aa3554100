-- pgbench script: the same writes as pg_intake_floor.sql in ONE statement (data-modifying CTEs),
-- so one round trip per intake: the most PostgreSQL could give if intake were rewritten that way.
--   pgbench -n -c 8 -j 2 -T 10 -D from=3 -D to=3 -f bench/pg_intake_floor_one_statement.sql postgres://…/db
-- -D from=1 -D to=50 spreads the intakes over agencies 1 to 50.
-- Writes rows of year 2098 into the database it runs on (a benchmark database only).
\set agency random(:from, :to)
WITH ag AS (SELECT id FROM agencies WHERE id = :agency),
ap AS (INSERT INTO applicants (category, name, phone, email, address, updated_at, created_at)
  VALUES ('natural_person', '压测申请人', '13800000000', NULL, NULL, now(), now()) RETURNING id),
n AS (INSERT INTO case_counters (agency_id, year, last_number) SELECT id, 2098, 1 FROM ag
  ON CONFLICT (agency_id, year) DO UPDATE SET last_number = case_counters.last_number + 1 RETURNING last_number),
c AS (INSERT INTO cases (agency_id, case_number, year, channel, submitted_on, received_on, applicant_id,
    applicant_category, description, status, due_on, paused, extended, version, created_by, created_at, updated_at)
  SELECT :agency, 'FLOOR1-' || :agency || '-' || n.last_number, 2098, 'online', NULL, '2098-11-20', ap.id,
    'natural_person', '性能测试：申请公开2024年财政预算执行情况', 'received', '2098-12-11', false, false, 1, 1, now(), now()
  FROM n, ap RETURNING id),
e AS (INSERT INTO case_events (case_id, seq, kind, effective_on, recorded_at, actor_id, payload)
  SELECT c.id, 1, 'received', '2098-11-20', now(), 1, '{"channel":"online","received_on":"2098-11-20","applicant_id":1,"applicant_category":"natural_person","case_number":"FLOOR","description":"性能测试：申请公开2024年财政预算执行情况","items":[],"sealed_override":null}'
  FROM c RETURNING id)
INSERT INTO outbox (case_id, kind, recipient, subject, body_text, body_html, message_id, status, attempts, next_attempt_at, created_at)
  SELECT c.id, 'acknowledgement', NULL, '【某机关】受理回执', '申请人您好，本机关已收到您的政府信息公开申请，现予受理。申请人您好，本机关已收到您的政府信息公开申请，现予受理。申请人您好，本机关已收到您的政府信息公开申请，现予受理。申请人您好，本机关已收到您的政府信息公开申请，现予受理。申请人您好，本机关已收到您的政府信息公开申请，现予受理。申请人您好，本机关已收到您的政府信息公开申请，现予受理。申请人您好，本机关已收到您的政府信息公开申请，现予受理。申请人您好，本机关已收到您的政府信息公开申请，现予受理。申请人您好，本机关已收到您的政府信息公开申请，现予受理。申请人您好，本机关已收到您的政府信息公开申请，现予受理。', '<p>申请人您好，本机关已收到您的政府信息公开申请，现予受理。申请人您好，本机关已收到您的政府信息公开申请，现予受理。申请人您好，本机关已收到您的政府信息公开申请，现予受理。申请人您好，本机关已收到您的政府信息公开申请，现予受理。申请人您好，本机关已收到您的政府信息公开申请，现予受理。申请人您好，本机关已收到您的政府信息公开申请，现予受理。申请人您好，本机关已收到您的政府信息公开申请，现予受理。申请人您好，本机关已收到您的政府信息公开申请，现予受理。申请人您好，本机关已收到您的政府信息公开申请，现予受理。申请人您好，本机关已收到您的政府信息公开申请，现予受理。申请人您好，本机关已收到您的政府信息公开申请，现予受理。申请人您好，本机关已收到您的政府信息公开申请，现予受理。申请人您好，本机关已收到您的政府信息公开申请，现予受理。申请人您好，本机关已收到您的政府信息公开申请，现予受理。</p>', 'floor1-' || c.id, 'print', 0, now(), now()
  FROM c, e RETURNING id;
