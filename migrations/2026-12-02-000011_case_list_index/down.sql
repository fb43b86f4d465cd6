CREATE INDEX cases_unit_recent ON cases (org_unit_id, id DESC);
DROP INDEX cases_unit_list;
