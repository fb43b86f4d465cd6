-- Indexes for the supervisor's caseload: open cases of a unit grouped by worker, status and risk
-- are answered from this index alone.
CREATE INDEX cases_open_load ON cases (org_unit_id, worker_id, status, risk_level, visit_due_at) WHERE is_open;
-- Pending reviews of a unit.
CREATE INDEX reviews_pending_unit ON reviews (org_unit_id, case_id) WHERE status = 'pending';
