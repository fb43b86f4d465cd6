CREATE INDEX clients_name_grams ON clients USING gin (name_grams) WHERE deleted_at IS NULL;
DROP INDEX clients_unit_name_grams;
