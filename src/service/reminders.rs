//! The daily reminder digest: each officer and supervisor with an e-mail address gets, once a
//! day, the running cases that are due within a few working days or overdue, and the open
//! chases (督办). A case with a handler is reminded to its handler; one without, to the officers
//! of its handling unit (a routed one, to the unit it was sent to); supervisors get every case
//! of their agency and of their unit. The digest is queued in the outbox, so its delivery and
//! retries are the letters'.

use super::outbox::{enqueue, Draft};
use super::{Now, ServiceResult};
use crate::domain::case::CaseSummary;
use crate::domain::clock::is_overdue;
use crate::domain::cn_date;
use crate::domain::ids::{AgencyId, UserId};
use crate::domain::Role;
use crate::storage::deadlines::Recipient;
use crate::storage::outbox::claim_reminder;
use crate::storage::{deadlines, users, workflow, Db, DbConnection};

/// Cases listed in one digest at most (the counts are always complete).
const DIGEST_LIMIT: i64 = 200;

/// One digest queued: (user id, outbox message id).
pub type Queued = (i64, i64);

fn escape(text: &str) -> String {
    text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

/// Queue today's digest for one user, unless it was queued already today (the `(day, recipient)`
/// claim in `reminder_runs`, taken in the same transaction) or there is nothing to report.
///
/// # Errors
/// A database error.
pub fn digest_for(
    conn: &mut DbConnection,
    user_id: i64,
    recipient: Recipient,
    email: &str,
    within_working_days: u32,
    now: &Now<'_>,
) -> ServiceResult<Option<i64>> {
    let today = now.today;
    if !claim_reminder(conn, today, email, now.at)? {
        return Ok(None);
    }
    let until = now.calendar.add_working_days(today, within_working_days);
    let rows = deadlines::to_remind(conn, recipient, today, until, DIGEST_LIMIT)?;
    let chases = workflow::open_chases_for(conn, recipient, DIGEST_LIMIT)?;
    if rows.is_empty() && chases.is_empty() {
        return Ok(None);
    }
    let (overdue, due): (Vec<&CaseSummary>, Vec<&CaseSummary>) =
        rows.iter().partition(|c| is_overdue(c.status, c.due_on, today));
    let (today_zh, until_zh) = (cn_date(today), cn_date(until));
    let mut text = format!("{today_zh}办理提醒：{} 件已逾期，{} 件将在{until_zh}前到期。\n", overdue.len(), due.len());
    let mut html =
        format!("<p>{today_zh}办理提醒：{} 件已逾期，{} 件将在{until_zh}前到期。</p>\n", overdue.len(), due.len());
    for (title, list) in [("已逾期", &overdue), ("即将到期", &due)] {
        if list.is_empty() {
            continue;
        }
        text.push_str(&format!("\n{title}：\n"));
        html.push_str(&format!("<h3>{title}</h3>\n<ul>\n"));
        for case in list.iter() {
            let due_on = case.due_on.map_or_else(String::new, cn_date);
            text.push_str(&format!("- {} 答复期限 {due_on}：{}\n", case.case_number, case.description));
            html.push_str(&format!(
                "<li>{} 答复期限 {due_on}：{}</li>\n",
                escape(&case.case_number),
                escape(&case.description)
            ));
        }
        html.push_str("</ul>\n");
    }
    if !chases.is_empty() {
        text.push_str(&format!("\n督办事项（{} 件）：\n", chases.len()));
        html.push_str(&format!("<h3>督办事项（{} 件）</h3>\n<ul>\n", chases.len()));
        for (chase, number) in &chases {
            let due = cn_date(chase.due_on);
            let late = if chase.is_late(today) { "（已超过督办期限）" } else { "" };
            text.push_str(&format!("- {number} 督办期限 {due}{late}：{}\n", chase.matter));
            html.push_str(&format!("<li>{} 督办期限 {due}{late}：{}</li>\n", escape(number), escape(&chase.matter)));
        }
        html.push_str("</ul>\n");
    }
    let mut subject =
        format!("政府信息公开办理提醒（{today_zh}）：逾期 {} 件，即将到期 {} 件", overdue.len(), due.len());
    if !chases.is_empty() {
        subject.push_str(&format!("，督办 {} 件", chases.len()));
    }
    let reference = format!("digest-{today}-{user_id}");
    let draft = Draft {
        case_id: None,
        reference: &reference,
        kind: "reminder_digest",
        recipient: Some(email),
        subject: &subject,
        text: &text,
        html: &html,
    };
    Ok(Some(enqueue(conn, &draft, now)?))
}

/// Queue today's digests of every officer and supervisor with an e-mail address, each in its own
/// transaction. Safe to run on several instances and several times a day: each (day, address)
/// is sent once.
///
/// # Errors
/// A database error (digests queued before it stay queued).
pub fn run(db: &Db, within_working_days: u32, now: Now<'_>) -> ServiceResult<Vec<Queued>> {
    let recipients =
        db.write_blocking(|conn| Ok::<_, super::ServiceError>(users::with_email(conn, &["officer", "supervisor"])?))?;
    let mut queued = Vec::new();
    for (user_id, agency_id, email, role) in recipients {
        let agency = AgencyId::new(agency_id);
        let recipient = if role == Role::Supervisor.as_str() {
            Recipient::Supervisor { agency }
        } else {
            Recipient::Handler { user_id: UserId::new(user_id), unit: agency }
        };
        let id = db.write_blocking(|conn| digest_for(conn, user_id, recipient, &email, within_working_days, &now))?;
        if let Some(id) = id {
            queued.push((user_id, id));
        }
    }
    Ok(queued)
}
