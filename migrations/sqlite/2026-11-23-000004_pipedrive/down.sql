DROP TABLE lookups;
DROP TABLE pipedrive_goals;
ALTER TABLE api_tokens DROP COLUMN user_id;
