ALTER TABLE property_history ADD CONSTRAINT property_history_object_fkey
    FOREIGN KEY (portal_id, object_id) REFERENCES objects (portal_id, id) ON DELETE CASCADE;
