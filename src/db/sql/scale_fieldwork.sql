-- Bulk seed, part 5: rosters (台账) and a year of visits (走访), FIELDWORK.md §1–2.
-- `shegong.seed_roster_share` (percent) of the clients that are on no roster yet are enrolled
-- in the programmes their categories call for; `shegong.seed_intervals` holds the default days
-- between visits per level, red to green (`domain::fieldwork::Intervals::defaults`, so that the
-- days have one home). Every choice is a hash of the rows' ids: the same clients give the same
-- rosters and visits.

DROP TABLE IF EXISTS seed_unit_workers, seed_unit_supervisors, seed_roster, seed_pairs, seed_targets, seed_entries,
                     seed_visits, seed_links, seed_fw_levels;

CREATE TEMP TABLE seed_fw_levels AS
SELECT l.level, l.rank, (string_to_array(current_setting('shegong.seed_intervals'), ','))[l.rank]::int AS interval_days
FROM (VALUES ('red', 1), ('yellow', 2), ('blue', 3), ('green', 4)) AS l(level, rank);

-- Who may be responsible in each township and village: the workers of the nearest unit up its
-- lineage that has any staff (its supervisors when it has no worker).
CREATE TEMP TABLE seed_unit_workers AS
SELECT unit_id, worker_id, row_number() OVER (PARTITION BY unit_id ORDER BY username) AS k,
       count(*) OVER (PARTITION BY unit_id) AS n
FROM (
    SELECT u.id AS unit_id, w.id AS worker_id, w.username,
           rank() OVER (PARTITION BY u.id ORDER BY a.depth DESC, (w.role = 'worker') DESC) AS best
    FROM org_units u
    JOIN org_units a ON u.path LIKE a.path || '%'
    JOIN users w ON w.org_unit_id = a.id AND w.role IN ('worker', 'supervisor') AND w.is_active
    WHERE u.tier IN ('township', 'village')
) x
WHERE best = 1;
CREATE INDEX ON seed_unit_workers (unit_id, k);

-- Who acknowledges the alerts of a unit: the nearest supervisor up its lineage.
CREATE TEMP TABLE seed_unit_supervisors AS
SELECT DISTINCT ON (u.id) u.id AS unit_id, w.id AS supervisor_id
FROM org_units u
JOIN org_units a ON u.path LIKE a.path || '%'
JOIN users w ON w.org_unit_id = a.id AND w.role = 'supervisor' AND w.is_active
WHERE u.tier IN ('township', 'village')
ORDER BY u.id, a.depth DESC, w.username;

-- The clients to enrol, with their level (about 3 % red, 12 % yellow, 25 % blue, the rest
-- green) and the day they were enrolled: some day of the past year, not before they were
-- registered.
CREATE TEMP TABLE seed_roster AS
SELECT c.id AS client_id, c.org_unit_id, c.categories, abs(hashtext('roster' || c.id::text)) AS h,
       greatest((c.created_at AT TIME ZONE 'Asia/Shanghai')::date,
                (now() AT TIME ZONE 'Asia/Shanghai')::date - 1 - abs(hashtext('enrol' || c.id::text)) % 365) AS enrolled_on,
       -- In hash order, so that the shares hold even for a few clients (the demo has red ones).
       CASE WHEN cume_dist() OVER w <= 0.03 THEN 1 WHEN cume_dist() OVER w <= 0.15 THEN 2
            WHEN cume_dist() OVER w <= 0.40 THEN 3 ELSE 4 END AS level_rank,
       CASE WHEN c.categories && ARRAY['left_behind_child', 'distressed_child', 'orphan', 'de_facto_uncared_child'] THEN 'child'
            WHEN c.categories && ARRAY['left_behind_elder', 'empty_nest_elder', 'living_alone_elder', 'disabled_elder'] THEN 'elder'
            ELSE 'adult' END AS band,
       NULL::uuid AS household_id, NULL::text AS relation
FROM clients c
WHERE c.deleted_at IS NULL
  AND abs(hashtext('roster' || c.id::text)) % 100 < current_setting('shegong.seed_roster_share')::int
  AND EXISTS (SELECT 1 FROM seed_unit_workers w WHERE w.unit_id = c.org_unit_id)
  AND NOT EXISTS (SELECT 1 FROM roster_entries r WHERE r.client_id = c.id)
WINDOW w AS (ORDER BY abs(hashtext('level' || c.id::text)), c.id);

-- Some of them live together: of two in five, those paired within their unit into households of
-- two (a grandparent with a grandchild, a couple, or relatives), so that a home visit sees the
-- whole family.
CREATE TEMP TABLE seed_pairs AS
SELECT client_id, org_unit_id, band, enrolled_on, pair, first
FROM (
    SELECT y.*, count(*) OVER (PARTITION BY y.org_unit_id, y.pair) AS size
    FROM (
        SELECT r.client_id, r.org_unit_id, r.band, r.enrolled_on,
               (row_number() OVER (PARTITION BY r.org_unit_id ORDER BY r.h, r.client_id) + 1) / 2 AS pair,
               row_number() OVER (PARTITION BY r.org_unit_id ORDER BY r.h, r.client_id) % 2 = 1 AS first
        FROM seed_roster r
        WHERE (r.h / 100) % 5 < 2
          AND NOT EXISTS (SELECT 1 FROM clients c WHERE c.id = r.client_id AND c.household_id IS NOT NULL)
    ) y
) z
WHERE size = 2;
ALTER TABLE seed_pairs ADD COLUMN household_id uuid, ADD COLUMN relation text;
-- A household's id: time-ordered (uuid v7 layout) from its first enrolment, as the service's
-- ids are from when a record is made.
UPDATE seed_pairs p SET household_id = h.id
FROM (
    SELECT org_unit_id, pair,
           (lpad(to_hex((extract(epoch FROM (max(enrolled_on) + time '08:00') AT TIME ZONE 'Asia/Shanghai') * 1000)::bigint), 12, '0')
              || '7' || substr(md5(min(client_id::text)), 1, 3) || '8' || substr(md5('household' || min(client_id::text)), 1, 15))::uuid AS id
    FROM seed_pairs GROUP BY org_unit_id, pair
) h
WHERE h.org_unit_id = p.org_unit_id AND h.pair = p.pair;
UPDATE seed_pairs p SET relation = CASE
    WHEN p.first THEN 'self'
    WHEN p.band = 'child' AND o.band = 'elder' THEN 'grandchild'
    WHEN p.band = 'elder' AND o.band = 'child' THEN 'grandparent'
    WHEN p.band = 'elder' AND o.band = 'elder' THEN 'spouse'
    WHEN p.band = 'child' AND o.band = 'child' THEN 'sibling'
    ELSE 'other' END
FROM seed_pairs o
WHERE o.household_id = p.household_id AND o.client_id <> p.client_id;
UPDATE seed_roster r SET household_id = p.household_id, relation = p.relation FROM seed_pairs p WHERE p.client_id = r.client_id;

-- What is visited: a household as a whole, or a client on their own. Its members share the
-- enrolment day (the later one), the worker and the most urgent of their levels' intervals; about one in eight
-- has fallen behind (the visits stop more than an interval ago, so it is overdue now).
CREATE TEMP TABLE seed_targets AS
SELECT coalesce(r.household_id, r.client_id) AS target_id, r.household_id,
       (array_agg(r.org_unit_id))[1] AS org_unit_id,
       array_agg(r.client_id ORDER BY r.relation = 'self' DESC, r.client_id) AS client_ids,
       min(r.level_rank) AS level_rank, max(r.enrolled_on) AS enrolled_on,
       abs(hashtext('target' || coalesce(r.household_id, r.client_id)::text)) AS h
FROM seed_roster r
GROUP BY coalesce(r.household_id, r.client_id), r.household_id;
ALTER TABLE seed_targets ADD COLUMN worker_id uuid, ADD COLUMN interval_days int, ADD COLUMN overdue boolean,
                         ADD COLUMN red_by_visit boolean;
UPDATE seed_targets t SET worker_id = w.worker_id
FROM seed_unit_workers w, (SELECT unit_id, max(n) AS n FROM seed_unit_workers GROUP BY unit_id) m
WHERE w.unit_id = t.org_unit_id AND m.unit_id = t.org_unit_id AND w.k = 1 + t.h % m.n;
UPDATE seed_targets t SET interval_days = l.interval_days, overdue = t.h % 100 < 12,
                          -- Half the red ones were yellow until a visit found them worse.
                          red_by_visit = t.level_rank = 1 AND t.household_id IS NULL AND (t.h / 100) % 2 = 0
FROM seed_fw_levels l WHERE l.rank = t.level_rank;
UPDATE seed_roster r SET enrolled_on = t.enrolled_on FROM seed_targets t WHERE t.household_id = r.household_id;
CREATE INDEX ON seed_targets (target_id);

-- A year of visits: the first on the day of enrolment, then one an interval later each time
-- (sometimes a few days early), in working hours; mostly at home, some by phone.
CREATE TEMP TABLE seed_visits AS
SELECT t.target_id, v.at, z.vh,
       row_number() OVER (PARTITION BY t.target_id ORDER BY v.at DESC) AS from_last,
       count(*) OVER (PARTITION BY t.target_id) AS visits
FROM seed_targets t
CROSS JOIN LATERAL generate_series(0, ((now() AT TIME ZONE 'Asia/Shanghai')::date - t.enrolled_on) / t.interval_days) AS n
CROSS JOIN LATERAL (SELECT abs(hashtext(t.target_id::text || '/' || n)) AS vh) z
CROSS JOIN LATERAL (
    SELECT ((t.enrolled_on + n * t.interval_days - CASE WHEN n = 0 THEN 0 ELSE z.vh % (t.interval_days / 5 + 1) END)
            + time '09:00' + (z.vh / 7 % 480) * interval '1 minute') AT TIME ZONE 'Asia/Shanghai' AS at
) v
WHERE v.at < now() - interval '10 minutes'
  AND (NOT t.overdue
       OR (v.at AT TIME ZONE 'Asia/Shanghai')::date < (now() AT TIME ZONE 'Asia/Shanghai')::date - t.interval_days - t.h % 10);
ALTER TABLE seed_visits ADD COLUMN id uuid, ADD COLUMN created_at timestamptz, ADD COLUMN mode text, ADD COLUMN action text,
                        ADD COLUMN observed text, ADD COLUMN rerated boolean NOT NULL DEFAULT false;
UPDATE seed_visits SET
    -- Mostly recorded the same day; one in twenty-five a late entry (补录) two days on.
    created_at = CASE WHEN vh % 25 = 0 AND at < now() - interval '3 days' THEN at + interval '2 days 3 hours'
                      ELSE least(at + (20 + vh % 150) * interval '1 minute', now()) END,
    mode = CASE WHEN vh % 100 < 12 THEN 'phone' WHEN vh % 100 < 14 THEN 'accompany' ELSE 'home_visit' END,
    action = CASE WHEN vh % 100 = 50 THEN 'policy_application' ELSE 'none' END;
-- Time-ordered ids (uuid v7 layout) from when each was recorded, as the service makes them.
UPDATE seed_visits SET id = (lpad(to_hex((extract(epoch FROM created_at) * 1000)::bigint), 12, '0') || '7'
    || substr(md5(target_id::text || at::text), 1, 3) || '8' || substr(md5('visit' || target_id::text || at::text), 1, 15))::uuid;
CREATE INDEX ON seed_visits (target_id, from_last);

-- One urgent report (紧急报告) per hundred red targets, at least one: on their latest home
-- visit, still open on the supervisors' queue.
UPDATE seed_visits v SET action = 'urgent_report', mode = 'home_visit'
FROM (
    SELECT target_id FROM (
        SELECT t.target_id, row_number() OVER (ORDER BY t.level_rank, t.h, t.target_id) AS n,
               count(*) FILTER (WHERE t.level_rank = 1) OVER () AS reds
        FROM seed_targets t WHERE EXISTS (SELECT 1 FROM seed_visits x WHERE x.target_id = t.target_id)
    ) r WHERE n <= greatest(1, reds / 100)
) u
WHERE v.target_id = u.target_id AND v.from_last = 1;

-- Levels observed: the visit that found a red one red (its level's history shows it); on the
-- latest visit of about 6 % of the targets, the level as it stands, and of about 4 % more a
-- change the worker proposes (waiting to be confirmed).
UPDATE seed_visits v SET observed = 'red', rerated = true, mode = 'home_visit'
FROM seed_targets t
WHERE t.target_id = v.target_id AND t.red_by_visit AND v.visits >= 2 AND v.from_last = (v.visits + 1) / 2;
UPDATE seed_targets t SET red_by_visit = false
WHERE t.red_by_visit AND NOT EXISTS (SELECT 1 FROM seed_visits v WHERE v.target_id = t.target_id AND v.rerated);
UPDATE seed_visits v SET observed = CASE
        WHEN (t.h / 100) % 100 < 6 THEN l.level
        ELSE (ARRAY['red', 'blue', 'yellow', 'blue'])[t.level_rank] END
FROM seed_targets t JOIN seed_fw_levels l ON l.rank = t.level_rank
WHERE t.target_id = v.target_id AND v.from_last = 1 AND v.observed IS NULL AND v.action = 'none'
  AND ((t.h / 100) % 100 < 6 OR ((t.h / 100) % 100 < 10 AND t.level_rank > 1));

-- The roster entries: one per programme the client's categories call for (其他 when none does).
CREATE TEMP TABLE seed_entries AS
SELECT r.client_id, coalesce(r.household_id, r.client_id) AS target_id, r.org_unit_id, p.programme, r.enrolled_on,
       least((r.enrolled_on + time '08:30') AT TIME ZONE 'Asia/Shanghai', now()) AS enrolled_at,
       (SELECT l.level FROM seed_fw_levels l WHERE l.rank = r.level_rank) AS level,
       (lpad(to_hex((extract(epoch FROM (r.enrolled_on + time '08:30') AT TIME ZONE 'Asia/Shanghai') * 1000)::bigint), 12, '0')
          || '7' || substr(md5(r.client_id::text || p.programme), 1, 3) || '8'
          || substr(md5('entry' || r.client_id::text || p.programme), 1, 15))::uuid AS id
FROM seed_roster r
CROSS JOIN LATERAL (
    SELECT DISTINCT CASE
        WHEN x IN ('dibao', 'dibao_edge', 'tekun', 'low_income') THEN 'basic_protection'
        WHEN x IN ('left_behind_child', 'distressed_child', 'orphan', 'de_facto_uncared_child') THEN 'child_care'
        WHEN x IN ('left_behind_elder', 'empty_nest_elder', 'living_alone_elder', 'disabled_elder') THEN 'elder_care'
        WHEN x IN ('disabled', 'severe_disabled') THEN 'disability_care' END AS programme
    FROM unnest(r.categories) AS x
) p
WHERE p.programme IS NOT NULL
UNION ALL
SELECT r.client_id, coalesce(r.household_id, r.client_id), r.org_unit_id, 'other', r.enrolled_on,
       least((r.enrolled_on + time '08:30') AT TIME ZONE 'Asia/Shanghai', now()),
       (SELECT l.level FROM seed_fw_levels l WHERE l.rank = r.level_rank),
       (lpad(to_hex((extract(epoch FROM (r.enrolled_on + time '08:30') AT TIME ZONE 'Asia/Shanghai') * 1000)::bigint), 12, '0')
          || '7' || substr(md5(r.client_id::text || 'other'), 1, 3) || '8'
          || substr(md5('entry' || r.client_id::text || 'other'), 1, 15))::uuid
FROM seed_roster r
WHERE NOT r.categories && ARRAY['dibao', 'dibao_edge', 'tekun', 'low_income', 'left_behind_child', 'distressed_child', 'orphan',
                                'de_facto_uncared_child', 'left_behind_elder', 'empty_nest_elder', 'living_alone_elder',
                                'disabled_elder', 'disabled', 'severe_disabled'];
CREATE INDEX ON seed_entries (target_id);

-- Each visit satisfies every entry of the clients it saw.
CREATE TEMP TABLE seed_links AS
SELECT v.id AS session_id, e.id AS roster_entry_id, v.at AS occurred_at,
       CASE WHEN v.observed = 'red' AND e.level <> 'red' THEN NULL ELSE v.observed END AS level_observed, e.level
FROM seed_visits v JOIN seed_entries e ON e.target_id = v.target_id;

INSERT INTO households (id, org_unit_id, address, created_by, created_at, updated_at)
SELECT p.household_id, p.org_unit_id, NULL, t.worker_id,
       least((max(p.enrolled_on) + time '08:00') AT TIME ZONE 'Asia/Shanghai', now()),
       least((max(p.enrolled_on) + time '08:00') AT TIME ZONE 'Asia/Shanghai', now())
FROM seed_pairs p JOIN seed_targets t ON t.target_id = p.household_id
GROUP BY p.household_id, p.org_unit_id, t.worker_id;
INSERT INTO household_members (household_id, client_id, relation)
SELECT household_id, client_id, relation FROM seed_pairs;
UPDATE clients c SET household_id = p.household_id FROM seed_pairs p WHERE p.client_id = c.id;

INSERT INTO roster_entries (id, client_id, org_unit_id, programme, level, responsible_worker_id, visit_interval_days, enrolled_on,
                            notes, last_visit_at, created_by, created_at, updated_at)
SELECT e.id, e.client_id, e.org_unit_id, e.programme, e.level, t.worker_id,
       (SELECT l.interval_days FROM seed_fw_levels l WHERE l.level = e.level), e.enrolled_on,
       CASE WHEN t.household_id IS NOT NULL THEN '与家人同住，入户时一并探访。' END,
       lv.at, t.worker_id, e.enrolled_at, e.enrolled_at
FROM seed_entries e JOIN seed_targets t ON t.target_id = e.target_id
LEFT JOIN seed_visits lv ON lv.target_id = e.target_id AND lv.from_last = 1;

-- The level's history: the enrolment (red ones with the reason red needs), the re-ratings to
-- red that visits made, and the proposals waiting.
INSERT INTO roster_level_events (id, roster_entry_id, from_level, to_level, reason, status, session_id, proposed_by, proposed_at,
                                 decided_by, decided_at)
SELECT (lpad(to_hex((extract(epoch FROM e.enrolled_at) * 1000)::bigint), 12, '0')
          || '7' || substr(md5('enrolled' || e.id::text), 1, 3) || '8' || substr(md5('level' || e.id::text), 1, 15))::uuid,
       e.id, NULL, CASE WHEN t.red_by_visit THEN 'yellow' ELSE e.level END,
       CASE WHEN e.level = 'red' AND NOT t.red_by_visit THEN (ARRAY['独居高龄，近期摔倒，生活难以自理', '监护缺失，存在安全风险',
            '重病无人照料，家庭收入中断'])[1 + t.h % 3] ELSE '入册评估' END,
       'confirmed', NULL, t.worker_id, e.enrolled_at, t.worker_id, e.enrolled_at
FROM seed_entries e JOIN seed_targets t ON t.target_id = e.target_id
UNION ALL
SELECT (lpad(to_hex((extract(epoch FROM v.created_at) * 1000)::bigint), 12, '0') || '7' || substr(md5('observed' || k.roster_entry_id::text), 1, 3)
          || '8' || substr(md5('level' || k.session_id::text || k.roster_entry_id::text), 1, 15))::uuid,
       k.roster_entry_id, CASE WHEN v.rerated THEN 'yellow' ELSE k.level END, k.level_observed,
       CASE WHEN v.rerated THEN '走访发现情况恶化，需每周探访' ELSE '走访发现情况变化' END,
       CASE WHEN v.rerated THEN 'confirmed' ELSE 'proposed' END, v.id, t.worker_id, v.created_at,
       CASE WHEN v.rerated THEN t.worker_id END, CASE WHEN v.rerated THEN v.created_at END
FROM seed_links k JOIN seed_visits v ON v.id = k.session_id JOIN seed_targets t ON t.target_id = v.target_id
WHERE k.level_observed IS NOT NULL AND (v.rerated OR k.level_observed <> k.level);

INSERT INTO service_sessions (id, org_unit_id, method, occurred_at, duration_minutes, location, service_types, summary, late_entry,
                              recorded_by, client_ids, households_reached, created_at, updated_at)
SELECT v.id, t.org_unit_id, 'visit', v.at,
       CASE WHEN v.mode = 'phone' THEN 10 + v.vh % 3 * 5 ELSE 30 + v.vh % 4 * 15 END,
       CASE WHEN v.mode = 'phone' THEN NULL ELSE '服务对象家中' END,
       CASE WHEN v.vh % 3 = 0 THEN ARRAY['visit_care', 'psych_support'] WHEN v.vh % 7 = 1 THEN ARRAY['visit_care', 'policy_linking']
            ELSE ARRAY['visit_care'] END,
       CASE WHEN v.mode = 'phone' THEN '电话回访，了解近况。' WHEN v.mode = 'accompany' THEN '陪同就医、办事。'
            WHEN t.household_id IS NOT NULL THEN '入户走访，与家庭成员一并交谈。' ELSE '入户走访，了解近况。' END,
       v.created_at - v.at > interval '24 hours', t.worker_id, t.client_ids, 1, v.created_at, v.created_at
FROM seed_visits v JOIN seed_targets t ON t.target_id = v.target_id;

INSERT INTO visits (session_id, household_id, mode, findings, needs_found, action)
SELECT v.id, CASE WHEN v.mode = 'home_visit' THEN t.household_id END, v.mode,
       CASE WHEN v.action = 'urgent_report' THEN '发现安全隐患：独自在家、炉具老化，已紧急报告督导。'
            WHEN v.observed = 'red' THEN '身体和生活状况明显变差，需加密探访。'
            ELSE (ARRAY['生活基本稳定，居家安全无隐患。', '身体状况良好，按时服药。', '近期情绪低落，需持续关注。',
                        '家中取暖设施正常，生活物资充足。', '子女较少联系，孤独感较强。'])[1 + v.vh / 11 % 5] END,
       CASE WHEN v.action = 'urgent_report' THEN ARRAY['safety_concern']
            WHEN v.action = 'policy_application' THEN ARRAY['income']
            WHEN v.vh / 13 % 10 = 0 THEN ARRAY[(ARRAY['health', 'income', 'housing', 'care', 'psych_support'])[1 + v.vh / 17 % 5]]
            ELSE '{}' END,
       v.action
FROM seed_visits v JOIN seed_targets t ON t.target_id = v.target_id;

INSERT INTO visit_roster_entries (session_id, roster_entry_id, occurred_at, level_observed)
SELECT session_id, roster_entry_id, occurred_at, level_observed FROM seed_links;

-- The supervisors' queue: each urgent report (open), and each red rating (acknowledged by the
-- nearest supervisor unless it is from the last three days).
INSERT INTO supervisor_alerts (id, org_unit_id, kind, session_id, roster_entry_id, client_ids, summary, raised_by, raised_at)
SELECT (lpad(to_hex((extract(epoch FROM v.created_at) * 1000)::bigint), 12, '0') || '7' || substr(md5('alert' || v.id::text), 1, 3)
          || '8' || substr(md5('urgent' || v.id::text), 1, 15))::uuid,
       t.org_unit_id, 'urgent_report', v.id, NULL, t.client_ids, '发现安全隐患：独自在家、炉具老化，已紧急报告督导。', t.worker_id, v.created_at
FROM seed_visits v JOIN seed_targets t ON t.target_id = v.target_id
WHERE v.action = 'urgent_report';

INSERT INTO supervisor_alerts (id, org_unit_id, kind, session_id, roster_entry_id, client_ids, summary, raised_by, raised_at, status,
                               acknowledged_by, acknowledged_at, note)
SELECT (lpad(to_hex((extract(epoch FROM x.at) * 1000)::bigint), 12, '0') || '7' || substr(md5('alert' || x.entry_id::text), 1, 3)
          || '8' || substr(md5('red' || x.entry_id::text), 1, 15))::uuid,
       x.org_unit_id, 'red_rating', x.session_id, x.entry_id, ARRAY[x.client_id], x.reason, x.worker_id, x.at,
       CASE WHEN x.at > now() - interval '3 days' OR s.supervisor_id IS NULL THEN 'open' ELSE 'acknowledged' END,
       CASE WHEN x.at > now() - interval '3 days' THEN NULL ELSE s.supervisor_id END,
       CASE WHEN x.at > now() - interval '3 days' OR s.supervisor_id IS NULL THEN NULL ELSE x.at + interval '5 hours' END,
       CASE WHEN x.at > now() - interval '3 days' OR s.supervisor_id IS NULL THEN NULL ELSE '已知悉，请按周探访并及时报告变化。' END
FROM (
    SELECT e.id AS entry_id, e.org_unit_id, e.client_id, ev.session_id, ev.reason, ev.proposed_by AS worker_id, ev.decided_at AS at
    FROM seed_entries e JOIN roster_level_events ev ON ev.roster_entry_id = e.id
    WHERE ev.to_level = 'red' AND ev.status = 'confirmed'
) x
LEFT JOIN seed_unit_supervisors s ON s.unit_id = x.org_unit_id;

DROP TABLE seed_unit_workers, seed_unit_supervisors, seed_roster, seed_pairs, seed_targets, seed_entries, seed_visits, seed_links,
           seed_fw_levels;
