-- Custom property definitions, per portal and object type. Built-in (HubSpot-defined)
-- definitions live in code; these extend them.
CREATE TABLE property_definitions (
    portal_id BIGINT NOT NULL REFERENCES portals (id),
    object_type TEXT NOT NULL,
    name TEXT NOT NULL,
    label TEXT NOT NULL,
    kind TEXT NOT NULL,
    field_type TEXT NOT NULL,
    group_name TEXT NOT NULL,
    description TEXT NOT NULL,
    options TEXT NOT NULL,
    display_order INTEGER NOT NULL,
    has_unique_value BOOLEAN NOT NULL,
    hidden BOOLEAN NOT NULL,
    form_field BOOLEAN NOT NULL,
    archived BOOLEAN NOT NULL DEFAULT FALSE,
    archived_at BIGINT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (portal_id, object_type, name)
);
