-- Pipedrive's webhooks (/v1/webhooks): each delivers the portal's Pipedrive goal events (which
-- Pipedrive itself does not send) to its URL, one POST per event, with its own cursor over the
-- events table (the same ordering and retry rules as HubSpot's webhooks).
CREATE TABLE pipedrive_webhooks (
    id BIGSERIAL PRIMARY KEY,
    portal_id BIGINT NOT NULL,
    subscription_url TEXT NOT NULL,
    event_action TEXT NOT NULL,
    event_object TEXT NOT NULL,
    user_id BIGINT NOT NULL,
    http_auth_user TEXT,
    http_auth_password TEXT,
    version TEXT NOT NULL,
    add_time BIGINT NOT NULL,
    last_seq BIGINT NOT NULL,
    attempts INTEGER NOT NULL,
    next_attempt_at BIGINT NOT NULL,
    retry_until BIGINT,
    last_error TEXT,
    last_delivery_time BIGINT,
    last_http_status INTEGER
);
CREATE INDEX pipedrive_webhooks_by_portal ON pipedrive_webhooks (portal_id);
