-- Session figures of a subtree and period, bucketed by child unit and/or month.
-- Parameters (numbered as in stats_units.sql): 1 and 7 the root's path range, 2 root id, 3 from,
-- 4 to, 5 by unit, 6 by month, 8 and 9 the whole months inside the period (both equal to 4 when
-- there is none); 10 and 11 the first and last year of those months, 12 and 13 the months of
-- those two years that are whole months of the period (bit 0 = January; the years between have
-- all twelve); 14 the period's last day (ages for the population groups). Whole months come from the monthly totals, the days before and after them from
-- the sessions.
-- (the `units` CTE is prepended from stats_units.sql, and the list of attendance statuses that
-- count as served is written in from `AttendanceStatus::counts_as_served`)
, edge AS (
    SELECT un.bucket, CASE WHEN $6 THEN to_char(s.occurred_at AT TIME ZONE 'Asia/Shanghai', 'YYYY-MM') END AS month,
           s.method, s.duration_minutes, s.participant_count, s.volunteer_hours, s.resources_value_fen, s.client_id,
           s.client_ids, s.households_reached
    FROM units un
    JOIN service_sessions s ON s.org_unit_id = un.id AND s.occurred_at >= $3 AND s.occurred_at < $8
    UNION ALL
    SELECT un.bucket, CASE WHEN $6 THEN to_char(s.occurred_at AT TIME ZONE 'Asia/Shanghai', 'YYYY-MM') END AS month,
           s.method, s.duration_minutes, s.participant_count, s.volunteer_hours, s.resources_value_fen, s.client_id,
           s.client_ids, s.households_reached
    FROM units un
    JOIN service_sessions s ON s.org_unit_id = un.id AND s.occurred_at >= $9 AND s.occurred_at < $4
),
totals AS (
    SELECT bucket, month, method, count(*) AS sessions, sum(duration_minutes) AS minutes,
           sum(coalesce(participant_count, 0)) AS participants, sum(coalesce(volunteer_hours, 0)::numeric) AS volunteer_hours,
           sum(coalesce(resources_value_fen, 0)) AS resources_value_fen,
           sum(cardinality(client_ids)) AS persons, sum(coalesce(households_reached, 0)) AS households
    FROM edge GROUP BY bucket, month, method
    UNION ALL
    SELECT un.bucket, CASE WHEN $6 THEN to_char(m.month, 'YYYY-MM') END, m.method, m.sessions, m.minutes,
           m.participants, m.volunteer_hours, m.resources_value_fen, m.persons, m.households
    FROM units un JOIN session_months m ON m.org_unit_id = un.id
    WHERE m.month >= session_month($8) AND m.month < session_month($9)
),
attended AS (
    SELECT un.bucket, CASE WHEN $6 THEN to_char(s.occurred_at AT TIME ZONE 'Asia/Shanghai', 'YYYY-MM') END AS month, a.client_id
    FROM units un
    JOIN service_sessions s ON s.org_unit_id = un.id AND s.method = 'group'
    JOIN session_attendance a ON a.session_id = s.id
    WHERE s.occurred_at >= $3 AND s.occurred_at < $4 AND a.status IN /* served attendance */
),
served AS (
    SELECT bucket, month, client_id FROM edge WHERE method = 'individual' AND client_id IS NOT NULL
    UNION ALL
    -- Everyone a visit saw is served, as the monthly totals count them.
    SELECT e.bucket, e.month, c.client_id FROM edge e CROSS JOIN LATERAL unnest(e.client_ids) AS c (client_id) WHERE e.method = 'visit'
    UNION ALL
    -- Whole months: without months, a row per client, unit and year from the clients' months
    -- of a year (those of the period); by month, a row per client, unit and month.
    SELECT un.bucket, NULL, y.client_id
    FROM units un JOIN session_year_clients y ON y.org_unit_id = un.id
    WHERE NOT $6 AND y.year >= $10 AND y.year <= $11
      AND y.months & CASE y.year WHEN $10 THEN $12 WHEN $11 THEN $13 ELSE 4095 END <> 0
    UNION ALL
    SELECT un.bucket, to_char(c.month, 'YYYY-MM'), c.client_id
    FROM units un JOIN session_month_clients c ON c.org_unit_id = un.id
    WHERE $6 AND c.month >= session_month($8) AND c.month < session_month($9)
    UNION ALL
    SELECT bucket, month, client_id FROM attended WHERE client_id IS NOT NULL
),
-- Distinct people per bucket, and over the whole subtree (someone served in two townships is
-- one person in the total); hashed, rather than the sort that count(DISTINCT) would take.
served_people AS (SELECT DISTINCT bucket, month, client_id FROM served),
served_total AS (SELECT DISTINCT client_id FROM served),
people AS (
    SELECT bucket, month, count(*) AS people_served, 0 AS g FROM served_people GROUP BY bucket, month
    UNION ALL
    SELECT NULL, NULL, count(*), 3 FROM served_total
),
-- The same people by population group (`population_groups`, age on the period's last day, $14)
-- and by gender, each person once per group: `group:<group>` and `gender:<gender>` counts.
-- Each person is one probe of clients_pkey (`OFFSET 0` keeps the lateral a per-row subplan): a
-- hash join would read every client of the database to find the few thousand a county served.
profile AS (
    SELECT t.client_id, c.gender, c.groups
    FROM served_total t CROSS JOIN LATERAL (
        SELECT k.gender, population_groups(k.categories, k.birth_date, k.disability IS NOT NULL, $14) AS groups
        FROM clients k WHERE k.id = t.client_id OFFSET 0) c
),
profiled AS (
    SELECT p.bucket, p.month, 0 AS g, f.gender, f.groups
    FROM served_people p JOIN profile f ON f.client_id = p.client_id
    UNION ALL
    SELECT NULL, NULL, 3, gender, groups FROM profile
),
breakdown AS (
    SELECT bucket, month, g, jsonb_object_agg(label, n) AS people_by
    FROM (SELECT bucket, month, g, 'group:' || grp AS label, count(*) AS n
          FROM profiled CROSS JOIN LATERAL unnest(groups) AS grp GROUP BY bucket, month, g, grp
          UNION ALL
          SELECT bucket, month, g, 'gender:' || coalesce(gender, 'unknown'), count(*)
          FROM profiled GROUP BY bucket, month, g, gender) x
    GROUP BY bucket, month, g
),
attendance AS (
    SELECT bucket, month, count(*) AS group_attendees, grouping(bucket, month) AS g
    FROM attended GROUP BY GROUPING SETS ((bucket, month), ())
),
sessions AS (
    SELECT bucket, month, grouping(bucket, month) AS g,
           coalesce(sum(sessions) FILTER (WHERE method = 'individual'), 0)::bigint AS individual_sessions,
           coalesce(sum(sessions) FILTER (WHERE method = 'group'), 0)::bigint AS group_sessions,
           coalesce(sum(sessions) FILTER (WHERE method = 'community'), 0)::bigint AS community_sessions,
           coalesce(sum(minutes) FILTER (WHERE method = 'individual'), 0)::bigint AS individual_minutes,
           coalesce(sum(minutes) FILTER (WHERE method = 'group'), 0)::bigint AS group_minutes,
           coalesce(sum(minutes) FILTER (WHERE method = 'community'), 0)::bigint AS community_minutes,
           coalesce(sum(sessions) FILTER (WHERE method = 'visit'), 0)::bigint AS visit_sessions,
           coalesce(sum(minutes) FILTER (WHERE method = 'visit'), 0)::bigint AS visit_minutes,
           -- 走访人次 and 走访户次: only visits see named clients in bulk and reach households.
           coalesce(sum(persons) FILTER (WHERE method = 'visit'), 0)::bigint AS visit_person_times,
           coalesce(sum(households) FILTER (WHERE method = 'visit'), 0)::bigint AS household_visits,
           coalesce(sum(participants), 0)::bigint AS community_participants,
           coalesce(sum(volunteer_hours), 0) AS volunteer_hours,
           coalesce(sum(resources_value_fen), 0)::bigint AS resources_value_fen
    FROM totals GROUP BY GROUPING SETS ((bucket, month), ())
)
SELECT CASE WHEN x.g = 0 THEN x.bucket END AS bucket, CASE WHEN x.g = 0 THEN x.month END AS month,
       x.individual_sessions, x.group_sessions, x.community_sessions,
       x.individual_minutes, x.group_minutes, x.community_minutes,
       x.visit_sessions, x.visit_minutes, x.visit_person_times, x.household_visits,
       x.community_participants, x.volunteer_hours::float8 AS volunteer_hours, x.resources_value_fen,
       coalesce(p.people_served, 0) AS people_served,
       coalesce(a.group_attendees, 0) AS group_attendees,
       b.people_by
FROM sessions x
LEFT JOIN people p ON p.g = x.g AND p.bucket IS NOT DISTINCT FROM x.bucket AND p.month IS NOT DISTINCT FROM x.month
LEFT JOIN attendance a ON a.g = x.g AND a.bucket IS NOT DISTINCT FROM x.bucket AND a.month IS NOT DISTINCT FROM x.month
LEFT JOIN breakdown b ON b.g = x.g AND b.bucket IS NOT DISTINCT FROM x.bucket AND b.month IS NOT DISTINCT FROM x.month
