-- The idempotency store keeps what a write did (its effect, the version and id of the resource),
-- not the HTTP status, ETag and Location it was answered with: the routes derive those, so a
-- replay answers exactly as the first request did without the service layer knowing HTTP.
ALTER TABLE idempotency_keys
    ADD COLUMN effect      text CHECK (effect IN ('created', 'existing', 'changed', 'accepted', 'done')),
    ADD COLUMN version     integer,
    ADD COLUMN resource_id uuid;

-- Keys kept from before (at most a week's worth): the status named the effect (a 200 on a create
-- was the existing record, and reads the same as a change), the ETag the version, the Location
-- the id. Status 0 marked a key still being worked on: its effect stays NULL.
UPDATE idempotency_keys
SET effect = CASE status WHEN 201 THEN 'created' WHEN 202 THEN 'accepted' WHEN 204 THEN 'done' WHEN 200 THEN 'changed' END,
    version = CASE WHEN etag ~ '^"[0-9]+"$' THEN trim(BOTH '"' FROM etag)::integer END,
    resource_id = CASE WHEN location ~ '[0-9a-f-]{36}$' THEN substring(location FROM '[0-9a-f-]{36}$')::uuid END;

ALTER TABLE idempotency_keys DROP COLUMN status, DROP COLUMN etag, DROP COLUMN location;
