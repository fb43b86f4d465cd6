DELETE FROM visit_roster_entries;
DELETE FROM supervisor_alerts;
DELETE FROM visits;
DELETE FROM referrals WHERE session_id IS NOT NULL;
DELETE FROM service_sessions WHERE method = 'visit';
ALTER TABLE session_months DROP COLUMN persons, DROP COLUMN households;
-- The trigger functions of `stats_rollups`, as they were.
CREATE OR REPLACE FUNCTION session_months_add() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO session_months AS t (org_unit_id, month, method, sessions, minutes, participants, volunteer_hours, resources_value_fen)
    SELECT org_unit_id, session_month(occurred_at), method, count(*), sum(duration_minutes),
           sum(coalesce(participant_count, 0)), sum(coalesce(volunteer_hours, 0)::numeric), sum(coalesce(resources_value_fen, 0))
    FROM new_rows GROUP BY 1, 2, 3 ORDER BY 1, 2, 3
    ON CONFLICT (org_unit_id, month, method) DO UPDATE SET
        sessions = t.sessions + EXCLUDED.sessions,
        minutes = t.minutes + EXCLUDED.minutes,
        participants = t.participants + EXCLUDED.participants,
        volunteer_hours = t.volunteer_hours + EXCLUDED.volunteer_hours,
        resources_value_fen = t.resources_value_fen + EXCLUDED.resources_value_fen;
    INSERT INTO session_month_clients AS t (org_unit_id, month, client_id, sessions)
    SELECT org_unit_id, session_month(occurred_at), client_id, count(*)
    FROM new_rows WHERE method = 'individual' AND client_id IS NOT NULL
    GROUP BY 1, 2, 3 ORDER BY 1, 2, 3
    ON CONFLICT (org_unit_id, month, client_id) DO UPDATE SET sessions = t.sessions + EXCLUDED.sessions;
    RETURN NULL;
END
$$;
CREATE OR REPLACE FUNCTION session_months_change() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    changes text := CASE TG_OP
        WHEN 'DELETE' THEN 'SELECT s.*, -1 AS sign FROM old_rows s'
        ELSE 'SELECT s.*, -1 AS sign FROM old_rows s UNION ALL SELECT s.*, 1 AS sign FROM new_rows s'
    END;
BEGIN
    EXECUTE format($sql$
        INSERT INTO session_months AS t (org_unit_id, month, method, sessions, minutes, participants, volunteer_hours, resources_value_fen)
        SELECT org_unit_id, session_month(occurred_at), method, sum(sign), sum(sign * duration_minutes),
               sum(sign * coalesce(participant_count, 0)), sum(sign * coalesce(volunteer_hours, 0)::numeric),
               sum(sign * coalesce(resources_value_fen, 0))
        FROM (%s) d GROUP BY 1, 2, 3 ORDER BY 1, 2, 3
        ON CONFLICT (org_unit_id, month, method) DO UPDATE SET
            sessions = t.sessions + EXCLUDED.sessions,
            minutes = t.minutes + EXCLUDED.minutes,
            participants = t.participants + EXCLUDED.participants,
            volunteer_hours = t.volunteer_hours + EXCLUDED.volunteer_hours,
            resources_value_fen = t.resources_value_fen + EXCLUDED.resources_value_fen
    $sql$, changes);
    EXECUTE format($sql$
        INSERT INTO session_month_clients AS t (org_unit_id, month, client_id, sessions)
        SELECT org_unit_id, session_month(occurred_at), client_id, sum(sign)
        FROM (%s) d WHERE method = 'individual' AND client_id IS NOT NULL
        GROUP BY 1, 2, 3 ORDER BY 1, 2, 3
        ON CONFLICT (org_unit_id, month, client_id) DO UPDATE SET sessions = t.sessions + EXCLUDED.sessions
    $sql$, changes);
    EXECUTE format($sql$
        DELETE FROM session_months t USING (SELECT DISTINCT org_unit_id, session_month(occurred_at) AS month, method FROM (%s) d) d
        WHERE t.org_unit_id = d.org_unit_id AND t.month = d.month AND t.method = d.method AND t.sessions = 0
    $sql$, changes);
    EXECUTE format($sql$
        DELETE FROM session_month_clients t USING (SELECT DISTINCT org_unit_id, session_month(occurred_at) AS month, client_id FROM (%s) d) d
        WHERE t.org_unit_id = d.org_unit_id AND t.month = d.month AND t.client_id = d.client_id AND t.sessions = 0
    $sql$, changes);
    RETURN NULL;
END
$$;
DROP TABLE supervisor_alerts;
ALTER TABLE referrals DROP CONSTRAINT referrals_anchor, DROP COLUMN session_id, DROP COLUMN client_id,
    ALTER COLUMN case_id SET NOT NULL;
DROP TABLE visit_roster_entries;
DROP TABLE visits;
ALTER TABLE service_sessions DROP CONSTRAINT service_sessions_visit_anchor,
    DROP COLUMN households_reached, DROP COLUMN client_ids,
    DROP CONSTRAINT service_sessions_method_check;
ALTER TABLE service_sessions ADD CONSTRAINT service_sessions_method_check CHECK (method IN ('individual', 'group', 'community'));
DROP TABLE roster_level_events;
DROP TABLE roster_entries;
DROP TABLE unit_visit_intervals;
DROP FUNCTION china_date(timestamptz);
