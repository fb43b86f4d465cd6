-- Who saw or touched a client's file (`GET /clients/{id}/access-log`).
--
-- An audit event names one record (`entity_type`, `entity_id`) and, for a read of a list of
-- narratives, the records read (`details.ids`); the client those records belong to is found
-- once, when the event is written, and kept here with the event's time, so one client's events
-- are one range of this primary key, newest first, however long the log grows. Written by a
-- trigger so that every writer of the audit log is covered, present and future alike.
CREATE TABLE audit_event_clients (
    client_id   uuid        NOT NULL,
    occurred_at timestamptz NOT NULL,
    event_id    uuid        NOT NULL,
    PRIMARY KEY (client_id, occurred_at, event_id)
);

-- The clients whose file holds the records of this entity type ($1) with these ids ($2). In
-- PL/pgSQL, so that an event runs only its own type's lookup, on a plan kept by the session
-- (positional parameters: a column of the same name would otherwise win).
CREATE FUNCTION audit_subject_clients(text, uuid[]) RETURNS SETOF uuid
LANGUAGE plpgsql STABLE SET search_path = public, pg_temp AS $$
BEGIN
    CASE $1
    WHEN 'client' THEN
        RETURN QUERY SELECT DISTINCT unnest($2);
    WHEN 'case' THEN
        RETURN QUERY SELECT DISTINCT k.client_id FROM cases k WHERE k.id = ANY ($2);
    WHEN 'assessment' THEN
        RETURN QUERY SELECT DISTINCT k.client_id FROM assessments r JOIN cases k ON k.id = r.case_id WHERE r.id = ANY ($2);
    WHEN 'plan' THEN
        RETURN QUERY SELECT DISTINCT k.client_id FROM service_plans r JOIN cases k ON k.id = r.case_id WHERE r.id = ANY ($2);
    WHEN 'evaluation' THEN
        RETURN QUERY SELECT DISTINCT k.client_id FROM evaluations r JOIN cases k ON k.id = r.case_id WHERE r.id = ANY ($2);
    WHEN 'follow_up' THEN
        RETURN QUERY SELECT DISTINCT k.client_id FROM follow_ups r JOIN cases k ON k.id = r.case_id WHERE r.id = ANY ($2);
    WHEN 'review' THEN
        RETURN QUERY SELECT DISTINCT k.client_id FROM reviews r JOIN cases k ON k.id = r.case_id WHERE r.id = ANY ($2);
    WHEN 'referral' THEN
        RETURN QUERY SELECT DISTINCT coalesce(r.client_id, k.client_id) FROM referrals r LEFT JOIN cases k ON k.id = r.case_id
            WHERE r.id = ANY ($2) AND coalesce(r.client_id, k.client_id) IS NOT NULL;
    WHEN 'session' THEN
        RETURN QUERY SELECT DISTINCT c FROM (
            SELECT unnest(s.client_ids || s.client_id) FROM service_sessions s WHERE s.id = ANY ($2)
            UNION ALL SELECT a.client_id FROM session_attendance a WHERE a.session_id = ANY ($2)
        ) AS x (c) WHERE c IS NOT NULL;
    WHEN 'roster_entry' THEN
        RETURN QUERY SELECT DISTINCT e.client_id FROM roster_entries e WHERE e.id = ANY ($2);
    WHEN 'alert' THEN
        RETURN QUERY SELECT DISTINCT c FROM supervisor_alerts a CROSS JOIN LATERAL unnest(a.client_ids) AS x (c)
            WHERE a.id = ANY ($2);
    WHEN 'household' THEN
        RETURN QUERY SELECT DISTINCT m.client_id FROM household_members m WHERE m.household_id = ANY ($2);
    ELSE
        RETURN;
    END CASE;
END
$$;

-- Runs as the owner of the tables, so the server's own role needs no right on this table but
-- reading it.
CREATE FUNCTION audit_events_subjects() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    ids uuid[];
BEGIN
    ids := ARRAY(
        SELECT NEW.entity_id WHERE NEW.entity_id IS NOT NULL
        UNION
        SELECT v::uuid FROM jsonb_array_elements_text(
            CASE WHEN jsonb_typeof(NEW.details -> 'ids') = 'array' THEN NEW.details -> 'ids' ELSE '[]'::jsonb END
        ) AS t (v)
        WHERE v ~* '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$'
    );
    IF cardinality(ids) > 0 THEN
        INSERT INTO audit_event_clients (client_id, occurred_at, event_id)
        SELECT c, NEW.occurred_at, NEW.id FROM audit_subject_clients(NEW.entity_type, ids) AS c;
    END IF;
    RETURN NULL;
END
$$;

CREATE TRIGGER audit_events_subjects AFTER INSERT ON audit_events
    FOR EACH ROW EXECUTE FUNCTION audit_events_subjects();

INSERT INTO audit_event_clients (client_id, occurred_at, event_id)
SELECT c, e.occurred_at, e.id
FROM audit_events e
CROSS JOIN LATERAL audit_subject_clients(e.entity_type, ARRAY[e.entity_id]) AS c
WHERE e.entity_id IS NOT NULL;

-- A user's out-of-scope duplicate-document hits of the day are counted on every registration
-- that carries a document number: a handful of index entries, whatever else the user did.
CREATE INDEX audit_events_duplicate_probes ON audit_events (user_id, occurred_at)
    WHERE action = 'client.duplicate_probe';

-- Who looked at a file is the audit log's to say: the server's role reads this index of it and
-- writes nothing here (the trigger above writes as the owner).
REVOKE INSERT, UPDATE, DELETE ON audit_event_clients FROM shegong_app;
