DROP TABLE property_groups;
