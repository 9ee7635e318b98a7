-- A write version per portal and type, for caching a filtered search's exact total: every
-- object write appends `writes = 1` to object_counts in its own transaction (beside its count
-- delta, which may be 0), so SUM(writes) changes with every committed write of the type and
-- never otherwise (folding keeps the sum). Association writes append under the type
-- '@associations', which every type's version includes (association filters read them).
ALTER TABLE object_counts ADD COLUMN writes BIGINT NOT NULL DEFAULT 0;
DROP INDEX object_counts_by_scope;
-- Covers both sums, so a version or a count reads the index alone.
CREATE INDEX object_counts_by_scope ON object_counts (portal_id, object_type, delta, writes);
