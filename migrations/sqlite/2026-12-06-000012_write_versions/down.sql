DROP INDEX object_counts_by_scope;
ALTER TABLE object_counts DROP COLUMN writes;
CREATE INDEX object_counts_by_scope ON object_counts (portal_id, object_type, delta);
