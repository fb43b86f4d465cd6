DROP INDEX cases_awaiting_archive;
DROP INDEX clients_awaiting_anonymisation;
ALTER TABLE cases DROP COLUMN archived_at;
ALTER TABLE clients DROP COLUMN anonymised_at;
