-- Indexes for the field-work figures: the statistics' roster snapshot, and the caseload's roster
-- and visit counts per worker.

-- The statistics walk each unit of the subtree for its roster entries (entries on the roster at
-- the period's end, their level, last visit, interval, due day). Everything the walk reads is
-- here, so it is an index-only scan, as `cases_unit_stats` is for the case figures; entries that
-- have left stay in it, because a past period's roster still holds those who left after it. The
-- level history and the visits are looked up (one probe each, through
-- `roster_level_events_confirmed` and `visit_roster_entries_entry`) only for entries changed or
-- visited after the end, which a period that runs on never has.
CREATE INDEX roster_entries_unit_stats ON roster_entries (org_unit_id)
    INCLUDE (id, programme, level, visit_interval_days, enrolled_on, left_on, last_visit_at, next_visit_due, updated_at);

-- The caseload counts each worker's active entries, overdue and due soon, over the subtree's
-- units: the due walk of each unit, with the worker carried in the index (index-only).
DROP INDEX roster_entries_unit_due;
CREATE INDEX roster_entries_unit_due ON roster_entries (org_unit_id, next_visit_due, id)
    INCLUDE (responsible_worker_id) WHERE left_on IS NULL;

-- Visits recorded in the last 30 days by who recorded them, per unit (index-only): the general
-- `service_sessions_unit_time` carries no method, and `service_sessions_unit_method` no recorder.
CREATE INDEX service_sessions_unit_visits ON service_sessions (org_unit_id, occurred_at DESC)
    INCLUDE (recorded_by) WHERE method = 'visit';
