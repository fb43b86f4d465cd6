-- Conventions shared by every later table: the idempotency store and the append-only audit log.
CREATE EXTENSION IF NOT EXISTS pg_trgm;

CREATE TABLE idempotency_keys (
    user_id       uuid        NOT NULL,
    key           text        NOT NULL CHECK (char_length(key) BETWEEN 1 AND 255),
    method        text        NOT NULL,
    path          text        NOT NULL,
    request_hash  bytea       NOT NULL,
    status        smallint    NOT NULL,
    response_body jsonb       NOT NULL,
    etag          text,
    location      text,
    created_at    timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (user_id, key)
);
-- Expiry sweeps walk this index.
CREATE INDEX idempotency_keys_created_at ON idempotency_keys (created_at);

CREATE TABLE audit_events (
    id           uuid        PRIMARY KEY,
    occurred_at  timestamptz NOT NULL DEFAULT now(),
    user_id      uuid,
    username     text,
    role         text,
    org_unit_id  uuid,
    action       text        NOT NULL,
    entity_type  text        NOT NULL,
    entity_id    uuid,
    outcome      text        NOT NULL CHECK (outcome IN ('success', 'denied', 'failure')),
    request_id   text,
    details      jsonb       NOT NULL DEFAULT '{}'::jsonb
);
CREATE INDEX audit_events_entity ON audit_events (entity_type, entity_id, occurred_at DESC);
CREATE INDEX audit_events_user ON audit_events (user_id, occurred_at DESC);
CREATE INDEX audit_events_unit ON audit_events (org_unit_id, occurred_at DESC, id DESC);
CREATE INDEX audit_events_time ON audit_events (occurred_at DESC, id DESC);

-- The audit log is append-only for everyone who connects, the application included.
CREATE FUNCTION audit_events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit_events is append-only' USING ERRCODE = 'insufficient_privilege';
END;
$$;
CREATE TRIGGER audit_events_no_update BEFORE UPDATE OR DELETE ON audit_events
    FOR EACH ROW EXECUTE FUNCTION audit_events_append_only();
CREATE TRIGGER audit_events_no_truncate BEFORE TRUNCATE ON audit_events
    FOR EACH STATEMENT EXECUTE FUNCTION audit_events_append_only();
