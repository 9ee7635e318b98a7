DROP INDEX property_history_by_object;
CREATE INDEX property_history_by_object ON property_history (object_id, name, id);
ALTER TABLE property_history DROP COLUMN portal_id;
