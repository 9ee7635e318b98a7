-- The test control plane (`serve --test-mode`). A portal's clock: frozen at an instant, or
-- running at an offset from real time (0 for every portal a test never touched).
ALTER TABLE portals ADD COLUMN clock_frozen_ms BIGINT;
ALTER TABLE portals ADD COLUMN clock_offset_ms BIGINT NOT NULL DEFAULT 0;
-- Named snapshots of a portal; snapshot `id`'s rows live in tables `test_snap_<id>_<table>`,
-- copies of each portal-scoped table made with CREATE TABLE … AS SELECT.
CREATE TABLE test_snapshots (
    id BIGSERIAL PRIMARY KEY,
    portal_id BIGINT NOT NULL,
    name TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    UNIQUE (portal_id, name)
);
