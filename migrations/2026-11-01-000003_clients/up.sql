-- The client registry (服务对象) and households (家庭档案).

-- Every 1- and 2-character piece of a name, lower-cased. Chinese names are two or three
-- characters, too short for trigrams; a GIN index on these grams answers "name contains q"
-- for any q of one character or more.
CREATE FUNCTION name_grams(t text) RETURNS text[]
LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT AS $$
    SELECT coalesce(array_agg(DISTINCT g), '{}')
    FROM (
        SELECT substr(lower(t), i, 1) AS g FROM generate_series(1, char_length(t)) AS i
        UNION ALL
        SELECT substr(lower(t), i, 2) FROM generate_series(1, char_length(t) - 1) AS i
    ) grams
$$;

CREATE TABLE households (
    id          uuid        PRIMARY KEY,
    org_unit_id uuid        NOT NULL REFERENCES org_units (id),
    address     text,
    created_by  uuid        NOT NULL REFERENCES users (id),
    version     integer     NOT NULL DEFAULT 1,
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX households_unit ON households (org_unit_id, id DESC);

CREATE TABLE clients (
    id                  uuid        PRIMARY KEY,
    org_unit_id         uuid        NOT NULL REFERENCES org_units (id),
    name                text        NOT NULL CHECK (char_length(name) BETWEEN 1 AND 50),
    name_grams          text[]      GENERATED ALWAYS AS (name_grams(name)) STORED,
    gender              text        CHECK (gender IN ('male', 'female')),
    birth_date          date,
    id_type             text        NOT NULL CHECK (id_type IN ('resident_id', 'hmt_permit', 'passport', 'none')),
    id_number           text,
    phone               text,
    address             text,
    hukou_division_code text        CHECK (hukou_division_code ~ '^[0-9]{12}$'),
    categories          text[]      NOT NULL DEFAULT '{}',
    living_arrangement  text,
    self_care           text        CHECK (self_care IN ('independent', 'partial', 'dependent')),
    disability          jsonb,
    guardian            jsonb,
    emergency_contact   jsonb,
    household_id        uuid        REFERENCES households (id),
    risk_level          text        NOT NULL DEFAULT 'green' CHECK (risk_level IN ('red', 'yellow', 'blue', 'green')),
    consent             jsonb,
    notes               text        CHECK (char_length(notes) <= 5000),
    created_by          uuid        NOT NULL REFERENCES users (id),
    version             integer     NOT NULL DEFAULT 1,
    created_at          timestamptz NOT NULL DEFAULT now(),
    updated_at          timestamptz NOT NULL DEFAULT now(),
    deleted_at          timestamptz,
    CHECK ((id_type = 'none') = (id_number IS NULL))
);
-- One living record per identity document across the whole system (DOMAIN.md §3).
CREATE UNIQUE INDEX clients_document ON clients (id_type, id_number) WHERE deleted_at IS NULL AND id_number IS NOT NULL;
-- Newest first within a unit: the scoped list walks this index per unit.
CREATE INDEX clients_unit_recent ON clients (org_unit_id, id DESC) WHERE deleted_at IS NULL;
CREATE INDEX clients_name_grams ON clients USING gin (name_grams) WHERE deleted_at IS NULL;
-- Exact document search without knowing its type (the `q` of the client list).
CREATE INDEX clients_id_number ON clients (id_number) WHERE deleted_at IS NULL AND id_number IS NOT NULL;
CREATE INDEX clients_phone ON clients (phone) WHERE deleted_at IS NULL AND phone IS NOT NULL;
CREATE INDEX clients_categories ON clients USING gin (categories) WHERE deleted_at IS NULL;
CREATE INDEX clients_risk ON clients (risk_level, org_unit_id, id DESC) WHERE deleted_at IS NULL;
CREATE INDEX clients_household ON clients (household_id) WHERE household_id IS NOT NULL;

CREATE TABLE household_members (
    household_id uuid NOT NULL REFERENCES households (id),
    client_id    uuid NOT NULL UNIQUE REFERENCES clients (id),
    relation     text NOT NULL CHECK (relation IN ('self', 'spouse', 'child', 'parent', 'grandparent', 'grandchild', 'sibling', 'other')),
    PRIMARY KEY (household_id, client_id)
);
