// The diesel view of the migrations in `migrations/`; keep the two in step.

diesel::table! {
    idempotency_keys (user_id, key) {
        user_id -> Uuid,
        key -> Text,
        method -> Text,
        path -> Text,
        request_hash -> Bytea,
        status -> Int2,
        response_body -> Jsonb,
        etag -> Nullable<Text>,
        location -> Nullable<Text>,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    audit_events (id) {
        id -> Uuid,
        occurred_at -> Timestamptz,
        user_id -> Nullable<Uuid>,
        username -> Nullable<Text>,
        role -> Nullable<Text>,
        org_unit_id -> Nullable<Uuid>,
        action -> Text,
        entity_type -> Text,
        entity_id -> Nullable<Uuid>,
        outcome -> Text,
        request_id -> Nullable<Text>,
        details -> Jsonb,
    }
}

diesel::table! {
    org_units (id) {
        id -> Uuid,
        parent_id -> Nullable<Uuid>,
        tier -> Text,
        name -> Text,
        division_code -> Nullable<Text>,
        address -> Nullable<Text>,
        phone -> Nullable<Text>,
        status -> Text,
        path -> Text,
        depth -> Int2,
        version -> Int4,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    users (id) {
        id -> Uuid,
        username -> Text,
        display_name -> Text,
        phone -> Nullable<Text>,
        org_unit_id -> Uuid,
        role -> Text,
        certification -> Text,
        is_active -> Bool,
        password_hash -> Text,
        token_version -> Int4,
        version -> Int4,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    refresh_tokens (id) {
        id -> Uuid,
        family_id -> Uuid,
        user_id -> Uuid,
        token_hash -> Bytea,
        successor_id -> Nullable<Uuid>,
        issued_at -> Timestamptz,
        expires_at -> Timestamptz,
        used_at -> Nullable<Timestamptz>,
        revoked_at -> Nullable<Timestamptz>,
    }
}

diesel::table! {
    login_throttles (username_key) {
        username_key -> Text,
        failures -> Int4,
        window_start -> Timestamptz,
        locked_until -> Nullable<Timestamptz>,
    }
}

diesel::joinable!(users -> org_units (org_unit_id));
diesel::joinable!(refresh_tokens -> users (user_id));


diesel::table! {
    households (id) {
        id -> Uuid,
        org_unit_id -> Uuid,
        address -> Nullable<Text>,
        created_by -> Uuid,
        version -> Int4,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    clients (id) {
        id -> Uuid,
        org_unit_id -> Uuid,
        name -> Text,
        name_grams -> Array<Text>,
        gender -> Nullable<Text>,
        birth_date -> Nullable<Date>,
        id_type -> Text,
        id_number -> Nullable<Text>,
        phone -> Nullable<Text>,
        address -> Nullable<Text>,
        hukou_division_code -> Nullable<Text>,
        categories -> Array<Text>,
        living_arrangement -> Nullable<Text>,
        self_care -> Nullable<Text>,
        disability -> Nullable<Jsonb>,
        guardian -> Nullable<Jsonb>,
        emergency_contact -> Nullable<Jsonb>,
        household_id -> Nullable<Uuid>,
        risk_level -> Text,
        consent -> Nullable<Jsonb>,
        notes -> Nullable<Text>,
        created_by -> Uuid,
        version -> Int4,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
        deleted_at -> Nullable<Timestamptz>,
    }
}

diesel::table! {
    household_members (household_id, client_id) {
        household_id -> Uuid,
        client_id -> Uuid,
        relation -> Text,
    }
}

diesel::joinable!(household_members -> clients (client_id));
diesel::joinable!(household_members -> households (household_id));
diesel::joinable!(clients -> org_units (org_unit_id));
diesel::joinable!(households -> org_units (org_unit_id));

diesel::table! {
    groups (id) {
        id -> Uuid,
        org_unit_id -> Uuid,
        name -> Text,
        #[sql_name = "type"]
        group_type -> Text,
        goals -> Nullable<Text>,
        target_categories -> Array<Text>,
        planned_sessions -> Nullable<Int4>,
        leader_ids -> Array<Uuid>,
        status -> Text,
        created_by -> Uuid,
        version -> Int4,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    group_members (id) {
        id -> Uuid,
        group_id -> Uuid,
        client_id -> Uuid,
        joined_on -> Date,
        left_on -> Nullable<Date>,
        exit_reason -> Nullable<Text>,
    }
}

diesel::table! {
    service_sessions (id) {
        id -> Uuid,
        org_unit_id -> Uuid,
        method -> Text,
        occurred_at -> Timestamptz,
        duration_minutes -> Int4,
        location -> Nullable<Text>,
        service_types -> Array<Text>,
        summary -> Nullable<Text>,
        late_entry -> Bool,
        recorded_by -> Uuid,
        case_id -> Nullable<Uuid>,
        client_id -> Nullable<Uuid>,
        mode -> Nullable<Text>,
        goal_ids -> Array<Uuid>,
        client_response -> Nullable<Text>,
        next_steps -> Nullable<Text>,
        risk_change -> Nullable<Text>,
        group_id -> Nullable<Uuid>,
        session_no -> Nullable<Int4>,
        theme -> Nullable<Text>,
        title -> Nullable<Text>,
        kind -> Nullable<Text>,
        participant_count -> Nullable<Int4>,
        volunteer_count -> Nullable<Int4>,
        volunteer_hours -> Nullable<Float8>,
        partners -> Array<Text>,
        resources_value_fen -> Nullable<Int8>,
        version -> Int4,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    session_attendance (session_id, row_no) {
        session_id -> Uuid,
        row_no -> Int4,
        client_id -> Nullable<Uuid>,
        participant_name -> Nullable<Text>,
        status -> Text,
    }
}

diesel::joinable!(group_members -> groups (group_id));
diesel::joinable!(group_members -> clients (client_id));
diesel::joinable!(session_attendance -> service_sessions (session_id));
diesel::joinable!(session_attendance -> clients (client_id));
diesel::joinable!(service_sessions -> org_units (org_unit_id));
diesel::joinable!(groups -> org_units (org_unit_id));

diesel::allow_tables_to_appear_in_same_query!(
    idempotency_keys,
    audit_events,
    org_units,
    users,
    refresh_tokens,
    login_throttles,
    households,
    clients,
    household_members,
    groups,
    group_members,
    service_sessions,
    session_attendance,
);
