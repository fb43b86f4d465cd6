-- Bulk seed, part 2: clients. `shegong.seed_clients` says how many. Each gets a valid GB 11643
DROP TABLE IF EXISTS seed_units, seed_units_n;
-- resident ID in its county's region, an age that fits its categories, and a realistic name.

CREATE OR REPLACE FUNCTION pg_temp.resident_id(region text, birth date, seq int) RETURNS text
LANGUAGE sql IMMUTABLE AS $$
  WITH body AS (SELECT region || to_char(birth, 'YYYYMMDD') || lpad(seq::text, 3, '0') AS b)
  SELECT b || substr('10X98765432', 1 + (
      SELECT sum(substr(b, i, 1)::int * (ARRAY[7,9,10,5,8,4,2,1,6,3,7,9,10,5,8,4,2])[i]) % 11
      FROM generate_series(1, 17) AS i)::int, 1)
  FROM body
$$;

-- Every township and village, with its county's region code and a worker of its station.
CREATE TEMP TABLE seed_units AS
SELECT u.id, row_number() OVER (ORDER BY u.path) AS n,
       coalesce(left(c.division_code, 6), '640502') AS region,
       (SELECT w.id FROM users w
         WHERE w.org_unit_id IN (u.id, u.parent_id) AND w.role IN ('worker', 'supervisor')
         ORDER BY w.role DESC, w.username LIMIT 1) AS worker_id
FROM org_units u
JOIN org_units c ON c.tier = 'county' AND u.path LIKE c.path || '%'
WHERE u.tier IN ('township', 'village');
DELETE FROM seed_units WHERE worker_id IS NULL;
CREATE TEMP TABLE seed_units_n AS SELECT row_number() OVER (ORDER BY n) AS n, id, region, worker_id FROM seed_units;

WITH params AS (SELECT current_setting('shegong.seed_clients')::int AS total, (SELECT count(*) FROM seed_units_n) AS units),
gen AS (
  SELECT g,
         -- 0: child, 1: working-age adult, 2: elder
         CASE WHEN g % 10 < 3 THEN 0 WHEN g % 10 < 5 THEN 1 ELSE 2 END AS band,
         1 + (abs(hashtext('u' || g)) % (SELECT units FROM params)) AS unit_n,
         abs(hashtext('d' || g)) AS h
  FROM generate_series(1, (SELECT total FROM params)) AS g
),
shaped AS (
  SELECT g.*, su.id AS unit_id, su.region, su.worker_id,
         -- Ages counted back from today, so the categories keep fitting as the data set ages:
         -- children 1 to 15, working-age adults 25 to 58, elders 66 to 96.
         CASE g.band
           WHEN 0 THEN current_date - 5475 + (g.h % 5000)
           WHEN 1 THEN current_date - 21170 + (g.h % 12000)
           ELSE current_date - 35040 + (g.h % 11000)
         END AS birth
  FROM gen g JOIN seed_units_n su ON su.n = g.unit_n
)
INSERT INTO clients (id, org_unit_id, name, gender, birth_date, id_type, id_number, phone, categories,
                     self_care, guardian, risk_level, created_by, created_at)
SELECT
  -- time-ordered ids spread over the last two years
  (lpad(to_hex((extract(epoch FROM now() - interval '730 days')::bigint * 1000 + s.g * (63072000000 / (SELECT total FROM params)))), 12, '0')
     || '7' || substr(md5(s.g::text), 1, 3) || '8' || substr(md5('x' || s.g), 1, 15))::uuid,
  s.unit_id,
  (ARRAY['王','李','张','刘','陈','杨','马','海','田','何','丁','苏','金','白','周','吴','赵','黄','孙','冯'])[1 + s.h % 20] ||
  (ARRAY['秀英','桂兰','玉兰','建国','志强','文军','小明','丽','静','伟','芳','娜','敏','军','勇','磊','洋','艳','杰','涛','明','超','霞','平','刚','桂英','海燕','春梅','永福','德顺'])[1 + (s.h / 20) % 30],
  CASE WHEN s.g % 2 = 1 THEN 'male' ELSE 'female' END,
  s.birth, 'resident_id',
  pg_temp.resident_id(s.region, s.birth, ((s.g / 2) % 500) * 2 + (s.g % 2)),
  CASE WHEN s.band = 0 THEN NULL ELSE '1' || (ARRAY['3','5','7','8','9'])[1 + s.h % 5] || lpad((s.h % 1000000000)::text, 9, '0') END,
  CASE s.band
    WHEN 0 THEN CASE s.h % 4 WHEN 0 THEN ARRAY['left_behind_child'] WHEN 1 THEN ARRAY['distressed_child'] WHEN 2 THEN ARRAY['left_behind_child','dibao'] ELSE ARRAY['orphan'] END
    WHEN 1 THEN CASE s.h % 4 WHEN 0 THEN ARRAY['dibao'] WHEN 1 THEN ARRAY['disabled','low_income'] WHEN 2 THEN ARRAY['left_behind_woman'] ELSE ARRAY['temp_assistance'] END
    ELSE CASE s.h % 4 WHEN 0 THEN ARRAY['left_behind_elder'] WHEN 1 THEN ARRAY['empty_nest_elder','dibao'] WHEN 2 THEN ARRAY['living_alone_elder'] ELSE ARRAY['tekun','disabled_elder'] END
  END,
  (ARRAY['independent','partial','dependent'])[1 + s.h % 3],
  CASE WHEN s.band = 0 THEN jsonb_build_object('name', '监护人', 'relation', '祖父母') END,
  (ARRAY['green','green','blue','blue','yellow','red'])[1 + s.h % 6],
  s.worker_id,
  now() - ((730 - s.g * 730.0 / (SELECT total FROM params)) || ' days')::interval
FROM shaped s
ON CONFLICT DO NOTHING;
