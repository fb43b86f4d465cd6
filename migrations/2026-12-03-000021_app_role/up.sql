-- Least privilege (QUALITY.md 14): the server connects as a role that owns nothing and holds only
-- what it needs, so that the audit log and the append-only casework records are protected by
-- privilege, not by triggers alone (an owner or a superuser can disable a trigger). The
-- migrations run as the owner; `shegong_app` is the group role holding the application's
-- privileges, and `shegong migrate` makes the login role of DATABASE_URL a member of it.

-- Roles belong to the cluster, and many databases (every test has its own) may migrate at once:
-- whoever comes second finds the role made, or collides with the first and lets it be.
DO $$
BEGIN
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'shegong_app') THEN
        CREATE ROLE shegong_app NOLOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS;
    END IF;
EXCEPTION WHEN duplicate_object OR unique_violation THEN
    NULL;
END
$$;

-- Nobody but the owner creates objects here (PostgreSQL before 15 let every role create in
-- `public`).
REVOKE CREATE ON SCHEMA public FROM PUBLIC;
GRANT USAGE ON SCHEMA public TO shegong_app;

-- Reading and writing rows: everything the server does. No TRUNCATE, REFERENCES or TRIGGER.
GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO shegong_app;
GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO shegong_app;
GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA public TO shegong_app;

-- Append-only records: written once, never changed or removed by the server. The triggers of
-- these tables stay as a second guard for the owner's own sessions.
REVOKE UPDATE, DELETE ON
    audit_events,
    case_events, case_transfers, assessments, service_plans, evaluations, evaluation_goal_results,
    sync_mutations, server_secrets
FROM shegong_app;
-- A plan goal changes only its status (evaluations record how far it got).
REVOKE UPDATE, DELETE ON plan_goals FROM shegong_app;
GRANT UPDATE (status, updated_at) ON plan_goals TO shegong_app;

-- Tables, sequences and functions later migrations create (as this same owner) come with the
-- same row privileges; a later append-only table revokes UPDATE and DELETE in its own migration
-- (tests/api/privileges.rs checks every table with an append-only trigger).
ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO shegong_app;
ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT USAGE, SELECT ON SEQUENCES TO shegong_app;
ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT EXECUTE ON FUNCTIONS TO shegong_app;
