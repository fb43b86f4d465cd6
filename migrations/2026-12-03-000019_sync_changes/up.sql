-- Offline sync (FIELDWORK.md §3): where every syncable record was last changed, per unit path.
--
-- One row per record and unit path it has lived under. The row of the record's current unit is
-- `live`; a record deleted, or moved to another unit (a transferred case, a unit moved in the
-- hierarchy), leaves a dead row at the old path, so a device that held it under the old scope is
-- told to remove it. Every change rewrites the row's position (`xid`, `seq`): the writing
-- transaction's id and a sequence. A pull serves only rows of transactions older than the oldest
-- still running (`pg_snapshot_xmin`), so a change that commits after a pull answered always sorts
-- after the cursor that pull returned, however the transactions interleaved.
--
-- Kept by triggers on the tables themselves, so no write path (API, seed, bulk load) can forget it;
-- statement-level with transition tables, so a bulk insert costs one statement, not one per row.

CREATE SEQUENCE sync_seq;

CREATE TABLE sync_rows (
    entity      text    NOT NULL,
    id          uuid    NOT NULL,
    unit_path   text    COLLATE "C" NOT NULL,
    org_unit_id uuid    NOT NULL,
    live        boolean NOT NULL,
    version     integer NOT NULL,
    xid         bigint  NOT NULL DEFAULT pg_current_xact_id()::text::bigint,
    seq         bigint  NOT NULL DEFAULT nextval('sync_seq'),
    PRIMARY KEY (entity, id, unit_path)
);

-- A scope's changes after a cursor, its first download and its checksums: a range of paths.
CREATE INDEX sync_rows_by_path ON sync_rows (unit_path, xid, seq);

-- The version a device holds of a record: its own `version`, or for a review (which has none)
-- 1 while pending and 2 once decided. `services::sync` reads the same column.
CREATE FUNCTION sync_version(entity text, j jsonb) RETURNS integer
LANGUAGE sql IMMUTABLE AS $$
    SELECT CASE WHEN entity = 'review'
                THEN CASE WHEN j->>'status' = 'pending' THEN 1 ELSE 2 END
                ELSE (j->>'version')::integer END
$$;

CREATE FUNCTION sync_position() RETURNS bigint
LANGUAGE sql VOLATILE AS $$ SELECT pg_current_xact_id()::text::bigint $$;

-- Rows inserted or updated: live at their unit's path (a soft-deleted client is not). An updated
-- row that moved to another unit first leaves a dead row at the old path. (`old_rows` exists only
-- for an update; PL/pgSQL plans the statement only when it runs.)
CREATE FUNCTION sync_rows_written() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE' THEN
        UPDATE sync_rows s SET live = false, xid = sync_position(), seq = nextval('sync_seq')
        FROM old_rows o
        JOIN new_rows n ON n.id = o.id AND n.org_unit_id <> o.org_unit_id
        JOIN org_units u ON u.id = o.org_unit_id
        WHERE s.entity = TG_ARGV[0] AND s.id = o.id AND s.unit_path = u.path;
    END IF;

    INSERT INTO sync_rows AS s (entity, id, unit_path, org_unit_id, live, version)
    SELECT TG_ARGV[0], t.id, u.path, u.id, (t.j->>'deleted_at') IS NULL, sync_version(TG_ARGV[0], t.j)
    FROM (SELECT n.id, n.org_unit_id, to_jsonb(n) AS j FROM new_rows n) t
    JOIN org_units u ON u.id = t.org_unit_id
    ON CONFLICT (entity, id, unit_path) DO UPDATE
        SET live = excluded.live, version = excluded.version, org_unit_id = excluded.org_unit_id,
            xid = sync_position(), seq = nextval('sync_seq');
    RETURN NULL;
END
$$;

-- Rows deleted: dead wherever they lived.
CREATE FUNCTION sync_rows_deleted() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    UPDATE sync_rows s SET live = false, xid = sync_position(), seq = nextval('sync_seq')
    FROM old_rows o
    WHERE s.entity = TG_ARGV[0] AND s.id = o.id AND s.live;
    RETURN NULL;
END
$$;

-- A part of a record changed (household or group members, a session's visit): the record is
-- changed. TG_ARGV: the record's entity and the part's column holding its id.
CREATE FUNCTION sync_parent_touched() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    UPDATE sync_rows s SET xid = sync_position(), seq = nextval('sync_seq')
    WHERE s.entity = TG_ARGV[0] AND s.live
      AND s.id IN (SELECT (to_jsonb(c)->>TG_ARGV[1])::uuid FROM changed_rows c);
    RETURN NULL;
END
$$;

-- Units moved in the hierarchy: every record under them lives at a new path now.
CREATE FUNCTION sync_units_moved() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO sync_rows AS s (entity, id, unit_path, org_unit_id, live, version)
    SELECT r.entity, r.id, n.path, r.org_unit_id, true, r.version
    FROM old_units o
    JOIN new_units n ON n.id = o.id AND n.path <> o.path
    JOIN sync_rows r ON r.unit_path = o.path AND r.live
    ON CONFLICT (entity, id, unit_path) DO UPDATE
        SET live = true, version = excluded.version, xid = sync_position(), seq = nextval('sync_seq');

    UPDATE sync_rows s SET live = false, xid = sync_position(), seq = nextval('sync_seq')
    FROM old_units o
    JOIN new_units n ON n.id = o.id AND n.path <> o.path
    WHERE s.unit_path = o.path AND s.live;
    RETURN NULL;
END
$$;

DO $$
DECLARE
    t record;
BEGIN
    FOR t IN SELECT * FROM (VALUES
        ('clients', 'client'), ('households', 'household'), ('cases', 'case'),
        ('service_sessions', 'session'), ('roster_entries', 'roster_entry'), ('groups', 'group'),
        ('reviews', 'review')) AS v(tbl, entity)
    LOOP
        EXECUTE format('CREATE TRIGGER %I AFTER INSERT ON %I REFERENCING NEW TABLE AS new_rows '
                       'FOR EACH STATEMENT EXECUTE FUNCTION sync_rows_written(%L)',
                       t.tbl || '_sync_insert', t.tbl, t.entity);
        EXECUTE format('CREATE TRIGGER %I AFTER UPDATE ON %I REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows '
                       'FOR EACH STATEMENT EXECUTE FUNCTION sync_rows_written(%L)',
                       t.tbl || '_sync_update', t.tbl, t.entity);
        EXECUTE format('CREATE TRIGGER %I AFTER DELETE ON %I REFERENCING OLD TABLE AS old_rows '
                       'FOR EACH STATEMENT EXECUTE FUNCTION sync_rows_deleted(%L)',
                       t.tbl || '_sync_delete', t.tbl, t.entity);
        EXECUTE format('INSERT INTO sync_rows (entity, id, unit_path, org_unit_id, live, version) '
                       'SELECT %L, t.id, u.path, u.id, (to_jsonb(t)->>''deleted_at'') IS NULL, '
                       'sync_version(%L, to_jsonb(t)) FROM %I t JOIN org_units u ON u.id = t.org_unit_id',
                       t.entity, t.entity, t.tbl);
    END LOOP;

    FOR t IN SELECT * FROM (VALUES
        ('household_members', 'household', 'household_id'), ('group_members', 'group', 'group_id'),
        ('visits', 'session', 'session_id')) AS v(tbl, entity, col)
    LOOP
        EXECUTE format('CREATE TRIGGER %I AFTER INSERT ON %I REFERENCING NEW TABLE AS changed_rows '
                       'FOR EACH STATEMENT EXECUTE FUNCTION sync_parent_touched(%L, %L)',
                       t.tbl || '_sync_insert', t.tbl, t.entity, t.col);
        EXECUTE format('CREATE TRIGGER %I AFTER UPDATE ON %I REFERENCING NEW TABLE AS changed_rows '
                       'FOR EACH STATEMENT EXECUTE FUNCTION sync_parent_touched(%L, %L)',
                       t.tbl || '_sync_update', t.tbl, t.entity, t.col);
        EXECUTE format('CREATE TRIGGER %I AFTER DELETE ON %I REFERENCING OLD TABLE AS changed_rows '
                       'FOR EACH STATEMENT EXECUTE FUNCTION sync_parent_touched(%L, %L)',
                       t.tbl || '_sync_delete', t.tbl, t.entity, t.col);
    END LOOP;
END
$$;

CREATE TRIGGER org_units_sync_moved AFTER UPDATE ON org_units
    REFERENCING OLD TABLE AS old_units NEW TABLE AS new_units
    FOR EACH STATEMENT EXECUTE FUNCTION sync_units_moved();
