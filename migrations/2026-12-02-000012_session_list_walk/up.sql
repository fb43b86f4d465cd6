-- Session lists walk each unit newest first on service_sessions_unit_time. Group and community
-- work are a sliver of all sessions, so a list of one of them walks this index instead of
-- skipping past a unit's individual sessions.
CREATE INDEX service_sessions_unit_method ON service_sessions (org_unit_id, method, occurred_at DESC, id DESC)
  WHERE method <> 'individual';
