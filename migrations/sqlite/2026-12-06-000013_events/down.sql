DROP TABLE webhook_parked;
DROP TABLE webhook_cursors;
DROP TABLE webhook_subscriptions;
DROP TABLE webhook_settings;
DROP TABLE event_sequences;
DROP TABLE events;
