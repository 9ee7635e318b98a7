DROP TABLE pipedrive_webhooks;
