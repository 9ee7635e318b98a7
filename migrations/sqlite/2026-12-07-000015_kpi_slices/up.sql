-- Goal targets with a KPI definition (attainment computed by goalpost), one row per live slice:
-- who it counts (`u:<owner>`, `t:<team>` or `*` for everyone), which record type, and its
-- period. A deal or activity write finds the slices its old and new values fall in through
-- `kpi_slices_by_who` (equality on the assignee keys, a range on the start) instead of
-- scanning goal targets. `phase` (0 before the start, 1 running, 2 ended) lets the
-- attainment job find slices whose status moves with time alone.
CREATE TABLE kpi_slices (
    portal_id BIGINT NOT NULL,
    target_id BIGINT NOT NULL,
    kpi_type TEXT NOT NULL,
    who TEXT NOT NULL,
    start_ms BIGINT NOT NULL,
    end_ms BIGINT NOT NULL,
    phase INTEGER NOT NULL,
    PRIMARY KEY (portal_id, target_id)
);
CREATE INDEX kpi_slices_by_who ON kpi_slices (portal_id, kpi_type, who, start_ms);
CREATE INDEX kpi_slices_starting ON kpi_slices (phase, start_ms);
CREATE INDEX kpi_slices_ending ON kpi_slices (phase, end_ms);
