-- Range filters and sorts on hs_createdate / hs_lastmodifieddate (row columns).
CREATE INDEX objects_created ON objects (portal_id, object_type, archived, created_at, id);
CREATE INDEX objects_updated ON objects (portal_id, object_type, archived, updated_at, id);
