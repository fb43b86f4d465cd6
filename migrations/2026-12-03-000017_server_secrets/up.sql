-- Secrets a deployment made for itself: without a configured `SHEGONG_JWT_SECRET`, a development
-- server generates one the first time and keeps it here, so that every process on the database
-- signs with the same key across restarts, and no key is ever one that was published.
CREATE TABLE server_secrets (
    name       text        PRIMARY KEY CHECK (name ~ '^[a-z_]+$'),
    secret     text        NOT NULL CHECK (char_length(secret) >= 32),
    created_at timestamptz NOT NULL DEFAULT now()
);
