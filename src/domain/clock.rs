//! The statutory reply clock of one case (Art. 30–33 of the Regulation), derived from its dated
//! events. Pure: the events, the calendar, the rules and `today` go in, a [`Clock`] comes out.
//!
//! Counting rule (**[product rule]**, domain.md "Lifecycle and clocks"): "N working days from D"
//! counts from the first working day **after** D, and the due date is the N-th counted working
//! day. A pause that starts on S and ends on E removes the working days `d` with `S < d <= E` from
//! the count; a pause that has not ended removes every working day after S. Overlapping pauses
//! remove the union of their days, never a day twice.

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};

use utoipa::ToSchema;

use crate::domain::calendar::{next_day, Calendar};
use crate::domain::types::CaseStatus;

/// One dated fact of a case that matters to its clock, as recorded.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ClockEvent {
    /// The legal receipt date (Art. 31); starts the reply period.
    Received { on: NaiveDate },
    /// The correction notice (补正告知, Art. 30) issued on `on`; the applicant must correct by
    /// `respond_by` (inclusive). Stops the reply period.
    CorrectionRequested { on: NaiveDate, respond_by: NaiveDate },
    /// The corrected application arrived on `on`; a fresh period starts from that day.
    CorrectionReceived { on: NaiveDate },
    /// A consultation (征求意见, Art. 32/34) was sent on `on`; pauses the period.
    ConsultationStarted { consultation_id: i64, on: NaiveDate },
    /// The consultation `consultation_id` was answered (or closed) on `on`; ends its pause.
    ConsultationReplied { consultation_id: i64, on: NaiveDate },
    /// The one extension (延期, Art. 33 ¶2) of `working_days`, approved and notified.
    Extended { approved_on: NaiveDate, notified_on: NaiveDate, working_days: u32 },
    /// A fee notice (收费通知) issued on `on`; pauses the period when the rules say so.
    FeeNoticeIssued { on: NaiveDate },
    /// The fee was paid on `on`; ends the fee pause.
    FeePaid { on: NaiveDate },
    /// The case was concluded (decided, withdrawn, lapsed) on `on`.
    Concluded { on: NaiveDate },
}

impl ClockEvent {
    /// The date the event takes effect (for an extension, the approval date).
    pub fn date(&self) -> NaiveDate {
        match *self {
            Self::Received { on }
            | Self::CorrectionRequested { on, .. }
            | Self::CorrectionReceived { on }
            | Self::ConsultationStarted { on, .. }
            | Self::ConsultationReplied { on, .. }
            | Self::FeeNoticeIssued { on }
            | Self::FeePaid { on }
            | Self::Concluded { on } => on,
            Self::Extended { approved_on, .. } => approved_on,
        }
    }
}

/// The statutory limits, in working days. [`Default`] gives the Regulation's values.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClockRules {
    /// The reply period (Art. 33): 20.
    pub allowance: u32,
    /// **[product rule]** whether the time from fee notice to payment pauses the period: true.
    pub fee_notice_pauses: bool,
    /// The correction notice must be issued within this many working days of receipt (Art. 30): 7.
    pub correction_notice_limit: u32,
    /// A consulted party has this many working days to answer (Art. 32): 15.
    pub consultation_reply_limit: u32,
    /// The applicant has this many working days to pay a fee (国办函〔2020〕109号): 20.
    pub fee_payment_limit: u32,
    /// The longest extension (Art. 33 ¶2): 20. Enforced by the service, not by [`compute`].
    pub max_extension: u32,
}

impl Default for ClockRules {
    fn default() -> Self {
        use crate::domain::limits;
        Self {
            allowance: limits::REPLY_PERIOD,
            fee_notice_pauses: true,
            correction_notice_limit: limits::CORRECTION_NOTICE_LIMIT,
            consultation_reply_limit: limits::CONSULTATION_REPLY_LIMIT,
            fee_payment_limit: limits::FEE_PAYMENT_LIMIT,
            max_extension: limits::MAX_EXTENSION,
        }
    }
}

/// The derived status of a case (the same set as [`CaseStatus`]). When several apply, the first in
/// this order wins: concluded > awaiting_correction > awaiting_fee > in_consultation > received.
pub type ClockStatus = CaseStatus;

/// What paused the clock.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum PauseKind {
    /// From sending a consultation to its reply (Art. 33 ¶3).
    Consultation,
    /// From the fee notice to payment (**[product rule]**, when enabled).
    Fee,
}

/// One pause and what it did to the count.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct PauseExplanation {
    pub kind: PauseKind,
    /// S: the day the consultation was sent or the fee notice issued (itself still counted).
    pub from: NaiveDate,
    /// E: the day of the reply or payment (itself not counted); `None` while open.
    pub to: Option<NaiveDate>,
    /// The working days this pause removed from the counting window (start, due date], or
    /// (start, today] when there is no due date. A day inside several overlapping pauses is
    /// attributed to the one that started first, so these add up to the days removed.
    pub working_days: u32,
}

/// One consultation and its reply limit.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct ConsultationClock {
    pub consultation_id: i64,
    pub sent_on: NaiveDate,
    /// `sent_on` plus [`ClockRules::consultation_reply_limit`] working days.
    pub reply_due: NaiveDate,
    pub replied_on: Option<NaiveDate>,
}

/// The extension that was applied.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct ExtensionExplanation {
    pub approved_on: NaiveDate,
    pub notified_on: NaiveDate,
    pub working_days: u32,
}

/// The clock of one case on `today`, with every step needed to explain it.
#[derive(Clone, Debug, PartialEq, Serialize, ToSchema)]
pub struct Clock {
    pub status: ClockStatus,
    /// The legal receipt date.
    pub received_on: NaiveDate,
    /// Where the current period starts: the receipt date, or the date the corrected application
    /// was received.
    pub start: NaiveDate,
    /// Working days of the period: the rules' allowance plus the extension.
    pub allowance: u32,
    /// The last day of the period; `None` when it cannot be determined yet (awaiting correction,
    /// or an open pause began before the allowance was used up).
    pub due_on: Option<NaiveDate>,
    /// The clock is not running and the case is not concluded: awaiting correction, or a pause
    /// is open.
    pub paused: bool,
    /// An extension was applied (its days are in `allowance`).
    pub extended: bool,
    /// Running: `working_days_between(today, due_on)`, negative when overdue. Paused by an open
    /// pause: the allowance minus the working days counted before the pause (frozen). `None` when
    /// concluded or awaiting correction.
    pub working_days_left: Option<i64>,
    /// Not concluded and `due_on < today`.
    pub overdue: bool,
    pub concluded_on: Option<NaiveDate>,
    /// Concluded after the due date; `None` unless concluded with a due date.
    pub late: Option<bool>,
    /// The pauses that touch the current period, ordered by start.
    pub pauses: Vec<PauseExplanation>,
    /// Working days counted in the window; equals `allowance` when `due_on` is `Some`.
    pub counted_days: u32,
    /// Weekday rest days in the window (start, due_on] — or (start, today], (start, concluded_on]
    /// without a due date.
    pub holidays: Vec<NaiveDate>,
    /// Weekend days made working days in the same window.
    pub make_up_days: Vec<NaiveDate>,
    /// The years of the window, start included.
    pub calendar_years: Vec<i32>,
    /// Some year of the window has no calendar data: the answer assumed Monday–Friday.
    pub provisional: bool,
    /// The last day a correction notice may be issued: receipt plus the correction notice limit.
    pub correction_notice_deadline: NaiveDate,
    /// The date of the (only) correction notice.
    pub correction_requested_on: Option<NaiveDate>,
    /// The applicant's deadline to correct, inclusive.
    pub correction_respond_by: Option<NaiveDate>,
    /// The day after `correction_respond_by` while the correction is outstanding: the first day
    /// the case may be concluded as `other_correction_overdue`.
    pub correction_lapses_on: Option<NaiveDate>,
    /// Outstanding correction and `today` (or the conclusion date) is after `respond_by`.
    pub correction_lapsed: bool,
    /// The date the corrected application arrived (the new `start`).
    pub corrected_on: Option<NaiveDate>,
    /// Every consultation, in the order recorded.
    pub consultations: Vec<ConsultationClock>,
    /// The latest fee notice and its payment.
    pub fee_notice_on: Option<NaiveDate>,
    /// The payment of the latest fee notice.
    pub fee_paid_on: Option<NaiveDate>,
    /// The latest fee notice plus the fee payment limit.
    pub fee_pay_by: Option<NaiveDate>,
    /// The day after `fee_pay_by` while unpaid: the first day the case may be concluded as
    /// `other_fee_unpaid`.
    pub fee_lapses_on: Option<NaiveDate>,
    /// Unpaid and `today` (or the conclusion date) is after `fee_pay_by`.
    pub fee_lapsed: bool,
    /// The extension applied (the first recorded one, approved on or after `start`).
    pub extension: Option<ExtensionExplanation>,
}

/// A pause as counted: `until` is the recorded end, or the conclusion date for a pause still
/// open when the case concluded, or `None` (removes every day after `from`).
struct Interval {
    kind: PauseKind,
    from: NaiveDate,
    to: Option<NaiveDate>,
    until: Option<NaiveDate>,
}

impl Interval {
    fn covers(&self, date: NaiveDate) -> bool {
        self.from < date && self.until.is_none_or(|e| date <= e)
    }
}

/// The facts of the event list, first occurrence winning where only one is allowed.
#[derive(Default)]
struct Facts {
    received: Option<NaiveDate>,
    correction: Option<(NaiveDate, NaiveDate)>,
    corrected: Option<NaiveDate>,
    consultations: Vec<(i64, NaiveDate, Option<NaiveDate>)>,
    fees: Vec<(NaiveDate, Option<NaiveDate>)>,
    extension: Option<ExtensionExplanation>,
    concluded: Option<NaiveDate>,
}

impl Facts {
    fn collect(events: &[ClockEvent]) -> Self {
        let mut f = Self::default();
        for event in events {
            match *event {
                ClockEvent::Received { on } => {
                    f.received.get_or_insert(on);
                }
                ClockEvent::CorrectionRequested { on, respond_by } => {
                    f.correction.get_or_insert((on, respond_by));
                }
                ClockEvent::CorrectionReceived { on } => {
                    f.corrected.get_or_insert(on);
                }
                ClockEvent::ConsultationStarted { consultation_id, on } => {
                    if !f.consultations.iter().any(|c| c.0 == consultation_id) {
                        f.consultations.push((consultation_id, on, None));
                    }
                }
                ClockEvent::ConsultationReplied { consultation_id, on } => {
                    if let Some(c) = f.consultations.iter_mut().find(|c| c.0 == consultation_id && c.2.is_none()) {
                        c.2 = Some(on);
                    }
                }
                ClockEvent::Extended { approved_on, notified_on, working_days } => {
                    f.extension.get_or_insert(ExtensionExplanation { approved_on, notified_on, working_days });
                }
                ClockEvent::FeeNoticeIssued { on } => f.fees.push((on, None)),
                ClockEvent::FeePaid { on } => {
                    if let Some(fee) = f.fees.iter_mut().rev().find(|fee| fee.1.is_none()) {
                        fee.1 = Some(on);
                    }
                }
                ClockEvent::Concluded { on } => {
                    f.concluded.get_or_insert(on);
                }
            }
        }
        f
    }
}

/// Derive the clock of one case from its events (in recorded order) on `today`.
///
/// Contract:
/// - The period starts at the first `Received` date, or at the first `CorrectionReceived` date
///   (a fresh period); extensions approved before that start are ignored, pauses count only for
///   their days after it. Without any `Received` event the earliest event date (or `today`)
///   stands in, so the function is total; the service never records such a list.
/// - Only the first correction request, corrected application, extension and conclusion count.
///   A `FeePaid` settles the latest unpaid fee notice; a `ConsultationReplied` the consultation of
///   its id. Replies to unknown consultations and payments without a notice are ignored.
/// - A pause still open when the case concluded is treated as ending on the conclusion date.
/// - Cost: linear in the number of days of the window times the number of pauses.
pub fn compute(calendar: &Calendar, rules: &ClockRules, events: &[ClockEvent], today: NaiveDate) -> Clock {
    let facts = Facts::collect(events);
    let received_on = facts.received.or_else(|| events.iter().map(ClockEvent::date).min()).unwrap_or(today);
    let start = facts.corrected.unwrap_or(received_on);
    let concluded = facts.concluded.is_some();
    // Lapses and statuses are judged on the conclusion date once there is one.
    let reference = facts.concluded.unwrap_or(today);
    let awaiting_correction = facts.correction.is_some() && facts.corrected.is_none();
    let correction_stop = if awaiting_correction { facts.correction.map(|(on, _)| on) } else { None };

    let extension = facts.extension.filter(|e| e.approved_on >= start);
    let allowance = rules.allowance.saturating_add(extension.as_ref().map_or(0, |e| e.working_days));

    let mut intervals: Vec<Interval> = facts
        .consultations
        .iter()
        .map(|&(_, from, to)| Interval { kind: PauseKind::Consultation, from, to, until: to.or(facts.concluded) })
        .collect();
    if rules.fee_notice_pauses {
        intervals.extend(facts.fees.iter().map(|&(from, to)| Interval {
            kind: PauseKind::Fee,
            from,
            to,
            until: to.or(facts.concluded),
        }));
    }
    // A pause that ended on or before the start removes nothing from this period.
    intervals.retain(|i| i.until.is_none_or(|e| e > start));
    intervals.sort_by_key(|i| i.from);
    let open_from = intervals.iter().filter(|i| i.until.is_none()).map(|i| i.from).min();
    // Nothing is counted after this date: the correction notice or the earliest open pause.
    let block = match (correction_stop, open_from) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    };

    let due_on = if awaiting_correction { None } else { find_due(calendar, start, allowance, &intervals, block) };

    let window = scan_window(calendar, start, due_on.unwrap_or(reference), &intervals, block);

    let open_pause = open_from.is_some();
    let paused = !concluded && (awaiting_correction || open_pause);
    let working_days_left = if concluded || awaiting_correction {
        None
    } else if let Some(pause_from) = open_from {
        let counted = count_unpaused(calendar, start, today.min(pause_from), &intervals);
        Some(i64::from(allowance) - counted)
    } else {
        due_on.map(|due| calendar.working_days_between(today, due))
    };

    let correction_requested_on = facts.correction.map(|(on, _)| on);
    let correction_respond_by = facts.correction.map(|(_, by)| by);
    let correction_lapses_on = if awaiting_correction { correction_respond_by.map(next_day) } else { None };
    let correction_lapsed = awaiting_correction && correction_respond_by.is_some_and(|by| reference > by);

    let latest_fee = facts.fees.last().copied();
    let fee_pay_by = latest_fee.map(|(on, _)| calendar.add_working_days(on, rules.fee_payment_limit));
    let fee_unpaid = latest_fee.is_some_and(|(_, paid)| paid.is_none());
    let fee_lapses_on = if fee_unpaid { fee_pay_by.map(next_day) } else { None };
    let fee_lapsed = fee_unpaid && fee_pay_by.is_some_and(|by| reference > by);

    let consultations: Vec<ConsultationClock> = facts
        .consultations
        .iter()
        .map(|&(consultation_id, sent_on, replied_on)| ConsultationClock {
            consultation_id,
            sent_on,
            reply_due: calendar.add_working_days(sent_on, rules.consultation_reply_limit),
            replied_on,
        })
        .collect();
    let in_consultation = consultations.iter().any(|c| c.replied_on.is_none());

    let status = if concluded {
        ClockStatus::Concluded
    } else if awaiting_correction {
        ClockStatus::AwaitingCorrection
    } else if fee_unpaid {
        ClockStatus::AwaitingFee
    } else if in_consultation {
        ClockStatus::InConsultation
    } else {
        ClockStatus::Received
    };

    let pauses = intervals
        .iter()
        .zip(window.paused_by)
        .map(|(i, working_days)| PauseExplanation { kind: i.kind, from: i.from, to: i.to, working_days })
        .collect();

    Clock {
        status,
        received_on,
        start,
        allowance,
        due_on,
        paused,
        extended: extension.is_some(),
        working_days_left,
        overdue: is_overdue(status, due_on, today),
        concluded_on: facts.concluded,
        late: facts.concluded.and_then(|on| due_on.map(|due| on > due)),
        pauses,
        counted_days: window.counted,
        holidays: window.holidays,
        make_up_days: window.make_up_days,
        provisional: window.years.iter().any(|&y| calendar.year(y).is_none()),
        calendar_years: window.years,
        correction_notice_deadline: calendar.add_working_days(received_on, rules.correction_notice_limit),
        correction_requested_on,
        correction_respond_by,
        correction_lapses_on,
        correction_lapsed,
        corrected_on: facts.corrected,
        consultations,
        fee_notice_on: latest_fee.map(|(on, _)| on),
        fee_paid_on: latest_fee.and_then(|(_, paid)| paid),
        fee_pay_by,
        fee_lapses_on,
        fee_lapsed,
        extension,
    }
}

/// Whether a case is overdue on `today`: not concluded and past its due date (domain.md,
/// "Lifecycle and clocks"). The one definition: the clock, the lists, the dashboard and the
/// reminders use it, and the SQL filters mirror it (`status` open and `due_on < today`).
pub fn is_overdue(status: CaseStatus, due_on: Option<NaiveDate>, today: NaiveDate) -> bool {
    status != CaseStatus::Concluded && due_on.is_some_and(|due| due < today)
}

/// The `allowance`-th working day after `start` not covered by a pause, or `None` when counting
/// reaches a day after `block` (or the end of the representable dates) first.
fn find_due(
    calendar: &Calendar,
    start: NaiveDate,
    allowance: u32,
    intervals: &[Interval],
    block: Option<NaiveDate>,
) -> Option<NaiveDate> {
    let mut date = start;
    let mut counted = 0u32;
    while counted < allowance {
        let next = next_day(date);
        if next == date || block.is_some_and(|b| next > b) {
            return None;
        }
        date = next;
        if calendar.is_working_day(date) && !intervals.iter().any(|i| i.covers(date)) {
            counted += 1;
        }
    }
    Some(date)
}

/// Working days in (start, end] not covered by any pause (open pauses cover every later day).
fn count_unpaused(calendar: &Calendar, start: NaiveDate, end: NaiveDate, intervals: &[Interval]) -> i64 {
    let mut count = 0;
    let mut date = start;
    while date < end {
        let next = next_day(date);
        if next == date {
            break;
        }
        date = next;
        if calendar.is_working_day(date) && !intervals.iter().any(|i| i.covers(date)) {
            count += 1;
        }
    }
    count
}

struct Window {
    counted: u32,
    paused_by: Vec<u32>,
    holidays: Vec<NaiveDate>,
    make_up_days: Vec<NaiveDate>,
    years: Vec<i32>,
}

/// One pass over (start, end]: counted days, the days each pause removed (a day goes to the
/// first pause covering it), holidays and make-up days. Days after a correction notice that is
/// still outstanding are neither counted nor attributed.
fn scan_window(
    calendar: &Calendar,
    start: NaiveDate,
    end: NaiveDate,
    intervals: &[Interval],
    block: Option<NaiveDate>,
) -> Window {
    let mut w = Window {
        counted: 0,
        paused_by: vec![0; intervals.len()],
        holidays: Vec::new(),
        make_up_days: Vec::new(),
        years: (start.year()..=end.max(start).year()).collect(),
    };
    let mut date = start;
    while date < end {
        let next = next_day(date);
        if next == date {
            break;
        }
        date = next;
        if calendar.is_holiday(date) {
            w.holidays.push(date);
        } else if calendar.is_make_up_day(date) {
            w.make_up_days.push(date);
        }
        if !calendar.is_working_day(date) {
            continue;
        }
        if let Some(n) = intervals.iter().position(|i| i.covers(date)).and_then(|k| w.paused_by.get_mut(k)) {
            *n = n.saturating_add(1);
        } else if block.is_none_or(|b| date <= b) {
            w.counted = w.counted.saturating_add(1);
        }
    }
    w
}

/// `2019年3月5日`.
fn zh_date(date: NaiveDate) -> String {
    format!("{}年{}月{}日", date.year(), date.month(), date.day())
}

/// Consecutive dates grouped into runs: `2019年10月1日至10月4日、2019年10月7日`.
fn zh_date_runs(dates: &[NaiveDate]) -> String {
    let mut runs: Vec<(NaiveDate, NaiveDate)> = Vec::new();
    for &date in dates {
        match runs.last_mut() {
            Some((_, last)) if next_day(*last) == date => *last = date,
            _ => runs.push((date, date)),
        }
    }
    runs.iter()
        .map(|&(a, b)| {
            if a == b {
                zh_date(a)
            } else if a.year() == b.year() {
                format!("{}至{}月{}日", zh_date(a), b.month(), b.day())
            } else {
                format!("{}至{}", zh_date(a), zh_date(b))
            }
        })
        .collect::<Vec<_>>()
        .join("、")
}

impl Clock {
    /// Short Chinese sentences that explain the clock to an applicant, in order: receipt and
    /// period, correction, pauses, holidays and make-up days, extension, due date, conclusion or
    /// current state, and a note when the calendar data was incomplete.
    pub fn explain_zh(&self) -> Vec<String> {
        let mut out = Vec::new();
        let base = self.allowance.saturating_sub(self.extension.as_ref().map_or(0, |e| e.working_days));
        out.push(format!("{}收到申请，答复期限为{}个工作日，自次日起计算。", zh_date(self.received_on), base));
        if let Some(on) = self.correction_requested_on {
            let by = self.correction_respond_by.map(|by| format!("，补正期限至{}", zh_date(by))).unwrap_or_default();
            out.push(format!("{}向申请人发出补正通知，答复期限停止计算{}。", zh_date(on), by));
        }
        if let Some(on) = self.corrected_on {
            out.push(format!("{}收到补正后的申请，自次日起重新计算{}个工作日。", zh_date(on), base));
        } else if let (true, Some(from)) = (self.correction_lapsed, self.correction_lapses_on) {
            out.push(format!("申请人未在补正期限内补正，自{}起视为放弃申请。", zh_date(from)));
        }
        for pause in &self.pauses {
            out.push(match (pause.kind, pause.to) {
                (PauseKind::Consultation, Some(to)) => format!(
                    "{}起征求意见，{}收到答复，期间{}个工作日不计入答复期限。",
                    zh_date(pause.from),
                    zh_date(to),
                    pause.working_days
                ),
                (PauseKind::Consultation, None) => {
                    format!("{}起征求意见，尚未收到答复，征求意见期间不计入答复期限。", zh_date(pause.from))
                }
                (PauseKind::Fee, Some(to)) => format!(
                    "{}发出收费通知，{}缴费，期间{}个工作日不计入答复期限。",
                    zh_date(pause.from),
                    zh_date(to),
                    pause.working_days
                ),
                (PauseKind::Fee, None) => {
                    format!("{}发出收费通知，申请人尚未缴费，缴费期间不计入答复期限。", zh_date(pause.from))
                }
            });
        }
        if let (Some(by), Some(from)) = (self.fee_pay_by, self.fee_lapses_on) {
            if self.fee_lapsed {
                out.push(format!("申请人未在缴费期限（至{}）内缴费，自{}起视为放弃申请。", zh_date(by), zh_date(from)));
            } else {
                out.push(format!("缴费期限至{}。", zh_date(by)));
            }
        }
        if !self.holidays.is_empty() {
            out.push(format!(
                "期间遇节假日{}，共{}个工作日放假，不计入工作日。",
                zh_date_runs(&self.holidays),
                self.holidays.len()
            ));
        }
        if !self.make_up_days.is_empty() {
            out.push(format!("{}为调休上班日，计为工作日。", zh_date_runs(&self.make_up_days)));
        }
        if let Some(e) = &self.extension {
            out.push(format!(
                "{}经批准延长答复期限{}个工作日，并于{}告知申请人，答复期限共{}个工作日。",
                zh_date(e.approved_on),
                e.working_days,
                zh_date(e.notified_on),
                self.allowance
            ));
        }
        if let Some(due) = self.due_on {
            out.push(format!("答复期限届满日为{}。", zh_date(due)));
        }
        match (self.concluded_on, self.late) {
            (Some(on), Some(true)) => out.push(format!("{}办结，超过答复期限。", zh_date(on))),
            (Some(on), Some(false)) => out.push(format!("{}办结，未超过答复期限。", zh_date(on))),
            (Some(on), None) => out.push(format!("{}办结。", zh_date(on))),
            (None, _) => match (self.status, self.working_days_left) {
                (ClockStatus::AwaitingCorrection, _) => {
                    out.push("正在等待申请人补正，答复期限停止计算。".to_string());
                }
                (_, Some(left)) if self.paused => out.push(format!("答复期限暂停计算，暂停时尚余{left}个工作日。")),
                (_, Some(left)) if left < 0 => {
                    out.push(format!("已超过答复期限{}个工作日。", -left));
                }
                (_, Some(0)) => out.push("今天是答复期限的最后一个工作日。".to_string()),
                (_, Some(left)) => out.push(format!("距答复期限届满还有{left}个工作日。")),
                (_, None) => {}
            },
        }
        if self.provisional {
            out.push(
                "注：计算期间部分年份的节假日安排尚未录入，暂按周一至周五为工作日推算，日期可能调整。".to_string(),
            );
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use std::sync::OnceLock;

    use proptest::prelude::*;

    use super::*;

    fn cal() -> &'static Calendar {
        static CAL: OnceLock<Calendar> = OnceLock::new();
        CAL.get_or_init(|| Calendar::shipped().unwrap())
    }

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn ds(list: &[&str]) -> Vec<NaiveDate> {
        list.iter().map(|s| d(s)).collect()
    }

    fn received(on: &str) -> ClockEvent {
        ClockEvent::Received { on: d(on) }
    }

    fn clock(events: &[ClockEvent], today: &str) -> Clock {
        compute(cal(), &ClockRules::default(), events, d(today))
    }

    /// The identity every determined clock satisfies.
    fn assert_counts_add_up(c: &Clock) {
        let due = c.due_on.unwrap();
        assert_eq!(c.counted_days, c.allowance);
        let paused: u32 = c.pauses.iter().map(|p| p.working_days).sum();
        assert_eq!(i64::from(c.counted_days + paused), cal().working_days_between(c.start, due));
    }

    #[test]
    fn receipt_on_a_friday_counts_from_monday_and_skips_qingming() {
        // Fri 2019-03-08. Counted: 11–15 Mar (5), 18–22 (10), 25–29 (15), 1–4 Apr (19);
        // Fri 5 Apr is Qingming (rest day); Mon 8 Apr is the 20th.
        let c = clock(&[received("2019-03-08")], "2019-03-08");
        assert_eq!(c.status, ClockStatus::Received);
        assert_eq!(c.due_on, Some(d("2019-04-08")));
        assert_eq!(c.holidays, ds(&["2019-04-05"]));
        assert!(c.make_up_days.is_empty());
        assert_eq!(c.working_days_left, Some(20));
        assert_eq!(c.calendar_years, vec![2019]);
        assert!(!c.provisional);
        assert_counts_add_up(&c);
    }

    #[test]
    fn receipt_the_day_before_national_day_counts_from_8_october() {
        // Mon 2019-09-30. 1–7 Oct rest; counted: 8–11 Oct (4), Sat 12 Oct make-up (5),
        // 14–18 (10), 21–25 (15), 28–31 (19), Fri 1 Nov (20).
        let c = clock(&[received("2019-09-30")], "2019-09-30");
        assert_eq!(c.due_on, Some(d("2019-11-01")));
        // Weekday rest days only: 5–6 Oct are an ordinary weekend.
        assert_eq!(c.holidays, ds(&["2019-10-01", "2019-10-02", "2019-10-03", "2019-10-04", "2019-10-07"]));
        assert_eq!(c.make_up_days, ds(&["2019-10-12"]));
        assert_counts_add_up(&c);
    }

    #[test]
    fn receipt_inside_national_day_gives_the_same_due_date() {
        // Thu 2019-10-03 is a rest day; the first counted day is still Tue 8 Oct, so the due
        // date is Fri 1 Nov as above. Holidays strictly after the start: 4 and 7 Oct.
        let c = clock(&[received("2019-10-03")], "2019-10-03");
        assert_eq!(c.due_on, Some(d("2019-11-01")));
        assert_eq!(c.holidays, ds(&["2019-10-04", "2019-10-07"]));
        assert_eq!(c.make_up_days, ds(&["2019-10-12"]));
        assert_counts_add_up(&c);
    }

    #[test]
    fn receipt_on_a_make_up_saturday_counts_from_monday() {
        // Sat 2019-10-12 is a working day; counted: 14–18 Oct (5), 21–25 (10), 28 Oct–1 Nov (15),
        // 4–8 Nov (20). The start itself is not in the window.
        let c = clock(&[received("2019-10-12")], "2019-10-12");
        assert_eq!(c.due_on, Some(d("2019-11-08")));
        assert!(c.holidays.is_empty());
        assert!(c.make_up_days.is_empty());
        assert_counts_add_up(&c);
    }

    #[test]
    fn receipt_on_the_spring_festival_make_up_saturday_counts_the_sunday() {
        // Sat 2019-02-02 and Sun 2019-02-03 are make-up days, 4–10 Feb rest.
        // Counted: Sun 3 Feb (1), 11–15 Feb (6), 18–22 (11), 25 Feb–1 Mar (16), 4–7 Mar (20).
        let c = clock(&[received("2019-02-02")], "2019-02-02");
        assert_eq!(c.due_on, Some(d("2019-03-07")));
        assert_eq!(c.holidays, ds(&["2019-02-04", "2019-02-05", "2019-02-06", "2019-02-07", "2019-02-08"]));
        assert_eq!(c.make_up_days, ds(&["2019-02-03"]));
        assert_counts_add_up(&c);
    }

    #[test]
    fn the_extended_2020_spring_festival_is_skipped() {
        // Mon 2020-01-20. Counted: 21–23 Jan (3); 24 Jan–2 Feb rest (extended by notice
        // 〔2020〕1号, the 1 Feb make-up day cancelled); 3–7 Feb (8), 10–14 (13), 17–21 (18),
        // 24–25 Feb (20).
        let c = clock(&[received("2020-01-20")], "2020-01-20");
        assert_eq!(c.due_on, Some(d("2020-02-25")));
        assert_eq!(
            c.holidays,
            ds(&["2020-01-24", "2020-01-27", "2020-01-28", "2020-01-29", "2020-01-30", "2020-01-31"])
        );
        assert!(c.make_up_days.is_empty());
        assert_counts_add_up(&c);
    }

    #[test]
    fn the_2020_spring_festival_make_up_sunday_is_counted() {
        // Fri 2020-01-17. Counted: Sun 19 Jan make-up (1), 20–23 Jan (5), 3–7 Feb (10),
        // 10–14 (15), 17–21 Feb (20).
        let c = clock(&[received("2020-01-17")], "2020-01-17");
        assert_eq!(c.due_on, Some(d("2020-02-21")));
        assert_eq!(c.make_up_days, ds(&["2020-01-19"]));
        assert_counts_add_up(&c);
    }

    #[test]
    fn a_period_crossing_new_year_may_end_on_a_make_up_sunday() {
        // Fri 2019-12-20. Counted: 23–27 Dec (5), 30–31 Dec (7); 1 Jan 2020 rest; 2–3 Jan (9),
        // 6–10 (14), 13–17 (19), Sun 19 Jan 2020 make-up (20).
        let c = clock(&[received("2019-12-20")], "2019-12-20");
        assert_eq!(c.due_on, Some(d("2020-01-19")));
        assert_eq!(c.holidays, ds(&["2020-01-01"]));
        assert_eq!(c.make_up_days, ds(&["2020-01-19"]));
        assert_eq!(c.calendar_years, vec![2019, 2020]);
        assert!(!c.provisional);
        assert_counts_add_up(&c);
    }

    #[test]
    fn a_pause_starting_and_ending_on_holidays_removes_only_working_days_inside_it() {
        // Mon 2019-09-02; consultation sent Fri 13 Sep (Mid-Autumn rest day), answered Thu 3 Oct
        // (National Day). Removed (13 Sep, 3 Oct]: 16–20 Sep (5), 23–27 (10), Sun 29 Sep
        // make-up (11), Mon 30 Sep (12). Counted: 3–6 Sep (4), 9–12 (8), then 8–11 Oct (12),
        // Sat 12 Oct (13), 14–18 (18), 21–22 Oct (20).
        let c = clock(
            &[
                received("2019-09-02"),
                ClockEvent::ConsultationStarted { consultation_id: 1, on: d("2019-09-13") },
                ClockEvent::ConsultationReplied { consultation_id: 1, on: d("2019-10-03") },
            ],
            "2019-10-08",
        );
        assert_eq!(c.status, ClockStatus::Received);
        assert_eq!(c.due_on, Some(d("2019-10-22")));
        assert_eq!(
            c.pauses,
            vec![PauseExplanation {
                kind: PauseKind::Consultation,
                from: d("2019-09-13"),
                to: Some(d("2019-10-03")),
                working_days: 12,
            }]
        );
        assert_eq!(
            c.holidays,
            ds(&["2019-09-13", "2019-10-01", "2019-10-02", "2019-10-03", "2019-10-04", "2019-10-07"])
        );
        assert_eq!(c.make_up_days, ds(&["2019-09-29", "2019-10-12"]));
        // 13 Sep + 15 working days: 16–20, 23–27 (10), 29, 30 Sep (12), 8–10 Oct (15).
        assert_eq!(c.consultations[0].reply_due, d("2019-10-10"));
        assert_counts_add_up(&c);
    }

    #[test]
    fn a_corrected_application_starts_a_fresh_period() {
        // Fri 2019-03-01; correction notice deadline: 4–8 Mar (5), 11–12 Mar (7) → 12 Mar.
        let requested = [
            received("2019-03-01"),
            ClockEvent::CorrectionRequested { on: d("2019-03-05"), respond_by: d("2019-03-20") },
        ];
        let waiting = clock(&requested, "2019-03-10");
        assert_eq!(waiting.status, ClockStatus::AwaitingCorrection);
        assert_eq!(waiting.correction_notice_deadline, d("2019-03-12"));
        assert_eq!(waiting.due_on, None);
        assert_eq!(waiting.working_days_left, None);
        assert!(waiting.paused);
        assert_eq!(waiting.correction_lapses_on, Some(d("2019-03-21")));
        assert!(!waiting.correction_lapsed);
        assert!(!clock(&requested, "2019-03-20").correction_lapsed);
        assert!(clock(&requested, "2019-03-21").correction_lapsed);

        // Corrected Fri 15 Mar: 18–22 (5), 25–29 (10), 1–4 Apr (14), 5 Apr Qingming,
        // 8–12 Apr (19), 15 Apr (20).
        let mut events = requested.to_vec();
        events.push(ClockEvent::CorrectionReceived { on: d("2019-03-15") });
        let c = clock(&events, "2019-03-15");
        assert_eq!(c.status, ClockStatus::Received);
        assert_eq!(c.received_on, d("2019-03-01"));
        assert_eq!(c.start, d("2019-03-15"));
        assert_eq!(c.due_on, Some(d("2019-04-15")));
        assert_eq!(c.correction_lapses_on, None);
        assert!(!c.correction_lapsed);
        assert!(!c.paused);
        assert_counts_add_up(&c);
    }

    #[test]
    fn an_extension_after_a_pause_adds_to_the_allowance() {
        // Tue 2019-03-05, plain due date Tue 2 Apr. Consultation 11→15 Mar removes 12–15 Mar (4):
        // 3, 4 Apr (2), 5 Apr Qingming, 8, 9 Apr (4) → 9 Apr. Extension of 20: 10–12 Apr (3),
        // 15–19 (8), 22–26 (13), Sun 28 Apr make-up (14), 29–30 Apr (16), 1–4 May rest,
        // Sun 5 May make-up (17), 6–8 May (20) → Wed 8 May.
        let c = clock(
            &[
                received("2019-03-05"),
                ClockEvent::ConsultationStarted { consultation_id: 7, on: d("2019-03-11") },
                ClockEvent::ConsultationReplied { consultation_id: 7, on: d("2019-03-15") },
                ClockEvent::Extended { approved_on: d("2019-04-01"), notified_on: d("2019-04-02"), working_days: 20 },
            ],
            "2019-04-03",
        );
        assert!(c.extended);
        assert_eq!(c.allowance, 40);
        assert_eq!(c.due_on, Some(d("2019-05-08")));
        assert_eq!(c.pauses[0].working_days, 4);
        assert_eq!(c.make_up_days, ds(&["2019-04-28", "2019-05-05"]));
        assert_counts_add_up(&c);
    }

    #[test]
    fn a_paid_fee_notice_pauses_the_clock() {
        // Tue 2019-03-05; notice Fri 8 Mar, paid Mon 18 Mar: removes 11–15 Mar and 18 Mar (6).
        // 2 Apr + 6: 3, 4 (2), 5 Qingming, 8–11 Apr (6) → Thu 11 Apr.
        // Pay-by: 8 Mar + 20: 11–15 (5), 18–22 (10), 25–29 (15), 1–4 Apr (19), 8 Apr (20).
        let events = [
            received("2019-03-05"),
            ClockEvent::FeeNoticeIssued { on: d("2019-03-08") },
            ClockEvent::FeePaid { on: d("2019-03-18") },
        ];
        let c = clock(&events, "2019-03-20");
        assert_eq!(c.due_on, Some(d("2019-04-11")));
        assert_eq!(c.pauses[0].kind, PauseKind::Fee);
        assert_eq!(c.pauses[0].working_days, 6);
        assert_eq!(c.fee_pay_by, Some(d("2019-04-08")));
        assert_eq!(c.fee_lapses_on, None);
        assert!(!c.fee_lapsed);
        assert_counts_add_up(&c);

        let rules = ClockRules { fee_notice_pauses: false, ..ClockRules::default() };
        let unpaused = compute(cal(), &rules, &events, d("2019-03-20"));
        assert_eq!(unpaused.due_on, Some(d("2019-04-02")));
        assert!(unpaused.pauses.is_empty());
    }

    #[test]
    fn an_unpaid_fee_freezes_the_clock_and_lapses_after_the_pay_by_date() {
        let events = [received("2019-03-05"), ClockEvent::FeeNoticeIssued { on: d("2019-03-08") }];
        let c = clock(&events, "2019-04-09");
        assert_eq!(c.status, ClockStatus::AwaitingFee);
        assert!(c.paused);
        assert_eq!(c.due_on, None);
        // Counted before the notice: 6, 7, 8 Mar (the notice day itself still counts).
        assert_eq!(c.counted_days, 3);
        assert_eq!(c.working_days_left, Some(17));
        assert_eq!(c.fee_lapses_on, Some(d("2019-04-09")));
        assert!(c.fee_lapsed);
        assert!(!clock(&events, "2019-04-08").fee_lapsed);
        // The pause removed every working day after the notice up to today: 11 Mar–9 Apr is
        // 22 working days minus Qingming = 21.
        assert_eq!(c.pauses[0].working_days, 21);

        // Concluded as unpaid on 15 Apr: the open pause ends there, the due date is after it.
        let mut concluded = events.to_vec();
        concluded.push(ClockEvent::Concluded { on: d("2019-04-15") });
        let c = clock(&concluded, "2019-05-01");
        assert_eq!(c.status, ClockStatus::Concluded);
        assert!(c.fee_lapsed);
        assert_eq!(c.late, Some(false));
        assert_eq!(c.working_days_left, None);
        assert_counts_add_up(&c);
    }

    #[test]
    fn overlapping_consultations_pause_the_union_of_their_days() {
        // Tue 2019-03-05. A: 11→20 Mar, B: 14→27 Mar; union (11, 27 Mar]: 12–15 (4), 18–22 (9),
        // 25–27 (12). A gets 12–20 Mar (7), B the rest (5). 2 Apr + 12: 3, 4 (2), 8–12 (7),
        // 15–19 Apr (12) → Fri 19 Apr.
        let mut events = vec![
            received("2019-03-05"),
            ClockEvent::ConsultationStarted { consultation_id: 1, on: d("2019-03-11") },
            ClockEvent::ConsultationStarted { consultation_id: 2, on: d("2019-03-14") },
            ClockEvent::ConsultationReplied { consultation_id: 1, on: d("2019-03-20") },
        ];
        let open = clock(&events, "2019-03-25");
        assert_eq!(open.status, ClockStatus::InConsultation);
        assert_eq!(open.due_on, None);
        // Counted before the pauses: 6, 7, 8, 11 Mar.
        assert_eq!(open.working_days_left, Some(16));
        // A: 11 Mar + 15: 12–15 (4), 18–22 (9), 25–29 (14), 1 Apr (15).
        assert_eq!(open.consultations[0].reply_due, d("2019-04-01"));
        assert_eq!(open.consultations[1].replied_on, None);

        events.push(ClockEvent::ConsultationReplied { consultation_id: 2, on: d("2019-03-27") });
        let c = clock(&events, "2019-03-27");
        assert_eq!(c.status, ClockStatus::Received);
        assert_eq!(c.due_on, Some(d("2019-04-19")));
        assert_eq!(c.pauses.iter().map(|p| p.working_days).collect::<Vec<_>>(), vec![7, 5]);
        assert_counts_add_up(&c);
    }

    #[test]
    fn an_overdue_case_has_negative_working_days_left() {
        // Due Tue 2 Apr 2019; by Tue 9 Apr four working days passed: 3, 4, 8, 9 Apr.
        let c = clock(&[received("2019-03-05")], "2019-04-09");
        assert!(c.overdue);
        assert_eq!(c.working_days_left, Some(-4));
        assert_eq!(c.late, None);
        assert!(c.explain_zh().contains(&"已超过答复期限4个工作日。".to_string()));
    }

    #[test]
    fn concluding_after_the_due_date_is_late() {
        let late = clock(&[received("2019-03-05"), ClockEvent::Concluded { on: d("2019-04-03") }], "2019-05-01");
        assert_eq!(late.status, ClockStatus::Concluded);
        assert_eq!(late.late, Some(true));
        assert!(!late.overdue);
        assert_eq!(late.working_days_left, None);
        let on_time = clock(&[received("2019-03-05"), ClockEvent::Concluded { on: d("2019-04-02") }], "2019-05-01");
        assert_eq!(on_time.late, Some(false));
    }

    #[test]
    fn a_window_reaching_a_year_without_data_is_provisional() {
        // Tue 2026-12-15 runs into 2027, which the shipped calendar does not cover.
        let c = clock(&[received("2026-12-15")], "2026-12-15");
        assert_eq!(c.calendar_years, vec![2026, 2027]);
        assert!(c.provisional);
        assert!(c.explain_zh().last().unwrap().starts_with("注："));
    }

    #[test]
    fn the_explanation_reads_as_plain_chinese() {
        let c = clock(
            &[
                received("2019-03-05"),
                ClockEvent::ConsultationStarted { consultation_id: 1, on: d("2019-03-11") },
                ClockEvent::ConsultationReplied { consultation_id: 1, on: d("2019-03-15") },
            ],
            "2019-03-20",
        );
        assert_eq!(
            c.explain_zh(),
            vec![
                "2019年3月5日收到申请，答复期限为20个工作日，自次日起计算。",
                "2019年3月11日起征求意见，2019年3月15日收到答复，期间4个工作日不计入答复期限。",
                "期间遇节假日2019年4月5日，共1个工作日放假，不计入工作日。",
                "答复期限届满日为2019年4月9日。",
                // (20 Mar, 9 Apr]: 21–22 Mar (2), 25–29 (7), 1–4 Apr (11), 8–9 Apr (13).
                "距答复期限届满还有13个工作日。",
            ]
        );
        let national_day = clock(&[received("2019-09-30")], "2019-09-30").explain_zh();
        assert!(national_day.contains(
            &"期间遇节假日2019年10月1日至10月4日、2019年10月7日，共5个工作日放假，不计入工作日。".to_string()
        ));
        assert!(national_day.contains(&"2019年10月12日为调休上班日，计为工作日。".to_string()));
    }

    #[test]
    fn status_serialises_in_snake_case() {
        let c = clock(&[received("2019-03-05")], "2019-03-05");
        let json = serde_json::to_value(&c).unwrap();
        assert_eq!(json["status"], "received");
        assert_eq!(json["due_on"], "2019-04-02");
        assert_eq!(serde_json::to_value(ClockStatus::AwaitingCorrection).unwrap(), "awaiting_correction");
    }

    // Property tests over random receipts in 2018–2026 and random closed pauses.

    fn base() -> NaiveDate {
        d("2018-01-01")
    }

    fn date_at(offset: u32) -> NaiveDate {
        base() + chrono::Days::new(u64::from(offset))
    }

    /// (start offset from receipt, length in calendar days) of closed consultations.
    fn pause_events(receipt: NaiveDate, pauses: &[(u32, u32)]) -> Vec<ClockEvent> {
        let mut events = vec![ClockEvent::Received { on: receipt }];
        for (i, &(from, len)) in pauses.iter().enumerate() {
            let id = i64::try_from(i).unwrap();
            let s = receipt + chrono::Days::new(u64::from(from));
            events.push(ClockEvent::ConsultationStarted { consultation_id: id, on: s });
            events.push(ClockEvent::ConsultationReplied {
                consultation_id: id,
                on: s + chrono::Days::new(u64::from(len)),
            });
        }
        events
    }

    fn covered(events: &[ClockEvent], date: NaiveDate) -> bool {
        let facts = Facts::collect(events);
        facts.consultations.iter().any(|&(_, s, e)| s < date && e.is_none_or(|e| date <= e))
    }

    const RECEIPTS: std::ops::Range<u32> = 0..3287; // 2018-01-01 ..= 2026-12-31

    proptest! {
        #[test]
        fn due_date_is_a_working_day_and_counts_add_up(
            receipt in RECEIPTS,
            pauses in prop::collection::vec((0u32..60, 0u32..30), 0..4),
            extension in prop::option::of(1u32..=20),
        ) {
            let receipt = date_at(receipt);
            let mut events = pause_events(receipt, &pauses);
            if let Some(n) = extension {
                events.push(ClockEvent::Extended {
                    approved_on: receipt, notified_on: receipt, working_days: n,
                });
            }
            let c = compute(cal(), &ClockRules::default(), &events, receipt);
            let due = c.due_on.unwrap();
            prop_assert!(cal().is_working_day(due));
            prop_assert_eq!(c.counted_days, c.allowance);
            let paused: u32 = c.pauses.iter().map(|p| p.working_days).sum();
            prop_assert_eq!(
                i64::from(c.counted_days + paused),
                cal().working_days_between(c.start, due)
            );
        }

        #[test]
        fn adding_a_pause_never_moves_the_due_date_earlier(
            receipt in RECEIPTS,
            pauses in prop::collection::vec((0u32..60, 0u32..30), 0..3),
            extra in (0u32..80, 0u32..40),
        ) {
            let receipt = date_at(receipt);
            let before = compute(cal(), &ClockRules::default(), &pause_events(receipt, &pauses), receipt);
            let mut more = pauses.clone();
            more.push(extra);
            let after = compute(cal(), &ClockRules::default(), &pause_events(receipt, &more), receipt);
            prop_assert!(after.due_on.unwrap() >= before.due_on.unwrap());
        }

        #[test]
        fn a_pause_before_the_due_date_moves_it_by_its_new_working_days(
            receipt in RECEIPTS,
            pauses in prop::collection::vec((0u32..60, 0u32..30), 0..3),
            extra in (0u32..40, 0u32..20),
        ) {
            let receipt = date_at(receipt);
            let base_events = pause_events(receipt, &pauses);
            let old_due = compute(cal(), &ClockRules::default(), &base_events, receipt)
                .due_on.unwrap();
            let s = receipt + chrono::Days::new(u64::from(extra.0));
            let e = s + chrono::Days::new(u64::from(extra.1));
            prop_assume!(e < old_due);
            // k: the working days the new pause removes that no pause removed before.
            let mut k = 0;
            let mut day = s;
            while day < e {
                day = next_day(day);
                if day > receipt && cal().is_working_day(day) && !covered(&base_events, day) {
                    k += 1;
                }
            }
            // The expected due date: k more working days after the old one, skipping the old pauses.
            let mut expected = old_due;
            let mut left = k;
            while left > 0 {
                expected = next_day(expected);
                if cal().is_working_day(expected) && !covered(&base_events, expected) {
                    left -= 1;
                }
            }
            let mut more = pauses.clone();
            more.push(extra);
            let new_due = compute(cal(), &ClockRules::default(), &pause_events(receipt, &more), receipt)
                .due_on.unwrap();
            prop_assert_eq!(new_due, expected);
        }
    }
}
