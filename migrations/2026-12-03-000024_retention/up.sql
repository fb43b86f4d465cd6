-- Retention (`shegong purge`, and on a schedule in `serve`): a client deleted longer than the
-- retention period is anonymised, a case closed longer than the archive period is archived.
-- Both are marked here, so each runs once per record and the purge finds its work through a
-- small partial index instead of scanning the tables.
ALTER TABLE clients ADD COLUMN anonymised_at timestamptz;
ALTER TABLE cases ADD COLUMN archived_at timestamptz;

CREATE INDEX clients_awaiting_anonymisation ON clients (deleted_at)
    WHERE deleted_at IS NOT NULL AND anonymised_at IS NULL;
CREATE INDEX cases_awaiting_archive ON cases (closed_at)
    WHERE status = 'closed' AND archived_at IS NULL;
