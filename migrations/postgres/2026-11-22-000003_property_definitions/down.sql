DROP TABLE property_definitions;
