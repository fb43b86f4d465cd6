-- "Name contains q", newest first, one page at a time. A GIN index answers which clients of a
-- unit share a gram but not in any order, so a common surname cost every match of every unit
-- before the page could be cut. This table holds each gram of each living client's name once,
-- keyed (unit, gram, client): a unit's matches for one gram are a slice of the key, newest
-- first, and a page reads no more of it than the page needs. Statement-level triggers keep it
-- in the same transaction as every write to `clients`, so it never disagrees with them.
CREATE TABLE client_name_grams (
    org_unit_id uuid NOT NULL,
    gram        text NOT NULL,
    -- The client's id (time-ordered), named like the other scoped tables' `id` so that the
    -- scoped list walks it the same way.
    id          uuid NOT NULL,
    PRIMARY KEY (org_unit_id, gram, id)
);

INSERT INTO client_name_grams (org_unit_id, gram, id)
SELECT c.org_unit_id, g, c.id FROM clients c, unnest(c.name_grams) g WHERE c.deleted_at IS NULL;

CREATE FUNCTION client_name_grams_insert() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO client_name_grams (org_unit_id, gram, id)
    SELECT n.org_unit_id, g, n.id FROM new_rows n, unnest(n.name_grams) g WHERE n.deleted_at IS NULL;
    RETURN NULL;
END
$$;

-- Only rows whose name, unit or living state changed touch the grams; most updates (a risk
-- level, a phone number) change none of them.
CREATE FUNCTION client_name_grams_update() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM client_name_grams x
    USING old_rows o JOIN new_rows n ON n.id = o.id, unnest(o.name_grams) g
    WHERE o.deleted_at IS NULL
      AND (o.name, o.org_unit_id, n.deleted_at IS NULL) IS DISTINCT FROM (n.name, n.org_unit_id, true)
      AND x.org_unit_id = o.org_unit_id AND x.gram = g AND x.id = o.id;
    INSERT INTO client_name_grams (org_unit_id, gram, id)
    SELECT n.org_unit_id, g, n.id
    FROM old_rows o JOIN new_rows n ON n.id = o.id, unnest(n.name_grams) g
    WHERE n.deleted_at IS NULL
      AND (o.name, o.org_unit_id, o.deleted_at IS NULL) IS DISTINCT FROM (n.name, n.org_unit_id, true);
    RETURN NULL;
END
$$;

CREATE FUNCTION client_name_grams_delete() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM client_name_grams x
    USING old_rows o, unnest(o.name_grams) g
    WHERE o.deleted_at IS NULL AND x.org_unit_id = o.org_unit_id AND x.gram = g AND x.id = o.id;
    RETURN NULL;
END
$$;

CREATE TRIGGER clients_name_grams_insert AFTER INSERT ON clients
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION client_name_grams_insert();
CREATE TRIGGER clients_name_grams_update AFTER UPDATE ON clients
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION client_name_grams_update();
CREATE TRIGGER clients_name_grams_delete AFTER DELETE ON clients
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION client_name_grams_delete();

-- The GIN index no search uses any more.
DROP INDEX clients_unit_name_grams;
