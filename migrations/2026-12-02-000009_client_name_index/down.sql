CREATE INDEX clients_unit_name_grams ON clients USING gin (org_unit_id, name_grams) WHERE deleted_at IS NULL;
DROP TRIGGER clients_name_grams_delete ON clients;
DROP TRIGGER clients_name_grams_update ON clients;
DROP TRIGGER clients_name_grams_insert ON clients;
DROP FUNCTION client_name_grams_delete();
DROP FUNCTION client_name_grams_update();
DROP FUNCTION client_name_grams_insert();
DROP TABLE client_name_grams;
