DROP INDEX audit_events_duplicate_probes;
DROP TRIGGER audit_events_subjects ON audit_events;
DROP FUNCTION audit_events_subjects();
DROP FUNCTION audit_subject_clients(text, uuid[]);
DROP TABLE audit_event_clients;
