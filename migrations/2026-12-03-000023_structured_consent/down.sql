-- Back to the free-form consent: the signer, a text relation and the date.
UPDATE clients SET
    consent = jsonb_build_object(
        'signed_by', consent->>'signed_by',
        'relation', consent->>'relation',
        'date', consent->'date'),
    version = version + 1,
    updated_at = now()
WHERE consent IS NOT NULL;
