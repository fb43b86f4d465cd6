-- Bulk seed, part 3: a year of group and community work in every township.
-- Two groups per township (ten members each, six sessions with attendance) and two community
-- activities a month per township.

DROP TABLE IF EXISTS seed_towns;
CREATE TEMP TABLE seed_towns AS
SELECT t.id, t.path,
       (SELECT w.id FROM users w WHERE w.org_unit_id = t.id AND w.role IN ('worker', 'supervisor')
         ORDER BY w.role DESC, w.username LIMIT 1) AS worker_id
FROM org_units t WHERE t.tier = 'township';
DELETE FROM seed_towns WHERE worker_id IS NULL;

INSERT INTO groups (id, org_unit_id, name, type, goals, planned_sessions, leader_ids, status, created_by, created_at)
SELECT gen_random_uuid(), t.id, (ARRAY['留守儿童成长小组','长者互助小组','残障人士康复支持小组','妇女兴趣小组'])[1 + (abs(hashtext(t.id::text)) + k) % 4],
       (ARRAY['education','support','therapy','interest'])[1 + (abs(hashtext(t.id::text)) + k) % 4],
       '增强社会支持，提升自我效能', 6, ARRAY[t.worker_id], CASE WHEN k = 1 THEN 'ended' ELSE 'running' END, t.worker_id,
       now() - ((k * 150) || ' days')::interval
FROM seed_towns t CROSS JOIN generate_series(1, 2) AS k
WHERE NOT EXISTS (SELECT 1 FROM groups g WHERE g.org_unit_id = t.id);

-- Ten members per group: clients of the township's subtree.
INSERT INTO group_members (id, group_id, client_id, joined_on)
SELECT gen_random_uuid(), g.id, c.id, (g.created_at AT TIME ZONE 'Asia/Shanghai')::date
FROM groups g
CROSS JOIN LATERAL (
    SELECT c.id FROM clients c
    WHERE c.org_unit_id IN (SELECT u.id FROM org_units u WHERE u.path LIKE (SELECT path FROM org_units WHERE id = g.org_unit_id) || '%')
      AND c.deleted_at IS NULL
    ORDER BY md5(c.id::text || g.id::text) LIMIT 10
) c
WHERE NOT EXISTS (SELECT 1 FROM group_members m WHERE m.group_id = g.id);

INSERT INTO service_sessions (id, org_unit_id, method, occurred_at, duration_minutes, location, service_types, summary,
                              recorded_by, group_id, session_no, theme, created_at)
SELECT gen_random_uuid(), g.org_unit_id, 'group', g.created_at + (n * 7 || ' days')::interval, 90, '社工站活动室',
       ARRAY['capacity_building', 'social_integration'], '小组活动按计划开展', g.created_by, g.id, n, '第' || n || '次小组活动',
       g.created_at + (n * 7 || ' days')::interval
FROM groups g CROSS JOIN generate_series(1, 6) AS n
WHERE NOT EXISTS (SELECT 1 FROM service_sessions s WHERE s.group_id = g.id);

INSERT INTO session_attendance (session_id, row_no, client_id, status)
SELECT s.id, row_number() OVER (PARTITION BY s.id ORDER BY m.client_id)::int, m.client_id,
       (ARRAY['present','present','present','late','absent','excused'])[1 + abs(hashtext(s.id::text || m.client_id::text)) % 6]
FROM service_sessions s JOIN group_members m ON m.group_id = s.group_id
WHERE s.method = 'group' AND NOT EXISTS (SELECT 1 FROM session_attendance a WHERE a.session_id = s.id);

INSERT INTO service_sessions (id, org_unit_id, method, occurred_at, duration_minutes, location, service_types, summary,
                              recorded_by, title, kind, participant_count, volunteer_count, volunteer_hours, partners,
                              resources_value_fen, created_at)
SELECT gen_random_uuid(), t.id, 'community', now() - ((d * 15 + 1) || ' days')::interval, 120, '村委会广场',
       ARRAY['policy_linking'], '活动顺利开展',
       t.worker_id, (ARRAY['政策宣讲','重阳敬老','儿童安全教育','居民议事会','志愿服务日','需求调研'])[1 + d % 6],
       (ARRAY['education','event','education','deliberation','volunteer_service','needs_survey'])[1 + d % 6],
       20 + abs(hashtext(t.id::text || d)) % 80, 3 + d % 5, (3 + d % 5) * 2.5, ARRAY['community','volunteer'],
       (abs(hashtext(t.id::text || d)) % 200000)::bigint, now() - ((d * 15 + 1) || ' days')::interval
FROM seed_towns t CROSS JOIN generate_series(0, 23) AS d
WHERE NOT EXISTS (SELECT 1 FROM service_sessions s WHERE s.org_unit_id = t.id AND s.method = 'community');
