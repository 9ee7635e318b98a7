-- Several instances on one database (issue 19).
-- Token lifecycle: expiry, revocation, last use, and the previous secret of a rotated token
-- (valid until previous_expires_at, the rotation's grace period).
ALTER TABLE api_tokens ADD COLUMN expires_at BIGINT;
ALTER TABLE api_tokens ADD COLUMN revoked_at BIGINT;
ALTER TABLE api_tokens ADD COLUMN last_used_at BIGINT;
ALTER TABLE api_tokens ADD COLUMN previous_hash TEXT;
ALTER TABLE api_tokens ADD COLUMN previous_expires_at BIGINT;
CREATE UNIQUE INDEX api_tokens_previous_hash ON api_tokens (previous_hash);
-- Versions of what instances cache (tokens, property definitions): a change bumps its row in
-- the changing transaction; every instance polls the few rows and drops the cache that moved.
CREATE TABLE cluster_versions (name TEXT PRIMARY KEY, version BIGINT NOT NULL);
INSERT INTO cluster_versions (name, version) VALUES ('tokens', 0), ('properties', 0);
-- Leases: one holder at a time (the instance that runs the background jobs).
CREATE TABLE leases (name TEXT PRIMARY KEY, holder TEXT NOT NULL, expires_at BIGINT NOT NULL);
-- Rate-limit windows shared by every instance: requests granted so far per token and window.
CREATE TABLE rate_windows (
    token_key TEXT NOT NULL,
    window_start BIGINT NOT NULL,
    used BIGINT NOT NULL,
    PRIMARY KEY (token_key, window_start)
);
-- Per token, the primary's WAL position after its last write, for read-your-writes on replicas.
CREATE TABLE write_positions (token_id BIGINT PRIMARY KEY, lsn BIGINT NOT NULL);
