-- Portals are tenants (HubSpot hub ids); every token and object belongs to one.
CREATE TABLE portals (
    id BIGINT PRIMARY KEY NOT NULL,
    name TEXT NOT NULL,
    time_zone TEXT NOT NULL DEFAULT 'UTC',
    validation_mode TEXT NOT NULL DEFAULT 'strict' CHECK (validation_mode IN ('strict', 'lenient')),
    created_at BIGINT NOT NULL
);

-- Tokens are stored only as SHA-256 hashes of the secret.
CREATE TABLE api_tokens (
    id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    portal_id BIGINT NOT NULL REFERENCES portals (id),
    name TEXT NOT NULL,
    token_hash TEXT NOT NULL UNIQUE,
    scopes TEXT NOT NULL,
    created_at BIGINT NOT NULL
);

-- One row per CRM object; its property map is one JSON document. Times are epoch milliseconds.
-- AUTOINCREMENT so an archived-then-purged id is never handed out again.
CREATE TABLE objects (
    id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    portal_id BIGINT NOT NULL REFERENCES portals (id),
    object_type TEXT NOT NULL,
    properties TEXT NOT NULL CHECK (json_valid(properties)),
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    archived BOOLEAN NOT NULL DEFAULT FALSE,
    archived_at BIGINT
);
CREATE INDEX objects_by_type ON objects (portal_id, object_type, archived, id);

-- Every change of a property value, newest found by the highest id.
CREATE TABLE property_history (
    id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    object_id BIGINT NOT NULL REFERENCES objects (id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    value TEXT,
    changed_at BIGINT NOT NULL,
    source_type TEXT NOT NULL,
    source_id TEXT
);
CREATE INDEX property_history_by_object ON property_history (object_id, name, id);
