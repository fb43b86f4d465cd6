-- Field work (FIELDWORK.md §1–2): rosters of the people a unit cares for (台账), each with its
-- four-colour level and the history of that level, and visits (走访) as the fourth session
-- method, so that every figure reported upward still comes from `service_sessions`.

-- The day (China time) a moment falls on. Declared IMMUTABLE (as `session_month` is) so that
-- stored columns may use it.
CREATE FUNCTION china_date(at timestamptz) RETURNS date
LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
AS $$ SELECT (at AT TIME ZONE 'Asia/Shanghai')::date $$;

-- Days between visits a unit sets for the rosters under it, per level. The nearest unit up the
-- tree with a row decides; DOMAIN.md §3's defaults (7/14/30/90) hold where none has one.
CREATE TABLE unit_visit_intervals (
    org_unit_id uuid        PRIMARY KEY REFERENCES org_units (id),
    red         integer     NOT NULL CHECK (red BETWEEN 1 AND 366),
    yellow      integer     NOT NULL CHECK (yellow BETWEEN 1 AND 366),
    blue        integer     NOT NULL CHECK (blue BETWEEN 1 AND 366),
    green       integer     NOT NULL CHECK (green BETWEEN 1 AND 366),
    updated_by  uuid        NOT NULL REFERENCES users (id),
    version     integer     NOT NULL DEFAULT 1,
    updated_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE roster_entries (
    id                    uuid        PRIMARY KEY,
    client_id             uuid        NOT NULL REFERENCES clients (id),
    org_unit_id           uuid        NOT NULL REFERENCES org_units (id),
    programme             text        NOT NULL CHECK (programme IN ('basic_protection', 'child_care', 'elder_care', 'disability_care', 'other')),
    level                 text        NOT NULL CHECK (level IN ('red', 'yellow', 'blue', 'green')),
    responsible_worker_id uuid        NOT NULL REFERENCES users (id),
    visit_interval_days   integer     NOT NULL CHECK (visit_interval_days BETWEEN 1 AND 366),
    -- Whether the interval was set for this entry (kept on re-rating) or follows the level.
    interval_fixed        boolean     NOT NULL DEFAULT false,
    enrolled_on           date        NOT NULL,
    left_on               date,
    leave_reason          text        CHECK (leave_reason IN ('no_longer_eligible', 'relocated', 'deceased', 'aged_out', 'other')),
    leave_note            text        CHECK (char_length(leave_note) <= 5000),
    notes                 text        CHECK (char_length(notes) <= 5000),
    -- The newest visit recorded on the entry; written only with the visits themselves.
    last_visit_at         timestamptz,
    -- Derived: the day the next visit is due (none once the person has left the roster).
    next_visit_due        date        GENERATED ALWAYS AS (
                              CASE WHEN left_on IS NULL
                                   THEN coalesce(china_date(last_visit_at), enrolled_on) + visit_interval_days END
                          ) STORED,
    created_by            uuid        NOT NULL REFERENCES users (id),
    version               integer     NOT NULL DEFAULT 1,
    created_at            timestamptz NOT NULL DEFAULT now(),
    updated_at            timestamptz NOT NULL DEFAULT now(),
    CHECK ((left_on IS NULL) = (leave_reason IS NULL)),
    CHECK (left_on IS NULL OR left_on >= enrolled_on)
);
-- One active entry per client and programme; leaving keeps the row.
CREATE UNIQUE INDEX roster_entries_one_active ON roster_entries (client_id, programme) WHERE left_on IS NULL;
CREATE INDEX roster_entries_client ON roster_entries (client_id);
-- A worker's due list, most urgent first (`responsible=me&due_before=…`).
CREATE INDEX roster_entries_worker_due ON roster_entries (responsible_worker_id, next_visit_due, id) WHERE left_on IS NULL;
-- Any other list of active entries walks each unit's, most urgent first.
CREATE INDEX roster_entries_unit_due ON roster_entries (org_unit_id, next_visit_due, id) WHERE left_on IS NULL;
-- Entries that have left, latest first.
CREATE INDEX roster_entries_unit_left ON roster_entries (org_unit_id, left_on, id) WHERE left_on IS NOT NULL;

-- The level's history: enrolment (from NULL), re-ratings, and the re-ratings a visit proposed
-- (confirmed, rejected, or superseded by another re-rating).
CREATE TABLE roster_level_events (
    id              uuid        PRIMARY KEY,
    roster_entry_id uuid        NOT NULL REFERENCES roster_entries (id),
    from_level      text        CHECK (from_level IN ('red', 'yellow', 'blue', 'green')),
    to_level        text        NOT NULL CHECK (to_level IN ('red', 'yellow', 'blue', 'green')),
    reason          text        CHECK (char_length(reason) <= 5000),
    status          text        NOT NULL CHECK (status IN ('proposed', 'confirmed', 'rejected', 'superseded')),
    -- The visit that observed the level, when one did.
    session_id      uuid,
    proposed_by     uuid        NOT NULL REFERENCES users (id),
    proposed_at     timestamptz NOT NULL DEFAULT now(),
    decided_by      uuid        REFERENCES users (id),
    decided_at      timestamptz,
    decision_note   text        CHECK (char_length(decision_note) <= 5000),
    CHECK ((status = 'proposed') = (decided_at IS NULL)),
    CHECK (NOT (to_level = 'red' AND status = 'confirmed' AND reason IS NULL))
);
CREATE INDEX roster_level_events_entry ON roster_level_events (roster_entry_id, proposed_at DESC, id DESC);
-- The level an entry had at a moment (statistics of past periods).
CREATE INDEX roster_level_events_confirmed ON roster_level_events (roster_entry_id, decided_at DESC) INCLUDE (to_level) WHERE status = 'confirmed';
CREATE UNIQUE INDEX roster_level_events_one_proposal ON roster_level_events (roster_entry_id) WHERE status = 'proposed';

-- Visits: the fourth method. A visit sees one or more clients (`client_ids`, kept on the session
-- so that the monthly totals' triggers count them as served) and reaches `households_reached`
-- households (its 走访户次: the distinct households of the clients seen, a client without one
-- counting as their own), fixed when it is recorded. What only a visit has lives in `visits`.
ALTER TABLE service_sessions DROP CONSTRAINT service_sessions_method_check;
ALTER TABLE service_sessions
    ADD CONSTRAINT service_sessions_method_check CHECK (method IN ('individual', 'group', 'community', 'visit')),
    ADD COLUMN client_ids         uuid[]  NOT NULL DEFAULT '{}' CHECK (cardinality(client_ids) <= 100),
    ADD COLUMN households_reached integer CHECK (households_reached BETWEEN 1 AND 100),
    ADD CONSTRAINT service_sessions_visit_anchor CHECK (
        (method = 'visit') = (cardinality(client_ids) >= 1 AND households_reached IS NOT NULL)
    );
-- A client's visits (timeline, household view).
CREATE INDEX service_sessions_visit_clients ON service_sessions USING gin (client_ids) WHERE method = 'visit';

CREATE TABLE visits (
    session_id     uuid   PRIMARY KEY REFERENCES service_sessions (id),
    household_id   uuid   REFERENCES households (id),
    mode           text   NOT NULL CHECK (mode IN ('home_visit', 'phone', 'video', 'accompany', 'group_visit')),
    findings       text   CHECK (char_length(findings) <= 5000),
    needs_found    text[] NOT NULL DEFAULT '{}' CHECK (cardinality(needs_found) <= 100),
    action         text   NOT NULL CHECK (action IN ('none', 'open_case', 'refer', 'urgent_report', 'policy_application')),
    -- What the action made, in the same transaction.
    opened_case_id uuid   REFERENCES cases (id),
    referral_id    uuid   REFERENCES referrals (id)
);
CREATE INDEX visits_household ON visits (household_id) WHERE household_id IS NOT NULL;

-- The roster entries a visit satisfied, with the level it observed for each. `occurred_at` is
-- the visit's, copied so that an entry's visits are read from this index alone.
CREATE TABLE visit_roster_entries (
    session_id      uuid        NOT NULL REFERENCES service_sessions (id),
    roster_entry_id uuid        NOT NULL REFERENCES roster_entries (id),
    occurred_at     timestamptz NOT NULL,
    level_observed  text        CHECK (level_observed IN ('red', 'yellow', 'blue', 'green')),
    PRIMARY KEY (session_id, roster_entry_id)
);
CREATE INDEX visit_roster_entries_entry ON visit_roster_entries (roster_entry_id, occurred_at DESC);

-- A referral may come from a visit rather than a case.
ALTER TABLE referrals
    ALTER COLUMN case_id DROP NOT NULL,
    ADD COLUMN client_id  uuid REFERENCES clients (id),
    ADD COLUMN session_id uuid REFERENCES service_sessions (id),
    ADD CONSTRAINT referrals_anchor CHECK (case_id IS NOT NULL OR (client_id IS NOT NULL AND session_id IS NOT NULL));

-- The supervisors' queue of what cannot wait: urgent reports from visits and red ratings.
CREATE TABLE supervisor_alerts (
    id              uuid        PRIMARY KEY,
    org_unit_id     uuid        NOT NULL REFERENCES org_units (id),
    kind            text        NOT NULL CHECK (kind IN ('urgent_report', 'red_rating')),
    session_id      uuid        REFERENCES service_sessions (id),
    roster_entry_id uuid        REFERENCES roster_entries (id),
    client_ids      uuid[]      NOT NULL DEFAULT '{}',
    summary         text        CHECK (char_length(summary) <= 5000),
    raised_by       uuid        NOT NULL REFERENCES users (id),
    raised_at       timestamptz NOT NULL DEFAULT now(),
    status          text        NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'acknowledged')),
    acknowledged_by uuid        REFERENCES users (id),
    acknowledged_at timestamptz,
    note            text        CHECK (char_length(note) <= 5000),
    version         integer     NOT NULL DEFAULT 1,
    CHECK ((status = 'open') = (acknowledged_at IS NULL))
);
-- The open queue, oldest first per unit; and every alert newest first.
CREATE INDEX supervisor_alerts_open ON supervisor_alerts (org_unit_id, raised_at, id) WHERE status = 'open';
CREATE INDEX supervisor_alerts_unit ON supervisor_alerts (org_unit_id, id DESC);

-- Monthly totals learn visits: the clients a visit saw (走访人次) and the households it reached
-- (走访户次); its clients count as served, as an individual session's client does.
ALTER TABLE session_months
    ADD COLUMN persons    bigint NOT NULL DEFAULT 0,
    ADD COLUMN households bigint NOT NULL DEFAULT 0;

-- The clients a set of session rows served by name: an individual session's client, a visit's
-- clients.
CREATE OR REPLACE FUNCTION session_months_add() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO session_months AS t (org_unit_id, month, method, sessions, minutes, participants, volunteer_hours, resources_value_fen, persons, households)
    SELECT org_unit_id, session_month(occurred_at), method, count(*), sum(duration_minutes),
           sum(coalesce(participant_count, 0)), sum(coalesce(volunteer_hours, 0)::numeric), sum(coalesce(resources_value_fen, 0)),
           sum(cardinality(client_ids)), sum(coalesce(households_reached, 0))
    FROM new_rows GROUP BY 1, 2, 3 ORDER BY 1, 2, 3
    ON CONFLICT (org_unit_id, month, method) DO UPDATE SET
        sessions = t.sessions + EXCLUDED.sessions,
        minutes = t.minutes + EXCLUDED.minutes,
        participants = t.participants + EXCLUDED.participants,
        volunteer_hours = t.volunteer_hours + EXCLUDED.volunteer_hours,
        resources_value_fen = t.resources_value_fen + EXCLUDED.resources_value_fen,
        persons = t.persons + EXCLUDED.persons,
        households = t.households + EXCLUDED.households;
    INSERT INTO session_month_clients AS t (org_unit_id, month, client_id, sessions)
    SELECT org_unit_id, session_month(occurred_at), c, count(*)
    FROM new_rows
    CROSS JOIN LATERAL unnest(CASE method WHEN 'individual' THEN ARRAY[client_id] WHEN 'visit' THEN client_ids END) AS c
    WHERE c IS NOT NULL
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
    served text := 'SELECT d.org_unit_id, d.occurred_at, c AS client_id, d.sign FROM (%s) d '
        'CROSS JOIN LATERAL unnest(CASE d.method WHEN ''individual'' THEN ARRAY[d.client_id] WHEN ''visit'' THEN d.client_ids END) AS c '
        'WHERE c IS NOT NULL';
BEGIN
    served := format(served, changes);
    EXECUTE format($sql$
        INSERT INTO session_months AS t (org_unit_id, month, method, sessions, minutes, participants, volunteer_hours, resources_value_fen, persons, households)
        SELECT org_unit_id, session_month(occurred_at), method, sum(sign), sum(sign * duration_minutes),
               sum(sign * coalesce(participant_count, 0)), sum(sign * coalesce(volunteer_hours, 0)::numeric),
               sum(sign * coalesce(resources_value_fen, 0)), sum(sign * cardinality(client_ids)),
               sum(sign * coalesce(households_reached, 0))
        FROM (%s) d GROUP BY 1, 2, 3 ORDER BY 1, 2, 3
        ON CONFLICT (org_unit_id, month, method) DO UPDATE SET
            sessions = t.sessions + EXCLUDED.sessions,
            minutes = t.minutes + EXCLUDED.minutes,
            participants = t.participants + EXCLUDED.participants,
            volunteer_hours = t.volunteer_hours + EXCLUDED.volunteer_hours,
            resources_value_fen = t.resources_value_fen + EXCLUDED.resources_value_fen,
            persons = t.persons + EXCLUDED.persons,
            households = t.households + EXCLUDED.households
    $sql$, changes);
    EXECUTE format($sql$
        INSERT INTO session_month_clients AS t (org_unit_id, month, client_id, sessions)
        SELECT org_unit_id, session_month(occurred_at), client_id, sum(sign)
        FROM (%s) d
        GROUP BY 1, 2, 3 ORDER BY 1, 2, 3
        ON CONFLICT (org_unit_id, month, client_id) DO UPDATE SET sessions = t.sessions + EXCLUDED.sessions
    $sql$, served);
    EXECUTE format($sql$
        DELETE FROM session_months t USING (SELECT DISTINCT org_unit_id, session_month(occurred_at) AS month, method FROM (%s) d) d
        WHERE t.org_unit_id = d.org_unit_id AND t.month = d.month AND t.method = d.method AND t.sessions = 0
    $sql$, changes);
    EXECUTE format($sql$
        DELETE FROM session_month_clients t USING (SELECT DISTINCT org_unit_id, session_month(occurred_at) AS month, client_id FROM (%s) d) d
        WHERE t.org_unit_id = d.org_unit_id AND t.month = d.month AND t.client_id = d.client_id AND t.sessions = 0
    $sql$, served);
    RETURN NULL;
END
$$;
