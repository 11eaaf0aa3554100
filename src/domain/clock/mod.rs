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

mod explain;

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
    /// The consultation `consultation_id` was answered (or closed) on `on`; ends its pause (if
    /// its reply period had not ended it before).
    ConsultationReplied { consultation_id: i64, on: NaiveDate },
    /// The consultation letter was received (送达) on `on`: its reply period counts from then.
    ConsultationServed { consultation_id: i64, on: NaiveDate },
    /// The one extension (延期, Art. 33 ¶2) of `working_days`, approved and notified.
    Extended { approved_on: NaiveDate, notified_on: NaiveDate, working_days: u32 },
    /// A fee notice (收费通知) issued on `on`; pauses the period when the rules say so.
    FeeNoticeIssued { on: NaiveDate },
    /// The fee was paid on `on`; ends the fee pause.
    FeePaid { on: NaiveDate },
    /// The latest fee notice was received (送达) on `on`: the payment period counts from then.
    FeeNoticeServed { on: NaiveDate },
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
            | Self::ConsultationServed { on, .. }
            | Self::FeeNoticeServed { on }
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
    /// The day the pause ends: its reply or payment, or, for a consultation, the end of the
    /// party's reply period when that comes first (Art. 32, 34: no answer in time leaves the
    /// decision to the agency, and the clock runs again by itself); `None` while open.
    pub ends_on: Option<NaiveDate>,
    /// The consultation's reply period ended the pause (no reply came by then).
    pub ended_by_limit: bool,
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
    /// The day the party received the letter, when recorded.
    pub served_on: Option<NaiveDate>,
    /// [`ClockRules::consultation_reply_limit`] working days from the day the letter was served
    /// (when recorded), else from the day it was sent.
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

/// A pause as counted: `until` is the recorded end, or the end of a consultation's reply period
/// when earlier, or the conclusion date for a pause still open when the case concluded, or `None`
/// (removes every day after `from`).
struct Interval {
    kind: PauseKind,
    from: NaiveDate,
    to: Option<NaiveDate>,
    until: Option<NaiveDate>,
    ended_by_limit: bool,
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
    /// (id, sent, replied, served)
    consultations: Vec<(i64, NaiveDate, Option<NaiveDate>, Option<NaiveDate>)>,
    /// (issued, paid, served)
    fees: Vec<(NaiveDate, Option<NaiveDate>, Option<NaiveDate>)>,
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
                        f.consultations.push((consultation_id, on, None, None));
                    }
                }
                ClockEvent::ConsultationReplied { consultation_id, on } => {
                    if let Some(c) = f.consultations.iter_mut().find(|c| c.0 == consultation_id && c.2.is_none()) {
                        c.2 = Some(on);
                    }
                }
                ClockEvent::ConsultationServed { consultation_id, on } => {
                    if let Some(c) = f.consultations.iter_mut().find(|c| c.0 == consultation_id) {
                        c.3 = Some(on);
                    }
                }
                ClockEvent::Extended { approved_on, notified_on, working_days } => {
                    f.extension.get_or_insert(ExtensionExplanation { approved_on, notified_on, working_days });
                }
                ClockEvent::FeeNoticeIssued { on } => f.fees.push((on, None, None)),
                ClockEvent::FeePaid { on } => {
                    if let Some(fee) = f.fees.iter_mut().rev().find(|fee| fee.1.is_none()) {
                        fee.1 = Some(on);
                    }
                }
                ClockEvent::FeeNoticeServed { on } => {
                    if let Some(fee) = f.fees.last_mut() {
                        fee.2 = Some(on);
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

    // A consultation's pause ends at the reply or at the end of the reply period, whichever is
    // first (Art. 32, 34; Art. 33 ¶3 excludes only the time the consultation needs).
    let reply_limit = |sent: NaiveDate, served: Option<NaiveDate>| {
        calendar.add_working_days(served.unwrap_or(sent), rules.consultation_reply_limit)
    };
    let mut intervals: Vec<Interval> = facts
        .consultations
        .iter()
        .map(|&(_, from, to, served)| {
            let limit = reply_limit(from, served);
            let end = to.map_or(limit, |reply| reply.min(limit));
            Interval {
                kind: PauseKind::Consultation,
                from,
                to,
                until: Some(facts.concluded.map_or(end, |c| c.min(end))),
                ended_by_limit: to.is_none_or(|reply| limit < reply),
            }
        })
        .collect();
    if rules.fee_notice_pauses {
        intervals.extend(facts.fees.iter().map(|&(from, to, _)| Interval {
            kind: PauseKind::Fee,
            from,
            to,
            until: to.or(facts.concluded),
            ended_by_limit: false,
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

    let in_pause = intervals.iter().any(|i| i.from <= today && i.until.is_none_or(|e| today < e));
    let paused = !concluded && (awaiting_correction || open_from.is_some() || in_pause);
    let working_days_left = if concluded || awaiting_correction {
        None
    } else if let Some(pause_from) = open_from {
        let counted = count_unpaused(calendar, start, today.min(pause_from), &intervals);
        Some(i64::from(allowance) - counted)
    } else if in_pause {
        // Inside a pause that will end by itself: the days left do not run down meanwhile.
        Some(i64::from(allowance) - count_unpaused(calendar, start, today, &intervals))
    } else {
        due_on.map(|due| calendar.working_days_between(today, due))
    };

    let correction_requested_on = facts.correction.map(|(on, _)| on);
    let correction_respond_by = facts.correction.map(|(_, by)| by);
    let correction_lapses_on = if awaiting_correction { correction_respond_by.map(next_day) } else { None };
    let correction_lapsed = awaiting_correction && correction_respond_by.is_some_and(|by| reference > by);

    let latest_fee = facts.fees.last().copied();
    // 20 working days from the day after the notice was received (国办函〔2020〕109号 第七条):
    // from its service when recorded, else from its issue.
    let fee_pay_by =
        latest_fee.map(|(on, _, served)| calendar.add_working_days(served.unwrap_or(on), rules.fee_payment_limit));
    let fee_unpaid = latest_fee.is_some_and(|(_, paid, _)| paid.is_none());
    let fee_lapses_on = if fee_unpaid { fee_pay_by.map(next_day) } else { None };
    let fee_lapsed = fee_unpaid && fee_pay_by.is_some_and(|by| reference > by);

    let consultations: Vec<ConsultationClock> = facts
        .consultations
        .iter()
        .map(|&(consultation_id, sent_on, replied_on, served_on)| ConsultationClock {
            consultation_id,
            sent_on,
            served_on,
            reply_due: reply_limit(sent_on, served_on),
            replied_on,
        })
        .collect();
    // A consultation with no reply is open until its reply period ends.
    let in_consultation = consultations.iter().any(|c| c.replied_on.is_none() && reference <= c.reply_due);

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
        .map(|(i, working_days)| PauseExplanation {
            kind: i.kind,
            from: i.from,
            to: i.to,
            ends_on: i.until,
            ended_by_limit: i.ended_by_limit,
            working_days,
        })
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
        fee_notice_on: latest_fee.map(|(on, _, _)| on),
        fee_paid_on: latest_fee.and_then(|(_, paid, _)| paid),
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

#[cfg(test)]
mod tests;
