//! The console's templates: compiled into the binary (`include_str!`), autoescaped (every
//! template is HTML), with one layout and a file of form macros. Labels of statuses, outcomes,
//! channels, categories and roles come from the domain through the `zh` filter, never typed in a
//! template.

use std::sync::OnceLock;

use minijinja::value::Value;
use minijinja::{Environment, Error, ErrorKind};

use super::assets;
use crate::domain::types::{event_label, AppealResult, Opinion, PartyKind};
use crate::domain::{ApplicantCategory, CaseStatus, Channel, IdType, Outcome, Role};

/// Every template: (name, source).
const TEMPLATES: &[(&str, &str)] = &[
    ("layout.html", include_str!("templates/layout.html")),
    ("forms.html", include_str!("templates/forms.html")),
    ("error.html", include_str!("templates/error.html")),
    ("login.html", include_str!("templates/login.html")),
    ("account.html", include_str!("templates/account.html")),
    ("dashboard.html", include_str!("templates/dashboard.html")),
    ("cases.html", include_str!("templates/cases.html")),
    ("case.html", include_str!("templates/case.html")),
    ("case_workflow.html", include_str!("templates/case_workflow.html")),
    ("case_documents.html", include_str!("templates/case_documents.html")),
    ("case_similar.html", include_str!("templates/case_similar.html")),
    ("steps.html", include_str!("templates/steps.html")),
    ("intake.html", include_str!("templates/intake.html")),
    ("registered.html", include_str!("templates/registered.html")),
    ("intake_applicant.html", include_str!("templates/intake_applicant.html")),
    ("report.html", include_str!("templates/report.html")),
    ("cell.html", include_str!("templates/cell.html")),
    ("drift.html", include_str!("templates/drift.html")),
    ("section_two.html", include_str!("templates/section_two.html")),
    ("ledger.html", include_str!("templates/ledger.html")),
    ("agency_settings.html", include_str!("templates/agency_settings.html")),
    ("report_text.html", include_str!("templates/report_text.html")),
    ("admin.html", include_str!("templates/admin.html")),
    ("token.html", include_str!("templates/token.html")),
    ("calendar.html", include_str!("templates/calendar.html")),
    ("apply.html", include_str!("templates/apply.html")),
    ("applied.html", include_str!("templates/applied.html")),
    ("status.html", include_str!("templates/status.html")),
];

fn build() -> Result<Environment<'static>, String> {
    build_env().map_err(|e| format!("console templates: {e:#}"))
}

fn build_env() -> Result<Environment<'static>, Error> {
    let mut env = Environment::new();
    // Every template is HTML: escape everything, whatever the name.
    env.set_auto_escape_callback(|_| minijinja::AutoEscape::Html);
    env.set_undefined_behavior(minijinja::UndefinedBehavior::Chainable);
    for (name, source) in TEMPLATES {
        env.add_template(name, source)?;
    }
    env.add_filter("zh", zh);
    // Our own fixed paths: safe as they are (escaping would only write `/` as `&#x2f;`).
    let urls = assets::urls();
    env.add_global(
        "assets",
        minijinja::context! { css => Value::from_safe_string(urls.css), js => Value::from_safe_string(urls.js) },
    );
    Ok(env)
}

/// The environment, built on first use. [`check`] builds it at start-up, so a broken template
/// stops the service instead of a page.
fn env() -> &'static Result<Environment<'static>, String> {
    static ENV: OnceLock<Result<Environment<'static>, String>> = OnceLock::new();
    ENV.get_or_init(build)
}

/// Build the templates now.
///
/// # Errors
/// A template does not compile.
pub fn check() -> Result<(), String> {
    env().as_ref().map(|_| ()).map_err(Clone::clone)
}

/// Render `name` with `context`.
///
/// # Errors
/// The template fails to render (a bug: the caller turns it into a 500).
pub fn render(name: &str, context: Value) -> Result<String, Error> {
    let env = env().as_ref().map_err(|e| Error::new(ErrorKind::InvalidOperation, e.clone()))?;
    env.get_template(name)?.render(context)
}

/// The error page (no session needed); plain text if even that fails.
pub fn render_error(status: u16, title: &str, message: &str, code: &str) -> String {
    let context = minijinja::context! { status, title, message, code };
    render("error.html", context).unwrap_or_else(|e| {
        tracing::error!(error = %e, "the error page failed to render");
        format!("{status} {title}")
    })
}

/// `{{ value|zh("status") }}`: the Chinese name of a stored key of one of the domain's sets.
fn zh(value: &Value, kind: &str) -> Result<Value, Error> {
    let Some(key) = value.as_str() else {
        return Ok(if value.is_none() || value.is_undefined() { Value::from("") } else { value.clone() });
    };
    let label = match kind {
        "status" => CaseStatus::parse(key).map(CaseStatus::label),
        "outcome" => Outcome::parse(key).map(Outcome::label),
        "channel" => Channel::parse(key).map(Channel::label),
        "category" => ApplicantCategory::parse(key).map(ApplicantCategory::label),
        "id_type" => IdType::parse(key).map(IdType::label),
        "role" => Role::parse(key).map(Role::label),
        "party_kind" => PartyKind::parse(key).map(PartyKind::label),
        "opinion" => Opinion::parse(key).map(Opinion::label),
        "appeal_result" => AppealResult::parse(key).map(AppealResult::label),
        "event" => event_label(key),
        _ => return Err(Error::new(ErrorKind::InvalidOperation, format!("zh: unknown label set `{kind}`"))),
    };
    Ok(Value::from(label.unwrap_or(key)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_template_compiles_and_labels_come_from_the_domain() {
        check().unwrap();
        let env = env().as_ref().unwrap();
        let out = env.render_str("{{ 'awaiting_fee'|zh('status') }}|{{ 'in_person'|zh('channel') }}", ()).unwrap();
        assert_eq!(out, "待缴费|当面提交");
        assert!(env.render_str("{{ 'x'|zh('nope') }}", ()).is_err());
    }

    #[test]
    fn text_is_escaped_and_never_evaluated() {
        let env = env().as_ref().unwrap();
        let name = "<script>alert(1)</script>{{ 7*7 }}";
        let out = env.render_str("{{ name }}", minijinja::context! { name }).unwrap();
        assert_eq!(out, "&lt;script&gt;alert(1)&lt;&#x2f;script&gt;{{ 7*7 }}");
    }
}
