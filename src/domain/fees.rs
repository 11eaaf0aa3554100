//! Information-processing fees (信息处理费, 国办函〔2020〕109号): progressive scales per request
//! (按件, same applicant, calendar month) or per page (按量, one request), never both. Pure
//! arithmetic in fen; saturating, so huge inputs give huge amounts but never panic.

use serde::{Deserialize, Serialize};

/// How a fee was computed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum FeeBasis {
    /// 按件: by the applicant's count of requests in the calendar month.
    PerRequest,
    /// 按量: by the pages of one request.
    PerPage,
}

impl FeeBasis {
    /// Both bases, in the order of the notice.
    pub const ALL: &'static [FeeBasis] = &[FeeBasis::PerRequest, FeeBasis::PerPage];

    /// The stable key used in JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::PerRequest => "per_request",
            Self::PerPage => "per_page",
        }
    }

    /// The Chinese name: 按件 or 按量.
    pub fn label(self) -> &'static str {
        match self {
            Self::PerRequest => "按件",
            Self::PerPage => "按量",
        }
    }

    /// The method as 109号 names it: 按件计收 or 按量计收.
    pub fn method(self) -> &'static str {
        match self {
            Self::PerRequest => "按件计收",
            Self::PerPage => "按量计收",
        }
    }

    /// The scale of the method, as 国办函〔2020〕109号 states it (printed on the fee notice).
    pub fn scale(self) -> &'static str {
        match self {
            Self::PerRequest => {
                "同一申请人一个自然月内累计申请10件以下（含10件）的，不收费；11—30件（含30件）的部分，每件100元；31件以上的部分，以10件为一档，每增加一档，收费标准每件提高100元。"
            }
            Self::PerPage => {
                "同一申请中，30页以下（含30页）的，不收费；31—100页（含100页）的部分，每页10元；101—200页（含200页）的部分，每页20元；201页以上的部分，每页40元。"
            }
        }
    }
}

impl FeeQuote {
    /// For a per-request fee: the band of the scale the request falls in, e.g. `第31—40件，每件200元`.
    pub fn band(&self) -> Option<String> {
        let line = self.lines.first().filter(|_| self.basis == FeeBasis::PerRequest)?;
        Some(if line.unit_fen == 0 {
            format!("第{}—{}件，不收费", line.from, line.to)
        } else {
            format!("第{}—{}件，每件{}", line.from, line.to, yuan(line.unit_fen))
        })
    }
}

/// One band of the scale as applied: items `from..=to` at `unit_fen` each.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FeeLine {
    pub from: u32,
    pub to: u32,
    pub unit_fen: i64,
    /// The items charged in this line: `to - from + 1` for pages, 1 for a request.
    pub count: u32,
    /// `unit_fen * count`.
    pub subtotal_fen: i64,
}

/// A computed fee with the lines it is made of and a Chinese explanation for the notice.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FeeQuote {
    pub basis: FeeBasis,
    /// The sum of the lines' subtotals, in fen.
    pub amount_fen: i64,
    pub explanation: String,
    pub lines: Vec<FeeLine>,
}

const YUAN: i64 = 100;

/// Per-request requests that are free each month.
pub const FREE_REQUESTS: u32 = 10;
/// Per-page pages that are free for one request.
pub const FREE_PAGES: u32 = 30;

/// The fee for the applicant's `nth_request_this_month`-th request of the calendar month (1-based;
/// 0 is treated like a free request). Requests 1–10 are free, 11–30 cost 100 yuan, 31–40 200
/// yuan, 41–50 300 yuan, and each further band of 10 costs 100 yuan more. The quote has one line:
/// the band of this request, with `count` 1.
pub fn per_request(nth_request_this_month: u32) -> FeeQuote {
    let n = nth_request_this_month;
    let (from, to, unit_fen) = if n <= FREE_REQUESTS {
        (1, FREE_REQUESTS, 0)
    } else if n <= 30 {
        (11, 30, 100 * YUAN)
    } else {
        // Band k (0-based) covers 31 + 10k ..= 40 + 10k and costs 200 + 100k yuan.
        let k = (n - 31) / 10;
        let from = 31 + 10 * k;
        let unit = i64::from(k).saturating_add(2).saturating_mul(100 * YUAN);
        (from, from.saturating_add(9), unit)
    };
    let explanation = if unit_fen == 0 {
        format!("当月第{n}件申请，每月前{FREE_REQUESTS}件不收费")
    } else {
        format!("当月第{n}件申请，按件计收，每件{}", yuan(unit_fen))
    };
    FeeQuote {
        basis: FeeBasis::PerRequest,
        amount_fen: unit_fen,
        explanation,
        lines: vec![FeeLine { from, to, unit_fen, count: 1, subtotal_fen: unit_fen }],
    }
}

/// The fee for one request of `pages` pages, progressive: pages 1–30 free, 31–100 at 10 yuan,
/// 101–200 at 20 yuan, from 201 at 40 yuan per page. One line per band reached (the free band
/// included, with subtotal 0); no lines for 0 pages.
pub fn per_page(pages: u32) -> FeeQuote {
    const BANDS: [(u32, u32, i64); 4] =
        [(1, FREE_PAGES, 0), (31, 100, 10 * YUAN), (101, 200, 20 * YUAN), (201, u32::MAX, 40 * YUAN)];
    let lines: Vec<FeeLine> = BANDS
        .iter()
        .filter(|&&(from, _, _)| from <= pages)
        .map(|&(from, to, unit_fen)| {
            let to = to.min(pages);
            let count = to - from + 1;
            FeeLine { from, to, unit_fen, count, subtotal_fen: unit_fen.saturating_mul(i64::from(count)) }
        })
        .collect();
    let amount_fen = lines.iter().fold(0i64, |sum, l| sum.saturating_add(l.subtotal_fen));
    let parts: Vec<String> = lines
        .iter()
        .map(|l| {
            if l.unit_fen == 0 {
                format!("第{}—{}页不收费", l.from, l.to)
            } else {
                format!("第{}—{}页每页{}，计{}", l.from, l.to, yuan(l.unit_fen), yuan(l.subtotal_fen))
            }
        })
        .collect();
    let explanation = if amount_fen == 0 {
        format!("共{pages}页，{FREE_PAGES}页以下不收费")
    } else {
        format!("共{pages}页，按量计收：{}；合计{}", parts.join("；"), yuan(amount_fen))
    };
    FeeQuote { basis: FeeBasis::PerPage, amount_fen, explanation, lines }
}

/// `100元`, or `12.50元` when there are fen.
pub fn yuan(fen: i64) -> String {
    if fen % YUAN == 0 {
        format!("{}元", fen / YUAN)
    } else {
        format!("{}.{:02}元", fen / YUAN, (fen % YUAN).abs())
    }
}

/// The information-processing fees of a period, as 六、其他需要报告的事项 reports them: the fee
/// notices issued in it and their total, the fees paid in it and their total, and the requests that
/// lapsed in it because the fee was not paid.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct FeeFigures {
    /// Fee notices (收费通知) issued in the period.
    pub notices_issued: i64,
    /// Their amounts, in fen.
    pub notices_amount_fen: i64,
    /// Fees paid in the period.
    pub paid: i64,
    /// The amounts paid, in fen.
    pub paid_amount_fen: i64,
    /// Requests concluded in the period as `other_fee_unpaid` (the fee was not paid in time).
    pub lapsed_unpaid: i64,
}

impl FeeFigures {
    /// Adds the fee notices and payments of one case dated in `from..=to`: its fee events and
    /// revocations (`events`, any other events are ignored), a revoked step not counting.
    pub fn add_case(&mut self, events: &[super::event::RecordedEvent], from: chrono::NaiveDate, to: chrono::NaiveDate) {
        use super::event::CaseEvent;
        for recorded in super::lifecycle::effective(events) {
            if recorded.effective_on < from || recorded.effective_on > to {
                continue;
            }
            match recorded.event {
                CaseEvent::FeeNoticeIssued { amount_fen, .. } => {
                    self.notices_issued = self.notices_issued.saturating_add(1);
                    self.notices_amount_fen = self.notices_amount_fen.saturating_add(amount_fen);
                }
                CaseEvent::FeePaid { amount_fen, .. } => {
                    self.paid = self.paid.saturating_add(1);
                    self.paid_amount_fen = self.paid_amount_fen.saturating_add(amount_fen);
                }
                _ => {}
            }
        }
    }
}

/// An amount in fen as written in Chinese text: `1100元`, or `12.50元` when there are fen.
pub fn yuan_text(fen: i64) -> String {
    yuan(fen)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn per_request_band_boundaries() {
        // (n, yuan): 10/11, 30/31, 40/41 and one band further.
        for (n, yuan) in
            [(0, 0), (1, 0), (10, 0), (11, 100), (30, 100), (31, 200), (40, 200), (41, 300), (50, 300), (51, 400)]
        {
            assert_eq!(per_request(n).amount_fen, yuan * 100, "request {n}");
        }
    }

    #[test]
    fn twelfth_request_explanation_and_line() {
        let q = per_request(12);
        assert_eq!(q.basis, FeeBasis::PerRequest);
        assert_eq!(q.explanation, "当月第12件申请，按件计收，每件100元");
        assert_eq!(q.band().as_deref(), Some("第11—30件，每件100元"));
        assert_eq!(per_request(35).band().as_deref(), Some("第31—40件，每件200元"));
        assert_eq!(per_request(3).band().as_deref(), Some("第1—10件，不收费"));
        assert_eq!(per_page(120).band(), None);
        assert_eq!(q.lines, vec![FeeLine { from: 11, to: 30, unit_fen: 10_000, count: 1, subtotal_fen: 10_000 }]);
        assert_eq!(per_request(45).lines[0].from, 41);
        assert_eq!(per_request(45).lines[0].to, 50);
    }

    #[test]
    fn per_page_band_boundaries() {
        // 31 pages: one page at 10 yuan; 100: 70 × 10; 101: 700 + 20; 200: 700 + 100 × 20 = 2700;
        // 201: 2700 + 40.
        for (pages, yuan) in [(0, 0), (30, 0), (31, 10), (100, 700), (101, 720), (200, 2700), (201, 2740)] {
            assert_eq!(per_page(pages).amount_fen, yuan * 100, "{pages} pages");
        }
    }

    #[test]
    fn one_hundred_twenty_pages_cost_1100_yuan() {
        let q = per_page(120);
        assert_eq!(q.amount_fen, 110_000);
        assert_eq!(q.basis, FeeBasis::PerPage);
        assert_eq!(
            q.lines,
            vec![
                FeeLine { from: 1, to: 30, unit_fen: 0, count: 30, subtotal_fen: 0 },
                FeeLine { from: 31, to: 100, unit_fen: 1_000, count: 70, subtotal_fen: 70_000 },
                FeeLine { from: 101, to: 120, unit_fen: 2_000, count: 20, subtotal_fen: 40_000 },
            ]
        );
        assert_eq!(
            q.explanation,
            "共120页，按量计收：第1—30页不收费；第31—100页每页10元，计700元；第101—120页每页20元，计400元；合计1100元"
        );
    }

    #[test]
    fn huge_inputs_do_not_overflow() {
        let q = per_page(u32::MAX);
        assert!(q.amount_fen > 0);
        assert_eq!(q.lines.last().map(|l| l.to), Some(u32::MAX));
        let r = per_request(u32::MAX);
        assert!(r.amount_fen > 0);
        assert_eq!(r.lines[0].to, u32::MAX);
    }

    #[test]
    fn basis_serialises_in_snake_case() {
        assert_eq!(serde_json::to_string(&FeeBasis::PerRequest).unwrap(), "\"per_request\"");
        assert_eq!(serde_json::to_string(&FeeBasis::PerPage).unwrap(), "\"per_page\"");
    }

    #[test]
    fn fee_figures_count_the_steps_dated_in_the_period_and_not_revoked() {
        use crate::domain::event::{CaseEvent, RecordedEvent};
        let day = |m, d| chrono::NaiveDate::from_ymd_opt(2021, m, d).unwrap();
        let at = day(1, 1).and_hms_opt(0, 0, 0).unwrap();
        let recorded = |seq, on, event| RecordedEvent { seq, effective_on: on, recorded_at: at, actor_id: None, event };
        let notice = |amount_fen| CaseEvent::FeeNoticeIssued {
            fee_notice_id: None,
            basis: FeeBasis::PerPage,
            pages: Some(120),
            nth_request: None,
            amount_fen,
            explanation: String::new(),
            pay_by: day(6, 1),
            counted: Vec::new(),
            sealed_override: None,
        };
        let paid = |amount_fen| CaseEvent::FeePaid { fee_notice_id: None, amount_fen, sealed_override: None };
        let revoke = |seq| CaseEvent::StepRevoked { seq, reason: "误录".into(), sealed_override: None };
        let (from, to) = (day(1, 1), day(12, 31));
        let mut figures = FeeFigures::default();
        // A notice and its payment; a second notice revoked; a payment of 2020 left out.
        figures.add_case(&[recorded(2, day(3, 1), notice(110_000)), recorded(3, day(3, 5), paid(110_000))], from, to);
        figures.add_case(&[recorded(2, day(4, 1), notice(10_000)), recorded(3, day(4, 2), revoke(2))], from, to);
        let last_year = chrono::NaiveDate::from_ymd_opt(2020, 12, 30).unwrap();
        figures.add_case(&[recorded(2, last_year, notice(5_000)), recorded(3, day(1, 4), paid(5_000))], from, to);
        assert_eq!(
            figures,
            FeeFigures {
                notices_issued: 1,
                notices_amount_fen: 110_000,
                paid: 2,
                paid_amount_fen: 115_000,
                lapsed_unpaid: 0
            }
        );
        assert_eq!(yuan_text(115_000), "1150元");
        assert_eq!(yuan_text(1_250), "12.50元");
    }

    proptest! {
        #[test]
        fn per_request_is_monotone_and_whole_hundreds(n in 0u32..100_000) {
            let a = per_request(n).amount_fen;
            prop_assert!(a <= per_request(n + 1).amount_fen);
            prop_assert_eq!(a % 10_000, 0);
        }

        #[test]
        fn per_page_is_monotone_and_sums_its_lines(pages in 0u32..1_000_000) {
            let q = per_page(pages);
            prop_assert!(q.amount_fen <= per_page(pages + 1).amount_fen);
            prop_assert_eq!(q.amount_fen, q.lines.iter().map(|l| l.subtotal_fen).sum::<i64>());
            prop_assert_eq!(q.lines.iter().map(|l| u64::from(l.count)).sum::<u64>(), u64::from(pages));
        }

        #[test]
        fn per_request_is_monotone_over_the_whole_range(n in 0u32..u32::MAX) {
            prop_assert!(per_request(n).amount_fen <= per_request(n + 1).amount_fen);
            prop_assert_eq!(per_request(n).amount_fen % 10_000, 0);
        }
    }
}
