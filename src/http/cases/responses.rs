//! What the case endpoints answer: the case, its list row, its events, its clock, its outbox.

use chrono::{NaiveDate, NaiveDateTime};
use serde::Serialize;
use utoipa::ToSchema;

use crate::domain::calendar::Calendar;
use crate::domain::case::{
    Appeal, Applicant, CaseSummary as CaseListRow, Consultation, FeeNoticeRecord, Item, Particulars,
};
use crate::domain::clock::{is_overdue, Clock, ExtensionExplanation};
use crate::domain::event::RecordedEvent;
use crate::domain::fees::FeeBasis;
use crate::domain::identity::mask;
use crate::domain::ids::{AgencyId, AppealId, ApplicantId, CaseId, ConsultationId, ItemId, UserId};
use crate::domain::types::{AppealKind, AppealResult, Opinion, PartyKind};
use crate::domain::{ApplicantCategory, CaseStatus, Channel, IdType, Outcome};
use crate::service::cases::CaseDetails;
use crate::service::outbox::OutboxMessage;

/// The applicant as shown on a case (full identity number) or in a list (masked).
#[derive(Debug, Serialize, ToSchema)]
pub struct ApplicantResponse {
    pub id: ApplicantId,
    pub category: ApplicantCategory,
    pub name: String,
    pub id_type: Option<IdType>,
    /// Full on the case itself; masked (`110105********002X`) in lists.
    pub id_number: Option<String>,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub address: Option<String>,
}

impl ApplicantResponse {
    /// The applicant of a case: the particulars given on it, the identity document of the record
    /// it is linked to.
    pub(crate) fn of(record: Applicant, category: ApplicantCategory, given: Particulars, masked: bool) -> Self {
        let (id_type, id_number) = match record.identity {
            Some(identity) => {
                (Some(identity.id_type), Some(if masked { mask(&identity.number) } else { identity.number }))
            }
            None => (None, None),
        };
        Self {
            id: record.id,
            category,
            name: given.name,
            id_type,
            id_number,
            phone: given.phone,
            email: given.email,
            address: given.address,
        }
    }
}

/// One item of a case.
#[derive(Debug, Serialize, ToSchema)]
pub struct ItemResponse {
    pub id: ItemId,
    pub position: i32,
    pub description: String,
    pub outcome: Option<Outcome>,
}

impl From<Item> for ItemResponse {
    fn from(item: Item) -> Self {
        Self { id: item.id, position: item.position, description: item.description, outcome: item.outcome }
    }
}

/// The deadline as of today.
#[derive(Debug, Serialize, ToSchema)]
pub struct ClockSummary {
    /// The statutory reply deadline; `null` while it cannot be known (awaiting a correction, or
    /// paused before the period was used up).
    pub due_on: Option<NaiveDate>,
    /// Working days from today to `due_on`, negative when overdue; while paused, the working days
    /// left in the period (frozen); `null` once concluded or while awaiting a correction.
    pub working_days_left: Option<i64>,
    /// The clock is stopped (correction outstanding, consultation or fee pause).
    pub paused: bool,
    pub extended: bool,
    /// Not concluded and past its due date.
    pub overdue: bool,
    /// Concluded after its due date.
    pub late: Option<bool>,
    /// Some date involved lies in a year without calendar data (Monday–Friday was assumed).
    pub provisional: bool,
}

impl ClockSummary {
    /// The summary from the stored projection (lists).
    pub(crate) fn stored(case: &CaseListRow, calendar: &Calendar, today: NaiveDate) -> Self {
        let running = case.status != CaseStatus::Concluded && !case.paused;
        Self {
            due_on: case.due_on,
            working_days_left: case.due_on.filter(|_| running).map(|due| calendar.working_days_between(today, due)),
            paused: case.paused,
            extended: case.extended,
            overdue: is_overdue(case.status, case.due_on, today),
            late: match (case.concluded_on, case.due_on) {
                (Some(on), Some(due)) => Some(on > due),
                _ => None,
            },
            provisional: !calendar.covers(case.received_on) || case.due_on.is_some_and(|d| !calendar.covers(d)),
        }
    }

    /// The summary from the live clock (a case's own page).
    pub(crate) fn live(clock: &Clock) -> Self {
        Self {
            due_on: clock.due_on,
            working_days_left: clock.working_days_left,
            paused: clock.paused,
            extended: clock.extended,
            overdue: clock.overdue,
            late: clock.late,
            provisional: clock.provisional,
        }
    }
}

/// The correction step of a case.
#[derive(Debug, Serialize, ToSchema)]
pub struct CorrectionInfo {
    /// The last day a correction notice may be issued (7 working days after receipt).
    pub notice_deadline: NaiveDate,
    pub requested_on: Option<NaiveDate>,
    pub respond_by: Option<NaiveDate>,
    /// While outstanding: the day the request lapses if nothing arrives.
    pub lapses_on: Option<NaiveDate>,
    pub corrected_on: Option<NaiveDate>,
}

/// A consultation of a third party or another agency.
#[derive(Debug, Serialize, ToSchema)]
pub struct ConsultationResponse {
    pub id: ConsultationId,
    pub case_id: CaseId,
    pub party_kind: PartyKind,
    pub party: String,
    pub sent_on: NaiveDate,
    /// 15 working days after sending (Art. 32).
    pub reply_due: NaiveDate,
    pub replied_on: Option<NaiveDate>,
    pub opinion: Option<Opinion>,
}

impl From<Consultation> for ConsultationResponse {
    fn from(c: Consultation) -> Self {
        Self {
            id: c.id,
            case_id: c.case_id,
            party_kind: c.party_kind,
            party: c.party,
            sent_on: c.sent_on,
            reply_due: c.reply_due,
            replied_on: c.replied_on,
            opinion: c.opinion,
        }
    }
}

/// The fee notice of a case.
#[derive(Debug, Serialize, ToSchema)]
pub struct FeeResponse {
    pub issued_on: NaiveDate,
    pub basis: FeeBasis,
    pub pages: Option<u32>,
    /// For `per_request`: the request's number among the applicant's requests that month.
    pub nth_request: Option<u32>,
    pub amount_fen: i64,
    /// The last day to pay: 20 working days from the day after the notice was received when its
    /// delivery is recorded, else after the day it was sent.
    pub pay_by: NaiveDate,
    pub paid_on: Option<NaiveDate>,
}

impl From<FeeNoticeRecord> for FeeResponse {
    fn from(f: FeeNoticeRecord) -> Self {
        Self {
            issued_on: f.issued_on,
            basis: f.basis,
            pages: f.pages,
            nth_request: f.nth_request,
            amount_fen: f.amount_fen,
            pay_by: f.pay_by,
            paid_on: f.paid_on,
        }
    }
}

/// An appeal against a case's decision.
#[derive(Debug, Serialize, ToSchema)]
pub struct AppealResponse {
    pub id: AppealId,
    pub case_id: CaseId,
    pub agency_id: AgencyId,
    pub kind: AppealKind,
    pub filed_on: NaiveDate,
    /// `null` while pending (尚未审结).
    pub result: Option<AppealResult>,
    pub decided_on: Option<NaiveDate>,
    #[serde(serialize_with = "crate::http::rfc3339")]
    pub created_at: NaiveDateTime,
}

impl From<Appeal> for AppealResponse {
    fn from(a: Appeal) -> Self {
        Self {
            id: a.id,
            case_id: a.case_id,
            agency_id: a.agency_id,
            kind: a.kind,
            filed_on: a.filed_on,
            result: a.result,
            decided_on: a.decided_on,
            created_at: a.created_at,
        }
    }
}

/// A case.
#[derive(Debug, Serialize, ToSchema)]
pub struct CaseResponse {
    pub id: CaseId,
    /// Unique per agency and year, e.g. `NS-2019-00042`.
    pub case_number: String,
    pub agency_id: AgencyId,
    pub status: CaseStatus,
    pub channel: Channel,
    pub submitted_on: Option<NaiveDate>,
    pub received_on: NaiveDate,
    #[serde(flatten)]
    pub clock: ClockSummary,
    pub applicant: ApplicantResponse,
    pub description: String,
    pub items: Vec<ItemResponse>,
    pub correction: CorrectionInfo,
    pub consultations: Vec<ConsultationResponse>,
    pub extension: Option<ExtensionExplanation>,
    pub fee: Option<FeeResponse>,
    pub appeals: Vec<AppealResponse>,
    /// A reconsideration or court corrected the decision (纠正).
    pub corrected_on_appeal: bool,
    pub outcome: Option<Outcome>,
    pub concluded_on: Option<NaiveDate>,
    pub basis: Option<String>,
    /// The handling unit (the receiving agency unless assigned or routed elsewhere).
    pub unit_id: AgencyId,
    /// The handler, once assigned.
    pub handler_id: Option<UserId>,
    /// A routing not yet signed for or returned: the unit it was sent to.
    pub routed_to: Option<AgencyId>,
    /// Increases with every change; send it back as `If-Match` or `version` to detect lost updates.
    pub version: i64,
    #[serde(serialize_with = "crate::http::rfc3339")]
    pub created_at: NaiveDateTime,
    #[serde(serialize_with = "crate::http::rfc3339")]
    pub updated_at: NaiveDateTime,
}

impl From<CaseDetails> for CaseResponse {
    fn from(details: CaseDetails) -> Self {
        let CaseDetails { state, applicant, clock } = details;
        let case = state.case;
        let appeals: Vec<AppealResponse> = state.appeals.into_iter().map(AppealResponse::from).collect();
        Self {
            clock: ClockSummary::live(&clock),
            status: case.status,
            channel: case.channel,
            outcome: case.outcome,
            applicant: ApplicantResponse::of(applicant, case.applicant_category, case.applicant, false),
            items: state.items.into_iter().map(ItemResponse::from).collect(),
            correction: CorrectionInfo {
                notice_deadline: clock.correction_notice_deadline,
                requested_on: clock.correction_requested_on,
                respond_by: clock.correction_respond_by,
                lapses_on: clock.correction_lapses_on,
                corrected_on: clock.corrected_on,
            },
            // The reply period as the clock counts it (from the letter's service when recorded).
            consultations: state
                .consultations
                .into_iter()
                .map(|c| {
                    let due = clock.consultations.iter().find(|k| k.consultation_id == c.id.get()).map(|k| k.reply_due);
                    ConsultationResponse { reply_due: due.unwrap_or(c.reply_due), ..ConsultationResponse::from(c) }
                })
                .collect(),
            extension: clock.extension.clone(),
            // The payment period as the clock counts it (from the notice's service when recorded).
            fee: state
                .fee_notices
                .into_iter()
                .next_back()
                .map(|f| FeeResponse { pay_by: clock.fee_pay_by.unwrap_or(f.pay_by), ..FeeResponse::from(f) }),
            corrected_on_appeal: appeals.iter().any(|a| a.result == Some(AppealResult::Corrected)),
            appeals,
            unit_id: case.handling.unit(case.agency_id),
            handler_id: case.handling.handler_id,
            routed_to: case.handling.routed_to,
            id: case.id,
            case_number: case.case_number,
            agency_id: case.agency_id,
            submitted_on: case.submitted_on,
            received_on: case.received_on,
            description: case.description,
            concluded_on: case.concluded_on,
            basis: case.decision_basis,
            version: case.version,
            created_at: case.created_at,
            updated_at: case.updated_at,
        }
    }
}

/// A case in a list (the identity number is masked).
#[derive(Debug, Serialize, ToSchema)]
pub struct CaseSummary {
    pub id: CaseId,
    pub case_number: String,
    pub agency_id: AgencyId,
    pub status: CaseStatus,
    pub channel: Channel,
    pub received_on: NaiveDate,
    #[serde(flatten)]
    pub clock: ClockSummary,
    pub applicant: ApplicantResponse,
    pub description: String,
    pub outcome: Option<Outcome>,
    pub concluded_on: Option<NaiveDate>,
    /// The handling unit.
    pub unit_id: AgencyId,
    pub handler_id: Option<UserId>,
    /// A routing not yet signed for or returned.
    pub routed_to: Option<AgencyId>,
    pub version: i64,
}

impl CaseSummary {
    pub(crate) fn build(case: CaseListRow, applicant: Applicant, calendar: &Calendar, today: NaiveDate) -> Self {
        let applicant_category = case.applicant_category;
        Self {
            clock: ClockSummary::stored(&case, calendar, today),
            status: case.status,
            channel: case.channel,
            outcome: case.outcome,
            applicant: ApplicantResponse::of(applicant, applicant_category, case.applicant, true),
            id: case.id,
            case_number: case.case_number,
            agency_id: case.agency_id,
            received_on: case.received_on,
            description: case.description,
            concluded_on: case.concluded_on,
            unit_id: case.handling.unit(case.agency_id),
            handler_id: case.handling.handler_id,
            routed_to: case.handling.routed_to,
            version: case.version,
        }
    }
}

/// One recorded fact of a case's history.
#[derive(Debug, Serialize, ToSchema)]
pub struct EventResponse {
    /// 1, 2, 3, … in the order recorded.
    pub seq: i32,
    /// `received`, `correction_requested`, `correction_received`, `consultation_started`,
    /// `consultation_replied`, `extended`, `fee_notice_issued`, `fee_paid`, `decided`, `withdrawn`,
    /// `amended`, `appeal_filed`, `appeal_decided`.
    pub kind: String,
    /// The legal date of the step.
    pub effective_on: NaiveDate,
    /// When it was recorded (UTC).
    #[serde(serialize_with = "crate::http::rfc3339")]
    pub recorded_at: NaiveDateTime,
    /// Who recorded it (`null` for the system, e.g. the daily sweep).
    pub actor_id: Option<UserId>,
    /// The step's details.
    #[schema(value_type = Object)]
    pub payload: serde_json::Value,
}

impl From<RecordedEvent> for EventResponse {
    fn from(event: RecordedEvent) -> Self {
        Self {
            seq: event.seq,
            kind: event.event.kind().to_owned(),
            effective_on: event.effective_on,
            recorded_at: event.recorded_at,
            actor_id: event.actor_id,
            payload: event.event.payload(),
        }
    }
}

/// The full explanation of a case's deadline.
#[derive(Debug, Serialize, ToSchema)]
pub struct ClockResponse {
    pub case_id: CaseId,
    /// The date the explanation is computed for (today in China).
    pub today: NaiveDate,
    #[serde(flatten)]
    pub clock: Clock,
    /// The same in sentences a citizen understands.
    pub explanation: Vec<String>,
    /// The holiday notices of the calendar years used.
    pub notices: Vec<YearNotices>,
}

/// The notices a year's calendar data comes from.
#[derive(Debug, Serialize, ToSchema)]
pub struct YearNotices {
    pub year: i32,
    /// Empty when the year has no data (then `provisional` is true).
    pub notices: Vec<String>,
}

/// A message of a case's outbox: a letter queued by a step, and what became of its delivery.
#[derive(Debug, Serialize, ToSchema)]
pub struct OutboxMessageResponse {
    pub id: i64,
    /// The letter: `acknowledgement`, `correction_notice`, `extension_notice`,
    /// `consultation_letter`, `fee_notice`, `decision`.
    pub kind: String,
    /// The e-mail address (`null`: none known, the letter is to be printed and posted).
    pub recipient: Option<String>,
    pub subject: String,
    /// The Message-ID every (re)send carries.
    pub message_id: String,
    /// `pending`, `sending`, `sent`, `failed` or `print`.
    pub status: String,
    /// Delivery attempts started.
    pub attempts: i32,
    /// When the next attempt is due (UTC; for `pending`).
    #[serde(serialize_with = "crate::http::rfc3339")]
    pub next_attempt_at: NaiveDateTime,
    /// The latest delivery error.
    pub last_error: Option<String>,
    /// When it was queued (UTC).
    #[serde(serialize_with = "crate::http::rfc3339")]
    pub created_at: NaiveDateTime,
    /// When the mail server accepted it (UTC).
    #[serde(serialize_with = "crate::http::rfc3339_opt")]
    pub sent_at: Option<NaiveDateTime>,
}

impl From<OutboxMessage> for OutboxMessageResponse {
    fn from(m: OutboxMessage) -> Self {
        Self {
            id: m.id,
            kind: m.kind,
            recipient: m.recipient,
            subject: m.subject,
            message_id: m.message_id,
            status: m.status,
            attempts: m.attempts,
            next_attempt_at: m.next_attempt_at,
            last_error: m.last_error,
            created_at: m.created_at,
            sent_at: m.sent_at,
        }
    }
}
