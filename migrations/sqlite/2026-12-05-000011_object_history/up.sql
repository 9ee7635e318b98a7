-- Lean history (issue 17): one row per object write holding every value it changed, where
-- property_history had one row per changed property (a 100-row batch of goal targets wrote
-- ~900 history rows; now 100). propertiesWithHistory reads the same entries back from it.
-- Existing rows are folded per write (same object, instant and source); two writes of one
-- property in the same millisecond stay apart (k), so no entry is lost.
CREATE TABLE object_history (
    id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    portal_id BIGINT NOT NULL,
    object_id BIGINT NOT NULL,
    changed_at BIGINT NOT NULL,
    source_type TEXT NOT NULL,
    source_id TEXT,
    changes TEXT NOT NULL
);
INSERT INTO object_history (id, portal_id, object_id, changed_at, source_type, source_id, changes)
    SELECT MIN(id), portal_id, object_id, changed_at, source_type, source_id,
           json_group_object(name, value)
      FROM (SELECT h.*, ROW_NUMBER() OVER (
                PARTITION BY portal_id, object_id, changed_at, source_type, source_id, name
                ORDER BY id) AS k
              FROM property_history h) AS h
     GROUP BY portal_id, object_id, changed_at, source_type, source_id, k;
CREATE INDEX object_history_by_object ON object_history (portal_id, object_id, id);
DROP TABLE property_history;
