CREATE TABLE property_history (
    id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    object_id BIGINT NOT NULL,
    name TEXT NOT NULL,
    value TEXT,
    changed_at BIGINT NOT NULL,
    source_type TEXT NOT NULL,
    source_id TEXT,
    portal_id BIGINT NOT NULL DEFAULT 0
);
INSERT INTO property_history (object_id, name, value, changed_at, source_type, source_id, portal_id)
    SELECT h.object_id, c.key, c.value, h.changed_at, h.source_type, h.source_id, h.portal_id
      FROM object_history h, json_each(h.changes) AS c
     ORDER BY h.id, c.key;
CREATE INDEX property_history_by_object ON property_history (portal_id, object_id, name, id);
DROP TABLE object_history;
