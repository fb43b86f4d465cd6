-- Each unit's cases newest first, with every column a case list shows or filters on: the list
-- merges the units' newest index entries and reads no table row (an index-only scan once the
-- table is vacuumed). It replaces the key-only index of the same order. Case updates that change
-- these columns (a status, a visit due date) already update other indexes, so the index adds
-- one more entry per update and no loss of HOT updates.
CREATE INDEX cases_unit_list ON cases (org_unit_id, id DESC)
    INCLUDE (case_no, client_id, client_name, worker_id, worker_name, domain, risk_level, status,
             opened_at, visit_due_at, has_pending_review, version);
DROP INDEX cases_unit_recent;
