ALTER TABLE idempotency_keys
    ADD COLUMN status   smallint NOT NULL DEFAULT 0,
    ADD COLUMN etag     text,
    ADD COLUMN location text;
UPDATE idempotency_keys
SET status = CASE effect WHEN 'created' THEN 201 WHEN 'accepted' THEN 202 WHEN 'done' THEN 204 WHEN NULL THEN 0 ELSE 200 END,
    etag = CASE WHEN version IS NOT NULL THEN '"' || version || '"' END;
ALTER TABLE idempotency_keys ALTER COLUMN status DROP DEFAULT;
ALTER TABLE idempotency_keys DROP COLUMN effect, DROP COLUMN version, DROP COLUMN resource_id;
