DROP INDEX objects_updated;
DROP INDEX objects_created;
