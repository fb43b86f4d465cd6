-- Casework (个案): cases and their process records, the case timeline, supervisor reviews and
-- supervision records. Submitted process records are append-only: corrections are new rows.

-- Refuses any UPDATE or DELETE on an append-only table.
CREATE FUNCTION casework_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '% is append-only', TG_TABLE_NAME USING ERRCODE = 'insufficient_privilege';
END;
$$;

-- When a case at `risk` last seen at `since` is due for its next visit (DOMAIN.md §3: red 7 days,
-- yellow 14, blue 30, green 90). Declared IMMUTABLE, which is true: adding whole hours does not
-- depend on the session's time zone (adding days would).
CREATE FUNCTION case_visit_due(risk text, since timestamptz) RETURNS timestamptz
LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT AS $$
    SELECT since + make_interval(hours => 24 * CASE risk
        WHEN 'red' THEN 7 WHEN 'yellow' THEN 14 WHEN 'blue' THEN 30 ELSE 90 END)
$$;

-- Case numbers: `<prefix>-<year>-<seq>`, one counter per prefix and year, taken with an upsert so
-- that concurrent intakes never share a number.
CREATE TABLE case_number_counters (
    prefix   text    NOT NULL CHECK (prefix ~ '^[0-9A-Z]{6}$'),
    year     integer NOT NULL CHECK (year BETWEEN 2000 AND 2999),
    last_seq integer NOT NULL CHECK (last_seq > 0),
    PRIMARY KEY (prefix, year)
);

CREATE TABLE cases (
    id                 uuid        PRIMARY KEY,
    case_no            text        NOT NULL UNIQUE,
    client_id          uuid        NOT NULL REFERENCES clients (id),
    org_unit_id        uuid        NOT NULL REFERENCES org_units (id),
    worker_id          uuid        NOT NULL REFERENCES users (id),
    source             text        NOT NULL CHECK (source IN ('self_referral', 'referral_in', 'outreach', 'screening', 'hotline', 'other')),
    presenting_problem text        NOT NULL CHECK (char_length(presenting_problem) BETWEEN 1 AND 5000),
    domain             text        NOT NULL CHECK (domain IN ('social_assistance', 'elderly_care', 'child_protection', 'disability', 'community_governance', 'social_affairs')),
    problem_types      text[]      NOT NULL DEFAULT '{}' CHECK (cardinality(problem_types) <= 100),
    risk_level         text        NOT NULL CHECK (risk_level IN ('red', 'yellow', 'blue', 'green')),
    status             text        NOT NULL DEFAULT 'intake' CHECK (status IN ('intake', 'not_opened', 'assessment', 'planning', 'intervention', 'suspended', 'evaluation', 'follow_up', 'closed', 'voided')),
    opened_at          timestamptz NOT NULL DEFAULT now(),
    closed_at          timestamptz,
    closure_reason     text        CHECK (closure_reason IN ('goals_achieved', 'client_request', 'referred_out', 'relocated', 'lost_contact', 'deceased', 'not_eligible', 'project_ended', 'other')),
    next_follow_up_at  timestamptz,
    -- Maintained by service sessions (the sessions feature); the overdue rule reads it.
    last_session_at    timestamptz,
    -- Mirrors `domain::case_flow::is_open`.
    is_open            boolean     GENERATED ALWAYS AS (status IN ('intake', 'assessment', 'planning', 'intervention', 'suspended', 'evaluation', 'follow_up')) STORED,
    -- When the next visit is due; NULL where visits are not expected (suspended, or no longer open).
    visit_due_at       timestamptz GENERATED ALWAYS AS (
                           CASE WHEN status IN ('intake', 'assessment', 'planning', 'intervention', 'evaluation', 'follow_up')
                                THEN case_visit_due(risk_level, coalesce(last_session_at, opened_at)) END
                       ) STORED,
    created_by         uuid        NOT NULL REFERENCES users (id),
    version            integer     NOT NULL DEFAULT 1,
    created_at         timestamptz NOT NULL DEFAULT now(),
    updated_at         timestamptz NOT NULL DEFAULT now(),
    CHECK ((status = 'closed') = (closed_at IS NOT NULL))
);
-- Scoped "newest first" lists walk one of these per unit (ids are time-ordered v7 uuids).
CREATE INDEX cases_unit_recent ON cases (org_unit_id, id DESC);
CREATE INDEX cases_status ON cases (status, org_unit_id, id DESC);
CREATE INDEX cases_risk ON cases (risk_level, org_unit_id, id DESC);
CREATE INDEX cases_worker ON cases (worker_id, id DESC);
CREATE INDEX cases_client ON cases (client_id, id DESC);
-- `GET /cases?overdue=true` and the caseload's overdue counts.
CREATE INDEX cases_visit_due ON cases (visit_due_at) WHERE visit_due_at IS NOT NULL;
-- `GET /clients?has_open_case=`.
CREATE INDEX cases_client_open ON cases (client_id) WHERE is_open;

-- The case timeline: every transition, transfer, review, record and (later) session, with who
-- and when. `client_id` is copied from the case so that the client's timeline is one index walk.
CREATE TABLE case_events (
    id          uuid        PRIMARY KEY,
    case_id     uuid        NOT NULL REFERENCES cases (id),
    client_id   uuid        NOT NULL REFERENCES clients (id),
    kind        text        NOT NULL CHECK (kind ~ '^[a-z_]+\.[a-z_]+$'),
    action      text        CHECK (action IN ('decline', 'start_assessment', 'fast_track', 'start_planning', 'submit_plan', 'reassess', 'suspend', 'resume', 'start_evaluation', 'request_closure', 'complete_follow_up', 'reopen', 'void')),
    from_status text        CHECK (from_status IN ('intake', 'not_opened', 'assessment', 'planning', 'intervention', 'suspended', 'evaluation', 'follow_up', 'closed', 'voided')),
    to_status   text        CHECK (to_status IN ('intake', 'not_opened', 'assessment', 'planning', 'intervention', 'suspended', 'evaluation', 'follow_up', 'closed', 'voided')),
    entity_type text,
    entity_id   uuid,
    actor_id    uuid        NOT NULL REFERENCES users (id),
    at          timestamptz NOT NULL DEFAULT now(),
    details     jsonb       NOT NULL DEFAULT '{}'::jsonb
);
CREATE INDEX case_events_case ON case_events (case_id, at DESC, id DESC);
CREATE INDEX case_events_client ON case_events (client_id, at DESC, id DESC);
CREATE TRIGGER case_events_append_only BEFORE UPDATE OR DELETE ON case_events
    FOR EACH ROW EXECUTE FUNCTION casework_append_only();

CREATE TABLE case_transfers (
    id             uuid        PRIMARY KEY,
    case_id        uuid        NOT NULL REFERENCES cases (id),
    from_worker_id uuid        NOT NULL REFERENCES users (id),
    to_worker_id   uuid        NOT NULL REFERENCES users (id),
    from_unit_id   uuid        NOT NULL REFERENCES org_units (id),
    to_unit_id     uuid        NOT NULL REFERENCES org_units (id),
    note           text        NOT NULL CHECK (char_length(note) BETWEEN 1 AND 5000),
    transferred_by uuid        NOT NULL REFERENCES users (id),
    created_at     timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX case_transfers_case ON case_transfers (case_id, id DESC);
CREATE TRIGGER case_transfers_append_only BEFORE UPDATE OR DELETE ON case_transfers
    FOR EACH ROW EXECUTE FUNCTION casework_append_only();

-- 预估.
CREATE TABLE assessments (
    id            uuid        PRIMARY KEY,
    case_id       uuid        NOT NULL REFERENCES cases (id),
    sources       text[]      NOT NULL CHECK (sources <@ ARRAY['interview', 'home_visit', 'third_party', 'records']::text[]),
    self_system   text        CHECK (char_length(self_system) <= 5000),
    family_system text        CHECK (char_length(family_system) <= 5000),
    social_system text        CHECK (char_length(social_system) <= 5000),
    strengths     text        CHECK (char_length(strengths) <= 5000),
    needs         text[]      NOT NULL DEFAULT '{}' CHECK (cardinality(needs) <= 100),
    risk_level    text        NOT NULL CHECK (risk_level IN ('red', 'yellow', 'blue', 'green')),
    summary       text        NOT NULL CHECK (char_length(summary) BETWEEN 1 AND 5000),
    assessed_at   timestamptz NOT NULL,
    assessed_by   uuid        NOT NULL REFERENCES users (id),
    created_at    timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX assessments_case ON assessments (case_id, id DESC);
CREATE TRIGGER assessments_append_only BEFORE UPDATE OR DELETE ON assessments
    FOR EACH ROW EXECUTE FUNCTION casework_append_only();

-- 服务计划, versioned per case; a revision is a new version with new goals.
CREATE TABLE service_plans (
    id                 uuid        PRIMARY KEY,
    case_id            uuid        NOT NULL REFERENCES cases (id),
    version_no         integer     NOT NULL CHECK (version_no > 0),
    overall_goal       text        NOT NULL CHECK (char_length(overall_goal) BETWEEN 1 AND 5000),
    intervention_model text        CHECK (char_length(intervention_model) <= 200),
    planned_sessions   integer     CHECK (planned_sessions BETWEEN 1 AND 1000),
    end_date           date,
    created_by         uuid        NOT NULL REFERENCES users (id),
    created_at         timestamptz NOT NULL DEFAULT now(),
    UNIQUE (case_id, version_no)
);
CREATE INDEX service_plans_case ON service_plans (case_id, id DESC);
CREATE TRIGGER service_plans_append_only BEFORE UPDATE OR DELETE ON service_plans
    FOR EACH ROW EXECUTE FUNCTION casework_append_only();

CREATE TABLE plan_goals (
    id          uuid        PRIMARY KEY,
    plan_id     uuid        NOT NULL REFERENCES service_plans (id),
    case_id     uuid        NOT NULL REFERENCES cases (id),
    position    integer     NOT NULL CHECK (position > 0),
    description text        NOT NULL CHECK (char_length(description) BETWEEN 1 AND 1000),
    measure     text        CHECK (char_length(measure) <= 1000),
    due_date    date,
    -- The only column that changes: evaluations record how far each goal got.
    status      text        NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'achieved', 'partly', 'not_achieved')),
    updated_at  timestamptz NOT NULL DEFAULT now(),
    UNIQUE (plan_id, position)
);
CREATE INDEX plan_goals_case ON plan_goals (case_id);

CREATE FUNCTION plan_goals_status_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' OR (NEW.id, NEW.plan_id, NEW.case_id, NEW.position, NEW.description, NEW.measure, NEW.due_date)
        IS DISTINCT FROM (OLD.id, OLD.plan_id, OLD.case_id, OLD.position, OLD.description, OLD.measure, OLD.due_date) THEN
        RAISE EXCEPTION 'plan goals are append-only except their status' USING ERRCODE = 'insufficient_privilege';
    END IF;
    RETURN NEW;
END;
$$;
CREATE TRIGGER plan_goals_status_only BEFORE UPDATE OR DELETE ON plan_goals
    FOR EACH ROW EXECUTE FUNCTION plan_goals_status_only();

-- 评估.
CREATE TABLE evaluations (
    id              uuid        PRIMARY KEY,
    case_id         uuid        NOT NULL REFERENCES cases (id),
    plan_id         uuid        REFERENCES service_plans (id),
    summary         text        NOT NULL CHECK (char_length(summary) BETWEEN 1 AND 5000),
    client_feedback text        CHECK (char_length(client_feedback) <= 5000),
    recommendation  text        NOT NULL CHECK (recommendation IN ('close', 'continue', 'revise_plan')),
    evaluated_by    uuid        NOT NULL REFERENCES users (id),
    created_at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX evaluations_case ON evaluations (case_id, id DESC);
CREATE TRIGGER evaluations_append_only BEFORE UPDATE OR DELETE ON evaluations
    FOR EACH ROW EXECUTE FUNCTION casework_append_only();

CREATE TABLE evaluation_goal_results (
    evaluation_id uuid    NOT NULL REFERENCES evaluations (id),
    goal_id       uuid    NOT NULL REFERENCES plan_goals (id),
    position      integer NOT NULL,
    result        text    NOT NULL CHECK (result IN ('achieved', 'partly', 'not_achieved')),
    evidence      text    CHECK (char_length(evidence) <= 5000),
    PRIMARY KEY (evaluation_id, goal_id)
);
CREATE TRIGGER evaluation_goal_results_append_only BEFORE UPDATE OR DELETE ON evaluation_goal_results
    FOR EACH ROW EXECUTE FUNCTION casework_append_only();

-- 跟进/回访: scheduled, then recorded done once.
CREATE TABLE follow_ups (
    id         uuid        PRIMARY KEY,
    case_id    uuid        NOT NULL REFERENCES cases (id),
    due_on     date        NOT NULL,
    done_on    date,
    mode       text        CHECK (mode IN ('face_to_face', 'home_visit', 'phone', 'online', 'accompany')),
    finding    text        CHECK (char_length(finding) <= 5000),
    created_by uuid        NOT NULL REFERENCES users (id),
    done_by    uuid        REFERENCES users (id),
    version    integer     NOT NULL DEFAULT 1,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    CHECK ((done_on IS NULL) = (done_by IS NULL))
);
CREATE INDEX follow_ups_case ON follow_ups (case_id, id DESC);

-- 转介. `org_unit_id` follows the case (a transfer moves it along).
CREATE TABLE referrals (
    id            uuid        PRIMARY KEY,
    case_id       uuid        NOT NULL REFERENCES cases (id),
    org_unit_id   uuid        NOT NULL REFERENCES org_units (id),
    direction     text        NOT NULL CHECK (direction IN ('out', 'in')),
    organization  text        NOT NULL CHECK (char_length(organization) BETWEEN 1 AND 100),
    contact       text        CHECK (char_length(contact) <= 50),
    phone         text,
    reason        text        NOT NULL CHECK (char_length(reason) BETWEEN 1 AND 5000),
    consent_given boolean     NOT NULL,
    status        text        NOT NULL DEFAULT 'sent' CHECK (status IN ('sent', 'accepted', 'declined', 'completed')),
    status_note   text        CHECK (char_length(status_note) <= 5000),
    created_by    uuid        NOT NULL REFERENCES users (id),
    version       integer     NOT NULL DEFAULT 1,
    created_at    timestamptz NOT NULL DEFAULT now(),
    updated_at    timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX referrals_case ON referrals (case_id, id DESC);

-- Supervisor reviews. `org_unit_id` follows the case (a transfer moves it along).
CREATE TABLE reviews (
    id              uuid        PRIMARY KEY,
    kind            text        NOT NULL CHECK (kind IN ('plan_approval', 'closure_approval')),
    case_id         uuid        NOT NULL REFERENCES cases (id),
    org_unit_id     uuid        NOT NULL REFERENCES org_units (id),
    -- The plan version under review (set at decision time after a fast track).
    plan_id         uuid        REFERENCES service_plans (id),
    closure_reason  text        CHECK (closure_reason IN ('goals_achieved', 'client_request', 'referred_out', 'relocated', 'lost_contact', 'deceased', 'not_eligible', 'project_ended', 'other')),
    request_comment text        CHECK (char_length(request_comment) <= 5000),
    requested_by    uuid        NOT NULL REFERENCES users (id),
    requested_at    timestamptz NOT NULL DEFAULT now(),
    status          text        NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'approved', 'returned')),
    decided_by      uuid        REFERENCES users (id),
    decided_at      timestamptz,
    comment         text        CHECK (char_length(comment) <= 5000),
    CHECK ((status = 'pending') = (decided_at IS NULL)),
    CHECK ((kind = 'closure_approval') = (closure_reason IS NOT NULL))
);
-- At most one pending review per case; also answers `GET /cases?pending_review=true`.
CREATE UNIQUE INDEX reviews_one_pending ON reviews (case_id) WHERE status = 'pending';
-- The supervisor's queue: oldest first per unit.
CREATE INDEX reviews_queue ON reviews (status, org_unit_id, id);
CREATE INDEX reviews_unit ON reviews (org_unit_id, id);
CREATE INDEX reviews_case ON reviews (case_id, id);

-- 督导记录.
CREATE TABLE supervision_records (
    id               uuid        PRIMARY KEY,
    org_unit_id      uuid        NOT NULL REFERENCES org_units (id),
    supervisor_id    uuid        NOT NULL REFERENCES users (id),
    occurred_at      timestamptz NOT NULL,
    duration_minutes integer     NOT NULL CHECK (duration_minutes BETWEEN 1 AND 1440),
    format           text        NOT NULL CHECK (format IN ('individual', 'group', 'onsite', 'online')),
    function         text        NOT NULL CHECK (function IN ('educational', 'administrative', 'supportive')),
    issues           text        CHECK (char_length(issues) <= 5000),
    advice           text        CHECK (char_length(advice) <= 5000),
    -- [{text, owner_id, due_on, done}]
    action_items     jsonb       NOT NULL DEFAULT '[]'::jsonb CHECK (jsonb_typeof(action_items) = 'array'),
    version          integer     NOT NULL DEFAULT 1,
    created_at       timestamptz NOT NULL DEFAULT now(),
    updated_at       timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX supervision_records_unit ON supervision_records (org_unit_id, id DESC);
CREATE INDEX supervision_records_supervisor ON supervision_records (supervisor_id, id DESC);

CREATE TABLE supervision_supervisees (
    record_id uuid NOT NULL REFERENCES supervision_records (id),
    user_id   uuid NOT NULL REFERENCES users (id),
    PRIMARY KEY (record_id, user_id)
);
CREATE INDEX supervision_supervisees_user ON supervision_supervisees (user_id, record_id DESC);

CREATE TABLE supervision_cases (
    record_id uuid NOT NULL REFERENCES supervision_records (id),
    case_id   uuid NOT NULL REFERENCES cases (id),
    PRIMARY KEY (record_id, case_id)
);
CREATE INDEX supervision_cases_case ON supervision_cases (case_id, record_id DESC);
