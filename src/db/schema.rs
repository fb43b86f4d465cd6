// The diesel view of the migrations in `migrations/`; keep the two in step.

diesel::table! {
    idempotency_keys (user_id, key) {
        user_id -> Uuid,
        key -> Text,
        method -> Text,
        path -> Text,
        request_hash -> Bytea,
        response_body -> Jsonb,
        created_at -> Timestamptz,
        effect -> Nullable<Text>,
        version -> Nullable<Int4>,
        resource_id -> Nullable<Uuid>,
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
    audit_event_clients (client_id, occurred_at, event_id) {
        client_id -> Uuid,
        occurred_at -> Timestamptz,
        event_id -> Uuid,
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
    login_throttles (throttle_key) {
        throttle_key -> Text,
        failures -> Int4,
        window_start -> Timestamptz,
        locked_until -> Nullable<Timestamptz>,
        locks -> Int4,
    }
}

diesel::table! {
    sync_mutations (user_id, mutation_id) {
        user_id -> Uuid,
        mutation_id -> Uuid,
        entity -> Text,
        op -> Text,
        record_id -> Uuid,
        result -> Jsonb,
        created_at -> Timestamptz,
    }
}

diesel::joinable!(users -> org_units (org_unit_id));
diesel::joinable!(sync_mutations -> users (user_id));
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
        anonymised_at -> Nullable<Timestamptz>,
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
        client_ids -> Array<Uuid>,
        households_reached -> Nullable<Int4>,
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

diesel::table! {
    case_number_counters (prefix, year) {
        prefix -> Text,
        year -> Int4,
        last_seq -> Int4,
    }
}

diesel::table! {
    cases (id) {
        id -> Uuid,
        case_no -> Text,
        client_id -> Uuid,
        org_unit_id -> Uuid,
        worker_id -> Uuid,
        source -> Text,
        presenting_problem -> Text,
        domain -> Text,
        problem_types -> Array<Text>,
        risk_level -> Text,
        status -> Text,
        opened_at -> Timestamptz,
        closed_at -> Nullable<Timestamptz>,
        closure_reason -> Nullable<Text>,
        next_follow_up_at -> Nullable<Timestamptz>,
        last_session_at -> Nullable<Timestamptz>,
        is_open -> Bool,
        visit_due_at -> Nullable<Timestamptz>,
        created_by -> Uuid,
        version -> Int4,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
        client_name -> Text,
        worker_name -> Text,
        has_pending_review -> Bool,
        archived_at -> Nullable<Timestamptz>,
    }
}

diesel::table! {
    case_events (id) {
        id -> Uuid,
        case_id -> Uuid,
        client_id -> Uuid,
        kind -> Text,
        action -> Nullable<Text>,
        from_status -> Nullable<Text>,
        to_status -> Nullable<Text>,
        entity_type -> Nullable<Text>,
        entity_id -> Nullable<Uuid>,
        actor_id -> Uuid,
        at -> Timestamptz,
        details -> Jsonb,
    }
}

diesel::table! {
    case_transfers (id) {
        id -> Uuid,
        case_id -> Uuid,
        from_worker_id -> Uuid,
        to_worker_id -> Uuid,
        from_unit_id -> Uuid,
        to_unit_id -> Uuid,
        note -> Text,
        transferred_by -> Uuid,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    assessments (id) {
        id -> Uuid,
        case_id -> Uuid,
        sources -> Array<Text>,
        self_system -> Nullable<Text>,
        family_system -> Nullable<Text>,
        social_system -> Nullable<Text>,
        strengths -> Nullable<Text>,
        needs -> Array<Text>,
        risk_level -> Text,
        summary -> Text,
        assessed_at -> Timestamptz,
        assessed_by -> Uuid,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    service_plans (id) {
        id -> Uuid,
        case_id -> Uuid,
        version_no -> Int4,
        overall_goal -> Text,
        intervention_model -> Nullable<Text>,
        planned_sessions -> Nullable<Int4>,
        end_date -> Nullable<Date>,
        created_by -> Uuid,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    plan_goals (id) {
        id -> Uuid,
        plan_id -> Uuid,
        case_id -> Uuid,
        position -> Int4,
        description -> Text,
        measure -> Nullable<Text>,
        due_date -> Nullable<Date>,
        status -> Text,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    evaluations (id) {
        id -> Uuid,
        case_id -> Uuid,
        plan_id -> Nullable<Uuid>,
        summary -> Text,
        client_feedback -> Nullable<Text>,
        recommendation -> Text,
        evaluated_by -> Uuid,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    evaluation_goal_results (evaluation_id, goal_id) {
        evaluation_id -> Uuid,
        goal_id -> Uuid,
        position -> Int4,
        result -> Text,
        evidence -> Nullable<Text>,
    }
}

diesel::table! {
    follow_ups (id) {
        id -> Uuid,
        case_id -> Uuid,
        due_on -> Date,
        done_on -> Nullable<Date>,
        mode -> Nullable<Text>,
        finding -> Nullable<Text>,
        created_by -> Uuid,
        done_by -> Nullable<Uuid>,
        version -> Int4,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    referrals (id) {
        id -> Uuid,
        case_id -> Nullable<Uuid>,
        org_unit_id -> Uuid,
        direction -> Text,
        organization -> Text,
        contact -> Nullable<Text>,
        phone -> Nullable<Text>,
        reason -> Text,
        consent_given -> Bool,
        status -> Text,
        status_note -> Nullable<Text>,
        created_by -> Uuid,
        version -> Int4,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
        client_id -> Nullable<Uuid>,
        session_id -> Nullable<Uuid>,
    }
}

diesel::table! {
    reviews (id) {
        id -> Uuid,
        kind -> Text,
        case_id -> Uuid,
        org_unit_id -> Uuid,
        plan_id -> Nullable<Uuid>,
        closure_reason -> Nullable<Text>,
        request_comment -> Nullable<Text>,
        requested_by -> Uuid,
        requested_at -> Timestamptz,
        status -> Text,
        decided_by -> Nullable<Uuid>,
        decided_at -> Nullable<Timestamptz>,
        comment -> Nullable<Text>,
    }
}

diesel::table! {
    supervision_records (id) {
        id -> Uuid,
        org_unit_id -> Uuid,
        supervisor_id -> Uuid,
        occurred_at -> Timestamptz,
        duration_minutes -> Int4,
        format -> Text,
        function -> Text,
        issues -> Nullable<Text>,
        advice -> Nullable<Text>,
        action_items -> Jsonb,
        version -> Int4,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    supervision_supervisees (record_id, user_id) {
        record_id -> Uuid,
        user_id -> Uuid,
    }
}

diesel::table! {
    supervision_cases (record_id, case_id) {
        record_id -> Uuid,
        case_id -> Uuid,
    }
}

diesel::joinable!(cases -> clients (client_id));
diesel::joinable!(cases -> org_units (org_unit_id));
diesel::joinable!(case_events -> cases (case_id));
diesel::joinable!(case_transfers -> cases (case_id));
diesel::joinable!(assessments -> cases (case_id));
diesel::joinable!(service_plans -> cases (case_id));
diesel::joinable!(plan_goals -> service_plans (plan_id));
diesel::joinable!(evaluations -> cases (case_id));
diesel::joinable!(evaluation_goal_results -> evaluations (evaluation_id));
diesel::joinable!(evaluation_goal_results -> plan_goals (goal_id));
diesel::joinable!(follow_ups -> cases (case_id));
diesel::joinable!(referrals -> cases (case_id));
diesel::joinable!(reviews -> cases (case_id));
diesel::joinable!(supervision_supervisees -> supervision_records (record_id));
diesel::joinable!(supervision_cases -> supervision_records (record_id));
diesel::joinable!(supervision_cases -> cases (case_id));

diesel::table! {
    unit_visit_intervals (org_unit_id) {
        org_unit_id -> Uuid,
        red -> Int4,
        yellow -> Int4,
        blue -> Int4,
        green -> Int4,
        updated_by -> Uuid,
        version -> Int4,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    roster_entries (id) {
        id -> Uuid,
        client_id -> Uuid,
        org_unit_id -> Uuid,
        programme -> Text,
        level -> Text,
        responsible_worker_id -> Uuid,
        visit_interval_days -> Int4,
        interval_fixed -> Bool,
        enrolled_on -> Date,
        left_on -> Nullable<Date>,
        leave_reason -> Nullable<Text>,
        leave_note -> Nullable<Text>,
        notes -> Nullable<Text>,
        last_visit_at -> Nullable<Timestamptz>,
        next_visit_due -> Nullable<Date>,
        created_by -> Uuid,
        version -> Int4,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    roster_level_events (id) {
        id -> Uuid,
        roster_entry_id -> Uuid,
        from_level -> Nullable<Text>,
        to_level -> Text,
        reason -> Nullable<Text>,
        status -> Text,
        session_id -> Nullable<Uuid>,
        proposed_by -> Uuid,
        proposed_at -> Timestamptz,
        decided_by -> Nullable<Uuid>,
        decided_at -> Nullable<Timestamptz>,
        decision_note -> Nullable<Text>,
    }
}

diesel::table! {
    visits (session_id) {
        session_id -> Uuid,
        household_id -> Nullable<Uuid>,
        mode -> Text,
        findings -> Nullable<Text>,
        needs_found -> Array<Text>,
        action -> Text,
        opened_case_id -> Nullable<Uuid>,
        referral_id -> Nullable<Uuid>,
    }
}

diesel::table! {
    visit_roster_entries (session_id, roster_entry_id) {
        session_id -> Uuid,
        roster_entry_id -> Uuid,
        occurred_at -> Timestamptz,
        level_observed -> Nullable<Text>,
    }
}

diesel::table! {
    supervisor_alerts (id) {
        id -> Uuid,
        org_unit_id -> Uuid,
        kind -> Text,
        session_id -> Nullable<Uuid>,
        roster_entry_id -> Nullable<Uuid>,
        client_ids -> Array<Uuid>,
        summary -> Nullable<Text>,
        raised_by -> Uuid,
        raised_at -> Timestamptz,
        status -> Text,
        acknowledged_by -> Nullable<Uuid>,
        acknowledged_at -> Nullable<Timestamptz>,
        note -> Nullable<Text>,
        version -> Int4,
    }
}

diesel::joinable!(roster_entries -> clients (client_id));
diesel::joinable!(roster_entries -> org_units (org_unit_id));
diesel::joinable!(roster_level_events -> roster_entries (roster_entry_id));
diesel::joinable!(visit_roster_entries -> roster_entries (roster_entry_id));
diesel::joinable!(visit_roster_entries -> service_sessions (session_id));
diesel::joinable!(supervisor_alerts -> org_units (org_unit_id));
diesel::joinable!(visits -> service_sessions (session_id));

diesel::allow_tables_to_appear_in_same_query!(
    idempotency_keys,
    audit_events,
    audit_event_clients,
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
    case_number_counters,
    cases,
    case_events,
    case_transfers,
    assessments,
    service_plans,
    plan_goals,
    evaluations,
    evaluation_goal_results,
    follow_ups,
    referrals,
    reviews,
    supervision_records,
    supervision_supervisees,
    supervision_cases,
    unit_visit_intervals,
    roster_entries,
    roster_level_events,
    visit_roster_entries,
    visits,
    supervisor_alerts,
    sync_mutations,
);
