CREATE INDEX service_sessions_unit_group ON service_sessions (org_unit_id, occurred_at) WHERE method = 'group';
DROP INDEX service_sessions_unit_method;
