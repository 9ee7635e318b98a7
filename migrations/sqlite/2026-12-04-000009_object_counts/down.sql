DROP TABLE object_counts;
