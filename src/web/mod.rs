//! The staff console: server-rendered pages for people, beside the JSON API for programs. Both
//! doors call the same `service` functions (same roles, visibility and audit); a page handler
//! parses the form into domain types, calls one use case and renders the result.
//!
//! Sign-in is by name and password into a session kept in the database (`service::sign_in`);
//! every page takes a [`context::PageContext`] (or, for forms that change something, a
//! [`context::PostPage`], which exists only with the session's CSRF token).

pub mod assets;
pub mod context;
pub mod error;
pub mod messages;
pub mod pages;
pub mod templates;
pub mod view;

use actix_web::web;

/// Register every console route.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(assets::asset)
        .service(pages::login::root)
        .service(pages::login::login_page_get)
        .service(pages::login::login_submit)
        .service(pages::login::logout)
        .service(pages::login::account)
        .service(pages::login::change_password)
        .service(pages::dashboard::dashboard_page)
        .service(pages::dashboard::confirm_submission)
        .service(pages::dashboard::reject_submission)
        .service(pages::portal::apply_form)
        .service(pages::portal::apply_submit)
        .service(pages::portal::status_form)
        .service(pages::portal::status_submit)
        .service(pages::portal::withdraw_submit)
        .service(pages::intake::intake_form)
        .service(pages::intake::intake_submit)
        .service(pages::intake::registered_page)
        .service(pages::intake::applicant_on_file)
        .service(pages::ledger::export)
        .service(pages::ledger::ledger_page)
        .service(pages::ledger::import)
        .service(pages::cases::cases_page)
        .service(pages::case::case_page)
        .service(pages::documents::upload)
        .service(pages::documents::download)
        .service(pages::documents::withdraw)
        .service(pages::steps::step_submit)
        .service(pages::workflow::assign)
        .service(pages::workflow::route)
        .service(pages::workflow::accept)
        .service(pages::workflow::send_back)
        .service(pages::workflow::chase)
        .service(pages::workflow::close_chase)
        .service(pages::cases::letter_page)
        .service(pages::report::report_page)
        .service(pages::report::report_export)
        .service(pages::report::cell_page)
        .service(pages::report::seal_report)
        .service(pages::report::drift_page)
        .service(pages::section_two::section_two_page)
        .service(pages::section_two::section_two_submit)
        .service(pages::report_text::text_page)
        .service(pages::report_text::save_text)
        .service(pages::report_text::document_download)
        .service(pages::agency_settings::settings_page)
        .service(pages::agency_settings::save_settings)
        .service(pages::admin::admin_page)
        .service(pages::admin::create_agency)
        .service(pages::admin::create_user)
        .service(pages::admin::deactivate_user)
        .service(pages::admin::activate_user)
        .service(pages::admin::reset_password)
        .service(pages::admin::issue_token)
        .service(pages::admin::calendar_year)
        .service(pages::admin::replace_calendar);
}

/// Percent-encode a query value.
pub fn url_encode(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for byte in value.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'_' | b'.' | b'~' | b'/') {
            out.push(char::from(byte));
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}
