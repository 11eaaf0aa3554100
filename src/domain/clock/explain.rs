//! The clock in sentences a citizen understands (the case page, the clock endpoint, letters).

use chrono::{Datelike, NaiveDate};

use super::{Clock, ClockStatus, PauseKind};
use crate::domain::calendar::next_day;
use crate::domain::cn_date;

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
                cn_date(a)
            } else if a.year() == b.year() {
                format!("{}至{}月{}日", cn_date(a), b.month(), b.day())
            } else {
                format!("{}至{}", cn_date(a), cn_date(b))
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
        out.push(format!("{}收到申请，答复期限为{}个工作日，自次日起计算。", cn_date(self.received_on), base));
        if let Some(on) = self.correction_requested_on {
            let by = self.correction_respond_by.map(|by| format!("，补正期限至{}", cn_date(by))).unwrap_or_default();
            out.push(format!("{}向申请人发出补正通知，答复期限停止计算{}。", cn_date(on), by));
        }
        if let Some(on) = self.corrected_on {
            out.push(format!("{}收到补正后的申请，自次日起重新计算{}个工作日。", cn_date(on), base));
        } else if let (true, Some(from)) = (self.correction_lapsed, self.correction_lapses_on) {
            out.push(format!("申请人未在补正期限内补正，自{}起视为放弃申请。", cn_date(from)));
        }
        for pause in &self.pauses {
            out.push(match (pause.kind, pause.to, pause.ends_on) {
                (PauseKind::Consultation, Some(to), _) if !pause.ended_by_limit => format!(
                    "{}起征求意见，{}收到答复，期间{}个工作日不计入答复期限。",
                    cn_date(pause.from),
                    cn_date(to),
                    pause.working_days
                ),
                (PauseKind::Consultation, Some(to), Some(end)) => format!(
                    "{}起征求意见，答复期限至{}届满未获答复，自次日起恢复计算（{}收到答复）；期间{}个工作日不计入答复期限。",
                    cn_date(pause.from),
                    cn_date(end),
                    cn_date(to),
                    pause.working_days
                ),
                (PauseKind::Consultation, None, Some(end)) => format!(
                    "{}起征求意见，被征求意见方的答复期限至{}；期限内未答复的，自次日起恢复计算（条例第三十二条、第三十四条）。征求意见期间不计入答复期限。",
                    cn_date(pause.from),
                    cn_date(end)
                ),
                (PauseKind::Consultation, _, _) => {
                    format!("{}起征求意见，征求意见期间不计入答复期限。", cn_date(pause.from))
                }
                (PauseKind::Fee, Some(to), _) => format!(
                    "{}发出收费通知，{}缴费，期间{}个工作日不计入答复期限。",
                    cn_date(pause.from),
                    cn_date(to),
                    pause.working_days
                ),
                (PauseKind::Fee, None, _) => {
                    format!("{}发出收费通知，申请人尚未缴费，缴费期间不计入答复期限。", cn_date(pause.from))
                }
            });
        }
        if let (Some(by), Some(from)) = (self.fee_pay_by, self.fee_lapses_on) {
            if self.fee_lapsed {
                out.push(format!("申请人未在缴费期限（至{}）内缴费，自{}起视为放弃申请。", cn_date(by), cn_date(from)));
            } else {
                out.push(format!("缴费期限至{}。", cn_date(by)));
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
                cn_date(e.approved_on),
                e.working_days,
                cn_date(e.notified_on),
                self.allowance
            ));
        }
        if let Some(due) = self.due_on {
            out.push(format!("答复期限届满日为{}。", cn_date(due)));
        }
        match (self.concluded_on, self.late) {
            (Some(on), Some(true)) => out.push(format!("{}办结，超过答复期限。", cn_date(on))),
            (Some(on), Some(false)) => out.push(format!("{}办结，未超过答复期限。", cn_date(on))),
            (Some(on), None) => out.push(format!("{}办结。", cn_date(on))),
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
