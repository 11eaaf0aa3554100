//! The diesel schema, written by hand with portable types only (see `migrations/`).

diesel::table! {
    agencies (id) {
        id -> BigInt,
        name -> Text,
        code -> Text,
        parent_id -> Nullable<BigInt>,
        path -> Text,
        created_at -> Timestamp,
        accepts_online_applications -> Bool,
    }
}

diesel::table! {
    users (id) {
        id -> BigInt,
        name -> Text,
        role -> Text,
        agency_id -> Nullable<BigInt>,
        active -> Bool,
        created_at -> Timestamp,
        email -> Nullable<Text>,
        login -> Nullable<Text>,
        password_hash -> Nullable<Text>,
    }
}

diesel::table! {
    sessions (id) {
        id -> BigInt,
        token_hash -> Text,
        user_id -> BigInt,
        csrf_token -> Text,
        created_at -> Timestamp,
        last_seen_at -> Timestamp,
    }
}

diesel::table! {
    api_tokens (id) {
        id -> BigInt,
        user_id -> BigInt,
        token_hash -> Text,
        created_at -> Timestamp,
        revoked_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    applicants (id) {
        id -> BigInt,
        category -> Text,
        name -> Text,
        id_type -> Nullable<Text>,
        id_number -> Nullable<Text>,
        phone -> Nullable<Text>,
        email -> Nullable<Text>,
        address -> Nullable<Text>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    cases (id) {
        id -> BigInt,
        agency_id -> BigInt,
        case_number -> Text,
        year -> Integer,
        channel -> Text,
        submitted_on -> Nullable<Date>,
        received_on -> Date,
        applicant_id -> BigInt,
        applicant_category -> Text,
        description -> Text,
        status -> Text,
        outcome -> Nullable<Text>,
        concluded_on -> Nullable<Date>,
        decision_basis -> Nullable<Text>,
        due_on -> Nullable<Date>,
        paused -> Bool,
        extended -> Bool,
        version -> BigInt,
        created_by -> BigInt,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        lapses_on -> Nullable<Date>,
        applicant_name -> Text,
        applicant_phone -> Nullable<Text>,
        applicant_email -> Nullable<Text>,
        applicant_address -> Nullable<Text>,
        unit_id -> Nullable<BigInt>,
        handler_id -> Nullable<BigInt>,
        routed_to -> Nullable<BigInt>,
    }
}

diesel::table! {
    case_items (id) {
        id -> BigInt,
        case_id -> BigInt,
        position -> Integer,
        description -> Text,
        outcome -> Nullable<Text>,
    }
}

diesel::table! {
    case_events (id) {
        id -> BigInt,
        case_id -> BigInt,
        seq -> Integer,
        kind -> Text,
        effective_on -> Date,
        recorded_at -> Timestamp,
        actor_id -> Nullable<BigInt>,
        payload -> Text,
    }
}

diesel::table! {
    case_counters (agency_id, year) {
        agency_id -> BigInt,
        year -> Integer,
        last_number -> Integer,
    }
}

diesel::table! {
    idempotency_keys (user_id, key) {
        user_id -> BigInt,
        key -> Text,
        request_hash -> Text,
        case_id -> BigInt,
        created_at -> Timestamp,
    }
}

diesel::table! {
    calendar_years (year) {
        year -> Integer,
        notices -> Text,
        rest_days -> Text,
        work_days -> Text,
        source -> Text,
        updated_at -> Timestamp,
        updated_by -> Nullable<BigInt>,
    }
}

diesel::table! {
    calendar_changes (id) {
        id -> BigInt,
        year -> Integer,
        changed_at -> Timestamp,
        changed_by -> Nullable<BigInt>,
        notice -> Text,
        previous -> Nullable<Text>,
        data -> Text,
    }
}

diesel::table! {
    consultations (id) {
        id -> BigInt,
        case_id -> BigInt,
        party_kind -> Text,
        party -> Text,
        sent_on -> Date,
        reply_due -> Date,
        replied_on -> Nullable<Date>,
        opinion -> Nullable<Text>,
        delivered_on -> Nullable<Date>,
    }
}

diesel::table! {
    fee_notices (id) {
        id -> BigInt,
        case_id -> BigInt,
        issued_on -> Date,
        basis -> Text,
        pages -> Nullable<Integer>,
        nth_request -> Nullable<Integer>,
        amount_fen -> BigInt,
        pay_by -> Date,
        paid_on -> Nullable<Date>,
        delivered_on -> Nullable<Date>,
    }
}

diesel::table! {
    sweep_runs (day) {
        day -> Date,
        started_at -> Timestamp,
        finished_at -> Nullable<Timestamp>,
        concluded -> Integer,
    }
}

diesel::table! {
    appeals (id) {
        id -> BigInt,
        case_id -> BigInt,
        agency_id -> BigInt,
        kind -> Text,
        filed_on -> Date,
        result -> Nullable<Text>,
        decided_on -> Nullable<Date>,
        created_by -> BigInt,
        created_at -> Timestamp,
    }
}

diesel::table! {
    section_two (agency_id, year) {
        agency_id -> BigInt,
        year -> Integer,
        template -> Text,
        data -> Text,
        updated_at -> Timestamp,
        updated_by -> BigInt,
    }
}

diesel::table! {
    sealed_reports (id) {
        id -> BigInt,
        agency_id -> BigInt,
        year -> Integer,
        include_descendants -> Bool,
        template -> Text,
        figures -> Text,
        content_hash -> Text,
        sealed_at -> Timestamp,
        sealed_by -> BigInt,
        reason -> Nullable<Text>,
        last_event_id -> BigInt,
        supersedes -> Nullable<BigInt>,
    }
}

diesel::table! {
    report_texts (id) {
        id -> BigInt,
        agency_id -> BigInt,
        year -> Integer,
        version -> Integer,
        overview -> Text,
        problems_and_improvements -> Text,
        other_matters -> Text,
        additional_sections -> Text,
        updated_at -> Timestamp,
        updated_by -> BigInt,
        amendment_reason -> Nullable<Text>,
    }
}

diesel::table! {
    sealed_report_documents (seal_id) {
        seal_id -> BigInt,
        text_version -> Nullable<Integer>,
        document -> Text,
        document_hash -> Text,
    }
}

diesel::table! {
    audit_log (id) {
        id -> BigInt,
        at -> Timestamp,
        user_id -> Nullable<BigInt>,
        method -> Text,
        path -> Text,
        status -> Integer,
        case_id -> Nullable<BigInt>,
        remote_addr -> Nullable<Text>,
        action -> Text,
        count -> Integer,
    }
}

diesel::table! {
    outbox (id) {
        id -> BigInt,
        case_id -> Nullable<BigInt>,
        kind -> Text,
        recipient -> Nullable<Text>,
        subject -> Text,
        body_text -> Text,
        body_html -> Text,
        message_id -> Text,
        status -> Text,
        attempts -> Integer,
        next_attempt_at -> Timestamp,
        last_error -> Nullable<Text>,
        claimed_by -> Nullable<Text>,
        claimed_until -> Nullable<Timestamp>,
        created_at -> Timestamp,
        sent_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    reminder_runs (day, recipient) {
        day -> Date,
        recipient -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    letters (id) {
        id -> BigInt,
        case_id -> BigInt,
        agency_id -> BigInt,
        kind -> Text,
        year -> Integer,
        number -> Integer,
        document_number -> Text,
        event_seq -> Integer,
        consultation_id -> Nullable<BigInt>,
        issued_on -> Date,
        recipient -> Text,
        subject -> Text,
        body_html -> Text,
        body_text -> Text,
        sha256 -> Text,
        refers_to -> Nullable<BigInt>,
        delivery -> Text,
        outbox_id -> Nullable<BigInt>,
        printed_at -> Nullable<Timestamp>,
        posted_on -> Nullable<Date>,
        tracking_number -> Nullable<Text>,
        served_on -> Nullable<Date>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    letter_counters (agency_id, kind, year) {
        agency_id -> BigInt,
        kind -> Text,
        year -> Integer,
        last_number -> Integer,
    }
}

diesel::table! {
    agency_settings (agency_id) {
        agency_id -> BigInt,
        document_prefix -> Nullable<Text>,
        contact -> Nullable<Text>,
        reconsideration_body -> Nullable<Text>,
        court -> Nullable<Text>,
        fee_payment -> Nullable<Text>,
        updated_at -> Timestamp,
        updated_by -> Nullable<BigInt>,
    }
}

diesel::table! {
    imports (id) {
        id -> BigInt,
        agency_id -> BigInt,
        file_name -> Text,
        sha256 -> Text,
        imported_by -> BigInt,
        imported_at -> Timestamp,
        rows_read -> Integer,
        created -> Integer,
        already_present -> Integer,
        invalid -> Integer,
    }
}

diesel::table! {
    import_rows (import_id, file_row) {
        import_id -> BigInt,
        file_row -> Integer,
        case_id -> BigInt,
    }
}

diesel::table! {
    submissions (id) {
        id -> BigInt,
        submission_number -> Text,
        agency_id -> BigInt,
        applicant_category -> Text,
        applicant_name -> Text,
        applicant_id_type -> Nullable<Text>,
        applicant_id_number -> Nullable<Text>,
        applicant_phone -> Nullable<Text>,
        applicant_email -> Nullable<Text>,
        applicant_address -> Nullable<Text>,
        description -> Text,
        items -> Text,
        delivery_form -> Text,
        delivery_method -> Text,
        submitted_at -> Timestamp,
        status -> Text,
        reject_reason -> Nullable<Text>,
        decided_at -> Nullable<Timestamp>,
        decided_by -> Nullable<BigInt>,
        case_id -> Nullable<BigInt>,
        query_code_hash -> Text,
        idempotency_key -> Nullable<Text>,
        request_hash -> Text,
        requester -> Nullable<Text>,
        withdrawal_requested_at -> Nullable<Timestamp>,
    }
}

diesel::joinable!(submissions -> agencies (agency_id));
diesel::joinable!(submissions -> cases (case_id));
diesel::joinable!(letters -> cases (case_id));
diesel::joinable!(import_rows -> imports (import_id));
diesel::joinable!(sealed_report_documents -> sealed_reports (seal_id));
diesel::joinable!(agency_settings -> agencies (agency_id));
diesel::joinable!(users -> agencies (agency_id));
diesel::joinable!(outbox -> cases (case_id));
diesel::joinable!(appeals -> agencies (agency_id));
diesel::joinable!(consultations -> cases (case_id));
diesel::joinable!(fee_notices -> cases (case_id));
diesel::joinable!(api_tokens -> users (user_id));
diesel::joinable!(sessions -> users (user_id));
diesel::joinable!(cases -> agencies (agency_id));
diesel::joinable!(cases -> applicants (applicant_id));
diesel::joinable!(case_items -> cases (case_id));
diesel::joinable!(case_events -> cases (case_id));

diesel::allow_tables_to_appear_in_same_query!(
    agencies,
    users,
    api_tokens,
    applicants,
    cases,
    case_items,
    case_events,
    case_counters,
    idempotency_keys,
    calendar_years,
    calendar_changes,
    consultations,
    fee_notices,
    sweep_runs,
    appeals,
    section_two,
    sealed_reports,
    report_texts,
    sealed_report_documents,
    audit_log,
    outbox,
    reminder_runs,
    letters,
    letter_counters,
    agency_settings,
    sessions,
    imports,
    import_rows,
    submissions,
    chases,
    documents,
);

diesel::table! {
    chases (id) {
        id -> BigInt,
        case_id -> BigInt,
        agency_id -> BigInt,
        matter -> Text,
        due_on -> Date,
        step -> Nullable<Text>,
        recorded_on -> Date,
        recorded_by -> BigInt,
        recorded_at -> Timestamp,
        closed_on -> Nullable<Date>,
        closed_by -> Nullable<BigInt>,
        close_note -> Nullable<Text>,
        closed_by_seq -> Nullable<Integer>,
    }
}

diesel::table! {
    documents (id) {
        id -> BigInt,
        case_id -> BigInt,
        kind -> Text,
        filename -> Text,
        sha256 -> Text,
        size -> BigInt,
        media_type -> Text,
        uploaded_by -> BigInt,
        uploaded_at -> Timestamp,
        event_seq -> Integer,
        withdrawn_at -> Nullable<Timestamp>,
        withdrawn_by -> Nullable<BigInt>,
        withdraw_reason -> Nullable<Text>,
    }
}

diesel::joinable!(documents -> cases (case_id));
