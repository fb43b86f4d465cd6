-- Monthly totals of the service sessions, so that a county-year of statistics reads a few
-- thousand rows instead of every session the county recorded. A trigger keeps them in the same
-- transaction as every insert, update and delete of a session, so they never disagree with the
-- sessions; the statistics read whole months from here and the days at a period's edges from the
-- sessions themselves.

-- The month (China time) a moment falls in, as its first day.
CREATE FUNCTION session_month(at timestamptz) RETURNS date
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$ SELECT date_trunc('month', at AT TIME ZONE 'Asia/Shanghai')::date $$;

-- Per unit, month and method: sessions, minutes, community participants, volunteer hours and
-- resources.
CREATE TABLE session_months (
    org_unit_id         uuid    NOT NULL REFERENCES org_units (id),
    month               date    NOT NULL,
    method              text    NOT NULL,
    sessions            bigint  NOT NULL,
    minutes             bigint  NOT NULL,
    participants        bigint  NOT NULL,
    volunteer_hours     numeric NOT NULL,
    resources_value_fen bigint  NOT NULL,
    PRIMARY KEY (org_unit_id, month, method)
);

-- Per unit and month, the clients of individual sessions and how many each had: "people served"
-- counts distinct clients, which monthly sums cannot give.
CREATE TABLE session_month_clients (
    org_unit_id uuid    NOT NULL REFERENCES org_units (id),
    month       date    NOT NULL,
    client_id   uuid    NOT NULL,
    sessions    integer NOT NULL,
    PRIMARY KEY (org_unit_id, month, client_id)
);

-- Adds the rows a statement inserted. Inserts are the everyday path (every session recorded),
-- so this one is static SQL, planned once per connection. Rows are upserted in key order, so two
-- statements touching the same months lock them in the same order and cannot deadlock.
CREATE FUNCTION session_months_add() RETURNS trigger
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

-- Applies the rows an update or delete removed (-1) and added (+1), then drops the rows that
-- reached zero. Written once for both, as dynamic SQL over whichever transition tables exist.
CREATE FUNCTION session_months_change() RETURNS trigger
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

CREATE TRIGGER session_months_insert AFTER INSERT ON service_sessions
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION session_months_add();
CREATE TRIGGER session_months_update AFTER UPDATE ON service_sessions
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION session_months_change();
CREATE TRIGGER session_months_delete AFTER DELETE ON service_sessions
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION session_months_change();

-- The sessions already recorded.
INSERT INTO session_months (org_unit_id, month, method, sessions, minutes, participants, volunteer_hours, resources_value_fen)
SELECT org_unit_id, session_month(occurred_at), method, count(*), sum(duration_minutes), sum(coalesce(participant_count, 0)),
       sum(coalesce(volunteer_hours, 0)::numeric), sum(coalesce(resources_value_fen, 0))
FROM service_sessions GROUP BY 1, 2, 3;
INSERT INTO session_month_clients (org_unit_id, month, client_id, sessions)
SELECT org_unit_id, session_month(occurred_at), client_id, count(*)
FROM service_sessions WHERE method = 'individual' AND client_id IS NOT NULL GROUP BY 1, 2, 3;

-- The statistics' other reads, each answered from one index without visiting the table:
-- group sessions of a period (their attendance is counted from its rows),
CREATE INDEX service_sessions_unit_group ON service_sessions (org_unit_id, occurred_at) WHERE method = 'group';
-- the sessions of the caseload's last 30 days by who recorded them (the list's index, covering),
DROP INDEX service_sessions_unit_time;
CREATE INDEX service_sessions_unit_time ON service_sessions (org_unit_id, occurred_at DESC, id DESC) INCLUDE (recorded_by, duration_minutes);
-- clients registered in a period, by category,
CREATE INDEX clients_unit_created ON clients (org_unit_id, created_at) INCLUDE (categories) WHERE deleted_at IS NULL;
-- and the case figures of a subtree.
CREATE INDEX cases_unit_stats ON cases (org_unit_id) INCLUDE (status, risk_level, opened_at, closed_at, closure_reason, visit_due_at);
