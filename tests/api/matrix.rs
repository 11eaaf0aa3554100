//! The authorization matrix: every `/api/v1` route × every role (bound to agency A, plus the
//! unbound administrator and auditor) × a target in the caller's own agency A, its child A1 and the
//! unrelated agency B. The expected status of each request comes from one rules function written
//! from the README (visibility → 404, role → 403, else the route's success status), never by hand
//! per row. Every write acts on a fixture of its own, so the order of the rows does not matter.
//!
//! Where the service answers otherwise and the difference is a known, reported deviation from the
//! README, the row is listed in [`KNOWN_DEVIATIONS`]: the test prints it and passes; any other
//! difference (or a listed deviation that no longer occurs) fails the test.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::atomic::{AtomicI64, Ordering};
use std::time::Instant;

use futures_util::stream::{self, StreamExt};
use gongkai::domain::Role;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

use crate::helpers::{expect, intake_body, spawn_app_with, TestApp};

/// Requests in flight at once (the server runs two workers).
const CONCURRENCY: usize = 6;

// ------------------------------------------------------------------ who, where

/// The callers: each role bound to agency A, and the two roles that may be unbound.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
enum Who {
    Clerk,
    Officer,
    Supervisor,
    Admin,
    Auditor,
    UnboundAdmin,
    UnboundAuditor,
}

const EVERYONE: [Who; 7] =
    [Who::Clerk, Who::Officer, Who::Supervisor, Who::Admin, Who::Auditor, Who::UnboundAdmin, Who::UnboundAuditor];

impl Who {
    fn role(self) -> Role {
        match self {
            Who::Clerk => Role::Clerk,
            Who::Officer => Role::Officer,
            Who::Supervisor => Role::Supervisor,
            Who::Admin | Who::UnboundAdmin => Role::Admin,
            Who::Auditor | Who::UnboundAuditor => Role::Auditor,
        }
    }

    /// Bound to agency A (sees A and its descendants); unbound callers see every agency.
    fn bound(self) -> bool {
        !matches!(self, Who::UnboundAdmin | Who::UnboundAuditor)
    }
}

/// Where the request's target (case, appeal, user, agency, report) lives, seen from A.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
enum Target {
    /// A itself.
    Own,
    /// A1, a child of A.
    Child,
    /// B, a root agency outside A's subtree.
    Unrelated,
}

const TARGETS: [Target; 3] = [Target::Own, Target::Child, Target::Unrelated];

// ------------------------------------------------------------------ the rules (README)

/// What the README lets a role do ("clerk registers and reads; officer also records steps and
/// decisions; supervisor also approves extensions and amends; admin also manages agencies and
/// users; auditor only reads"), written here independently of `Role::can_*`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum May {
    /// Every authenticated user.
    Anyone,
    /// Register requests: clerk, officer, supervisor, admin.
    Register,
    /// Record steps and decisions: officer, supervisor, admin.
    Handle,
    /// Approve extensions, amend concluded cases, seal reports: supervisor, admin.
    Supervise,
    /// Manage agencies and users: admin.
    Administer,
    /// Read users: admin and auditor ("admin (auditor reads)").
    ReadUsers,
    /// Replace the national calendar: an admin bound to no agency.
    NationalAdmin,
}

impl May {
    fn allows(self, who: Who) -> bool {
        use Who::*;
        match self {
            May::Anyone => true,
            May::Register => matches!(who, Clerk | Officer | Supervisor | Admin | UnboundAdmin),
            May::Handle => matches!(who, Officer | Supervisor | Admin | UnboundAdmin),
            May::Supervise => matches!(who, Supervisor | Admin | UnboundAdmin),
            May::Administer => matches!(who, Admin | UnboundAdmin),
            May::ReadUsers => matches!(who, Admin | UnboundAdmin | Auditor | UnboundAuditor),
            May::NationalAdmin => who == UnboundAdmin,
        }
    }
}

/// Whether the target's agency decides visibility.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Seen {
    /// The target lives in an agency: invisible → 404.
    Scoped,
    /// No agency (calendar, the caller itself, unfiltered lists): nothing to hide.
    Global,
}

/// Which refusal wins when both apply.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum First {
    /// 404 before 403: the target is looked up first (every case, appeal and report route).
    Visibility,
    /// 403 before 404: routes that only some roles may use at all answer 403 whatever the target
    /// (creating agencies, users and cases; managing users), as the brief notes for `POST /users`.
    Role,
}

/// The one rules function: the status a request should get.
fn expected(ep: &Endpoint, who: Who, target: Target) -> StatusCode {
    let visible = ep.seen == Seen::Global || !who.bound() || target != Target::Unrelated;
    let allowed = ep.may.allows(who);
    match (ep.first, visible, allowed) {
        (_, true, true) => ep.success,
        (First::Role, _, false) => StatusCode::FORBIDDEN,
        (_, false, _) => StatusCode::NOT_FOUND,
        (First::Visibility, true, false) => StatusCode::FORBIDDEN,
    }
}

/// A known difference between the service and the README's rules, kept asserted as the README
/// says and printed instead of failing. Each names the src function that decides it.
struct Deviation {
    endpoint: &'static str,
    who: Who,
    target: Target,
    actual: StatusCode,
    decided_by: &'static str,
    why: &'static str,
}

/// None today: the README's rules are the service's. (Clerks record the arrival of a corrected
/// application and of a fee payment: both reach the intake desk, as the README says.)
const KNOWN_DEVIATIONS: &[Deviation] = &[];

// ------------------------------------------------------------------ the table

/// The state a row's target must be in. `Site` is the shared, read-only fixture of the target's
/// agency; every other kind is built fresh for the row (the row writes).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Fixture {
    Site,
    /// Nothing to build: the row creates its own target (an agency, user, case, calendar year or
    /// section two), with names made unique by `Ids::n`.
    Created,
    Received,
    AwaitingCorrection,
    InConsultation,
    AwaitingFee,
    /// Received, the applicant asked for reasons (Art. 35).
    ReasonsRequested,
    Concluded,
    PendingAppeal,
    ActiveUser,
    InactiveUser,
    UnsealedYear,
    /// An online application waiting for the desk.
    PendingSubmission,
    /// Received, with an officer of its agency (`user`) to assign it to.
    Assignable,
    /// Received, with a new unit under its agency (`unit`) to route it to.
    Routable,
    /// Received and routed to a new unit under its agency, not yet signed for.
    Routed,
    /// Received, with an open chase (`chase`).
    Chased,
    /// A document of a received case (not withdrawn).
    Document,
}

/// The ids a path template and a body are filled from.
#[derive(Clone, Debug)]
struct Ids {
    agency: i64,
    case: i64,
    consultation: i64,
    /// The consultation letter of `consultation` (sent by post).
    letter: i64,
    appeal: i64,
    user: i64,
    year: i32,
    /// An online application: its id, number and query code.
    submission: i64,
    number: String,
    code: String,
    /// A document of `case`.
    document: i64,
    /// Unique per row (agency codes).
    n: i64,
    /// A unit under the agency (routing).
    unit: i64,
    /// An open chase of `case`.
    chase: i64,
}

type Body = fn(&Ids, &str) -> Value;

/// One route with its rule.
struct Endpoint {
    method: Method,
    /// `{agency}`, `{case}`, `{cid}`, `{appeal}`, `{user}` and `{year}` are filled from [`Ids`].
    path: &'static str,
    fixture: Fixture,
    seen: Seen,
    may: May,
    first: First,
    success: StatusCode,
    body: Option<Body>,
    /// For lists: the field of each item naming its agency (checked against visibility).
    list: Option<&'static str>,
    /// The route as `api_v1` registers it (for the coverage count).
    route: &'static str,
}

impl Endpoint {
    fn name(&self) -> String {
        format!("{} {}", self.method, self.path)
    }

    fn writes(&self) -> bool {
        self.fixture != Fixture::Site
    }
}

fn ep(method: Method, route: &'static str, path: &'static str, may: May, success: u16) -> Endpoint {
    Endpoint {
        method,
        path,
        fixture: Fixture::Site,
        seen: Seen::Scoped,
        may,
        first: First::Visibility,
        success: StatusCode::from_u16(success).unwrap(),
        body: None,
        list: None,
        route,
    }
}

impl Endpoint {
    fn on(mut self, fixture: Fixture) -> Self {
        self.fixture = fixture;
        self
    }
    fn global(mut self) -> Self {
        self.seen = Seen::Global;
        self
    }
    fn role_first(mut self) -> Self {
        self.first = First::Role;
        self
    }
    fn body(mut self, body: Body) -> Self {
        self.body = Some(body);
        self
    }
    fn list(mut self, field: &'static str) -> Self {
        self.list = Some(field);
        self
    }
}

fn correction_request_body(today: &str) -> Value {
    json!({"issued_on": today, "respond_by": "2200-12-31", "matters": "请补充所需信息的文号"})
}
fn consultation_body(today: &str) -> Value {
    json!({"party_kind": "third_party", "party": "某科技有限公司", "sent_on": today})
}
fn fee_notice_body(today: &str) -> Value {
    json!({"issued_on": today, "basis": "per_page", "pages": 100})
}
fn reasons_request_body(today: &str) -> Value {
    let today = chrono::NaiveDate::parse_from_str(today, "%Y-%m-%d").unwrap();
    let respond_by = today + chrono::Duration::days(10);
    json!({"requested_on": today, "respond_by": respond_by, "grounds": "一个月内申请六十件"})
}
fn decision_body(today: &str) -> Value {
    json!({"decided_on": today, "outcome": "disclosed", "basis": "依据第三十六条第（二）项予以提供"})
}
fn appeal_body(today: &str) -> Value {
    json!({"kind": "reconsideration", "filed_on": today})
}
fn application_body(agency: i64) -> Value {
    json!({
        "agency_id": agency,
        "applicant": {"category": "natural_person", "name": "网上申请人", "id_number": "11010519491231002X", "phone": "13800000000"},
        "description": "矩阵测试：网上申请",
        "delivery": {"form": "electronic", "method": "online"}
    })
}
/// A document's content, sent raw (see [`CSV_BODY`]).
fn document_body() -> Value {
    Value::Object([(CSV_BODY.to_owned(), Value::String("编号,名称\n1,矩阵测试\n".to_owned()))].into_iter().collect())
}
fn calendar_body() -> Value {
    json!({"notice": "矩阵测试", "notices": ["矩阵测试"], "rest_days": [], "work_days": []})
}
fn text_body() -> Value {
    json!({"overview": "矩阵测试：总体情况", "problems_and_improvements": "无", "other_matters": "无"})
}
fn section_two_body() -> Value {
    json!({
        "template": "2021",
        "rules": {"issued": 1, "repealed": 0, "in_force": 4},
        "normative_documents": {"issued": 2, "repealed": 1, "in_force": 10},
        "licensing": {"decisions": 83},
        "penalties": {"decisions": 9},
        "enforcement": {"decisions": 0},
        "fees": {"amount_fen": 0}
    })
}

/// Every `/api/v1` route of `api_v1`, in its order, with its rule.
fn endpoints() -> Vec<Endpoint> {
    use Fixture::*;
    use May::*;
    let (get, post, put) = (Method::GET, Method::POST, Method::PUT);
    vec![
        // agencies
        ep(post.clone(), "agencies::create_agency", "/api/v1/agencies", Administer, 201)
            .role_first()
            .on(Created)
            .body(|ids, _| json!({"name": format!("矩阵{}", ids.n), "code": format!("MX{}", ids.n), "parent_id": ids.agency})),
        ep(get.clone(), "agencies::list_agencies", "/api/v1/agencies?limit=200", Anyone, 200).global().list("id"),
        // A filter, not a lookup: an invisible parent gives an empty page, as an unknown one does.
        ep(get.clone(), "agencies::list_agencies", "/api/v1/agencies?parent_id={agency}&limit=200", Anyone, 200)
            .global()
            .list("id"),
        ep(get.clone(), "agencies::get_agency", "/api/v1/agencies/{agency}", Anyone, 200),
        ep(Method::PATCH, "agencies::update_agency", "/api/v1/agencies/{agency}", Administer, 200)
            .role_first()
            .on(Created)
            .body(|_, _| json!({"accepts_online_applications": true})),
        ep(get.clone(), "agencies::dashboard", "/api/v1/agencies/{agency}/dashboard", Anyone, 200),
        // calendar
        ep(get.clone(), "calendar::list_years", "/api/v1/calendar", Anyone, 200).global(),
        ep(get.clone(), "calendar::get_year", "/api/v1/calendar/2024", Anyone, 200).global(),
        ep(put.clone(), "calendar::put_year", "/api/v1/calendar/2199", NationalAdmin, 200)
            .global()
            .on(Created)
            .body(|_, _| calendar_body()),
        ep(get.clone(), "calendar::year_changes", "/api/v1/calendar/2024/changes", Anyone, 200).global(),
        // users
        ep(post.clone(), "users::create_user", "/api/v1/users", Administer, 201)
            .role_first()
            .on(Created)
            .body(|ids, _| json!({"name": format!("矩阵{}", ids.n), "role": "clerk", "agency_id": ids.agency})),
        ep(get.clone(), "users::list_users", "/api/v1/users?limit=200", ReadUsers, 200).global().list("agency_id"),
        ep(get.clone(), "users::me", "/api/v1/users/me", Anyone, 200).global(),
        ep(get.clone(), "audit::list_audit", "/api/v1/audit", ReadUsers, 200).global(),
        ep(get.clone(), "users::get_user", "/api/v1/users/{user}", ReadUsers, 200).role_first(),
        ep(post.clone(), "users::deactivate_user", "/api/v1/users/{user}/deactivate", Administer, 200)
            .role_first()
            .on(ActiveUser),
        ep(post.clone(), "users::activate_user", "/api/v1/users/{user}/activate", Administer, 200)
            .role_first()
            .on(InactiveUser),
        ep(post.clone(), "users::issue_token", "/api/v1/users/{user}/tokens", Administer, 201)
            .role_first()
            .on(ActiveUser)
            .body(|_, _| json!({"revoke_others": false})),
        ep(put.clone(), "users::set_login", "/api/v1/users/{user}/login", Administer, 200)
            .role_first()
            .on(ActiveUser)
            .body(|ids, _| json!({"login": format!("matrix{}", ids.n)})),
        ep(post.clone(), "users::set_password", "/api/v1/users/{user}/password", Administer, 200)
            .role_first()
            .on(ActiveUser)
            .body(|_, _| json!({"password": "矩阵测试用的密码"})),
        // cases
        ep(post.clone(), "cases::create_case", "/api/v1/cases", Register, 201)
            .role_first()
            .on(Created)
            .body(|ids, today| intake_body(ids.agency, today)),
        ep(get.clone(), "cases::list_cases", "/api/v1/cases?limit=200", Anyone, 200).global().list("agency_id"),
        ep(get.clone(), "cases::list_cases", "/api/v1/cases?agency_id={agency}&limit=200", Anyone, 200)
            .list("agency_id"),
        ep(get.clone(), "cases::get_case", "/api/v1/cases/{case}", Anyone, 200),
        ep(get.clone(), "ledger::export_ledger", "/api/v1/cases/export?agency_id={agency}&format=csv", Anyone, 200),
        ep(post.clone(), "ledger::import_ledger", "/api/v1/imports?agency_id={agency}", Register, 201)
            .role_first()
            .on(Created)
            .body(|ids, today| {
                let header = "申请编号,收到申请日期,申请方式,申请人类型,申请人姓名或名称,申请内容";
                let csv = format!("{header}\nM-{},{today},当面,自然人,张三,预算", ids.n);
                Value::Object([(CSV_BODY.to_owned(), Value::String(csv))].into_iter().collect())
            }),
        ep(get.clone(), "cases::case_events", "/api/v1/cases/{case}/events", Anyone, 200),
        ep(get.clone(), "cases::case_outbox", "/api/v1/cases/{case}/outbox", Anyone, 200),
        ep(get.clone(), "cases::case_clock", "/api/v1/cases/{case}/clock", Anyone, 200),
        ep(post.clone(), "documents::upload_document", "/api/v1/cases/{case}/documents?kind=other&filename=m.csv", Register, 201)
            .on(Received)
            .body(|_, _| document_body()),
        ep(get.clone(), "documents::list_documents", "/api/v1/cases/{case}/documents", Anyone, 200),
        ep(get.clone(), "documents::download_document", "/api/v1/documents/{document}", Anyone, 200),
        ep(post.clone(), "documents::withdraw_document", "/api/v1/documents/{document}/withdraw", Handle, 200)
            .on(Document)
            .body(|_, _| json!({"reason": "矩阵测试：传错了"})),
        ep(get.clone(), "similar::similar_cases", "/api/v1/cases/{case}/similar", Anyone, 200),
        ep(get.clone(), "steps::case_letters", "/api/v1/cases/{case}/letters", Anyone, 200),
        ep(get.clone(), "steps::letter", "/api/v1/cases/{case}/letters/acknowledgement", Anyone, 200),
        ep(post.clone(), "steps::request_correction", "/api/v1/cases/{case}/correction-request", Handle, 200)
            .on(Received)
            .body(|_, today| correction_request_body(today)),
        ep(post.clone(), "steps::receive_correction", "/api/v1/cases/{case}/correction", Register, 200)
            .on(AwaitingCorrection)
            .body(|_, today| json!({"received_on": today})),
        ep(post.clone(), "steps::start_consultation", "/api/v1/cases/{case}/consultations", Handle, 201)
            .on(Received)
            .body(|_, today| consultation_body(today)),
        ep(get.clone(), "steps::list_consultations", "/api/v1/cases/{case}/consultations", Anyone, 200),
        ep(post.clone(), "steps::reply_consultation", "/api/v1/cases/{case}/consultations/{cid}/reply", Handle, 200)
            .on(InConsultation)
            .body(|_, today| json!({"replied_on": today, "opinion": "consent"})),
        ep(post.clone(), "steps::extend", "/api/v1/cases/{case}/extension", Supervise, 200)
            .on(Received)
            .body(|_, today| {
                json!({"approved_on": today, "notified_on": today, "working_days": 10, "reason": "需要调取档案"})
            }),
        ep(post.clone(), "steps::issue_fee_notice", "/api/v1/cases/{case}/fee-notice", Handle, 200)
            .on(Received)
            .body(|_, today| fee_notice_body(today)),
        ep(post.clone(), "steps::pay_fee", "/api/v1/cases/{case}/fee-payment", Register, 200)
            .on(AwaitingFee)
            .body(|_, today| json!({"paid_on": today})),
        ep(post.clone(), "steps::request_reasons", "/api/v1/cases/{case}/reasons-request", Handle, 200)
            .on(Received)
            .body(|_, today| reasons_request_body(today)),
        ep(post.clone(), "steps::receive_reasons", "/api/v1/cases/{case}/reasons", Register, 200)
            .on(ReasonsRequested)
            .body(|_, today| json!({"received_on": today, "reasons": "研究需要"})),
        // workflow
        ep(get.clone(), "workflow::get_assignment", "/api/v1/cases/{case}/assignment", Anyone, 200),
        ep(post.clone(), "workflow::assign", "/api/v1/cases/{case}/assignment", Supervise, 200)
            .on(Assignable)
            .body(|ids, _| json!({"handler_id": ids.user})),
        ep(post.clone(), "workflow::reassign_all", "/api/v1/users/{user}/reassign", Supervise, 200)
            .on(ActiveUser)
            .role_first()
            .body(|ids, _| json!({"handler_id": ids.user, "reason": "矩阵测试"})),
        ep(post.clone(), "workflow::route", "/api/v1/cases/{case}/routing", Handle, 200)
            .on(Routable)
            .body(|ids, _| json!({"unit_id": ids.unit})),
        // The unit signs or returns: of the callers bound to A, only supervisors are over it.
        ep(post.clone(), "workflow::accept_routing", "/api/v1/cases/{case}/routing/accept", Supervise, 200).on(Routed),
        ep(post.clone(), "workflow::return_routing", "/api/v1/cases/{case}/routing/return", Supervise, 200)
            .on(Routed)
            .body(|_, _| json!({"reason": "矩阵测试"})),
        ep(post.clone(), "workflow::create_chase", "/api/v1/cases/{case}/chases", Supervise, 201)
            .on(Received)
            .body(|_, _| json!({"matter": "矩阵督办", "due_on": "2200-12-31"})),
        ep(get.clone(), "workflow::case_chases", "/api/v1/cases/{case}/chases", Anyone, 200),
        ep(post.clone(), "workflow::close_chase", "/api/v1/cases/{case}/chases/{chase}/close", Supervise, 200)
            .on(Chased)
            .body(|_, _| json!({"note": "矩阵测试"})),
        ep(get.clone(), "workflow::open_chases", "/api/v1/chases?agency_id={agency}", Anyone, 200),
        ep(post.clone(), "cases::decide", "/api/v1/cases/{case}/decision", Handle, 200)
            .on(Received)
            .body(|_, today| decision_body(today)),
        ep(post.clone(), "cases::withdraw", "/api/v1/cases/{case}/withdrawal", Handle, 200)
            .on(Received)
            .body(|_, today| json!({"withdrawn_on": today})),
        ep(post.clone(), "steps::amend", "/api/v1/cases/{case}/amendment", Supervise, 200)
            .on(Concluded)
            .body(|_, _| {
                json!({"outcome": "partially_disclosed", "reason": "矩阵测试：更正结果", "basis": "不予公开部分的理由"})
            }),
        // mistakes put right (an officer voids or corrects only a registration of their own on its
        // day, which the matrix's fixtures are not: tests/api/corrections.rs covers that)
        ep(post.clone(), "corrections::void", "/api/v1/cases/{case}/void", Supervise, 200)
            .on(Received)
            .body(|_, _| json!({"reason": "矩阵测试：重复登记"})),
        ep(post.clone(), "corrections::correct_intake", "/api/v1/cases/{case}/intake-correction", Supervise, 200)
            .on(Received)
            .body(|_, _| json!({"reason": "矩阵测试：录入错误", "description": "更正后的申请内容"})),
        ep(post.clone(), "corrections::revoke", "/api/v1/cases/{case}/steps/2/revoke", Supervise, 200)
            .on(AwaitingCorrection)
            .body(|_, _| json!({"reason": "矩阵测试：误录"})),
        // online applications: the public portal (no sign-in needed; a token changes nothing) and
        // the desk's queue
        ep(get.clone(), "public::challenge", "/api/v1/public/challenge", Anyone, 404).global(),
        ep(post.clone(), "public::apply", "/api/v1/public/applications", Anyone, 201)
            .global()
            .on(Created)
            .body(|ids, _| application_body(ids.agency)),
        ep(get.clone(), "public::status", "/api/v1/public/status?number={number}&code={code}", Anyone, 200).global(),
        ep(post.clone(), "public::withdraw", "/api/v1/public/withdrawal-requests", Anyone, 200)
            .global()
            .on(PendingSubmission)
            .body(|ids, _| json!({"number": ids.number, "code": ids.code})),
        ep(get.clone(), "submissions::list_submissions", "/api/v1/submissions", Register, 200).global().list("agency_id"),
        // A filter: an invisible agency gives an empty list.
        ep(get.clone(), "submissions::list_submissions", "/api/v1/submissions?agency_id={agency}", Register, 200)
            .global()
            .list("agency_id"),
        ep(post.clone(), "submissions::confirm", "/api/v1/submissions/{submission}/confirm", Register, 201)
            .role_first()
            .on(PendingSubmission),
        ep(post.clone(), "submissions::reject", "/api/v1/submissions/{submission}/reject", Register, 200)
            .role_first()
            .on(PendingSubmission)
            .body(|_, _| json!({"reason": "矩阵测试：属于投诉"})),
        // letters
        ep(get.clone(), "letters::print_queue", "/api/v1/letters?limit=200", Anyone, 200).global(),
        ep(post.clone(), "letters::mark_printed", "/api/v1/letters/{letter}/printed", Register, 200).on(InConsultation),
        ep(post.clone(), "letters::mark_posted", "/api/v1/letters/{letter}/posted", Register, 200)
            .on(InConsultation)
            .body(|_, today| json!({"posted_on": today, "tracking_number": "EMS123"})),
        ep(post.clone(), "letters::mark_served", "/api/v1/letters/{letter}/served", Register, 200)
            .on(InConsultation)
            .body(|_, today| json!({"served_on": today})),
        ep(get.clone(), "letters::get_settings", "/api/v1/agencies/{agency}/settings", Anyone, 200),
        ep(put.clone(), "letters::put_settings", "/api/v1/agencies/{agency}/settings", Supervise, 200)
            .on(Created)
            .body(|_, _| {
                json!({"contact": "政务服务中心三楼", "court": "南山区人民法院",
                    "reconsideration_body": "南山区人民政府", "fee_payment": "财政非税收入专户"})
            }),
        // appeals
        ep(post.clone(), "appeals::file_appeal", "/api/v1/cases/{case}/appeals", Handle, 201)
            .on(Concluded)
            .body(|_, today| appeal_body(today)),
        ep(get.clone(), "appeals::case_appeals", "/api/v1/cases/{case}/appeals", Anyone, 200),
        ep(get.clone(), "appeals::list_appeals", "/api/v1/appeals?limit=200", Anyone, 200).global().list("agency_id"),
        ep(get.clone(), "appeals::list_appeals", "/api/v1/appeals?agency_id={agency}&limit=200", Anyone, 200)
            .list("agency_id"),
        ep(get.clone(), "appeals::get_appeal", "/api/v1/appeals/{appeal}", Anyone, 200),
        ep(post.clone(), "appeals::appeal_result", "/api/v1/appeals/{appeal}/result", Handle, 200)
            .on(PendingAppeal)
            .body(|_, today| json!({"result": "upheld", "decided_on": today})),
        // reports
        ep(get.clone(), "reports::annual_report", "/api/v1/reports/annual/2023?agency_id={agency}", Anyone, 200),
        ep(
            get.clone(),
            "reports::cell_cases",
            "/api/v1/reports/annual/2023/cases?agency_id={agency}&row=new_received&column=total",
            Anyone,
            200,
        ),
        ep(post.clone(), "reports::seal_report", "/api/v1/reports/annual/{year}/seal?agency_id={agency}", Supervise, 201)
            .on(UnsealedYear)
            .body(|_, _| json!({})),
        ep(get.clone(), "reports::drift", "/api/v1/reports/annual/1999/drift?agency_id={agency}", Anyone, 200),
        ep(
            get.clone(),
            "reports::get_section_two",
            "/api/v1/reports/annual/2023/section-two?agency_id={agency}",
            Anyone,
            200,
        ),
        ep(put.clone(), "reports::put_section_two", "/api/v1/reports/annual/2023/section-two?agency_id={agency}", Handle, 200)
            .on(Created)
            .body(|_, _| section_two_body()),
        // the written parts and the whole document
        ep(get.clone(), "report_text::get_text", "/api/v1/reports/annual/2023/text?agency_id={agency}", Anyone, 200),
        ep(put, "report_text::put_text", "/api/v1/reports/annual/2023/text?agency_id={agency}", Handle, 200)
            .on(Created)
            .body(|_, _| text_body()),
        ep(
            get.clone(),
            "report_text::text_versions",
            "/api/v1/reports/annual/2023/text/versions?agency_id={agency}",
            Anyone,
            200,
        ),
        ep(
            get.clone(),
            "report_text::text_figures",
            "/api/v1/reports/annual/2023/text/figures?agency_id={agency}",
            Anyone,
            200,
        ),
        ep(get, "report_text::report_document", "/api/v1/reports/annual/1999/document?agency_id={agency}", Anyone, 200),
    ]
}

/// The routes `api_v1` registers (src/http/mod.rs), to check that the table leaves none out.
const API_V1_ROUTES: &[&str] = &[
    "agencies::create_agency",
    "agencies::list_agencies",
    "agencies::get_agency",
    "agencies::update_agency",
    "agencies::dashboard",
    "calendar::list_years",
    "calendar::get_year",
    "calendar::put_year",
    "calendar::year_changes",
    "users::create_user",
    "users::list_users",
    "users::me",
    "users::get_user",
    "users::deactivate_user",
    "users::activate_user",
    "users::issue_token",
    "users::set_login",
    "users::set_password",
    "cases::create_case",
    "public::challenge",
    "public::apply",
    "public::status",
    "public::withdraw",
    "submissions::list_submissions",
    "submissions::confirm",
    "submissions::reject",
    "cases::list_cases",
    "cases::get_case",
    "ledger::export_ledger",
    "ledger::import_ledger",
    "cases::case_events",
    "cases::case_outbox",
    "cases::case_clock",
    "documents::upload_document",
    "documents::list_documents",
    "documents::download_document",
    "documents::withdraw_document",
    "similar::similar_cases",
    "steps::case_letters",
    "steps::letter",
    "audit::list_audit",
    "steps::request_correction",
    "steps::receive_correction",
    "steps::start_consultation",
    "steps::list_consultations",
    "steps::reply_consultation",
    "steps::extend",
    "steps::issue_fee_notice",
    "steps::pay_fee",
    "steps::request_reasons",
    "steps::receive_reasons",
    "workflow::get_assignment",
    "workflow::assign",
    "workflow::reassign_all",
    "workflow::route",
    "workflow::accept_routing",
    "workflow::return_routing",
    "workflow::create_chase",
    "workflow::case_chases",
    "workflow::close_chase",
    "workflow::open_chases",
    "cases::decide",
    "cases::withdraw",
    "steps::amend",
    "corrections::void",
    "corrections::correct_intake",
    "corrections::revoke",
    "letters::print_queue",
    "letters::mark_printed",
    "letters::mark_posted",
    "letters::mark_served",
    "letters::get_settings",
    "letters::put_settings",
    "appeals::file_appeal",
    "appeals::case_appeals",
    "appeals::list_appeals",
    "appeals::get_appeal",
    "appeals::appeal_result",
    "reports::annual_report",
    "reports::cell_cases",
    "reports::seal_report",
    "reports::drift",
    "reports::get_section_two",
    "reports::put_section_two",
    "report_text::get_text",
    "report_text::put_text",
    "report_text::text_versions",
    "report_text::text_figures",
    "report_text::report_document",
];

// ------------------------------------------------------------------ the world

/// Agencies A, A1 (child of A) and B; a user of each kind; a shared read-only fixture per agency.
struct World {
    app: TestApp,
    today: String,
    sites: HashMap<Target, Ids>,
    tokens: HashMap<Who, String>,
    counter: AtomicI64,
    years: AtomicI64,
}

/// A body `{CSV_BODY: "…"}` is sent as that text with `Content-Type: text/csv` (a ledger import,
/// a document).
const CSV_BODY: &str = "text/csv";

/// Send a request; the status and the body (JSON when it parses, else `Null`).
async fn call(app: &TestApp, method: &Method, path: &str, token: &str, body: Option<&Value>) -> (StatusCode, Value) {
    let mut request = app.client.request(method.clone(), app.url(path)).bearer_auth(token);
    match body.and_then(|b| b.get(CSV_BODY)).and_then(Value::as_str) {
        Some(csv) => request = request.header("content-type", "text/csv").body(csv.to_owned()),
        None => {
            if let Some(body) = body {
                request = request.json(body);
            }
        }
    }
    let response = request.send().await.unwrap();
    let status = response.status();
    let text = response.text().await.unwrap();
    (status, serde_json::from_str(&text).unwrap_or(Value::Null))
}

impl World {
    async fn new() -> World {
        // The portal without its challenge (a row cannot answer one) and without its limits
        // (every row comes from one address).
        let app = spawn_app_with(&[
            ("GONGKAI__PORTAL__CHALLENGE", "off"),
            ("GONGKAI__PORTAL__SUBMISSIONS_PER_HOUR", "1000000"),
            ("GONGKAI__PORTAL__LOOKUPS_PER_MINUTE", "1000000"),
        ])
        .await;
        let a = app.agency("MA", None).await;
        let a1 = app.agency("MA1", Some(a)).await;
        let b = app.agency("MB", None).await;
        // The server's date (China), so that every step is dated "today" on its clock.
        let board = expect(app.get(&format!("/api/v1/agencies/{a}/dashboard"), &app.admin).await, StatusCode::OK).await;
        let today = board["today"].as_str().unwrap().to_string();
        let mut world = World {
            app,
            today,
            sites: HashMap::new(),
            tokens: HashMap::new(),
            counter: AtomicI64::new(0),
            years: AtomicI64::new(2000),
        };
        for who in EVERYONE {
            let agency = if who.bound() { Some(a) } else { None };
            let body = json!({"name": format!("{who:?}"), "role": who.role().as_str(), "agency_id": agency});
            let created = world.root(Method::POST, "/api/v1/users", Some(body), StatusCode::CREATED).await;
            world.tokens.insert(who, created["token"].as_str().unwrap().to_string());
        }
        // The rows replace year 2199 concurrently; it exists first because two concurrent first
        // PUTs of a year race on PostgreSQL (storage::calendar::put updates, then inserts: the
        // loser's INSERT violates the primary key and answers 500). Section two of 2023 is put by
        // `site` before the rows for the same reason (storage::report::put_section_two).
        world.root(Method::PUT, "/api/v1/calendar/2199", Some(calendar_body()), StatusCode::OK).await;
        for (target, agency) in [(Target::Own, a), (Target::Child, a1), (Target::Unrelated, b)] {
            let site = world.site(agency).await;
            world.sites.insert(target, site);
        }
        world
    }

    fn next(&self) -> i64 {
        self.counter.fetch_add(1, Ordering::Relaxed)
    }

    /// A request of the root administrator that must succeed with `status`.
    async fn root(&self, method: Method, path: &str, body: Option<Value>, status: StatusCode) -> Value {
        let mut request = self.app.client.request(method, self.app.url(path)).bearer_auth(&self.app.admin);
        if let Some(body) = body {
            request = request.json(&body);
        }
        expect(request.send().await.unwrap(), status).await
    }

    async fn intake(&self, agency: i64) -> i64 {
        let case =
            self.root(Method::POST, "/api/v1/cases", Some(intake_body(agency, &self.today)), StatusCode::CREATED);
        case.await["id"].as_i64().unwrap()
    }

    async fn step(&self, case: i64, step: &str, body: Value, status: StatusCode) -> Value {
        self.root(Method::POST, &format!("/api/v1/cases/{case}/{step}"), Some(body), status).await
    }

    async fn concluded(&self, agency: i64) -> i64 {
        let case = self.intake(agency).await;
        self.step(case, "decision", decision_body(&self.today), StatusCode::OK).await;
        case
    }

    async fn appeal(&self, case: i64) -> i64 {
        self.step(case, "appeals", appeal_body(&self.today), StatusCode::CREATED).await["id"].as_i64().unwrap()
    }

    async fn user(&self, agency: i64) -> i64 {
        let body = json!({"name": format!("矩阵用户{}", self.next()), "role": "clerk", "agency_id": agency});
        self.root(Method::POST, "/api/v1/users", Some(body), StatusCode::CREATED).await["user"]["id"].as_i64().unwrap()
    }

    /// A pending online application to `agency`: its id, number and query code.
    async fn submission(&self, agency: i64) -> (i64, String, String) {
        let submitted = self
            .root(Method::POST, "/api/v1/public/applications", Some(application_body(agency)), StatusCode::CREATED)
            .await;
        let number = submitted["submission_number"].as_str().unwrap().to_string();
        let queue = self.root(Method::GET, "/api/v1/submissions?limit=500", None, StatusCode::OK).await;
        let id = queue["items"].as_array().unwrap().iter().find(|s| s["submission_number"] == number.as_str()).unwrap()
            ["id"]
            .as_i64()
            .unwrap();
        (id, number, submitted["query_code"].as_str().unwrap().to_string())
    }

    /// A document uploaded to `case` by the root administrator; its id.
    async fn document(&self, case: i64) -> i64 {
        let path = format!("/api/v1/cases/{case}/documents?kind=other&filename=site.csv");
        let (status, body) = call(&self.app, &Method::POST, &path, &self.app.admin, Some(&document_body())).await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
        body["id"].as_i64().unwrap()
    }

    /// The id of the consultation letter of a case (addressed to the party: sent by post).
    async fn consultation_letter(&self, case: i64) -> i64 {
        let letters = self.root(Method::GET, &format!("/api/v1/cases/{case}/letters"), None, StatusCode::OK).await;
        letters.as_array().unwrap().iter().find(|l| l["kind"] == "consultation_letter").unwrap()["id"].as_i64().unwrap()
    }

    /// The shared fixture of an agency: a concluded case that went through a consultation and
    /// carries an appeal, a user, section two and the text of 2023 and a sealed 1999.
    async fn site(&self, agency: i64) -> Ids {
        let case = self.intake(agency).await;
        let consultation = self.step(case, "consultations", consultation_body(&self.today), StatusCode::CREATED).await;
        let consultation = consultation["id"].as_i64().unwrap();
        let reply = json!({"replied_on": self.today, "opinion": "consent"});
        self.step(case, &format!("consultations/{consultation}/reply"), reply, StatusCode::OK).await;
        self.step(case, "decision", decision_body(&self.today), StatusCode::OK).await;
        let appeal = self.appeal(case).await;
        let user = self.user(agency).await;
        let path = format!("/api/v1/reports/annual/2023/section-two?agency_id={agency}");
        self.root(Method::PUT, &path, Some(section_two_body()), StatusCode::OK).await;
        let path = format!("/api/v1/reports/annual/2023/text?agency_id={agency}");
        self.root(Method::PUT, &path, Some(text_body()), StatusCode::OK).await;
        let path = format!("/api/v1/reports/annual/1999/seal?agency_id={agency}");
        self.root(Method::POST, &path, Some(json!({})), StatusCode::CREATED).await;
        let letter = self.consultation_letter(case).await;
        let path = format!("/api/v1/agencies/{agency}");
        self.root(Method::PATCH, &path, Some(json!({"accepts_online_applications": true})), StatusCode::OK).await;
        let (submission, number, code) = self.submission(agency).await;
        let document = self.document(case).await;
        Ids {
            agency,
            case,
            consultation,
            letter,
            appeal,
            user,
            year: 1998,
            submission,
            number,
            code,
            document,
            n: 0,
            unit: agency,
            chase: 1,
        }
    }

    /// The ids of a row: the site's, with a fresh target when the row writes.
    async fn fixture(&self, kind: Fixture, target: Target) -> Ids {
        let mut ids = self.sites[&target].clone();
        ids.n = self.next();
        let agency = ids.agency;
        match kind {
            Fixture::Site | Fixture::Created => {}
            Fixture::Received => ids.case = self.intake(agency).await,
            Fixture::AwaitingCorrection => {
                ids.case = self.intake(agency).await;
                self.step(ids.case, "correction-request", correction_request_body(&self.today), StatusCode::OK).await;
            }
            Fixture::InConsultation => {
                ids.case = self.intake(agency).await;
                let started = self.step(ids.case, "consultations", consultation_body(&self.today), StatusCode::CREATED);
                ids.consultation = started.await["id"].as_i64().unwrap();
                ids.letter = self.consultation_letter(ids.case).await;
            }
            Fixture::AwaitingFee => {
                ids.case = self.intake(agency).await;
                self.step(ids.case, "fee-notice", fee_notice_body(&self.today), StatusCode::OK).await;
            }
            Fixture::ReasonsRequested => {
                ids.case = self.intake(agency).await;
                self.step(ids.case, "reasons-request", reasons_request_body(&self.today), StatusCode::OK).await;
            }
            Fixture::Concluded => ids.case = self.concluded(agency).await,
            Fixture::PendingAppeal => {
                ids.case = self.concluded(agency).await;
                ids.appeal = self.appeal(ids.case).await;
            }
            Fixture::ActiveUser => ids.user = self.user(agency).await,
            Fixture::InactiveUser => {
                ids.user = self.user(agency).await;
                let path = format!("/api/v1/users/{}/deactivate", ids.user);
                self.root(Method::POST, &path, Some(json!({})), StatusCode::OK).await;
            }
            Fixture::UnsealedYear => ids.year = i32::try_from(self.years.fetch_add(1, Ordering::Relaxed)).unwrap(),
            Fixture::PendingSubmission => (ids.submission, ids.number, ids.code) = self.submission(agency).await,
            Fixture::Assignable => {
                ids.case = self.intake(agency).await;
                let body = json!({"name": format!("矩阵承办{}", ids.n), "role": "officer", "agency_id": agency});
                let created = self.root(Method::POST, "/api/v1/users", Some(body), StatusCode::CREATED).await;
                ids.user = created["user"]["id"].as_i64().unwrap();
            }
            Fixture::Routable | Fixture::Routed => {
                ids.case = self.intake(agency).await;
                let body =
                    json!({"name": format!("矩阵部门{}", ids.n), "code": format!("BM{}", ids.n), "parent_id": agency});
                ids.unit = self.root(Method::POST, "/api/v1/agencies", Some(body), StatusCode::CREATED).await["id"]
                    .as_i64()
                    .unwrap();
                if kind == Fixture::Routed {
                    self.step(ids.case, "routing", json!({"unit_id": ids.unit}), StatusCode::OK).await;
                }
            }
            Fixture::Chased => {
                ids.case = self.intake(agency).await;
                let body = json!({"matter": "矩阵督办", "due_on": "2200-12-31"});
                ids.chase = self.step(ids.case, "chases", body, StatusCode::CREATED).await["id"].as_i64().unwrap();
            }
            Fixture::Document => {
                ids.case = self.intake(agency).await;
                ids.document = self.document(ids.case).await;
            }
        }
        ids
    }
}

fn fill(template: &str, ids: &Ids) -> String {
    template
        .replace("{agency}", &ids.agency.to_string())
        .replace("{case}", &ids.case.to_string())
        .replace("{cid}", &ids.consultation.to_string())
        .replace("{letter}", &ids.letter.to_string())
        .replace("{appeal}", &ids.appeal.to_string())
        .replace("{user}", &ids.user.to_string())
        .replace("{year}", &ids.year.to_string())
        .replace("{submission}", &ids.submission.to_string())
        .replace("{number}", &ids.number)
        .replace("{code}", &ids.code)
        .replace("{unit}", &ids.unit.to_string())
        .replace("{chase}", &ids.chase.to_string())
        .replace("{document}", &ids.document.to_string())
}

/// The request of `ep` on `ids`: its path and body (`{}` for a POST without one).
fn request_of(ep: &Endpoint, ids: &Ids, today: &str) -> (String, Option<Value>) {
    let body = match ep.body {
        Some(body) => Some(body(ids, today)),
        None if ep.method == Method::GET => None,
        None => Some(json!({})),
    };
    (fill(ep.path, ids), body)
}

// ------------------------------------------------------------------ the matrix

/// What one row answered.
struct Answer {
    endpoint: usize,
    who: Who,
    target: Target,
    expected: StatusCode,
    actual: StatusCode,
    body: Value,
    agency: i64,
}

#[tokio::test]
async fn every_endpoint_answers_every_role_and_agency_as_the_rules_say() {
    let started = Instant::now();
    // The README's role table agrees with the crate's helpers where both speak.
    for who in EVERYONE {
        let role = who.role();
        assert_eq!(May::Register.allows(who), role.can_register(), "{who:?}");
        assert_eq!(May::Handle.allows(who), role.can_handle(), "{who:?}");
        assert_eq!(May::Supervise.allows(who), role.can_supervise(), "{who:?}");
        assert_eq!(May::Administer.allows(who), role.can_administer(), "{who:?}");
    }
    let table = endpoints();
    let covered: BTreeSet<&str> = table.iter().map(|e| e.route).collect();
    let routes: BTreeSet<&str> = API_V1_ROUTES.iter().copied().collect();
    assert_eq!(covered, routes, "the table covers exactly the routes of api_v1");
    // …and the list is the router's own: one entry per operation of the generated document.
    let document = gongkai::http::openapi();
    let operations: usize = document
        .paths
        .paths
        .iter()
        .filter(|(path, _)| path.starts_with("/api/v1/"))
        .map(|(_, item)| {
            [&item.get, &item.put, &item.post, &item.delete, &item.patch].iter().filter(|o| o.is_some()).count()
        })
        .sum();
    assert_eq!(operations, API_V1_ROUTES.len(), "API_V1_ROUTES lists every operation of /api/v1");

    let world = World::new().await;
    let set_up = started.elapsed();

    let rows: Vec<(usize, Who, Target)> = (0..table.len())
        .flat_map(|e| EVERYONE.into_iter().flat_map(move |who| TARGETS.into_iter().map(move |t| (e, who, t))))
        .collect();
    let answers: Vec<Answer> = stream::iter(rows)
        .map(|(e, who, target)| {
            let (world, ep) = (&world, &table[e]);
            async move {
                let ids = world.fixture(ep.fixture, target).await;
                let (path, body) = request_of(ep, &ids, &world.today);
                let (actual, body) = call(&world.app, &ep.method, &path, &world.tokens[&who], body.as_ref()).await;
                Answer {
                    endpoint: e,
                    who,
                    target,
                    expected: expected(ep, who, target),
                    actual,
                    body,
                    agency: ids.agency,
                }
            }
        })
        .buffer_unordered(CONCURRENCY)
        .collect()
        .await;
    let ran = started.elapsed() - set_up;

    // Compare.
    let mut failures = Vec::new();
    let mut deviations = Vec::new();
    let mut by_status: BTreeMap<u16, usize> = BTreeMap::new();
    for answer in &answers {
        let ep = &table[answer.endpoint];
        let name = ep.name();
        *by_status.entry(answer.actual.as_u16()).or_default() += 1;
        let known =
            KNOWN_DEVIATIONS.iter().find(|d| d.endpoint == name && d.who == answer.who && d.target == answer.target);
        let row = format!("{name} as {:?} on {:?}", answer.who, answer.target);
        match known {
            Some(d) if answer.actual == d.actual && answer.actual != answer.expected => deviations.push(format!(
                "{row}: README says {}, service answers {} — decided by {}; {}",
                answer.expected.as_u16(),
                d.actual.as_u16(),
                d.decided_by,
                d.why
            )),
            Some(_) => failures.push(format!(
                "{row}: listed as a known deviation but answered {} (README: {}); update KNOWN_DEVIATIONS",
                answer.actual.as_u16(),
                answer.expected.as_u16()
            )),
            None if answer.actual != answer.expected => failures.push(format!(
                "{row}: expected {}, got {}: {}",
                answer.expected.as_u16(),
                answer.actual.as_u16(),
                answer.body
            )),
            None => {}
        }
        // Refusals are problems with the documented codes.
        let code = answer.body["code"].as_str().unwrap_or_default();
        if answer.actual == StatusCode::FORBIDDEN && code != "forbidden" {
            failures.push(format!("{row}: 403 with code {code:?}"));
        }
        if answer.actual == StatusCode::NOT_FOUND && !code.ends_with("_not_found") {
            failures.push(format!("{row}: 404 with code {code:?}"));
        }
    }

    // Lists show only what the caller sees: for callers bound to A, A's subtree (including the
    // agencies the rows created under A and A1); a filtered list only the filter's agency.
    let all = world.root(Method::GET, "/api/v1/agencies?limit=200", None, StatusCode::OK).await;
    let a = world.sites[&Target::Own].agency;
    let mut subtree = BTreeSet::from([a]);
    loop {
        let before = subtree.len();
        for agency in all["items"].as_array().unwrap() {
            if agency["parent_id"].as_i64().is_some_and(|p| subtree.contains(&p)) {
                subtree.insert(agency["id"].as_i64().unwrap());
            }
        }
        if subtree.len() == before {
            break;
        }
    }
    let mut lists_checked = 0;
    for answer in answers.iter().filter(|a| a.actual.is_success()) {
        let ep = &table[answer.endpoint];
        let Some(field) = ep.list else { continue };
        lists_checked += 1;
        let row = format!("{} as {:?} on {:?}", ep.name(), answer.who, answer.target);
        let filtered = ep.seen == Seen::Scoped;
        for item in answer.body["items"].as_array().unwrap() {
            let agency = item[field].as_i64();
            if answer.who.bound() && !agency.is_some_and(|id| subtree.contains(&id)) {
                failures.push(format!("{row}: lists an item outside A's subtree: {item}"));
            }
            if filtered && agency != Some(answer.agency) {
                failures.push(format!("{row}: the filter on agency {} lets through {item}", answer.agency));
            }
        }
        let empty = answer.body["items"].as_array().unwrap().is_empty();
        if filtered && empty {
            failures.push(format!("{row}: a visible agency's list is empty"));
        }
    }

    let writes = table.iter().filter(|e| e.writes()).count();
    println!(
        "authorization matrix: {} routes of api_v1 in {} table entries ({} writing on fresh fixtures) × {} callers × {} targets = {} requests; statuses {:?}; {} list pages checked for visibility",
        routes.len(),
        table.len(),
        writes,
        EVERYONE.len(),
        TARGETS.len(),
        answers.len(),
        by_status,
        lists_checked
    );
    println!("set-up {:.1?}, rows {:.1?} (fixtures included), total {:.1?}", set_up, ran, started.elapsed());
    println!("known deviations from the README ({}):", deviations.len());
    for deviation in &deviations {
        println!("  - {deviation}");
    }
    assert!(failures.is_empty(), "{} rows differ from the rules:\n{}", failures.len(), failures.join("\n"));
    assert_eq!(deviations.len(), KNOWN_DEVIATIONS.len(), "every known deviation was observed");
}

// ------------------------------------------------------------------ tokens

/// A token refused on every route of the table with 401 `unauthorized`.
async fn refused_everywhere(world: &World, token: &str, whose: &str) {
    let ids = world.sites[&Target::Own].clone();
    let mut failures = Vec::new();
    let table = endpoints();
    // The public portal takes no token: a dead one changes nothing there.
    for ep in table.iter().filter(|ep| !ep.route.starts_with("public::")) {
        let (path, body) = request_of(ep, &ids, &world.today);
        let (status, body) = call(&world.app, &ep.method, &path, token, body.as_ref()).await;
        if status != StatusCode::UNAUTHORIZED || body["code"] != "unauthorized" {
            failures.push(format!("{} with {whose}: {} {body}", ep.name(), status.as_u16()));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    println!("{whose}: 401 on all {} table entries but the public portal's", table.len());
}

async fn me(world: &World, token: &str) -> (StatusCode, Value) {
    call(&world.app, &Method::GET, "/api/v1/users/me", token, None).await
}

#[tokio::test]
async fn revoked_and_deactivated_tokens_are_refused_on_every_endpoint() {
    let world = World::new().await;

    // Rotation with revoke_others: the officer's old token is dead everywhere, the new one works.
    let officer = world.tokens[&Who::Officer].clone();
    let officer_id = me(&world, &officer).await.1["id"].as_i64().unwrap();
    let path = format!("/api/v1/users/{officer_id}/tokens");
    let issued = world.root(Method::POST, &path, Some(json!({"revoke_others": true})), StatusCode::CREATED).await;
    let fresh = issued["token"].as_str().unwrap();
    assert_eq!(me(&world, fresh).await.0, StatusCode::OK);
    refused_everywhere(&world, &officer, "a token revoked by revoke_others").await;

    // Deactivation: the (bound) administrator's token is dead everywhere, and stays dead after
    // reactivation; only a new token works again.
    let admin = world.tokens[&Who::Admin].clone();
    let admin_id = me(&world, &admin).await.1["id"].as_i64().unwrap();
    world.root(Method::POST, &format!("/api/v1/users/{admin_id}/deactivate"), None, StatusCode::OK).await;
    refused_everywhere(&world, &admin, "a deactivated user's token").await;
    let path = format!("/api/v1/users/{admin_id}/tokens");
    let (status, problem) = call(&world.app, &Method::POST, &path, &world.app.admin, Some(&json!({}))).await;
    assert_eq!((status, problem["code"].as_str()), (StatusCode::CONFLICT, Some("user_inactive")));
    world.root(Method::POST, &format!("/api/v1/users/{admin_id}/activate"), None, StatusCode::OK).await;
    refused_everywhere(&world, &admin, "a reactivated user's old token").await;
    let issued = world.root(Method::POST, &path, Some(json!({})), StatusCode::CREATED).await;
    assert_eq!(me(&world, issued["token"].as_str().unwrap()).await.0, StatusCode::OK);

    // Agencies cannot be deleted in this version: there is no DELETE route, so a user's agency
    // cannot disappear under its token.
    let a = world.sites[&Target::Own].agency;
    let (status, _) = call(&world.app, &Method::DELETE, &format!("/api/v1/agencies/{a}"), &world.app.admin, None).await;
    assert!(!status.is_success(), "DELETE /agencies/{{id}} answered {status}");
    println!("agencies cannot be deleted in this version: DELETE /api/v1/agencies/{a} answers {}", status.as_u16());
}
