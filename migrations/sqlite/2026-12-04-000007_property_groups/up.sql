-- Custom property groups, per portal and object type. The groups of HubSpot-defined
-- properties live in code; these extend them. An archived group keeps its row so its name
-- can be listed with archived=true and re-created.
CREATE TABLE property_groups (
    portal_id BIGINT NOT NULL REFERENCES portals (id),
    object_type TEXT NOT NULL,
    name TEXT NOT NULL,
    label TEXT NOT NULL,
    display_order INTEGER NOT NULL,
    archived BOOLEAN NOT NULL DEFAULT FALSE,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (portal_id, object_type, name)
);
