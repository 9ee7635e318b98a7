DROP TABLE property_history;
DROP TABLE objects;
DROP TABLE api_tokens;
DROP TABLE portals;
