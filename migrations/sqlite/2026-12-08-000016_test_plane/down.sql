DROP TABLE test_snapshots;
ALTER TABLE portals DROP COLUMN clock_offset_ms;
ALTER TABLE portals DROP COLUMN clock_frozen_ms;
