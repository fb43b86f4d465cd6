DROP TRIGGER IF EXISTS org_units_sync_moved ON org_units;
DO $$
DECLARE
    t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['clients', 'households', 'cases', 'service_sessions', 'roster_entries', 'groups',
                             'reviews', 'household_members', 'group_members', 'visits']
    LOOP
        EXECUTE format('DROP TRIGGER IF EXISTS %I ON %I', t || '_sync_insert', t);
        EXECUTE format('DROP TRIGGER IF EXISTS %I ON %I', t || '_sync_update', t);
        EXECUTE format('DROP TRIGGER IF EXISTS %I ON %I', t || '_sync_delete', t);
    END LOOP;
END
$$;
DROP FUNCTION sync_units_moved();
DROP FUNCTION sync_parent_touched();
DROP FUNCTION sync_rows_deleted();
DROP FUNCTION sync_rows_written();
DROP FUNCTION sync_position();
DROP FUNCTION sync_version(text, jsonb);
DROP TABLE sync_rows;
DROP SEQUENCE sync_seq;
