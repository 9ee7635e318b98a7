ALTER TABLE property_history DROP CONSTRAINT property_history_object_fkey;
ALTER TABLE objects DROP CONSTRAINT objects_pkey;
ALTER TABLE objects ADD PRIMARY KEY (id);
DROP INDEX property_history_by_object;
CREATE INDEX property_history_by_object ON property_history (object_id, name, id);
ALTER TABLE property_history DROP CONSTRAINT property_history_pkey;
ALTER TABLE property_history ADD PRIMARY KEY (id);
ALTER TABLE property_history ADD CONSTRAINT property_history_object_id_fkey
    FOREIGN KEY (object_id) REFERENCES objects (id) ON DELETE CASCADE;
ALTER TABLE property_history DROP COLUMN portal_id;
