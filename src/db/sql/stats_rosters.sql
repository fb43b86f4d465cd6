-- Roster figures (FIELDWORK.md §2), point-in-time like the open cases: the entries on the roster
-- at the period's end by programme and by their level then, how many of them were covered
-- (visited within their interval before the end), and the visits overdue now.
-- Parameters (after those of stats_units.sql): 10 the first day after the snapshot (the period's
-- end, or tomorrow for a period that runs on) and 11 its first moment; 12 the coverage end day
-- (the first day after the period, or tomorrow when it runs on: `fieldwork::covered`) and 13 its
-- first moment; 14 today (China).
-- `label` says which figure a row is: roster:<programme>:<level> | covered | overdue_visits.
, e AS (
    SELECT un.bucket, r.id, r.programme, r.level, r.visit_interval_days, r.enrolled_on, r.left_on,
           r.last_visit_at, r.next_visit_due, r.updated_at
    FROM units un JOIN roster_entries r ON r.org_unit_id = un.id
),
at_end AS (
    SELECT e.bucket, e.programme,
           -- The level at the end: the last confirmed rating before it, or the enrolment's when
           -- the entry was enrolled back-dated. An entry untouched since the end needs no look:
           -- every confirmed rating updates its entry in the same transaction, so the level it
           -- holds now is the one it held then (a period running on never looks at all).
           CASE WHEN e.updated_at < $11 THEN e.level ELSE coalesce(
               (SELECT l.to_level FROM roster_level_events l
                WHERE l.roster_entry_id = e.id AND l.status = 'confirmed' AND l.decided_at < $11
                ORDER BY l.decided_at DESC LIMIT 1),
               (SELECT l.to_level FROM roster_level_events l
                WHERE l.roster_entry_id = e.id AND l.status = 'confirmed'
                ORDER BY l.decided_at LIMIT 1),
               e.level) END AS level,
           -- The day of the last visit before the coverage end: the entry's own last visit when
           -- that is before the end (the usual case for a period that runs on), else the newest
           -- linked visit before it (one probe of visit_roster_entries_entry).
           CASE WHEN e.last_visit_at IS NULL THEN NULL
                WHEN e.last_visit_at < $13 THEN china_date(e.last_visit_at)
                ELSE (SELECT china_date(v.occurred_at) FROM visit_roster_entries v
                      WHERE v.roster_entry_id = e.id AND v.occurred_at < $13
                      ORDER BY v.occurred_at DESC LIMIT 1) END AS last_day,
           e.visit_interval_days
    FROM e
    WHERE e.enrolled_on < $10 AND (e.left_on IS NULL OR e.left_on >= $10)
)
SELECT CASE WHEN grouping(bucket) = 0 THEN bucket END AS bucket, NULL::text AS month,
       'roster:' || programme || ':' || level AS label, count(*) AS n
FROM at_end GROUP BY GROUPING SETS ((bucket, programme, level), (programme, level))
UNION ALL
-- `fieldwork::covered(last_day, interval, end_day)`, as SQL.
SELECT CASE WHEN grouping(bucket) = 0 THEN bucket END, NULL, 'covered',
       count(*) FILTER (WHERE last_day < $12 AND last_day + visit_interval_days >= $12)
FROM at_end GROUP BY GROUPING SETS ((bucket), ())
UNION ALL
-- `fieldwork::is_overdue(next_visit_due, today)`: active now, due before today.
SELECT CASE WHEN grouping(bucket) = 0 THEN bucket END, NULL, 'overdue_visits', count(*)
FROM e WHERE e.left_on IS NULL AND e.next_visit_due < $14
GROUP BY GROUPING SETS ((bucket), ())
