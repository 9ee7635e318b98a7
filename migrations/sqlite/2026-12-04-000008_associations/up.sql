-- Associations between objects of any registered types, per portal. Each association is
-- stored in both directions (the reverse row carries the inverse type), so "what is X
-- associated with" and "which objects are associated with Y" (search's associations.{type}
-- filters) are both primary-key range reads. Archiving an object keeps its rows; reads join the
-- other object and skip archived ones, so a restore brings them back.
CREATE TABLE associations (
    portal_id BIGINT NOT NULL,
    from_id BIGINT NOT NULL,
    to_type TEXT NOT NULL,
    to_id BIGINT NOT NULL,
    type_id INTEGER NOT NULL,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (portal_id, from_id, to_type, to_id, type_id)
);

-- Labelled (USER_DEFINED) association types, per portal: each label is a pair of types, one
-- per direction, each naming the other as its inverse. A deleted label keeps its row
-- (archived), so its type ids are never handed out again.
CREATE TABLE association_labels (
    portal_id BIGINT NOT NULL,
    type_id INTEGER NOT NULL,
    from_type TEXT NOT NULL,
    to_type TEXT NOT NULL,
    name TEXT NOT NULL,
    label TEXT NOT NULL,
    inverse_type_id INTEGER NOT NULL,
    archived BOOLEAN NOT NULL DEFAULT FALSE,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (portal_id, type_id)
);
CREATE UNIQUE INDEX association_labels_by_name ON association_labels (portal_id, from_type, to_type, name)
    WHERE archived = FALSE;
