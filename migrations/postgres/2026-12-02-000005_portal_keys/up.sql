-- Distribution by portal (Citus-style): every tenant table's primary key, foreign keys and
-- unique indexes lead with portal_id, so a distributed engine can place all of a portal's rows
-- on one node and check every constraint there. portals and api_tokens (looked up by token
-- hash before the portal is known) stay reference tables.
ALTER TABLE property_history ADD COLUMN portal_id BIGINT;
UPDATE property_history h SET portal_id = o.portal_id FROM objects o WHERE o.id = h.object_id;
ALTER TABLE property_history ALTER COLUMN portal_id SET NOT NULL;
ALTER TABLE property_history DROP CONSTRAINT property_history_object_id_fkey;
ALTER TABLE property_history DROP CONSTRAINT property_history_pkey;
ALTER TABLE property_history ADD PRIMARY KEY (portal_id, id);
DROP INDEX property_history_by_object;
CREATE INDEX property_history_by_object ON property_history (portal_id, object_id, name, id);

ALTER TABLE objects DROP CONSTRAINT objects_pkey;
ALTER TABLE objects ADD PRIMARY KEY (portal_id, id);
ALTER TABLE property_history ADD CONSTRAINT property_history_object_fkey
    FOREIGN KEY (portal_id, object_id) REFERENCES objects (portal_id, id) ON DELETE CASCADE;

-- Unique custom properties made before this migration: rebuild each with portal_id first.
DO $$
DECLARE r RECORD;
BEGIN
    FOR r IN SELECT indexname, indexdef FROM pg_indexes
             WHERE tablename = 'objects' AND indexname LIKE 'objects_unique_%'
               AND indexdef NOT LIKE '%USING btree (portal_id,%'
    LOOP
        EXECUTE format('DROP INDEX %I', r.indexname);
        EXECUTE replace(r.indexdef, 'USING btree (', 'USING btree (portal_id, ');
    END LOOP;
END $$;
