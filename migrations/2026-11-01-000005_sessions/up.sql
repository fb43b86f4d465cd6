-- Service sessions (服务记录) of all three methods in one table, so every figure reported
-- upward is counted from one place; groups (小组) with their members; group attendance.

CREATE TABLE groups (
    id                uuid        PRIMARY KEY,
    org_unit_id       uuid        NOT NULL REFERENCES org_units (id),
    name              text        NOT NULL CHECK (char_length(name) BETWEEN 1 AND 50),
    type              text        NOT NULL CHECK (type IN ('education', 'growth', 'support', 'therapy', 'interest', 'volunteer')),
    goals             text        CHECK (char_length(goals) <= 5000),
    target_categories text[]      NOT NULL DEFAULT '{}',
    planned_sessions  integer     CHECK (planned_sessions BETWEEN 1 AND 200),
    leader_ids        uuid[]      NOT NULL DEFAULT '{}',
    status            text        NOT NULL DEFAULT 'planning' CHECK (status IN ('planning', 'running', 'ended', 'cancelled')),
    created_by        uuid        NOT NULL REFERENCES users (id),
    version           integer     NOT NULL DEFAULT 1,
    created_at        timestamptz NOT NULL DEFAULT now(),
    updated_at        timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX groups_unit ON groups (org_unit_id, id DESC);
CREATE INDEX groups_status ON groups (status, org_unit_id, id DESC);

-- Membership periods: leaving closes a row (left_on, exit_reason); rejoining opens a new one.
CREATE TABLE group_members (
    id          uuid  PRIMARY KEY,
    group_id    uuid  NOT NULL REFERENCES groups (id),
    client_id   uuid  NOT NULL REFERENCES clients (id),
    joined_on   date  NOT NULL,
    left_on     date,
    exit_reason text  CHECK (char_length(exit_reason) <= 200)
);
CREATE UNIQUE INDEX group_members_current ON group_members (group_id, client_id) WHERE left_on IS NULL;
CREATE INDEX group_members_client ON group_members (client_id);

CREATE TABLE service_sessions (
    id                   uuid        PRIMARY KEY,
    org_unit_id          uuid        NOT NULL REFERENCES org_units (id),
    method               text        NOT NULL CHECK (method IN ('individual', 'group', 'community')),
    occurred_at          timestamptz NOT NULL,
    duration_minutes     integer     NOT NULL CHECK (duration_minutes BETWEEN 1 AND 1440),
    location             text        CHECK (char_length(location) <= 200),
    service_types        text[]      NOT NULL DEFAULT '{}',
    summary              text        CHECK (char_length(summary) <= 5000),
    late_entry           boolean     NOT NULL DEFAULT false,
    recorded_by          uuid        NOT NULL REFERENCES users (id),
    -- individual
    case_id              uuid,
    client_id            uuid        REFERENCES clients (id),
    mode                 text        CHECK (mode IN ('face_to_face', 'home_visit', 'phone', 'online', 'accompany')),
    goal_ids             uuid[]      NOT NULL DEFAULT '{}',
    client_response      text        CHECK (char_length(client_response) <= 5000),
    next_steps           text        CHECK (char_length(next_steps) <= 5000),
    risk_change          text        CHECK (risk_change IN ('red', 'yellow', 'blue', 'green')),
    -- group
    group_id             uuid        REFERENCES groups (id),
    session_no           integer     CHECK (session_no BETWEEN 1 AND 1000),
    theme                text        CHECK (char_length(theme) <= 200),
    -- community
    title                text        CHECK (char_length(title) <= 200),
    kind                 text        CHECK (kind IN ('event', 'education', 'needs_survey', 'deliberation', 'volunteer_service', 'org_incubation')),
    participant_count    integer     CHECK (participant_count BETWEEN 0 AND 100000),
    volunteer_count      integer     CHECK (volunteer_count BETWEEN 0 AND 100000),
    volunteer_hours      double precision CHECK (volunteer_hours BETWEEN 0 AND 1000000),
    partners             text[]      NOT NULL DEFAULT '{}',
    -- Money in fen (分), exact; the API speaks yuan.
    resources_value_fen  bigint      CHECK (resources_value_fen BETWEEN 0 AND 100000000000000),
    version              integer     NOT NULL DEFAULT 1,
    created_at           timestamptz NOT NULL DEFAULT now(),
    updated_at           timestamptz NOT NULL DEFAULT now(),
    -- Each method carries exactly its own anchor.
    CHECK ((method = 'individual') = (case_id IS NOT NULL AND client_id IS NOT NULL AND mode IS NOT NULL)),
    CHECK ((method = 'group') = (group_id IS NOT NULL AND session_no IS NOT NULL)),
    CHECK ((method = 'community') = (title IS NOT NULL AND kind IS NOT NULL AND participant_count IS NOT NULL))
);
-- Newest first per unit (the scoped list), and one index per list filter.
CREATE INDEX service_sessions_unit_time ON service_sessions (org_unit_id, occurred_at DESC, id DESC);
CREATE INDEX service_sessions_case ON service_sessions (case_id, occurred_at DESC) WHERE case_id IS NOT NULL;
CREATE INDEX service_sessions_group ON service_sessions (group_id, session_no) WHERE group_id IS NOT NULL;
CREATE INDEX service_sessions_client ON service_sessions (client_id, occurred_at DESC) WHERE client_id IS NOT NULL;
CREATE INDEX service_sessions_recorder ON service_sessions (recorded_by, occurred_at DESC);
CREATE INDEX service_sessions_method_time ON service_sessions (method, occurred_at DESC);
CREATE UNIQUE INDEX service_sessions_group_no ON service_sessions (group_id, session_no) WHERE group_id IS NOT NULL;

CREATE TABLE session_attendance (
    session_id       uuid    NOT NULL REFERENCES service_sessions (id),
    row_no           integer NOT NULL,
    client_id        uuid    REFERENCES clients (id),
    participant_name text    CHECK (char_length(participant_name) BETWEEN 1 AND 50),
    status           text    NOT NULL CHECK (status IN ('present', 'late', 'absent', 'excused')),
    PRIMARY KEY (session_id, row_no),
    CHECK ((client_id IS NULL) <> (participant_name IS NULL))
);
CREATE UNIQUE INDEX session_attendance_client ON session_attendance (session_id, client_id) WHERE client_id IS NOT NULL;
CREATE INDEX session_attendance_by_client ON session_attendance (client_id) WHERE client_id IS NOT NULL;
