-- The four-tier hierarchy, users, sessions (refresh tokens) and login throttles.

CREATE TABLE org_units (
    id            uuid        PRIMARY KEY,
    parent_id     uuid        REFERENCES org_units (id),
    tier          text        NOT NULL CHECK (tier IN ('center', 'county', 'township', 'village')),
    name          text        NOT NULL CHECK (char_length(name) BETWEEN 1 AND 100),
    division_code text        CHECK (division_code ~ '^[0-9]{12}$'),
    address       text,
    phone         text,
    status        text        NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'suspended', 'closed')),
    -- Materialized path '/<root id>/.../<own id>/': the subtree of X is `path LIKE X.path || '%'`,
    -- answered by a btree index because the column uses the C collation.
    path          text        COLLATE "C" NOT NULL UNIQUE,
    depth         smallint    NOT NULL,
    version       integer     NOT NULL DEFAULT 1,
    created_at    timestamptz NOT NULL DEFAULT now(),
    updated_at    timestamptz NOT NULL DEFAULT now(),
    CHECK ((parent_id IS NULL) = (depth = 0))
);
-- A deployment has exactly one root.
CREATE UNIQUE INDEX org_units_single_root ON org_units ((true)) WHERE parent_id IS NULL;
CREATE INDEX org_units_parent ON org_units (parent_id, name);
CREATE INDEX org_units_tier_path ON org_units (tier, path);
CREATE INDEX org_units_name_trgm ON org_units USING gin (name gin_trgm_ops);

CREATE TABLE users (
    id             uuid        PRIMARY KEY,
    username       text        NOT NULL,
    display_name   text        NOT NULL CHECK (char_length(display_name) BETWEEN 1 AND 50),
    phone          text,
    org_unit_id    uuid        NOT NULL REFERENCES org_units (id),
    role           text        NOT NULL CHECK (role IN ('worker', 'supervisor', 'admin')),
    certification  text        NOT NULL DEFAULT 'none' CHECK (certification IN ('none', 'assistant', 'intermediate', 'senior')),
    is_active      boolean     NOT NULL DEFAULT true,
    password_hash  text        NOT NULL,
    token_version  integer     NOT NULL DEFAULT 0,
    version        integer     NOT NULL DEFAULT 1,
    created_at     timestamptz NOT NULL DEFAULT now(),
    updated_at     timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX users_username_lower ON users (lower(username));
CREATE INDEX users_unit_role ON users (org_unit_id, role, display_name);
CREATE INDEX users_display_name_trgm ON users USING gin (display_name gin_trgm_ops);

-- Refresh tokens are opaque random strings; only their SHA-256 is stored.
CREATE TABLE refresh_tokens (
    id              uuid        PRIMARY KEY,
    family_id       uuid        NOT NULL,
    user_id         uuid        NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    token_hash      bytea       NOT NULL UNIQUE,
    -- The token that replaced this one. Tokens are derived from their id with a server key, so
    -- a phone that lost the refresh response can be handed the same successor again.
    successor_id    uuid,
    issued_at       timestamptz NOT NULL DEFAULT now(),
    expires_at      timestamptz NOT NULL,
    used_at         timestamptz,
    revoked_at      timestamptz
);
CREATE INDEX refresh_tokens_family ON refresh_tokens (family_id);
CREATE INDEX refresh_tokens_user ON refresh_tokens (user_id) WHERE revoked_at IS NULL;

-- Failed logins per account (keyed by the lower-cased username, so unknown names are throttled too).
CREATE TABLE login_throttles (
    username_key   text        PRIMARY KEY,
    failures       integer     NOT NULL DEFAULT 0,
    window_start   timestamptz NOT NULL DEFAULT now(),
    locked_until   timestamptz
);
