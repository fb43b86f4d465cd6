-- Session figures of a subtree and period, bucketed by child unit and/or month.
-- $1 root path, $2 root id, $3 from, $4 to, $5 by unit, $6 by month.
-- (the `units` CTE is prepended from stats_units.sql)
, s AS (
    SELECT s.*, un.bucket,
           CASE WHEN $6 THEN to_char(s.occurred_at AT TIME ZONE 'Asia/Shanghai', 'YYYY-MM') END AS month
    FROM service_sessions s JOIN units un ON un.id = s.org_unit_id
    WHERE s.occurred_at >= $3 AND s.occurred_at < $4
),
attended AS (
    SELECT s.bucket, s.month, a.client_id
    FROM s JOIN session_attendance a ON a.session_id = s.id
    WHERE s.method = 'group' AND a.status IN ('present', 'late')
),
served AS (
    SELECT bucket, month, client_id FROM s WHERE method = 'individual'
    UNION ALL
    SELECT bucket, month, client_id FROM attended WHERE client_id IS NOT NULL
),
people AS (
    SELECT bucket, month, count(DISTINCT client_id) AS people_served, grouping(bucket, month) AS g
    FROM served GROUP BY GROUPING SETS ((bucket, month), ())
),
attendance AS (
    SELECT bucket, month, count(*) AS group_attendees, grouping(bucket, month) AS g
    FROM attended GROUP BY GROUPING SETS ((bucket, month), ())
),
sessions AS (
    SELECT bucket, month, grouping(bucket, month) AS g,
           count(*) FILTER (WHERE method = 'individual') AS individual_sessions,
           count(*) FILTER (WHERE method = 'group') AS group_sessions,
           count(*) FILTER (WHERE method = 'community') AS community_sessions,
           coalesce(sum(duration_minutes) FILTER (WHERE method = 'individual'), 0) AS individual_minutes,
           coalesce(sum(duration_minutes) FILTER (WHERE method = 'group'), 0) AS group_minutes,
           coalesce(sum(duration_minutes) FILTER (WHERE method = 'community'), 0) AS community_minutes,
           coalesce(sum(participant_count), 0) AS community_participants,
           coalesce(sum(volunteer_hours), 0) AS volunteer_hours,
           coalesce(sum(resources_value_fen), 0) AS resources_value_fen
    FROM s GROUP BY GROUPING SETS ((bucket, month), ())
)
SELECT CASE WHEN x.g = 0 THEN x.bucket END AS bucket, CASE WHEN x.g = 0 THEN x.month END AS month,
       x.individual_sessions, x.group_sessions, x.community_sessions,
       x.individual_minutes, x.group_minutes, x.community_minutes,
       x.community_participants, x.volunteer_hours::float8 AS volunteer_hours, x.resources_value_fen::bigint AS resources_value_fen,
       coalesce(p.people_served, 0) AS people_served,
       coalesce(a.group_attendees, 0) AS group_attendees
FROM sessions x
LEFT JOIN people p ON p.g = x.g AND p.bucket IS NOT DISTINCT FROM x.bucket AND p.month IS NOT DISTINCT FROM x.month
LEFT JOIN attendance a ON a.g = x.g AND a.bucket IS NOT DISTINCT FROM x.bucket AND a.month IS NOT DISTINCT FROM x.month
