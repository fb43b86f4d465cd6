-- Bulk seed, part 4: cases in every status with their records, and the individual sessions of
-- their work. `shegong.seed_case_share` (percent) of the clients without a case get one.

-- The case-number prefix of each unit, by the rule of `domain::case_records::case_number_prefix`
-- as `repo::cases::next_case_no` applies it: the nearest division code in the unit's lineage
-- (itself included) when it starts with six digits, else six characters of the unit's id.
-- (`tests/api/rules.rs` checks every seeded number against the Rust rule.)
DROP TABLE IF EXISTS seed_case_prefixes;
CREATE TEMP TABLE seed_case_prefixes AS
SELECT u.id AS org_unit_id,
       CASE WHEN n.code ~ '^[0-9]{6,}$' THEN left(n.code, 6)
            ELSE upper(right(replace(u.id::text, '-', ''), 6)) END AS prefix
FROM org_units u
LEFT JOIN LATERAL (SELECT k.division_code AS code FROM org_units k
                   WHERE k.division_code IS NOT NULL AND u.path LIKE k.path || '%'
                   ORDER BY k.depth DESC LIMIT 1) n ON true;

DROP TABLE IF EXISTS seed_cases;
CREATE TEMP TABLE seed_cases AS
SELECT c.id AS client_id, c.org_unit_id, c.created_by AS worker_id, c.risk_level, abs(hashtext(c.id::text)) AS h,
       least(c.created_at + ((abs(hashtext(c.id::text)) % 30) || ' days')::interval, now() - interval '1 day') AS opened_at,
       p.prefix
FROM clients c
JOIN seed_case_prefixes p ON p.org_unit_id = c.org_unit_id
WHERE c.deleted_at IS NULL
  AND abs(hashtext('case' || c.id::text)) % 100 < current_setting('shegong.seed_case_share')::int
  AND NOT EXISTS (SELECT 1 FROM cases x WHERE x.client_id = c.id);

ALTER TABLE seed_cases ADD COLUMN status text, ADD COLUMN id uuid, ADD COLUMN case_no text, ADD COLUMN closed_at timestamptz;
UPDATE seed_cases SET status = (ARRAY['intake','not_opened','assessment','assessment','planning','planning','intervention',
    'intervention','intervention','intervention','intervention','intervention','intervention','suspended','evaluation',
    'evaluation','follow_up','closed','closed','voided'])[1 + h % 20];
-- Time-ordered ids (uuid v7 layout) so that "newest first" lists walk them in order.
UPDATE seed_cases SET id = (lpad(to_hex((extract(epoch FROM opened_at) * 1000)::bigint), 12, '0') || '7'
    || substr(md5(client_id::text), 1, 3) || '9' || substr(md5('c' || client_id::text), 1, 15))::uuid;
UPDATE seed_cases SET closed_at = least(opened_at + ((60 + h % 140) || ' days')::interval, now() - interval '1 hour')
WHERE status = 'closed';
UPDATE seed_cases s SET case_no = n.prefix || '-' || n.year || '-' || lpad(n.seq::text, greatest(4, length(n.seq::text)), '0')
FROM (
    SELECT id, prefix, extract(year FROM opened_at AT TIME ZONE 'Asia/Shanghai')::int AS year,
           row_number() OVER (PARTITION BY prefix, extract(year FROM opened_at AT TIME ZONE 'Asia/Shanghai') ORDER BY opened_at, id)
           + coalesce((SELECT last_seq FROM case_number_counters k WHERE k.prefix = seed_cases.prefix
                       AND k.year = extract(year FROM seed_cases.opened_at AT TIME ZONE 'Asia/Shanghai')), 0) AS seq
    FROM seed_cases) n
WHERE n.id = s.id;

INSERT INTO cases (id, case_no, client_id, org_unit_id, worker_id, source, presenting_problem, domain, problem_types, risk_level,
                   status, opened_at, closed_at, closure_reason, created_by, created_at)
SELECT id, case_no, client_id, org_unit_id, worker_id,
       (ARRAY['self_referral','referral_in','outreach','screening','hotline'])[1 + h % 5],
       (ARRAY['独居老人生活照料困难','留守儿童学业与情绪问题','低保家庭就业困难','残疾人康复需求','家庭关系紧张'])[1 + h % 5],
       (ARRAY['elderly_care','child_protection','social_assistance','disability','social_affairs'])[1 + h % 5],
       ARRAY[(ARRAY['生活照料','情绪支持','就业','康复','家庭关系'])[1 + h % 5]], risk_level, status, opened_at, closed_at,
       CASE WHEN status = 'closed' THEN (ARRAY['goals_achieved','goals_achieved','client_request','relocated','project_ended'])[1 + h % 5] END,
       worker_id, opened_at
FROM seed_cases;

-- Consent (知情同意) signed at intake, the day the case opened, by the client or, for a child
-- under 14 then, by the guardian on file (`domain::consent`): every case that left intake has
-- one, as the state machine requires; half of those still at intake are waiting for theirs, and
-- a declined case never got one. One in three also agreed to sharing for referrals.
UPDATE clients c SET
    consent = jsonb_build_object(
        'signed_by', CASE WHEN child THEN c.guardian->>'name' ELSE c.name END,
        'relation', CASE WHEN child THEN 'guardian' ELSE 'self' END,
        'date', to_char(s.opened_at AT TIME ZONE 'Asia/Shanghai', 'YYYY-MM-DD'),
        'scopes', CASE WHEN s.h % 3 = 0 THEN '["services", "sharing"]'::jsonb ELSE '["services"]'::jsonb END,
        'withdrawn_on', NULL,
        'withdrawal_reason', NULL)
FROM (SELECT s.*, k.birth_date > (s.opened_at AT TIME ZONE 'Asia/Shanghai')::date - interval '14 years' AS child
      FROM seed_cases s JOIN clients k ON k.id = s.client_id) s
WHERE c.id = s.client_id AND c.consent IS NULL
  AND s.status <> 'not_opened' AND NOT (s.status = 'intake' AND s.h % 2 = 0);

INSERT INTO case_number_counters (prefix, year, last_seq)
SELECT split_part(case_no, '-', 1), split_part(case_no, '-', 2)::int, max(split_part(case_no, '-', 3)::int)
FROM seed_cases GROUP BY 1, 2
ON CONFLICT (prefix, year) DO UPDATE SET last_seq = GREATEST(case_number_counters.last_seq, EXCLUDED.last_seq);

INSERT INTO assessments (id, case_id, sources, needs, risk_level, summary, assessed_at, assessed_by, created_at)
SELECT gen_random_uuid(), id, ARRAY['interview', 'home_visit'], ARRAY['生活照料', '情绪支持'], risk_level,
       '三系统评估完成，需求明确。', opened_at + interval '3 days', worker_id, opened_at + interval '3 days'
FROM seed_cases WHERE status NOT IN ('intake', 'not_opened', 'voided');

INSERT INTO service_plans (id, case_id, version_no, overall_goal, intervention_model, planned_sessions, created_by, created_at)
SELECT gen_random_uuid(), id, 1, '改善生活状况，增强社会支持。', '任务中心模式', 8, worker_id, opened_at + interval '7 days'
FROM seed_cases WHERE status NOT IN ('intake', 'not_opened', 'voided', 'assessment');

INSERT INTO plan_goals (id, plan_id, case_id, position, description, measure)
SELECT gen_random_uuid(), p.id, p.case_id, g, (ARRAY['每周家访一次','链接社区资源','改善家庭关系'])[g], '社工记录'
FROM service_plans p JOIN seed_cases s ON s.id = p.case_id CROSS JOIN generate_series(1, 2) AS g;

-- A case got to follow-up or closure through an approved closure request, which needs an
-- evaluation; one in follow-up had a follow-up scheduled, still to be done (the state machine's
-- guards, `domain::case_flow`; `tests/api/rules.rs` walks it with each seeded case's records).
INSERT INTO evaluations (id, case_id, plan_id, summary, recommendation, evaluated_by, created_at)
SELECT gen_random_uuid(), s.id, p.id, '服务目标基本达成，建议结案。', 'close', s.worker_id,
       CASE WHEN s.status = 'closed' THEN s.closed_at - interval '7 days' ELSE s.opened_at + (now() - s.opened_at) / 2 END
FROM seed_cases s JOIN service_plans p ON p.case_id = s.id
WHERE s.status IN ('follow_up', 'closed');

INSERT INTO evaluation_goal_results (evaluation_id, goal_id, position, result)
SELECT e.id, g.id, g.position, 'achieved'
FROM evaluations e JOIN seed_cases s ON s.id = e.case_id JOIN plan_goals g ON g.plan_id = e.plan_id;

INSERT INTO follow_ups (id, case_id, due_on, created_by, created_at)
SELECT gen_random_uuid(), id, (now() AT TIME ZONE 'Asia/Shanghai')::date + 14, worker_id, now()
FROM seed_cases WHERE status = 'follow_up';

-- Half the cases in planning wait for their plan's approval.
INSERT INTO reviews (id, kind, case_id, org_unit_id, plan_id, requested_by, requested_at)
SELECT gen_random_uuid(), 'plan_approval', s.id, s.org_unit_id, p.id, s.worker_id, s.opened_at + interval '8 days'
FROM seed_cases s JOIN service_plans p ON p.case_id = s.id
WHERE s.status = 'planning' AND s.h % 2 = 0;

-- The individual sessions of the work: 5 to 36 per case, spread from opening to closing (or now).
INSERT INTO service_sessions (id, org_unit_id, method, occurred_at, duration_minutes, location, service_types, summary,
                              recorded_by, case_id, client_id, mode, created_at)
-- Time-ordered ids (uuid v7 layout, from when each was recorded), as the service makes them.
SELECT (lpad(to_hex((extract(epoch FROM t.at) * 1000)::bigint), 12, '0') || '7' || substr(md5(s.id::text || i), 1, 3) || '8'
          || substr(md5('s' || s.id::text || i), 1, 15))::uuid,
       s.org_unit_id, 'individual', t.at, 30 + (s.h + i) % 4 * 20, '服务对象家中',
       ARRAY[(ARRAY['visit_care','psych_support','resource_linking','policy_linking'])[1 + (s.h + i) % 4]],
       '按服务计划开展个案服务。', s.worker_id, s.id, s.client_id,
       (ARRAY['home_visit','face_to_face','phone','home_visit','accompany'])[1 + (s.h + i) % 5], t.at
FROM seed_cases s
CROSS JOIN LATERAL generate_series(1, 5 + s.h % 32) AS i
CROSS JOIN LATERAL (SELECT s.opened_at + (coalesce(s.closed_at, now()) - s.opened_at) * i / (6 + s.h % 32) AS at) t
WHERE s.status NOT IN ('intake', 'not_opened', 'voided');

UPDATE cases c SET last_session_at = x.last
FROM (SELECT case_id, max(occurred_at) AS last FROM service_sessions
      WHERE case_id IN (SELECT id FROM seed_cases) GROUP BY case_id) x
WHERE c.id = x.case_id;

-- Each case's timeline starts with its opening.
INSERT INTO case_events (id, case_id, client_id, kind, actor_id, at, details)
SELECT gen_random_uuid(), id, client_id, 'case.opened', worker_id, opened_at,
       jsonb_build_object('case_no', case_no, 'seeded', true)
FROM seed_cases;
