-- Bulk seed, part 1: townships for counties that have none, villages, and users.
-- Parameters are set by the caller as psql-style GUCs: shegong.seed_password_hash.
-- Everything is set-based; ids are uuid v7-like (time-ordered) via gen_random_uuid() where order
-- does not matter.

DROP TABLE IF EXISTS stems;
CREATE TEMP TABLE stems (i int, stem text);
INSERT INTO stems SELECT row_number() OVER (), s FROM unnest(ARRAY[
  '城关','新华','东风','红星','胜利','和平','团结','兴隆','永宁','太平','长青','丰收','向阳','红旗','光明','建设',
  '金山','清水','河东','河西','南关','北塔','高庄','王团','李庄','张湾','马家','杨河','白土','黄羊','沙湾','石坝'
]) AS s;

-- Townships: counties without any get eleven each.
INSERT INTO org_units (id, parent_id, tier, name, path, depth)
SELECT u.id, c.id, 'township', s.stem || CASE WHEN s.i % 3 = 0 THEN '乡' ELSE '镇' END || '社会工作服务站',
       c.path || u.id || '/', c.depth + 1
FROM org_units c
JOIN stems s ON s.i <= 11
CROSS JOIN LATERAL (SELECT gen_random_uuid() AS id, s.i AS k) u
WHERE c.tier = 'county'
  AND NOT EXISTS (SELECT 1 FROM org_units t WHERE t.parent_id = c.id);

-- Villages: eight per township that has none.
INSERT INTO org_units (id, parent_id, tier, name, path, depth)
SELECT u.id, t.id, 'village',
       (SELECT stem FROM stems WHERE i = 1 + (abs(hashtext(t.id::text || v)) % 32)) ||
       CASE WHEN v % 4 = 0 THEN '社区' ELSE '村' END || '社会工作服务室',
       t.path || u.id || '/', t.depth + 1
FROM org_units t
CROSS JOIN generate_series(1, 8) AS v
CROSS JOIN LATERAL (SELECT gen_random_uuid() AS id, v AS k) u
WHERE t.tier = 'township'
  AND NOT EXISTS (SELECT 1 FROM org_units x WHERE x.parent_id = t.id);

-- Workers (3) and a supervisor per township; a supervisor and an admin per county.
INSERT INTO users (id, username, display_name, org_unit_id, role, certification, password_hash)
SELECT gen_random_uuid(), 'tw_' || substr(md5(t.id::text), 1, 10) || '_' || k,
       '社工' || k, t.id, CASE WHEN k = 0 THEN 'supervisor' ELSE 'worker' END,
       CASE WHEN k = 0 THEN 'intermediate' ELSE 'assistant' END,
       current_setting('shegong.seed_password_hash')
FROM org_units t CROSS JOIN generate_series(0, 3) AS k
WHERE t.tier = 'township'
  AND NOT EXISTS (SELECT 1 FROM users x WHERE x.org_unit_id = t.id)
ON CONFLICT DO NOTHING;

INSERT INTO users (id, username, display_name, org_unit_id, role, certification, password_hash)
SELECT gen_random_uuid(), 'co_' || substr(md5(c.id::text), 1, 10) || '_' || k,
       CASE WHEN k = 0 THEN '县督导' ELSE '县管理员' END, c.id,
       CASE WHEN k = 0 THEN 'supervisor' ELSE 'admin' END, 'senior',
       current_setting('shegong.seed_password_hash')
FROM org_units c CROSS JOIN generate_series(0, 1) AS k
WHERE c.tier = 'county'
  AND NOT EXISTS (SELECT 1 FROM users x WHERE x.org_unit_id = c.id)
ON CONFLICT DO NOTHING;
