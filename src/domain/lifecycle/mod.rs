//! The lifecycle of a case as pure functions: given a case's state (its projection, events and
//! sub-records), the calendar, the seals, who acts and a step's input, [`decide`] answers with the
//! event to record or a typed [`Refusal`]; [`allowed_steps`] lists what may be done now; and
//! [`project`] derives the stored projection (status, due date, outcome) from the events.
//! Services load the state, call these, and store the result in one transaction.

mod concluded;
mod corrections;
mod decision;
mod project;
mod reasons;
mod steps;
#[cfg(test)]
mod tests;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::calendar::Calendar;
use super::case::Particulars;
use super::case::{Appeal, Case, Consultation, FeeNoticeRecord, Item};
use super::clock::{self, Clock, ClockRules};
use super::error::Violation;
use super::event::{CaseEvent, CountedRequest, RecordedEvent};
use super::fees::FeeBasis;
use super::ids::AgencyId;
use super::ids::{AppealId, CaseId, ConsultationId, ItemId, UserId};
use super::reply::{EarlierCase, ResponsibleAgency};
use super::seal::Seals;
use super::types::{AppealKind, AppealResult, CaseStatus, Channel, LetterKind, Opinion, Outcome, PartyKind, Role};

pub use super::clock::is_overdue;
pub use decision::{decision_facts, withdrawn};
pub use project::{clock_events, effective, is_voided, project, received_on, revoked, Projection};
pub use steps::{forbidden, role_allows};

/// Why a step was refused.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    /// The role may not take the step (403).
    #[error("{0}")]
    Forbidden(String),
    /// Something the step names does not exist on this case (404).
    #[error("{what} not found")]
    NotFound { what: &'static str, code: &'static str },
    /// The case's state or version does not allow the step (409).
    #[error("{detail}")]
    Conflict { code: &'static str, detail: String },
    /// The step's input breaks a rule (422).
    #[error(transparent)]
    Invalid(#[from] Violation),
}

impl Refusal {
    pub fn conflict(code: &'static str, detail: impl Into<String>) -> Self {
        Self::Conflict { code, detail: detail.into() }
    }

    /// The refusal's stable code.
    pub fn code(&self) -> &'static str {
        match self {
            Self::Forbidden(_) => "forbidden",
            Self::NotFound { code, .. } | Self::Conflict { code, .. } => code,
            Self::Invalid(v) => v.code,
        }
    }
}

/// Who takes a step.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Who {
    /// `None`: the system (the daily sweep).
    pub user_id: Option<UserId>,
    pub role: Role,
}

/// What a decision is judged against besides the case: today, the calendar, the statutory
/// limits and the sealed years of the case's agency.
#[derive(Clone, Copy, Debug)]
pub struct Ctx<'a> {
    pub today: NaiveDate,
    pub calendar: &'a Calendar,
    pub rules: &'a ClockRules,
    pub seals: &'a Seals,
}

/// A case with everything its rules look at.
#[derive(Clone, Debug, PartialEq)]
pub struct CaseState {
    pub case: Case,
    /// Every event, in order.
    pub events: Vec<RecordedEvent>,
    pub items: Vec<Item>,
    pub consultations: Vec<Consultation>,
    pub fee_notices: Vec<FeeNoticeRecord>,
    pub appeals: Vec<Appeal>,
}

impl CaseState {
    /// The clock on `ctx.today`.
    pub fn clock(&self, ctx: &Ctx<'_>) -> Clock {
        clock_of(&self.events, ctx.calendar, ctx.rules, ctx.today)
    }

    /// The date of the latest step up to the conclusion: a new step may not be dated before it.
    pub fn last_step_on(&self) -> NaiveDate {
        let floor = received_on(&self.events).unwrap_or(self.case.received_on);
        effective(&self.events)
            .iter()
            .filter(|e| e.event.is_dated_step())
            .map(|e| e.effective_on)
            .max()
            .map_or(floor, |last| last.max(floor))
    }
}

/// The steps of a case after its intake, as the console offers them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema, PartialOrd, Ord)]
#[serde(rename_all = "snake_case")]
pub enum StepKind {
    CorrectionRequest,
    Correction,
    Consultation,
    ConsultationReply,
    Extension,
    FeeNotice,
    FeePayment,
    /// Art. 35: the applicant is asked to explain clearly excessive requests.
    ReasonsRequest,
    /// Art. 35: the applicant's explanation arrived.
    ReasonsReply,
    Decision,
    Withdrawal,
    Amendment,
    Appeal,
    AppealResult,
    Void,
    IntakeCorrection,
    Revocation,
}

impl StepKind {
    pub const ALL: &'static [StepKind] = &[
        Self::CorrectionRequest,
        Self::Correction,
        Self::Consultation,
        Self::ConsultationReply,
        Self::Extension,
        Self::FeeNotice,
        Self::FeePayment,
        Self::ReasonsRequest,
        Self::ReasonsReply,
        Self::Decision,
        Self::Withdrawal,
        Self::Amendment,
        Self::Appeal,
        Self::AppealResult,
        Self::Void,
        Self::IntakeCorrection,
        Self::Revocation,
    ];

    /// The step's key (as in JSON).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::CorrectionRequest => "correction_request",
            Self::Correction => "correction",
            Self::Consultation => "consultation",
            Self::ConsultationReply => "consultation_reply",
            Self::Extension => "extension",
            Self::FeeNotice => "fee_notice",
            Self::FeePayment => "fee_payment",
            Self::ReasonsRequest => "reasons_request",
            Self::ReasonsReply => "reasons_reply",
            Self::Decision => "decision",
            Self::Withdrawal => "withdrawal",
            Self::Amendment => "amendment",
            Self::Appeal => "appeal",
            Self::AppealResult => "appeal_result",
            Self::Void => "void",
            Self::IntakeCorrection => "intake_correction",
            Self::Revocation => "revocation",
        }
    }

    /// The step of a key.
    pub fn parse(key: &str) -> Option<Self> {
        Self::ALL.iter().copied().find(|k| k.as_str() == key)
    }

    /// The step's name in the console.
    pub fn label(self) -> &'static str {
        match self {
            Self::CorrectionRequest => "补正告知",
            Self::Correction => "收到补正材料",
            Self::Consultation => "征求意见",
            Self::ConsultationReply => "登记征求意见答复",
            Self::Extension => "延期答复",
            Self::FeeNotice => "收费通知",
            Self::FeePayment => "登记缴费",
            Self::ReasonsRequest => "要求说明理由",
            Self::ReasonsReply => "登记申请人说明的理由",
            Self::Decision => "作出答复",
            Self::Withdrawal => "撤回申请",
            Self::Amendment => "更正办结信息",
            Self::Appeal => "登记复议诉讼",
            Self::AppealResult => "登记复议诉讼结果",
            Self::Void => "作废登记",
            Self::IntakeCorrection => "更正登记信息",
            Self::Revocation => "撤销误录步骤",
        }
    }

    /// The step an event records, for the office's steps a chase may name.
    pub fn of_event(event: &CaseEvent) -> Option<Self> {
        Some(match event {
            CaseEvent::CorrectionRequested { .. } => Self::CorrectionRequest,
            CaseEvent::ConsultationStarted { .. } => Self::Consultation,
            CaseEvent::Extended { .. } => Self::Extension,
            CaseEvent::FeeNoticeIssued { .. } => Self::FeeNotice,
            CaseEvent::ReasonsRequested { .. } => Self::ReasonsRequest,
            CaseEvent::Decided { .. } => Self::Decision,
            _ => return None,
        })
    }

    /// Whether a supervisor's chase may name the step as what settles it: the office's own steps
    /// that move a case towards its answer (not the applicant's or a third party's, nor
    /// corrections of the record).
    pub fn closes_chase(self) -> bool {
        matches!(
            self,
            Self::CorrectionRequest
                | Self::Consultation
                | Self::Extension
                | Self::FeeNotice
                | Self::ReasonsRequest
                | Self::Decision
        )
    }
}

/// A correction notice (补正告知, Art. 30).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CorrectionRequest {
    pub issued_on: NaiveDate,
    pub respond_by: NaiveDate,
    pub matters: String,
}

/// A consultation (征求意见, Art. 32, 34).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewConsultation {
    pub party_kind: PartyKind,
    pub party: String,
    pub sent_on: NaiveDate,
}

/// An extension (延期, Art. 33 ¶2).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Extension {
    pub approved_on: NaiveDate,
    pub notified_on: NaiveDate,
    pub working_days: u32,
    pub reason: String,
}

/// A fee notice (收费通知), with the facts its amount depends on.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FeeNotice {
    pub issued_on: NaiveDate,
    pub basis: FeeBasis,
    pub pages: Option<u32>,
    /// For `per_request`: the request's number among the applicant's requests to the agency in
    /// the month of receipt (counted by storage).
    pub nth_request: Option<u32>,
    /// For `per_request`: the requests counted, this one last (found by storage).
    pub counted: Vec<CountedRequest>,
}

/// A request for reasons (Art. 35).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReasonsRequest {
    pub requested_on: NaiveDate,
    /// The applicant's deadline (inclusive).
    pub respond_by: NaiveDate,
    /// What makes the requests clearly excessive.
    pub grounds: String,
}

/// One item's answer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ItemDecision {
    pub id: ItemId,
    pub outcome: Outcome,
    /// The officer's text on this item (its reason, route, …).
    pub basis: Option<String>,
}

/// A decision (答复), with the facts its letter states.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Decision {
    pub decided_on: NaiveDate,
    pub outcome: Option<Outcome>,
    pub basis: Option<String>,
    /// Outcomes of individual items.
    pub items: Vec<ItemDecision>,
    /// Art. 36 (1): the information disclosed is already public (`basis` says how to obtain it).
    pub already_public: bool,
    /// Art. 36 (5): the agency responsible for disclosing the information.
    pub responsible_agency: Option<ResponsibleAgency>,
    /// Art. 36 (6): the earlier case answered on the same request, and that case as the service
    /// found it (`None` when it does not exist or is not visible).
    pub repeats_case_id: Option<CaseId>,
    pub earlier: Option<EarlierCase>,
    /// Art. 32: why the information is disclosed although a third party objected.
    pub over_objection_reason: Option<String>,
}

/// An amendment of a concluded case: a corrected outcome or conclusion date, with a reason.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Amendment {
    pub outcome: Option<Outcome>,
    pub concluded_on: Option<NaiveDate>,
    pub reason: String,
    /// The officer's text of the amended reply (required when the new outcome needs one).
    pub basis: Option<String>,
}

/// A correction of the intake's facts: the fields given replace the registered ones.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct IntakeCorrection {
    pub received_on: Option<NaiveDate>,
    /// `Some(None)` clears the date of submission.
    pub submitted_on: Option<Option<NaiveDate>>,
    pub channel: Option<Channel>,
    /// Another agency of the tree (checked by the service: visible to the caller).
    pub agency_id: Option<AgencyId>,
    pub applicant: Option<Particulars>,
    pub description: Option<String>,
    pub items: Option<Vec<String>>,
    pub reason: String,
}

/// A step's input.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Step {
    RequestCorrection(CorrectionRequest),
    ReceiveCorrection {
        received_on: NaiveDate,
    },
    StartConsultation(NewConsultation),
    ReplyConsultation {
        consultation_id: ConsultationId,
        replied_on: NaiveDate,
        opinion: Opinion,
    },
    Extend(Extension),
    IssueFeeNotice(FeeNotice),
    PayFee {
        paid_on: NaiveDate,
    },
    RequestReasons(ReasonsRequest),
    /// The applicant's explanation (Art. 35) arrived on `received_on`.
    ReceiveReasons {
        received_on: NaiveDate,
        reasons: String,
    },
    Decide(Decision),
    Withdraw {
        withdrawn_on: NaiveDate,
    },
    Amend(Amendment),
    FileAppeal {
        kind: AppealKind,
        filed_on: NaiveDate,
    },
    DecideAppeal {
        appeal_id: AppealId,
        result: AppealResult,
        decided_on: NaiveDate,
    },
    /// Void a registration made by mistake.
    Void {
        reason: String,
    },
    CorrectIntake(IntakeCorrection),
    /// Revoke the step recorded as event `seq`.
    Revoke {
        seq: i32,
        reason: String,
    },
    /// A letter sent by post was received (送达) on `served_on`; `issued_on` is its date.
    RecordService {
        letter_id: i64,
        kind: LetterKind,
        consultation_id: Option<ConsultationId>,
        issued_on: NaiveDate,
        served_on: NaiveDate,
    },
    /// The system concludes a case whose correction or fee lapsed.
    ConcludeLapsed,
}

impl Step {
    /// The kind of step, `None` for the system's.
    pub fn kind(&self) -> Option<StepKind> {
        Some(match self {
            Self::RequestCorrection(_) => StepKind::CorrectionRequest,
            Self::ReceiveCorrection { .. } => StepKind::Correction,
            Self::StartConsultation(_) => StepKind::Consultation,
            Self::ReplyConsultation { .. } => StepKind::ConsultationReply,
            Self::Extend(_) => StepKind::Extension,
            Self::IssueFeeNotice(_) => StepKind::FeeNotice,
            Self::PayFee { .. } => StepKind::FeePayment,
            Self::RequestReasons(_) => StepKind::ReasonsRequest,
            Self::ReceiveReasons { .. } => StepKind::ReasonsReply,
            Self::Decide(_) => StepKind::Decision,
            Self::Withdraw { .. } => StepKind::Withdrawal,
            Self::Amend(_) => StepKind::Amendment,
            Self::FileAppeal { .. } => StepKind::Appeal,
            Self::DecideAppeal { .. } => StepKind::AppealResult,
            Self::Void { .. } => StepKind::Void,
            Self::CorrectIntake(_) => StepKind::IntakeCorrection,
            Self::Revoke { .. } => StepKind::Revocation,
            Self::RecordService { .. } | Self::ConcludeLapsed => return None,
        })
    }
}

/// What a step records: its event with its legal date, and the item outcomes it sets.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Transition {
    pub effective_on: NaiveDate,
    pub event: CaseEvent,
    /// Item outcomes to store (a decision, a withdrawal, a lapse, an amended outcome).
    pub item_outcomes: Vec<(ItemId, Outcome)>,
    /// The items' outcomes are cleared (a revoked conclusion).
    pub clear_item_outcomes: bool,
}

impl Transition {
    /// The letter the step owes the applicant (or the consulted party), if any.
    pub fn letter(&self) -> Option<LetterKind> {
        letter_owed(&self.event)
    }
}

/// The clock of a case's events on `today`: a voided case is shown as such, never overdue.
pub fn clock_of(events: &[RecordedEvent], calendar: &Calendar, rules: &ClockRules, today: NaiveDate) -> Clock {
    let mut clock = clock::compute(calendar, rules, &clock_events(events), today);
    if is_voided(events) {
        clock.status = CaseStatus::Voided;
        clock.overdue = false;
        clock.paused = false;
        clock.working_days_left = None;
    }
    clock
}

/// The sub-records as the counting events leave them: a revoked consultation, fee notice or
/// appeal is gone, a revoked reply, payment or appeal result undone.
pub fn apply_revocations(state: &mut CaseState) {
    let gone = revoked(&state.events);
    if gone.is_empty() {
        return;
    }
    for e in state.events.iter().filter(|e| gone.contains(&e.seq)) {
        match &e.event {
            CaseEvent::ConsultationStarted { consultation_id, .. } => {
                state.consultations.retain(|c| c.id != *consultation_id);
            }
            CaseEvent::ConsultationReplied { consultation_id, .. } => {
                if let Some(c) = state.consultations.iter_mut().find(|c| c.id == *consultation_id) {
                    c.replied_on = None;
                    c.opinion = None;
                }
            }
            CaseEvent::FeeNoticeIssued { fee_notice_id: Some(id), .. } => state.fee_notices.retain(|f| f.id != *id),
            CaseEvent::FeePaid { fee_notice_id: Some(id), .. } => {
                if let Some(f) = state.fee_notices.iter_mut().find(|f| f.id == *id) {
                    f.paid_on = None;
                }
            }
            CaseEvent::AppealFiled { appeal_id: Some(id), .. } => state.appeals.retain(|a| a.id != *id),
            CaseEvent::AppealDecided { appeal_id: Some(id), .. } => {
                if let Some(a) = state.appeals.iter_mut().find(|a| a.id == *id) {
                    a.result = None;
                    a.decided_on = None;
                }
            }
            _ => {}
        }
    }
}

/// The letter an event owes, if any.
pub fn letter_owed(event: &CaseEvent) -> Option<LetterKind> {
    match event {
        CaseEvent::Received { .. } => Some(LetterKind::Acknowledgement),
        CaseEvent::CorrectionRequested { .. } => Some(LetterKind::CorrectionNotice),
        CaseEvent::Extended { .. } => Some(LetterKind::ExtensionNotice),
        CaseEvent::ConsultationStarted { .. } => Some(LetterKind::ConsultationLetter),
        CaseEvent::FeeNoticeIssued { .. } => Some(LetterKind::FeeNotice),
        CaseEvent::ReasonsRequested { .. } => Some(LetterKind::ReasonsRequest),
        CaseEvent::Decided { .. } => Some(LetterKind::Decision),
        CaseEvent::Withdrawn { .. } => Some(LetterKind::WithdrawalConfirmation),
        _ => None,
    }
}

/// Decide whether `who` may take `step` on the case now, and what it records.
///
/// Steps that create a sub-record (a consultation, an appeal) answer with an event whose id is a
/// placeholder (0): the service stores the sub-record and puts its id into the event.
///
/// # Errors
/// A [`Refusal`]: 403 role, 404 unknown consultation or appeal, 409 state or sealed year, 422 a
/// rule of the input.
pub fn decide(
    state: &CaseState,
    who: Who,
    step: &Step,
    reason: Option<&str>,
    ctx: &Ctx<'_>,
) -> Result<Transition, Refusal> {
    steps::decide(state, who, step, reason, ctx)
}

/// A step offered now, with the dates it may carry (a form's default and bounds).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, ToSchema)]
pub struct OfferedStep {
    pub kind: StepKind,
    /// The earliest date the step may carry: the receipt or the latest step before it.
    pub earliest: NaiveDate,
    /// The latest: today, or an earlier statutory limit (the correction notice's 7th working
    /// day, the due date for an extension, the payment period for a payment).
    pub latest: NaiveDate,
}

/// The steps `who` may take on the case now: exactly those for which [`decide`] accepts some
/// input (a property test holds the two together).
pub fn allowed_steps(state: &CaseState, who: Who, ctx: &Ctx<'_>) -> Vec<StepKind> {
    offered_steps(state, who, ctx).into_iter().map(|s| s.kind).collect()
}

/// [`allowed_steps`] with the dates each may carry.
pub fn offered_steps(state: &CaseState, who: Who, ctx: &Ctx<'_>) -> Vec<OfferedStep> {
    let clock = state.clock(ctx);
    StepKind::ALL
        .iter()
        .filter_map(|&kind| {
            let (earliest, latest) = steps::offered_window(state, &clock, who, kind, ctx)?;
            Some(OfferedStep { kind, earliest, latest })
        })
        .collect()
}

/// The seqs of the events that may be revoked now, newest first.
pub fn revocable_steps(state: &CaseState) -> Vec<i32> {
    corrections::revocable(state).map(|e| e.seq).collect()
}

/// Refuse unless the case is at `expected` (when given).
///
/// # Errors
/// 409 `version_conflict`.
pub fn check_version(case: &Case, expected: Option<i64>) -> Result<(), Refusal> {
    match expected {
        Some(expected) if expected != case.version => Err(Refusal::conflict(
            "version_conflict",
            format!("案件当前版本为{}，不是{expected}：案件已被他人修改，请刷新后重试", case.version),
        )),
        _ => Ok(()),
    }
}
