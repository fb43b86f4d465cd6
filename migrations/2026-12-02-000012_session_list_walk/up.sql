-- Session lists walk each unit newest first on service_sessions_unit_time. Group and community
-- work are a sliver of all sessions, so a list of one of them walks this index instead of
-- skipping past a unit's individual sessions. It also answers the statistics' group sessions of
-- a unit and period (index-only), so the group-only index it supersedes goes.
CREATE INDEX service_sessions_unit_method ON service_sessions (org_unit_id, method, occurred_at DESC, id DESC)
  WHERE method <> 'individual';
DROP INDEX service_sessions_unit_group;
