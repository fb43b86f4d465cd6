-- Informed consent (知情同意) becomes a structured record: the signer's relation is a code
-- (`self`, `guardian`, `agent`), the uses consented to are listed, and a withdrawal has a date
-- and a reason. The service checks and writes it (domain/consent.rs); this carries the consents
-- already on file across.
--
-- A consent typed before this was "to services and record keeping", so it allows `services`
-- alone. Its free-text relation is read as the client (blank, 本人, self), an agent (代理人), or
-- otherwise a guardian (a parent or relative signing for the client). The client's version
-- moves on, since its representation changed: devices and If-Match see a new version.
UPDATE clients SET
    consent = jsonb_build_object(
        'signed_by', consent->>'signed_by',
        'relation', CASE
            WHEN coalesce(btrim(consent->>'relation'), '') IN ('', 'self', '本人', '本人签署') THEN 'self'
            WHEN btrim(consent->>'relation') IN ('agent', '代理人', '委托代理人') THEN 'agent'
            ELSE 'guardian' END,
        'date', consent->'date',
        'scopes', '["services"]'::jsonb,
        'withdrawn_on', NULL,
        'withdrawal_reason', NULL),
    version = version + 1,
    updated_at = now()
WHERE consent IS NOT NULL;
