-- The Pipedrive user a token acts as: "your goals" and a new goal's owner_id.
ALTER TABLE api_tokens ADD COLUMN user_id BIGINT NOT NULL DEFAULT 1;

-- A Pipedrive goal is a goal family of goal_targets; this row keeps what the slices do not
-- (its 32-hex id, creator, type parameters, assignee, currency, duration). Title, interval and
-- target live on the slices, so a change on either API shows on both.
CREATE TABLE pipedrive_goals (
    portal_id BIGINT NOT NULL REFERENCES portals (id),
    id TEXT NOT NULL,
    family_uuid TEXT NOT NULL,
    owner_id BIGINT NOT NULL,
    doc JSONB NOT NULL,
    -- Open-ended goals: the slices exist up to this instant (epoch ms); more are added as time passes.
    horizon BIGINT,
    deleted_at BIGINT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (portal_id, id)
);
CREATE UNIQUE INDEX pipedrive_goals_family ON pipedrive_goals (portal_id, family_uuid);

-- Small id -> record tables that give deal and activity ids meaning: pipelines, stages,
-- activity_types, currencies, teams. One table, the record as a JSON document.
CREATE TABLE lookups (
    portal_id BIGINT NOT NULL REFERENCES portals (id),
    kind TEXT NOT NULL,
    id BIGINT NOT NULL,
    doc JSONB NOT NULL,
    PRIMARY KEY (portal_id, kind, id)
);
