//! The figures the written parts need, from the cases, and the sentences offered with them: for
//! 一 the year's totals (received, concluded, carried forward) and their change against last year;
//! for 六 the information-processing fees (信息处理费, 国办函〔2020〕109号). The author keeps a
//! sentence, edits it, or writes another: the document prints only what was written.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::domain::fees::{yuan_text, FeeFigures};
use crate::report::model::{AnnualReport, Column, ReportScope, RowKey};

/// The requests of one year, the 总计 column of section three.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct RequestTotals {
    /// 本年新收.
    pub received: i64,
    /// 上年结转.
    pub carried_over: i64,
    /// 本年度办理结果·总计.
    pub concluded: i64,
    /// 结转下年度继续办理.
    pub carried_forward: i64,
}

impl RequestTotals {
    /// The totals of a report.
    pub fn of(report: &AnnualReport) -> Self {
        let total = |row| report.cell(row, Column::Total);
        Self {
            received: total(RowKey::NewReceived),
            carried_over: total(RowKey::CarriedOver),
            concluded: total(RowKey::ConcludedTotal),
            carried_forward: total(RowKey::CarriedForward),
        }
    }

    /// Each figure less `earlier`'s.
    pub fn minus(&self, earlier: &Self) -> Self {
        Self {
            received: self.received.saturating_sub(earlier.received),
            carried_over: self.carried_over.saturating_sub(earlier.carried_over),
            concluded: self.concluded.saturating_sub(earlier.concluded),
            carried_forward: self.carried_forward.saturating_sub(earlier.carried_forward),
        }
    }
}

/// Everything the written parts can take from the cases.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct TextFigures {
    pub year: i32,
    /// The agency alone, or its subtree.
    pub scope: ReportScope,
    /// The year's requests (the figures of the report: the sealed ones when the year is sealed).
    pub requests: RequestTotals,
    /// Last year's, when last year can be reported on.
    pub previous_year: Option<RequestTotals>,
    /// The change against last year (this year's less last year's).
    pub change: Option<RequestTotals>,
    /// The information-processing fees of the year, from the fee events.
    pub fees: FeeFigures,
}

impl TextFigures {
    /// The figures of `report` against last year's `previous` report, with the year's `fees`.
    pub fn new(report: &AnnualReport, previous: Option<&AnnualReport>, fees: FeeFigures) -> Self {
        let requests = RequestTotals::of(report);
        let previous_year = previous.map(RequestTotals::of);
        Self {
            year: report.year,
            scope: report.scope,
            requests,
            change: previous_year.as_ref().map(|p| requests.minus(p)),
            previous_year,
            fees,
        }
    }

    /// Who the sentences speak of.
    fn subject(&self) -> &'static str {
        match self.scope {
            ReportScope::Own => "本机关",
            ReportScope::Compiled => "本机关及所属各级机关",
        }
    }

    /// The sentence offered for 一、总体情况: the year's requests and their change.
    pub fn overview_sentence(&self) -> String {
        let r = &self.requests;
        let (received_change, concluded_change) = match &self.previous_year {
            Some(p) => (change(r.received, p.received), change(r.concluded, p.concluded)),
            None => (String::new(), String::new()),
        };
        format!(
            "{}年，{}共收到政府信息公开申请{}件{received_change}，上年结转{}件；办结{}件{concluded_change}，结转下年度继续办理{}件。",
            self.year,
            self.subject(),
            r.received,
            r.carried_over,
            r.concluded,
            r.carried_forward,
        )
    }

    /// The sentence offered for 六、其他需要报告的事项: the fee notices, the fees paid and the
    /// requests that lapsed for non-payment. From 2021 on it names the measures the fees follow.
    pub fn fee_sentence(&self) -> String {
        let f = &self.fees;
        let basis = if self.year >= 2021 {
            "依据《政府信息公开信息处理费管理办法》（国办函〔2020〕109号），"
        } else {
            ""
        };
        let subject = self.subject();
        if *f == FeeFigures::default() {
            return format!("{basis}{}年{subject}未发出信息处理费收费通知，未收取信息处理费。", self.year);
        }
        format!(
            "{basis}{}年{subject}发出信息处理费收费通知{}件，金额合计{}；实际收取信息处理费{}件，金额合计{}；因申请人逾期未缴纳信息处理费而不再处理的政府信息公开申请{}件。",
            self.year,
            f.notices_issued,
            yuan_text(f.notices_amount_fen),
            f.paid,
            yuan_text(f.paid_amount_fen),
            f.lapsed_unpaid,
        )
    }
}

/// `，比上年增加3件（增长50.0%）`, `，比上年减少…（下降…）`, `，与上年持平`; without the
/// percentage when last year had none.
fn change(now: i64, before: i64) -> String {
    let diff = now.saturating_sub(before);
    let (word, rate_word) = match diff.signum() {
        0 => return "，与上年持平".to_owned(),
        1 => ("增加", "增长"),
        _ => ("减少", "下降"),
    };
    let amount = diff.saturating_abs();
    match tenths_of_percent(amount, before) {
        Some(tenths) => format!("，比上年{word}{amount}件（{rate_word}{}.{}%）", tenths / 10, tenths % 10),
        None => format!("，比上年{word}{amount}件"),
    }
}

/// `part / whole` in tenths of a percent, rounded half up; `None` when `whole` is not positive.
fn tenths_of_percent(part: i64, whole: i64) -> Option<i64> {
    if whole <= 0 {
        return None;
    }
    let scaled = i128::from(part).checked_mul(1000)?.checked_add(i128::from(whole) / 2)?;
    i64::try_from(scaled / i128::from(whole)).ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::model::Template;
    use crate::report::tests::sample_report;

    fn figures(requests: RequestTotals, previous: Option<RequestTotals>, fees: FeeFigures) -> TextFigures {
        TextFigures {
            year: 2021,
            scope: ReportScope::Own,
            requests,
            change: previous.map(|p| requests.minus(&p)),
            previous_year: previous,
            fees,
        }
    }

    #[test]
    fn the_totals_are_the_total_column_of_section_three() {
        let report = sample_report(Template::Y2021);
        let totals = RequestTotals::of(&report);
        assert_eq!(totals.received, report.cell(RowKey::NewReceived, Column::Total));
        assert_eq!(totals.carried_forward, report.cell(RowKey::CarriedForward, Column::Total));
        assert_eq!(totals.received + totals.carried_over, totals.concluded + totals.carried_forward);
    }

    #[test]
    fn the_overview_sentence_states_the_totals_and_the_change() {
        let now = RequestTotals { received: 12, carried_over: 2, concluded: 10, carried_forward: 4 };
        let before = RequestTotals { received: 8, carried_over: 0, concluded: 10, carried_forward: 2 };
        assert_eq!(
            figures(now, Some(before), FeeFigures::default()).overview_sentence(),
            "2021年，本机关共收到政府信息公开申请12件，比上年增加4件（增长50.0%），上年结转2件；办结10件，与上年持平，结转下年度继续办理4件。"
        );
        let fewer = RequestTotals { received: 2, ..now };
        assert!(figures(fewer, Some(before), FeeFigures::default())
            .overview_sentence()
            .contains("比上年减少6件（下降75.0%）"));
        let none_before = RequestTotals::default();
        assert!(figures(now, Some(none_before), FeeFigures::default())
            .overview_sentence()
            .contains("比上年增加12件，"));
        assert!(figures(now, None, FeeFigures::default()).overview_sentence().contains("申请12件，上年结转"));
        assert_eq!(tenths_of_percent(1, 3), Some(333));
        assert_eq!(tenths_of_percent(2, 3), Some(667));
    }

    #[test]
    fn the_fee_sentence_states_notices_payments_and_lapses() {
        let fees = FeeFigures {
            notices_issued: 3,
            notices_amount_fen: 130_000,
            paid: 2,
            paid_amount_fen: 120_050,
            lapsed_unpaid: 1,
        };
        assert_eq!(
            figures(RequestTotals::default(), None, fees).fee_sentence(),
            "依据《政府信息公开信息处理费管理办法》（国办函〔2020〕109号），2021年本机关发出信息处理费收费通知3件，金额合计1300元；实际收取信息处理费2件，金额合计1200.50元；因申请人逾期未缴纳信息处理费而不再处理的政府信息公开申请1件。"
        );
        let mut none = figures(RequestTotals::default(), None, FeeFigures::default());
        none.year = 2020;
        none.scope = ReportScope::Compiled;
        assert_eq!(none.fee_sentence(), "2020年本机关及所属各级机关未发出信息处理费收费通知，未收取信息处理费。");
    }
}
