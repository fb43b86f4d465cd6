-- A name part searched within a subtree: the scoped list looks up each unit's matches in one
-- index, (unit, gram), instead of every client in the province sharing a common surname.
CREATE EXTENSION IF NOT EXISTS btree_gin;
CREATE INDEX clients_unit_name_grams ON clients USING gin (org_unit_id, name_grams) WHERE deleted_at IS NULL;
DROP INDEX clients_name_grams;
