//! Section four (政府信息公开行政复议、行政诉讼情况): the appeals per kind and result.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::*;

/// The labels of the five columns under each appeal kind, in order.
pub const APPEAL_COLUMN_LABELS: [&str; 5] = ["结果维持", "结果纠正", "其他结果", "尚未审结", "总计"];
/// The keys of the five columns under each appeal kind, in order.
pub const APPEAL_COLUMN_KEYS: [&str; 5] = ["upheld", "corrected", "other", "pending", "total"];
/// The header spanning both litigation kinds.
pub const LITIGATION_HEADER: &str = "行政诉讼";

/// The input of section four for one appeal kind, as aggregated for year Y: appeals decided in Y per
/// result, and appeals filed on or before 31 December Y and not decided by then.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct AppealTally {
    /// Decided in Y: 维持.
    pub upheld: i64,
    /// Decided in Y: 纠正.
    pub corrected: i64,
    /// Decided in Y: any other result.
    pub other: i64,
    /// Filed by 31 December Y and not decided by then: 尚未审结.
    pub pending: i64,
}

/// The input of section four: one tally per appeal kind.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct AppealCounts {
    /// 行政复议.
    pub reconsideration: AppealTally,
    /// 行政诉讼 · 未经复议直接起诉.
    pub litigation_direct: AppealTally,
    /// 行政诉讼 · 复议后起诉.
    pub litigation_after_reconsideration: AppealTally,
}

/// The five figures of one appeal kind in section four.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct AppealFigures {
    /// 结果维持.
    pub upheld: i64,
    /// 结果纠正.
    pub corrected: i64,
    /// 其他结果.
    pub other: i64,
    /// 尚未审结.
    pub pending: i64,
    /// 总计: upheld + corrected + other + pending.
    pub total: i64,
}

impl AppealFigures {
    /// The figures of a tally, its total the sum of the four (saturating).
    pub fn from_tally(tally: &AppealTally) -> Self {
        let total =
            tally.upheld.saturating_add(tally.corrected).saturating_add(tally.other).saturating_add(tally.pending);
        Self { upheld: tally.upheld, corrected: tally.corrected, other: tally.other, pending: tally.pending, total }
    }

    /// The five figures in column order (`APPEAL_COLUMN_KEYS`).
    pub fn values(&self) -> [i64; 5] {
        [self.upheld, self.corrected, self.other, self.pending, self.total]
    }
}

/// Section four: 政府信息公开行政复议、行政诉讼情况.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct SectionFour {
    /// 行政复议.
    pub reconsideration: AppealFigures,
    /// 行政诉讼 · 未经复议直接起诉.
    pub litigation_direct: AppealFigures,
    /// 行政诉讼 · 复议后起诉.
    pub litigation_after_reconsideration: AppealFigures,
}

impl SectionFour {
    /// Builds section four from the per-kind tallies.
    pub fn from_counts(counts: &AppealCounts) -> Self {
        Self {
            reconsideration: AppealFigures::from_tally(&counts.reconsideration),
            litigation_direct: AppealFigures::from_tally(&counts.litigation_direct),
            litigation_after_reconsideration: AppealFigures::from_tally(&counts.litigation_after_reconsideration),
        }
    }

    /// The figures of one kind.
    pub fn figures(&self, kind: AppealKind) -> &AppealFigures {
        match kind {
            AppealKind::Reconsideration => &self.reconsideration,
            AppealKind::LitigationDirect => &self.litigation_direct,
            AppealKind::LitigationAfterReconsideration => &self.litigation_after_reconsideration,
        }
    }

    /// The 15 numbers of the official data row, in order.
    pub fn values(&self) -> Vec<i64> {
        AppealKind::ALL.iter().flat_map(|&kind| self.figures(kind).values()).collect()
    }
}
