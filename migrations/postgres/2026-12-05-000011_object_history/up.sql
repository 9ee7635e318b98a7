-- Lean history (issue 17): one row per object write holding every value it changed, where
-- property_history had one row per changed property (a 100-row batch of goal targets wrote
-- ~900 history rows; now 100). propertiesWithHistory reads the same entries back from it.
-- The key leads with the portal and the object, so an object's history is one range and the
-- table needs no second index. Existing rows are folded per write (same object, instant and
-- source); two writes of one property in the same millisecond stay apart (k), so no entry is
-- lost.
CREATE TABLE object_history (
    portal_id BIGINT NOT NULL,
    object_id BIGINT NOT NULL,
    id BIGSERIAL NOT NULL,
    changed_at BIGINT NOT NULL,
    source_type TEXT NOT NULL,
    source_id TEXT,
    changes JSONB NOT NULL,
    PRIMARY KEY (portal_id, object_id, id)
);
INSERT INTO object_history (portal_id, object_id, id, changed_at, source_type, source_id, changes)
    SELECT portal_id, object_id, MIN(id), changed_at, source_type, source_id,
           jsonb_object_agg(name, value)
      FROM (SELECT h.*, ROW_NUMBER() OVER (
                PARTITION BY portal_id, object_id, changed_at, source_type, source_id, name
                ORDER BY id) AS k
              FROM property_history h) AS h
     GROUP BY portal_id, object_id, changed_at, source_type, source_id, k;
SELECT setval(pg_get_serial_sequence('object_history', 'id'),
              GREATEST((SELECT MAX(id) FROM property_history), 1));
DROP TABLE property_history;
