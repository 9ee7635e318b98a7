-- Change events (issue 20): the outbox every object and association write appends to in its
-- own transaction, so an acknowledged write always has its events and a rolled-back one has
-- none. `seq` orders a portal's events; it is taken from event_sequences as the last step of
-- the writing transaction, whose row lock is then held only until commit, so a portal's events
-- become visible in seq order and a reader paging by seq never skips one that commits later.
-- `id` is the eventId: unique across portals, the same on every delivery of the event.
CREATE TABLE events (
    id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    portal_id BIGINT NOT NULL,
    seq BIGINT NOT NULL,
    occurred_at BIGINT NOT NULL,
    event_type TEXT NOT NULL,
    object_type TEXT NOT NULL,
    object_id BIGINT NOT NULL,
    property_name TEXT,
    property_value TEXT,
    change_source TEXT NOT NULL,
    source_id TEXT,
    -- association changes: the other object, its type, the association type and whether removed
    detail TEXT,
    UNIQUE (portal_id, seq)
);
-- No index on time: retention pruning walks each portal's events in seq order (the key) from
-- the oldest and stops at the first young one, so it reads what it deletes; a time index would
-- cost every event a third index write.
CREATE TABLE event_sequences (
    portal_id BIGINT PRIMARY KEY NOT NULL,
    last BIGINT NOT NULL
);
-- HubSpot's webhook settings per portal and app: where events go, and how many at once.
CREATE TABLE webhook_settings (
    portal_id BIGINT NOT NULL,
    app_id BIGINT NOT NULL,
    target_url TEXT NOT NULL,
    max_concurrent INTEGER NOT NULL,
    period TEXT NOT NULL,
    -- the app's client secret, signing every delivery (X-HubSpot-Signature-v3)
    secret TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (portal_id, app_id)
);
CREATE TABLE webhook_subscriptions (
    id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    portal_id BIGINT NOT NULL,
    app_id BIGINT NOT NULL,
    event_type TEXT NOT NULL,
    object_type_id TEXT,
    property_name TEXT,
    active BOOLEAN NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX webhook_subscriptions_by_app ON webhook_subscriptions (portal_id, app_id);
-- Delivery progress per portal and app: every event up to last_seq is delivered or parked.
-- A failing batch is retried with back-off until retry_until, then parked.
CREATE TABLE webhook_cursors (
    portal_id BIGINT NOT NULL,
    app_id BIGINT NOT NULL,
    last_seq BIGINT NOT NULL,
    attempts INTEGER NOT NULL,
    next_attempt_at BIGINT NOT NULL,
    retry_until BIGINT,
    last_error TEXT,
    delivered BIGINT NOT NULL,
    parked BIGINT NOT NULL,
    PRIMARY KEY (portal_id, app_id)
);
-- Batches given up on after the retry window: replay them from the journal.
CREATE TABLE webhook_parked (
    id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    portal_id BIGINT NOT NULL,
    app_id BIGINT NOT NULL,
    from_seq BIGINT NOT NULL,
    to_seq BIGINT NOT NULL,
    error TEXT NOT NULL,
    parked_at BIGINT NOT NULL
);
