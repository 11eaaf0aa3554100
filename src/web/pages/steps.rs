//! 办理步骤: the forms of the steps the case allows the user now, on the case page. A submitted
//! form is read into the API's own request body ([`StepBody`]: the same field names, the same
//! parsing and messages) and taken by the same use case ([`steps::take`]); a refused form comes
//! back on the case page with what was typed and each field's message, and a stale one (the case
//! changed meanwhile) says so and keeps the input.

use std::collections::BTreeMap;

use actix_web::http::StatusCode;
use actix_web::{post, web, HttpResponse};
use serde::Serialize;
use serde_json::{json, Map, Value};

use super::case::render_case;
use crate::domain::ids::{AppealId, CaseId, ConsultationId};
use crate::domain::lifecycle::StepKind;
use crate::domain::Violation;
use crate::http::appeals::{AppealResultRequest, FileAppealRequest};
use crate::http::cases::{DecisionRequest, StepBody, WithdrawalRequest};
use crate::http::corrections::{IntakeCorrectionRequest, RevokeRequest, VoidRequest};
use crate::http::error::ApiError;
use crate::http::extract::parse_json;
use crate::http::steps::{
    AmendmentBody, ConsultationBody, ConsultationReplyBody, CorrectionBody, CorrectionRequestBody, ExtensionBody,
    FeeNoticeBody, FeePaymentBody, ReasonsBody, ReasonsRequestBody,
};
use crate::service::cases::{self, steps};
use crate::service::ServiceError;
use crate::web::context::{see_other, FormData, PageContext, PostPage};
use crate::web::error::PageError;
use crate::web::messages;
use crate::web::view::field_errors;

/// A step form shown again: which step, what was typed, each field's message (`_` for the form
/// as a whole), and whether it is only a preview (the fee's amount, computed without writing).
#[derive(Clone, Debug, Default, Serialize)]
pub struct OpenForm {
    pub kind: String,
    pub values: BTreeMap<String, String>,
    pub errors: BTreeMap<String, String>,
    pub preview: bool,
}

/// How a form field goes into the API's JSON body.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum As {
    /// A string (dates and choices too: the body's types parse them, with the API's messages).
    Text,
    /// A number; a value that is not one goes in as typed, so that the body's parser names it.
    Int,
    /// A checkbox: `true` when ticked.
    Flag,
}

const VERSION: (&str, As) = ("version", As::Int);
const REASON_SEALED: (&str, As) = ("amendment_reason", As::Text);
const NOTIFY: (&str, As) = ("notify", As::Flag);

/// The fields of each step's form: exactly the API body's fields (they deny unknown ones).
fn fields(kind: StepKind) -> &'static [(&'static str, As)] {
    use As::{Int, Text};
    match kind {
        StepKind::CorrectionRequest => {
            &[("issued_on", Text), ("respond_by", Text), ("matters", Text), VERSION, REASON_SEALED, NOTIFY]
        }
        StepKind::Correction => &[("received_on", Text), VERSION, REASON_SEALED],
        StepKind::Consultation => {
            &[("party_kind", Text), ("party", Text), ("sent_on", Text), VERSION, REASON_SEALED, NOTIFY]
        }
        StepKind::ConsultationReply => &[("replied_on", Text), ("opinion", Text), VERSION, REASON_SEALED],
        StepKind::Extension => &[
            ("approved_on", Text),
            ("working_days", Int),
            ("reason", Text),
            ("notified_on", Text),
            VERSION,
            REASON_SEALED,
            NOTIFY,
        ],
        StepKind::FeeNotice => &[("issued_on", Text), ("basis", Text), ("pages", Int), VERSION, REASON_SEALED, NOTIFY],
        StepKind::FeePayment => &[("paid_on", Text), VERSION, REASON_SEALED],
        StepKind::ReasonsRequest => {
            &[("requested_on", Text), ("respond_by", Text), ("grounds", Text), VERSION, REASON_SEALED, NOTIFY]
        }
        StepKind::ReasonsReply => &[("received_on", Text), ("reasons", Text), VERSION, REASON_SEALED],
        StepKind::Decision => &[
            ("decided_on", Text),
            ("outcome", Text),
            ("basis", Text),
            ("already_public", As::Flag),
            ("responsible_agency.name", Text),
            ("responsible_agency.contact", Text),
            ("repeats_case_id", Int),
            ("over_objection_reason", Text),
            VERSION,
            REASON_SEALED,
            NOTIFY,
        ],
        StepKind::Withdrawal => &[("withdrawn_on", Text), VERSION, REASON_SEALED, NOTIFY],
        StepKind::Amendment => &[("outcome", Text), ("concluded_on", Text), ("reason", Text), ("basis", Text), VERSION],
        StepKind::Appeal => &[("kind", Text), ("filed_on", Text), REASON_SEALED],
        StepKind::AppealResult => &[("result", Text), ("decided_on", Text), REASON_SEALED],
        StepKind::Void => &[("reason", Text), VERSION, REASON_SEALED],
        StepKind::IntakeCorrection => &[("reason", Text), VERSION, REASON_SEALED],
        StepKind::Revocation => &[("reason", Text), VERSION, REASON_SEALED],
    }
}

/// Put `value` at `path` (`applicant.name` nests).
fn put(body: &mut Map<String, Value>, path: &str, value: Value) {
    match path.split_once('.') {
        Some((outer, inner)) => {
            let entry = body.entry(outer.to_string()).or_insert_with(|| Value::Object(Map::new()));
            if let Value::Object(map) = entry {
                put(map, inner, value);
            }
        }
        None => {
            body.insert(path.to_string(), value);
        }
    }
}

/// The form as the API's JSON body of `kind` (empty fields left out).
fn body_of(kind: StepKind, form: &FormData) -> Map<String, Value> {
    let mut body = Map::new();
    for &(name, how) in fields(kind) {
        let value = match how {
            As::Flag => form.optional(name).map(|_| Value::Bool(true)),
            As::Int => form.optional(name).map(|v| v.parse::<i64>().map_or(Value::String(v), Value::from)),
            As::Text => form.optional(name).map(Value::String),
        };
        if let Some(value) = value {
            put(&mut body, name, value);
        }
    }
    if kind == StepKind::Decision {
        // One select per item, `item.<id>`, and its text, `item_basis.<id>` → `items: [{"id",
        // "outcome", "basis"}]`, or none at all.
        let items: Vec<Value> = form
            .0
            .iter()
            .filter_map(|(name, value)| {
                let id = name.strip_prefix("item.")?.parse::<i64>().ok()?;
                let outcome = value.trim();
                let mut item = json!({"id": id, "outcome": outcome});
                if let Some(basis) = form.optional(&format!("item_basis.{id}")) {
                    item["basis"] = Value::String(basis);
                }
                (!outcome.is_empty()).then_some(item)
            })
            .collect();
        if !items.is_empty() {
            body.insert("items".into(), Value::Array(items));
        }
    }
    body
}

/// What the path of a step names besides the case, read from the form's choice.
fn chosen_id(form: &FormData, field: &'static str) -> Result<i64, Violation> {
    form.optional(field)
        .and_then(|v| v.parse::<i64>().ok())
        .ok_or_else(|| Violation::field("validation_failed", field, "请从列表中选择"))
}

/// Why a step form was not taken.
enum Refused {
    /// The input breaks a rule: shown at its fields (422).
    Invalid(Violation),
    /// The case's state or version does not allow it now (409): shown above the form.
    Conflict(String),
    /// Anything else: an error page.
    Page(PageError),
}

impl From<ApiError> for Refused {
    fn from(error: ApiError) -> Self {
        match error {
            ApiError::Invalid(v) => Self::Invalid(v),
            ApiError::BadRequest { code, detail, errors } => Self::Invalid(Violation { code, detail, errors }),
            other => Self::Page(PageError::internal(other)),
        }
    }
}

impl From<ServiceError> for Refused {
    fn from(error: ServiceError) -> Self {
        match error {
            ServiceError::Invalid(v) => Self::Invalid(v),
            ServiceError::Conflict { code, detail } => Self::Conflict(messages::sentence(code, &detail)),
            other => Self::Page(other.into()),
        }
    }
}

impl From<Violation> for Refused {
    fn from(v: Violation) -> Self {
        Self::Invalid(v)
    }
}

/// Read the body as the API does and take its step.
async fn take<B>(ctx: &PageContext, id: CaseId, body: Map<String, Value>, path: B::Path) -> Result<(), Refused>
where
    B: StepBody + Send + 'static,
{
    let bytes = serde_json::to_vec(&Value::Object(body)).map_err(|e| Refused::Page(PageError::internal(e)))?;
    let request: B = parse_json(&bytes)?;
    let (step, options) = request.into_step(path, ctx.state.today())?;
    let snapshot = ctx.state.snapshot();
    ctx.write(move |conn, actor| steps::take(conn, actor, id, step, &options, snapshot.now())).await?;
    Ok(())
}

/// The intake correction's body: only what differs from the case as registered (the form shows
/// every fact filled in), the applicant's particulars together when any of them changed.
async fn intake_correction_body(ctx: &PageContext, id: CaseId, form: &FormData) -> Result<Map<String, Value>, Refused> {
    let snapshot = ctx.state.snapshot();
    let details = ctx.read_checked(move |conn, actor| cases::get(conn, actor, id, snapshot.now())).await?;
    let case = details.case();
    let mut body = body_of(StepKind::IntakeCorrection, form);
    let changed = |field: &str, current: String| form.optional(field).filter(|v| *v != current);
    if let Some(v) = changed("received_on", case.received_on.to_string()) {
        body.insert("received_on".into(), Value::String(v));
    }
    match (form.optional("submitted_on"), case.submitted_on) {
        (None, Some(_)) => {
            body.insert("clear_submitted_on".into(), Value::Bool(true));
        }
        (Some(v), current) if current.map(|d| d.to_string()) != Some(v.clone()) => {
            body.insert("submitted_on".into(), Value::String(v));
        }
        _ => {}
    }
    if let Some(v) = changed("channel", case.channel.as_str().to_string()) {
        body.insert("channel".into(), Value::String(v));
    }
    if let Some(v) = changed("agency_id", case.agency_id.get().to_string()) {
        body.insert("agency_id".into(), v.parse::<i64>().map_or(Value::String(v), Value::from));
    }
    let applicant = &details.applicant;
    let particulars = [
        ("name", Some(applicant.name.clone())),
        ("phone", applicant.phone.clone()),
        ("email", applicant.email.clone()),
        ("address", applicant.address.clone()),
    ];
    if particulars.iter().any(|(field, current)| form.optional(&format!("applicant.{field}")) != *current) {
        let mut given = Map::new();
        for (field, _) in &particulars {
            if let Some(v) = form.optional(&format!("applicant.{field}")) {
                given.insert((*field).to_string(), Value::String(v));
            }
        }
        if !given.contains_key("name") {
            given.insert("name".into(), Value::String(String::new()));
        }
        body.insert("applicant".into(), Value::Object(given));
    }
    if let Some(v) = changed("description", case.description.clone()) {
        body.insert("description".into(), Value::String(v));
    }
    let items: Vec<String> =
        form.get("items").lines().map(str::trim).filter(|l| !l.is_empty()).map(String::from).collect();
    let current: Vec<String> = details.state.items.iter().map(|i| i.description.clone()).collect();
    if items != current {
        body.insert("items".into(), json!(items));
    }
    Ok(body)
}

/// Take the step of one form.
async fn submit(ctx: &PageContext, id: CaseId, kind: StepKind, form: &FormData) -> Result<(), Refused> {
    let body = body_of(kind, form);
    match kind {
        StepKind::CorrectionRequest => take::<CorrectionRequestBody>(ctx, id, body, ()).await,
        StepKind::Correction => take::<CorrectionBody>(ctx, id, body, ()).await,
        StepKind::Consultation => take::<ConsultationBody>(ctx, id, body, ()).await,
        StepKind::ConsultationReply => {
            let consultation = ConsultationId::new(chosen_id(form, "consultation_id")?);
            take::<ConsultationReplyBody>(ctx, id, body, consultation).await
        }
        StepKind::Extension => take::<ExtensionBody>(ctx, id, body, ()).await,
        StepKind::FeeNotice => take::<FeeNoticeBody>(ctx, id, body, ()).await,
        StepKind::FeePayment => take::<FeePaymentBody>(ctx, id, body, ()).await,
        StepKind::ReasonsRequest => take::<ReasonsRequestBody>(ctx, id, body, ()).await,
        StepKind::ReasonsReply => take::<ReasonsBody>(ctx, id, body, ()).await,
        StepKind::Decision => take::<DecisionRequest>(ctx, id, body, ()).await,
        StepKind::Withdrawal => take::<WithdrawalRequest>(ctx, id, body, ()).await,
        StepKind::Amendment => take::<AmendmentBody>(ctx, id, body, ()).await,
        StepKind::Appeal => take::<FileAppealRequest>(ctx, id, body, ()).await,
        StepKind::AppealResult => {
            let appeal = AppealId::new(chosen_id(form, "appeal_id")?);
            take::<AppealResultRequest>(ctx, id, body, appeal).await
        }
        StepKind::Void => take::<VoidRequest>(ctx, id, body, ()).await,
        StepKind::IntakeCorrection => {
            let body = intake_correction_body(ctx, id, form).await?;
            take::<IntakeCorrectionRequest>(ctx, id, body, ()).await
        }
        StepKind::Revocation => {
            let seq = i32::try_from(chosen_id(form, "seq")?)
                .map_err(|_| Violation::field("validation_failed", "seq", "请从列表中选择"))?;
            take::<RevokeRequest>(ctx, id, body, seq).await
        }
    }
}

/// The field names a form of `kind` shows its messages at; any other message goes above it.
fn shown_fields(kind: StepKind) -> Vec<&'static str> {
    let mut names: Vec<&'static str> = fields(kind).iter().map(|(name, _)| *name).collect();
    names.extend(match kind {
        StepKind::ConsultationReply => &["consultation_id"][..],
        StepKind::AppealResult => &["appeal_id"],
        StepKind::Revocation => &["seq"],
        StepKind::Decision => &["items", "responsible_agency.name", "responsible_agency.contact"],
        StepKind::IntakeCorrection => &[
            "received_on",
            "submitted_on",
            "channel",
            "agency_id",
            "applicant.name",
            "applicant.phone",
            "applicant.email",
            "applicant.address",
            "description",
            "items",
        ],
        _ => &[],
    });
    names
}

/// A refusal's messages by field: item errors (`items[1].outcome`) belong to the items, and a
/// field the API calls missing is one left empty on the form.
fn errors_of(kind: StepKind, mut violation: Violation) -> BTreeMap<String, String> {
    for error in &mut violation.errors {
        if error.field.starts_with("items") {
            error.field = "items".to_string();
        }
        if error.message == crate::http::messages::MISSING_FIELD {
            error.message = "必须填写".to_string();
        }
        if let Some(message) = messages::at_form_field(violation.code) {
            error.message = message.to_string();
        }
    }
    field_errors(&violation, &shown_fields(kind))
}

/// 办理步骤: take the step of a form on the case page, or show the page again with the form.
#[post("/cases/{id}/steps/{kind}")]
pub async fn step_submit(page: PostPage, path: web::Path<(i64, String)>) -> Result<HttpResponse, PageError> {
    let PostPage { ctx, form } = page;
    let (id, kind_key) = path.into_inner();
    let id = CaseId::new(id);
    let kind = StepKind::parse(&kind_key).ok_or(PageError::NotFound)?;
    let mut open = OpenForm { kind: kind_key, values: form.values(), ..OpenForm::default() };
    if kind == StepKind::FeeNotice && form.optional("preview").is_some() {
        // 试算: the amount the notice would state, without issuing it.
        open.preview = true;
        return render_case(&ctx, id, StatusCode::OK, Some(open)).await;
    }
    match submit(&ctx, id, kind, &form).await {
        Ok(()) => Ok(see_other(&format!("/cases/{id}?done={}#steps", kind.as_str()))),
        Err(Refused::Invalid(violation)) => {
            open.errors = errors_of(kind, violation);
            render_case(&ctx, id, StatusCode::UNPROCESSABLE_ENTITY, Some(open)).await
        }
        Err(Refused::Conflict(message)) => {
            open.errors.insert("_".into(), message);
            // The version the form was based on is stale: the page shows the case as it is now,
            // the form keeps what was typed and carries the current version.
            open.values.remove("version");
            render_case(&ctx, id, StatusCode::CONFLICT, Some(open)).await
        }
        Err(Refused::Page(error)) => Err(error),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form(pairs: &[(&str, &str)]) -> FormData {
        FormData(pairs.iter().map(|(k, v)| ((*k).to_string(), (*v).to_string())).collect())
    }

    #[test]
    fn a_form_becomes_the_apis_body_with_numbers_flags_and_items() {
        let body = body_of(
            StepKind::Decision,
            &form(&[
                ("decided_on", "2026-03-02"),
                ("outcome", ""),
                ("basis", " 依据 "),
                ("version", "3"),
                ("notify", "1"),
                ("item.7", "disclosed"),
                ("item.8", ""),
                ("_csrf", "t"),
            ]),
        );
        assert_eq!(
            Value::Object(body),
            json!({"decided_on": "2026-03-02", "basis": "依据", "version": 3, "notify": true,
                "items": [{"id": 7, "outcome": "disclosed"}]})
        );
        let body = body_of(StepKind::Extension, &form(&[("working_days", "二十")]));
        assert_eq!(Value::Object(body), json!({"working_days": "二十"}), "left for the parser to name");
    }

    #[test]
    fn every_form_field_is_a_field_of_the_apis_body() {
        // The bodies deny unknown fields: a form field they do not have would refuse every form.
        fn check<B: utoipa::PartialSchema>(kind: StepKind) {
            let schema = serde_json::to_value(B::schema()).unwrap();
            let properties = schema["properties"].as_object().unwrap_or_else(|| panic!("{kind:?}: {schema}"));
            for (name, _) in fields(kind) {
                let top = name.split('.').next().unwrap();
                assert!(properties.contains_key(top), "{kind:?} has no field {name}");
            }
        }
        check::<CorrectionRequestBody>(StepKind::CorrectionRequest);
        check::<CorrectionBody>(StepKind::Correction);
        check::<ConsultationBody>(StepKind::Consultation);
        check::<ConsultationReplyBody>(StepKind::ConsultationReply);
        check::<ExtensionBody>(StepKind::Extension);
        check::<FeeNoticeBody>(StepKind::FeeNotice);
        check::<FeePaymentBody>(StepKind::FeePayment);
        check::<ReasonsRequestBody>(StepKind::ReasonsRequest);
        check::<ReasonsBody>(StepKind::ReasonsReply);
        check::<DecisionRequest>(StepKind::Decision);
        check::<WithdrawalRequest>(StepKind::Withdrawal);
        check::<AmendmentBody>(StepKind::Amendment);
        check::<FileAppealRequest>(StepKind::Appeal);
        check::<AppealResultRequest>(StepKind::AppealResult);
        check::<VoidRequest>(StepKind::Void);
        check::<IntakeCorrectionRequest>(StepKind::IntakeCorrection);
        check::<RevokeRequest>(StepKind::Revocation);
    }
}
