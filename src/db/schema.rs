//! Table definitions shared by both backends. Written by hand because the `properties` column
//! is JSONB on PostgreSQL and JSON-checked TEXT on SQLite; `sql_types::Props` maps to either.

diesel::table! {
    portals (id) {
        id -> BigInt,
        name -> Text,
        time_zone -> Text,
        validation_mode -> Text,
        created_at -> BigInt,
        clock_frozen_ms -> Nullable<BigInt>,
        clock_offset_ms -> BigInt,
    }
}

diesel::table! {
    api_tokens (id) {
        id -> BigInt,
        portal_id -> BigInt,
        name -> Text,
        token_hash -> Text,
        scopes -> Text,
        created_at -> BigInt,
        user_id -> BigInt,
        expires_at -> Nullable<BigInt>,
        revoked_at -> Nullable<BigInt>,
        last_used_at -> Nullable<BigInt>,
        previous_hash -> Nullable<Text>,
        previous_expires_at -> Nullable<BigInt>,
    }
}

diesel::table! {
    cluster_versions (name) {
        name -> Text,
        version -> BigInt,
    }
}

diesel::table! {
    leases (name) {
        name -> Text,
        holder -> Text,
        expires_at -> BigInt,
    }
}

diesel::table! {
    rate_windows (token_key, window_start) {
        token_key -> Text,
        window_start -> BigInt,
        used -> BigInt,
    }
}

diesel::table! {
    write_positions (token_id) {
        token_id -> BigInt,
        lsn -> BigInt,
    }
}

diesel::table! {
    use diesel::sql_types::*;
    use crate::db::json::Props;

    pipedrive_goals (portal_id, id) {
        portal_id -> BigInt,
        id -> Text,
        family_uuid -> Text,
        owner_id -> BigInt,
        doc -> Props,
        horizon -> Nullable<BigInt>,
        deleted_at -> Nullable<BigInt>,
        created_at -> BigInt,
        updated_at -> BigInt,
    }
}

diesel::table! {
    use diesel::sql_types::*;
    use crate::db::json::Props;

    lookups (portal_id, kind, id) {
        portal_id -> BigInt,
        kind -> Text,
        id -> BigInt,
        doc -> Props,
    }
}

diesel::table! {
    use diesel::sql_types::*;
    use crate::db::json::Props;

    objects (id) {
        id -> BigInt,
        portal_id -> BigInt,
        object_type -> Text,
        properties -> Props,
        created_at -> BigInt,
        updated_at -> BigInt,
        archived -> Bool,
        archived_at -> Nullable<BigInt>,
    }
}

diesel::table! {
    use diesel::sql_types::*;
    use crate::db::json::Props;

    object_history (id) {
        id -> BigInt,
        portal_id -> BigInt,
        object_id -> BigInt,
        changed_at -> BigInt,
        source_type -> Text,
        source_id -> Nullable<Text>,
        changes -> Props,
    }
}

diesel::table! {
    property_definitions (portal_id, object_type, name) {
        portal_id -> BigInt,
        object_type -> Text,
        name -> Text,
        label -> Text,
        kind -> Text,
        field_type -> Text,
        group_name -> Text,
        description -> Text,
        options -> Text,
        display_order -> Integer,
        has_unique_value -> Bool,
        hidden -> Bool,
        form_field -> Bool,
        archived -> Bool,
        archived_at -> Nullable<BigInt>,
        created_at -> BigInt,
        updated_at -> BigInt,
    }
}

diesel::table! {
    property_groups (portal_id, object_type, name) {
        portal_id -> BigInt,
        object_type -> Text,
        name -> Text,
        label -> Text,
        display_order -> Integer,
        archived -> Bool,
        created_at -> BigInt,
        updated_at -> BigInt,
    }
}

diesel::table! {
    associations (portal_id, from_id, to_type, to_id, type_id) {
        portal_id -> BigInt,
        from_id -> BigInt,
        to_type -> Text,
        to_id -> BigInt,
        type_id -> Integer,
        created_at -> BigInt,
    }
}

diesel::table! {
    association_labels (portal_id, type_id) {
        portal_id -> BigInt,
        type_id -> Integer,
        from_type -> Text,
        to_type -> Text,
        name -> Text,
        label -> Text,
        inverse_type_id -> Integer,
        archived -> Bool,
        created_at -> BigInt,
    }
}

diesel::table! {
    object_counts (id) {
        id -> BigInt,
        portal_id -> BigInt,
        object_type -> Text,
        delta -> BigInt,
        writes -> BigInt,
    }
}

diesel::table! {
    events (portal_id, seq) {
        id -> BigInt,
        portal_id -> BigInt,
        seq -> BigInt,
        occurred_at -> BigInt,
        event_type -> Text,
        object_type -> Text,
        object_id -> BigInt,
        property_name -> Nullable<Text>,
        property_value -> Nullable<Text>,
        change_source -> Text,
        source_id -> Nullable<Text>,
        detail -> Nullable<Text>,
    }
}

diesel::table! {
    event_sequences (portal_id) {
        portal_id -> BigInt,
        last -> BigInt,
    }
}

diesel::table! {
    webhook_settings (portal_id, app_id) {
        portal_id -> BigInt,
        app_id -> BigInt,
        target_url -> Text,
        max_concurrent -> Integer,
        period -> Text,
        secret -> Text,
        created_at -> BigInt,
        updated_at -> BigInt,
    }
}

diesel::table! {
    webhook_subscriptions (id) {
        id -> BigInt,
        portal_id -> BigInt,
        app_id -> BigInt,
        event_type -> Text,
        object_type_id -> Nullable<Text>,
        property_name -> Nullable<Text>,
        active -> Bool,
        created_at -> BigInt,
        updated_at -> BigInt,
    }
}

diesel::table! {
    webhook_cursors (portal_id, app_id) {
        portal_id -> BigInt,
        app_id -> BigInt,
        last_seq -> BigInt,
        attempts -> Integer,
        next_attempt_at -> BigInt,
        retry_until -> Nullable<BigInt>,
        last_error -> Nullable<Text>,
        delivered -> BigInt,
        parked -> BigInt,
    }
}

diesel::table! {
    webhook_parked (id) {
        id -> BigInt,
        portal_id -> BigInt,
        app_id -> BigInt,
        from_seq -> BigInt,
        to_seq -> BigInt,
        error -> Text,
        parked_at -> BigInt,
    }
}

diesel::table! {
    pipedrive_webhooks (id) {
        id -> BigInt,
        portal_id -> BigInt,
        subscription_url -> Text,
        event_action -> Text,
        event_object -> Text,
        user_id -> BigInt,
        http_auth_user -> Nullable<Text>,
        http_auth_password -> Nullable<Text>,
        version -> Text,
        add_time -> BigInt,
        last_seq -> BigInt,
        attempts -> Integer,
        next_attempt_at -> BigInt,
        retry_until -> Nullable<BigInt>,
        last_error -> Nullable<Text>,
        last_delivery_time -> Nullable<BigInt>,
        last_http_status -> Nullable<Integer>,
    }
}

diesel::table! {
    kpi_slices (portal_id, target_id) {
        portal_id -> BigInt,
        target_id -> BigInt,
        kpi_type -> Text,
        who -> Text,
        start_ms -> BigInt,
        end_ms -> BigInt,
        phase -> Integer,
    }
}

diesel::table! {
    test_snapshots (id) {
        id -> BigInt,
        portal_id -> BigInt,
        name -> Text,
        created_at -> BigInt,
    }
}

diesel::joinable!(api_tokens -> portals (portal_id));
diesel::joinable!(objects -> portals (portal_id));
diesel::joinable!(object_history -> objects (object_id));
diesel::joinable!(property_definitions -> portals (portal_id));
diesel::allow_tables_to_appear_in_same_query!(
    portals,
    api_tokens,
    objects,
    object_history,
    property_definitions,
    property_groups,
    associations,
    association_labels,
    object_counts,
    pipedrive_goals,
    lookups,
    events,
    event_sequences,
    webhook_settings,
    webhook_subscriptions,
    webhook_cursors,
    webhook_parked,
    pipedrive_webhooks,
    kpi_slices,
    test_snapshots
);
