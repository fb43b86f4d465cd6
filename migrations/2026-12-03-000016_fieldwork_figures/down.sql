DROP INDEX service_sessions_unit_visits;
DROP INDEX roster_entries_unit_due;
CREATE INDEX roster_entries_unit_due ON roster_entries (org_unit_id, next_visit_due, id) WHERE left_on IS NULL;
DROP INDEX roster_entries_unit_stats;
