//! The ledger's 复议诉讼情况: each reconsideration or lawsuit against the decision, written
//! `行政复议：2019年5月1日提起，2019年7月1日结果维持` (several separated by `；`), so that section four
//! of the report comes back from an exported ledger.

use chrono::NaiveDate;

use super::cells::parse_date_text;
use super::labels::normalise;
use crate::domain::cn_date;
use crate::domain::types::{AppealKind, AppealResult};

/// One appeal as a ledger records it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LedgerAppeal {
    pub kind: AppealKind,
    pub filed_on: NaiveDate,
    /// The result and the day it was decided; `None` while pending (尚未审结).
    pub decided: Option<(AppealResult, NaiveDate)>,
}

/// The kind as the ledger writes it.
pub fn kind_label(kind: AppealKind) -> &'static str {
    match kind {
        AppealKind::Reconsideration => "行政复议",
        AppealKind::LitigationDirect => "行政诉讼（未经复议直接起诉）",
        AppealKind::LitigationAfterReconsideration => "行政诉讼（复议后起诉）",
    }
}

/// One appeal as text.
pub fn format_appeal(appeal: &LedgerAppeal) -> String {
    let decided = match appeal.decided {
        Some((result, on)) => format!("{}{}", cn_date(on), result.label()),
        None => "尚未审结".to_owned(),
    };
    format!("{}：{}提起，{decided}", kind_label(appeal.kind), cn_date(appeal.filed_on))
}

/// A case's appeals as the ledger's cell.
pub fn format_appeals(appeals: &[LedgerAppeal]) -> String {
    appeals.iter().map(format_appeal).collect::<Vec<_>>().join("；")
}

fn kind_of(text: &str) -> Option<AppealKind> {
    if text.contains("复议后起诉") || text.contains("复议后诉讼") {
        Some(AppealKind::LitigationAfterReconsideration)
    } else if text.contains("诉讼") || text.contains("起诉") {
        Some(AppealKind::LitigationDirect)
    } else if text.contains("复议") {
        Some(AppealKind::Reconsideration)
    } else {
        None
    }
}

fn result_of(text: &str) -> Option<AppealResult> {
    if text.contains("其他结果") {
        Some(AppealResult::Other)
    } else if text.contains("维持") || text.contains("驳回") {
        Some(AppealResult::Upheld)
    } else if text.contains("纠正") || text.contains("撤销") || text.contains("确认违法") || text.contains("责令")
    {
        Some(AppealResult::Corrected)
    } else {
        None
    }
}

/// The dates written in a text, in order (`2019年5月1日`, `2019-05-01`, `2019/5/1`).
fn dates_in(text: &str) -> Vec<NaiveDate> {
    let mut dates = Vec::new();
    let mut current = String::new();
    let flush = |current: &mut String, dates: &mut Vec<NaiveDate>| {
        if let Some(date) = parse_date_text(current) {
            dates.push(date);
        }
        current.clear();
    };
    for c in text.chars() {
        if c.is_ascii_digit() || matches!(c, '-' | '/' | '.' | '年' | '月') {
            current.push(c);
        } else if c == '日' {
            current.push(c);
            flush(&mut current, &mut dates);
        } else {
            flush(&mut current, &mut dates);
        }
    }
    flush(&mut current, &mut dates);
    dates
}

/// Read the appeals of a case. Empty, `无` or `否`: none.
///
/// # Errors
/// A Chinese message naming the part not understood and how to write it.
pub fn parse_appeals(text: &str) -> Result<Vec<LedgerAppeal>, String> {
    let normalised = normalise(text);
    if matches!(normalised.as_str(), "" | "无" | "否" | "-" | "/" | "没有" | "未提起") {
        return Ok(Vec::new());
    }
    let how = "请写作“行政复议：2019年5月1日提起，2019年7月1日结果维持”或“行政诉讼（未经复议直接起诉）：2019年5月1日提起，尚未审结”，多项以“；”分隔";
    let mut appeals = Vec::new();
    for part in text.split(['；', ';', '\n']).map(str::trim).filter(|p| !p.is_empty()) {
        let unclear = |what: &str| format!("“{part}”{what}：{how}");
        let kind = kind_of(part).ok_or_else(|| unclear("未写明是行政复议还是行政诉讼"))?;
        let dates = dates_in(part);
        let filed_on = *dates.first().ok_or_else(|| unclear("未写明提起日期"))?;
        let pending = part.contains("未审结") || part.contains("审理中") || part.contains("未结");
        let decided = match (result_of(part), dates.get(1)) {
            (_, None) if pending => None,
            (Some(result), Some(&on)) if !pending => Some((result, on)),
            (None, Some(_)) => return Err(unclear("写了审结日期但未写明结果（结果维持、结果纠正或其他结果）")),
            (Some(_), None) => return Err(unclear("写了结果但未写明审结日期")),
            _ => return Err(unclear("未写明结果或“尚未审结”")),
        };
        appeals.push(LedgerAppeal { kind, filed_on, decided });
    }
    Ok(appeals)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn appeals_are_written_and_read_back() {
        let appeals = vec![
            LedgerAppeal {
                kind: AppealKind::Reconsideration,
                filed_on: d(2019, 5, 1),
                decided: Some((AppealResult::Upheld, d(2019, 7, 1))),
            },
            LedgerAppeal { kind: AppealKind::LitigationAfterReconsideration, filed_on: d(2019, 7, 10), decided: None },
            LedgerAppeal {
                kind: AppealKind::LitigationDirect,
                filed_on: d(2020, 1, 2),
                decided: Some((AppealResult::Other, d(2020, 6, 30))),
            },
        ];
        let text = format_appeals(&appeals);
        assert!(text.starts_with("行政复议：2019年5月1日提起，2019年7月1日结果维持；"), "{text}");
        assert_eq!(parse_appeals(&text), Ok(appeals));
    }

    #[test]
    fn hand_written_appeals_are_read_when_they_say_enough() {
        assert_eq!(parse_appeals("无"), Ok(Vec::new()));
        assert_eq!(parse_appeals(""), Ok(Vec::new()));
        let read = parse_appeals("申请人于2024-03-01申请行政复议，2024-05-20复议机关决定撤销").unwrap();
        assert_eq!(read[0].kind, AppealKind::Reconsideration);
        assert_eq!(read[0].decided, Some((AppealResult::Corrected, d(2024, 5, 20))));
        assert!(parse_appeals("已申请复议").unwrap_err().contains("未写明提起日期"));
        assert!(parse_appeals("2024年3月1日提起").unwrap_err().contains("行政复议还是行政诉讼"));
        assert!(parse_appeals("行政复议：2024年3月1日提起，2024年5月1日").unwrap_err().contains("结果"));
    }
}
