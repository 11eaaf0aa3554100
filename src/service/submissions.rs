//! Online applications: the applicant submits (no sign-in), the intake desk confirms — the
//! submission becomes a case received that day (Art. 31 (3)) — or rejects it; the applicant
//! follows it with the number and query code (see [`status`]).

use chrono::NaiveDateTime;
use rand::Rng;

use super::cases::intake::{self, IdempotencyKey, Registered};
use super::cases::steps::Options;
use super::{agencies as agency_service, outbox, Actor, Now, ServiceError, ServiceResult};
use crate::domain::error::Errors;
use crate::domain::ids::{AgencyId, SubmissionId};
use crate::domain::intake::NewCase;
use crate::domain::submission::{
    self, query_code_from, NewSubmission, Submission, SubmissionStatus, QUERY_CODE_ALPHABET, QUERY_CODE_LEN,
};
use crate::domain::{Channel, Violation};
use crate::storage::submissions::{self, Stamp};
use crate::storage::{agencies, DbConnection};

/// Longest reason of a rejection, in characters.
pub const REASON: usize = 2000;

/// What the applicant is told once: the number and the query code.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Submitted {
    pub submission_number: String,
    pub query_code: String,
    pub status: SubmissionStatus,
    /// `false`: a retry with an idempotency key used before (the code was issued anew).
    pub created: bool,
}

fn random_code(len: usize) -> String {
    let mut rng = rand::thread_rng();
    let indices: Vec<usize> = (0..len).map(|_| rng.gen_range(0..QUERY_CODE_ALPHABET.len())).collect();
    query_code_from(&indices)
}

fn not_open() -> ServiceError {
    Violation::field("agency_not_accepting_online", "agency_id", "该机关未开通网上申请，请选择其他机关或以其他方式提交")
        .into()
}

/// Store an online application, pending confirmation, and queue the e-mail of its number and
/// query code when the applicant gave an address. With an idempotency key used before for the
/// same request, nothing new is stored: the earlier submission's number is answered with a new
/// query code (the first answer was lost; the earlier code stops working).
///
/// # Errors
/// 422 for an agency not open for online applications (or unknown), or an idempotency key reused
/// with a different request.
pub fn submit(
    conn: &mut DbConnection,
    new: &NewSubmission,
    idempotency: Option<&IdempotencyKey>,
    requester: Option<&str>,
    now: Now<'_>,
) -> ServiceResult<Submitted> {
    let agency = match agencies::find(conn, new.agency_id)? {
        Some(agency) if agency.accepts_online_applications => agency,
        _ => return Err(not_open()),
    };
    let query_code = random_code(QUERY_CODE_LEN);
    let hash = submission::hash_query_code(&query_code);
    if let Some(key) = idempotency {
        if let Some((id, request_hash)) = submissions::find_idempotent(conn, &key.key)? {
            if request_hash != key.request_hash {
                return Err(Violation::field(
                    "idempotency_key_reused",
                    "Idempotency-Key",
                    "此幂等键已用于另一份不同的申请",
                )
                .into());
            }
            let earlier = submissions::find(conn, id)?.ok_or_else(|| ServiceError::corrupt("submission vanished"))?;
            submissions::set_query_code_hash(conn, id, &hash)?;
            mail_code(conn, &earlier, &agency.name, &query_code, &now)?;
            return Ok(Submitted {
                submission_number: earlier.submission_number,
                query_code,
                status: earlier.status,
                created: false,
            });
        }
    }
    let number = format!("WS-{}-{}", now.today.format("%Y%m%d"), random_code(8));
    let stamp = Stamp {
        submission_number: &number,
        query_code_hash: &hash,
        idempotency_key: idempotency.map(|k| k.key.as_str()),
        request_hash: idempotency.map_or("", |k| k.request_hash.as_str()),
        requester,
        at: now.at,
    };
    let id = submissions::insert(conn, new, &stamp)?;
    let stored = submissions::find(conn, id)?.ok_or_else(|| ServiceError::corrupt("submission not stored"))?;
    mail_code(conn, &stored, &agency.name, &query_code, &now)?;
    Ok(Submitted { submission_number: number, query_code, status: SubmissionStatus::Pending, created: true })
}

/// Queue the e-mail of the number and query code, when the applicant gave an address.
fn mail_code(
    conn: &mut DbConnection,
    submission: &Submission,
    agency_name: &str,
    query_code: &str,
    now: &Now<'_>,
) -> ServiceResult<()> {
    let Some(email) = submission.applicant.email.as_deref() else {
        return Ok(());
    };
    let number = &submission.submission_number;
    let text = format!(
        "您向{agency_name}提交的政府信息公开申请已收到，正在等待机关确认。\n\n提交编号：{number}\n查询码：{query_code}\n\n\
         请妥善保管查询码，凭提交编号和查询码可在“申请进度查询”页面查看办理进度。根据《中华人民共和国政府信息公开条例》第三十一条第（三）项，\
         通过互联网提交的申请，以双方确认之日为收到申请之日。\n"
    );
    let agency_html = crate::report::html::escape(agency_name);
    let html = format!(
        "<p>您向{agency_html}提交的政府信息公开申请已收到，正在等待机关确认。</p>\
         <p>提交编号：<strong>{number}</strong><br>查询码：<strong>{query_code}</strong></p>\
         <p>请妥善保管查询码，凭提交编号和查询码可在“申请进度查询”页面查看办理进度。根据《中华人民共和国政府信息公开条例》第三十一条第（三）项，\
         通过互联网提交的申请，以双方确认之日为收到申请之日。</p>"
    );
    let draft = outbox::Draft {
        case_id: None,
        reference: number,
        kind: "submission_receipt",
        recipient: Some(email),
        subject: &format!("政府信息公开网上申请已提交（{number}）"),
        text: &text,
        html: &html,
    };
    outbox::enqueue(conn, &draft, now)?;
    Ok(())
}

fn not_found() -> ServiceError {
    ServiceError::NotFound { what: "submission", code: "submission_not_found" }
}

/// The submission with `id`, when the caller registers requests and sees its agency.
fn visible(conn: &mut DbConnection, actor: &Actor, id: SubmissionId) -> ServiceResult<Submission> {
    actor.require(actor.role.can_register(), "处理网上申请")?;
    let submission = submissions::find(conn, id)?.ok_or_else(not_found)?;
    agency_service::get_visible(conn, actor, submission.agency_id).map_err(|_| not_found())?;
    Ok(submission)
}

/// The queue: submissions of the agencies the caller sees, oldest first; with `agency_id`, of
/// that agency only, or with `descendants` of its subtree (an invisible agency has none).
///
/// # Errors
/// 403 for roles that do not register requests.
pub fn list(
    conn: &mut DbConnection,
    actor: &Actor,
    agency_id: Option<AgencyId>,
    descendants: bool,
    status: Option<SubmissionStatus>,
    limit: i64,
) -> ServiceResult<Vec<Submission>> {
    actor.require(actor.role.can_register(), "查看网上申请")?;
    match agency_id {
        Some(id) if descendants => match agencies::find(conn, id)? {
            Some(agency) if actor.sees(&agency.path) => {
                Ok(submissions::list(conn, Some(&agency.path), None, status, limit)?)
            }
            _ => Ok(Vec::new()),
        },
        _ => Ok(submissions::list(conn, actor.scope.as_deref(), agency_id, status, limit)?),
    }
}

fn already_settled(submission: &Submission) -> ServiceError {
    let what = match submission.status {
        SubmissionStatus::Confirmed => "已确认收到",
        SubmissionStatus::Rejected => "已被退回",
        SubmissionStatus::Pending => "正在被他人处理",
    };
    ServiceError::conflict("submission_settled", format!("该网上申请{what}，不能再次确认或退回"))
}

/// Confirm a pending submission: it becomes a case through the ordinary intake (case number,
/// clock, acknowledgement), with channel `online`, the day of submission as the submitted date
/// and the confirmation day as the receipt date (Art. 31 (3), see
/// [`submission::receipt_date_of_confirmation`]). In one transaction with the intake, the
/// submission is settled by a conditional update, so it becomes at most one case.
///
/// # Errors
/// 403/404 as for the queue, 409 when it was settled before, 422 for a date before the
/// submission or in the future, and the intake's own errors.
pub fn confirm(
    conn: &mut DbConnection,
    actor: &Actor,
    id: SubmissionId,
    received_on: Option<chrono::NaiveDate>,
    now: Now<'_>,
) -> ServiceResult<Registered> {
    let submission = visible(conn, actor, id)?;
    if submission.status != SubmissionStatus::Pending {
        return Err(already_settled(&submission));
    }
    let received_on = submission::receipt_date_of_confirmation(submission.submitted_on(), received_on, now.today)?;
    if !submissions::settle(conn, id, SubmissionStatus::Confirmed, None, actor.user_id, now.at)? {
        let current = submissions::find(conn, id)?.ok_or_else(not_found)?;
        return Err(already_settled(&current));
    }
    let new = NewCase {
        agency_id: submission.agency_id,
        channel: Channel::Online,
        submitted_on: Some(submission.submitted_on()),
        received_on,
        applicant: submission.applicant.clone(),
        description: submission.description.clone(),
        items: submission.items.clone(),
    };
    let registered = intake::register(conn, actor, &new, None, &Options::default(), now)?;
    submissions::set_case(conn, id, registered.details.state.case.id)?;
    Ok(registered)
}

/// Reject a pending submission as not a disclosure request; the reason is shown to the applicant.
///
/// # Errors
/// 403/404 as for the queue, 409 when it was settled before, 422 for a missing or long reason.
pub fn reject(
    conn: &mut DbConnection,
    actor: &Actor,
    id: SubmissionId,
    reason: &str,
    at: NaiveDateTime,
) -> ServiceResult<Submission> {
    let mut errors = Errors::default();
    let reason = errors.text("reason", reason, REASON);
    errors.finish()?;
    let submission = visible(conn, actor, id)?;
    if submission.status != SubmissionStatus::Pending {
        return Err(already_settled(&submission));
    }
    if !submissions::settle(conn, id, SubmissionStatus::Rejected, Some(&reason), actor.user_id, at)? {
        let current = submissions::find(conn, id)?.ok_or_else(not_found)?;
        return Err(already_settled(&current));
    }
    submissions::find(conn, id)?.ok_or_else(not_found)
}

/// When the applicant of a case that came online asked, on the status page, to withdraw it
/// (`None`: not asked, or not an online application). For the case's officers, who record the
/// withdrawal itself as a step.
///
/// # Errors
/// 404 for an invisible case.
pub fn withdrawal_requested(
    conn: &mut DbConnection,
    actor: &Actor,
    case_id: crate::domain::ids::CaseId,
) -> ServiceResult<Option<NaiveDateTime>> {
    super::cases::get_visible(conn, actor, case_id)?;
    Ok(submissions::find_by_case(conn, case_id)?.and_then(|s| s.withdrawal_requested_at))
}
