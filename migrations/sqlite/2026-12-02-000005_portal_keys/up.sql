-- The same columns as PostgreSQL (one shared schema): history rows carry their portal, and the
-- history index leads with it. SQLite is one file, so its primary keys stay rowid aliases.
ALTER TABLE property_history ADD COLUMN portal_id BIGINT NOT NULL DEFAULT 0;
UPDATE property_history
   SET portal_id = (SELECT o.portal_id FROM objects o WHERE o.id = property_history.object_id);
DROP INDEX property_history_by_object;
CREATE INDEX property_history_by_object ON property_history (portal_id, object_id, name, id);
