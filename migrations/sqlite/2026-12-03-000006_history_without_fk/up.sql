-- As on PostgreSQL: history rows are written in their object's transaction and objects are
-- never deleted, so the per-row foreign-key check is dropped. SQLite cannot drop a constraint,
-- so the table is rebuilt with the same columns, ids and index.
CREATE TABLE property_history_new (
    id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    object_id BIGINT NOT NULL,
    name TEXT NOT NULL,
    value TEXT,
    changed_at BIGINT NOT NULL,
    source_type TEXT NOT NULL,
    source_id TEXT,
    portal_id BIGINT NOT NULL DEFAULT 0
);
INSERT INTO property_history_new
    (id, object_id, name, value, changed_at, source_type, source_id, portal_id)
    SELECT id, object_id, name, value, changed_at, source_type, source_id, portal_id
      FROM property_history;
DROP TABLE property_history;
ALTER TABLE property_history_new RENAME TO property_history;
CREATE INDEX property_history_by_object ON property_history (portal_id, object_id, name, id);
