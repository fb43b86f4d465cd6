-- The role itself stays: it belongs to the cluster, and other databases may still grant to it.
-- `public` stays closed to creation (PostgreSQL 15 and later close it anyway).
ALTER DEFAULT PRIVILEGES IN SCHEMA public REVOKE ALL ON FUNCTIONS FROM shegong_app;
ALTER DEFAULT PRIVILEGES IN SCHEMA public REVOKE ALL ON SEQUENCES FROM shegong_app;
ALTER DEFAULT PRIVILEGES IN SCHEMA public REVOKE ALL ON TABLES FROM shegong_app;
REVOKE ALL ON ALL FUNCTIONS IN SCHEMA public FROM shegong_app;
REVOKE ALL ON ALL SEQUENCES IN SCHEMA public FROM shegong_app;
REVOKE ALL ON ALL TABLES IN SCHEMA public FROM shegong_app;
REVOKE ALL ON SCHEMA public FROM shegong_app;
