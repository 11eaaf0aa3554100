//! The table model of the annual report: templates, columns, rows, the section-three and section-four
//! tables built from aggregated counts, and the official layout of their header and label cells that
//! every renderer draws from.

use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

pub use crate::domain::types::AppealKind;
use crate::domain::types::{ApplicantCategory, Outcome};

use super::section_two::SectionTwo;

/// The official format of the report tables.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, ToSchema)]
pub enum Template {
    /// The trial format of 国办公开办函〔2019〕60号, for reports on the years up to 2020.
    #[serde(rename = "2019")]
    Y2019,
    /// The format of 国办公开办函〔2021〕30号, for reports on 2021 and later.
    #[serde(rename = "2021")]
    Y2021,
}

impl Template {
    /// Both templates, oldest first.
    pub const ALL: &'static [Template] = &[Template::Y2019, Template::Y2021];

    /// The template a report on `year` uses by default: up to 2020 the 2019 one, from 2021 the 2021 one.
    pub fn for_year(year: i32) -> Self {
        if year <= 2020 {
            Self::Y2019
        } else {
            Self::Y2021
        }
    }

    /// The key used in JSON and query strings: `"2019"` or `"2021"`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Y2019 => "2019",
            Self::Y2021 => "2021",
        }
    }

    /// The template for a key, if it is one.
    pub fn parse(key: &str) -> Option<Self> {
        match key {
            "2019" => Some(Self::Y2019),
            "2021" => Some(Self::Y2021),
            _ => None,
        }
    }
}

impl fmt::Display for Template {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A column of section three: the six applicant categories, then their total.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Column {
    /// 自然人.
    NaturalPerson,
    /// 商业企业.
    CommercialEnterprise,
    /// 科研机构.
    ResearchInstitution,
    /// 社会公益组织.
    PublicWelfareOrg,
    /// 法律服务机构.
    LegalServiceOrg,
    /// 其他 (other organisations).
    OtherOrg,
    /// 总计: the sum of the six category columns.
    Total,
}

impl Column {
    /// The seven columns in report order; a row's `values[i]` belongs to `Column::ALL[i]`.
    pub const ALL: [Column; 7] = [
        Column::NaturalPerson,
        Column::CommercialEnterprise,
        Column::ResearchInstitution,
        Column::PublicWelfareOrg,
        Column::LegalServiceOrg,
        Column::OtherOrg,
        Column::Total,
    ];

    /// The number of columns (seven).
    pub const COUNT: usize = 7;

    /// The stable snake_case key (the applicant category's key, or `total`).
    pub fn as_str(self) -> &'static str {
        match self.category() {
            Some(category) => category.as_str(),
            None => "total",
        }
    }

    /// The column for a key, if it is one.
    pub fn parse(key: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|c| c.as_str() == key)
    }

    /// The label printed in the table header.
    pub fn label(self) -> &'static str {
        match self {
            Self::NaturalPerson => "自然人",
            Self::CommercialEnterprise => "商业企业",
            Self::ResearchInstitution => "科研机构",
            Self::PublicWelfareOrg => "社会公益组织",
            Self::LegalServiceOrg => "法律服务机构",
            Self::OtherOrg => "其他",
            Self::Total => "总计",
        }
    }

    /// The applicant category counted in this column; `None` for `Total`.
    pub fn category(self) -> Option<ApplicantCategory> {
        match self {
            Self::NaturalPerson => Some(ApplicantCategory::NaturalPerson),
            Self::CommercialEnterprise => Some(ApplicantCategory::CommercialEnterprise),
            Self::ResearchInstitution => Some(ApplicantCategory::ResearchInstitution),
            Self::PublicWelfareOrg => Some(ApplicantCategory::PublicWelfareOrg),
            Self::LegalServiceOrg => Some(ApplicantCategory::LegalServiceOrg),
            Self::OtherOrg => Some(ApplicantCategory::OtherOrg),
            Self::Total => None,
        }
    }

    /// The column of an applicant category.
    pub fn of(category: ApplicantCategory) -> Self {
        match category {
            ApplicantCategory::NaturalPerson => Self::NaturalPerson,
            ApplicantCategory::CommercialEnterprise => Self::CommercialEnterprise,
            ApplicantCategory::ResearchInstitution => Self::ResearchInstitution,
            ApplicantCategory::PublicWelfareOrg => Self::PublicWelfareOrg,
            ApplicantCategory::LegalServiceOrg => Self::LegalServiceOrg,
            ApplicantCategory::OtherOrg => Self::OtherOrg,
        }
    }

    /// The position of the column in a row's `values` (0–6).
    pub fn index(self) -> usize {
        match self {
            Self::NaturalPerson => 0,
            Self::CommercialEnterprise => 1,
            Self::ResearchInstitution => 2,
            Self::PublicWelfareOrg => 3,
            Self::LegalServiceOrg => 4,
            Self::OtherOrg => 5,
            Self::Total => 6,
        }
    }
}

impl fmt::Display for Column {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The label of the row group spanning the outcome rows.
pub const RESULTS_LABEL: &str = "三、本年度办理结果";
/// The note printed in the top-left cell of section three.
pub const SECTION_THREE_NOTE: &str = "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）";
/// The header spanning the seven number columns of section three.
pub const APPLICANT_HEADER: &str = "申请人情况";
/// The header spanning the five organisation columns of section three.
pub const ORGANISATION_HEADER: &str = "法人或其他组织";
/// The title of section two.
pub const SECTION_TWO_TITLE: &str = "二、主动公开政府信息情况";
/// The title of section three.
pub const SECTION_THREE_TITLE: &str = "三、收到和处理政府信息公开申请情况";
/// The title of section four.
pub const SECTION_FOUR_TITLE: &str = "四、政府信息公开行政复议、行政诉讼情况";

/// Where a row of section three sits in the official layout.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum RowGroup {
    /// 一、本年新收政府信息公开申请数量.
    NewReceived,
    /// 二、上年结转政府信息公开申请数量.
    CarriedOver,
    /// Under 三、本年度办理结果, in one of the groups （一）…（七）.
    Result(ResultGroup),
    /// 四、结转下年度继续办理.
    CarriedForward,
}

/// The groups （一）…（七） under 三、本年度办理结果.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ResultGroup {
    /// （一）予以公开 (one row, no sub-rows).
    Disclosed,
    /// （二）部分公开 (one row, no sub-rows).
    PartiallyDisclosed,
    /// （三）不予公开: eight sub-rows.
    Withheld,
    /// （四）无法提供: three sub-rows.
    Unavailable,
    /// （五）不予处理: five sub-rows.
    NotProcessed,
    /// （六）其他处理: one row in 2019, three sub-rows in 2021.
    Other,
    /// （七）总计 (one row).
    Total,
}

impl ResultGroup {
    /// The group's heading as printed (for one-row groups, the row's own label).
    pub fn heading(self) -> &'static str {
        match self {
            Self::Disclosed => "（一）予以公开",
            Self::PartiallyDisclosed => "（二）部分公开（区分处理的，只计这一情形，不计其他情形）",
            Self::Withheld => "（三）不予公开",
            Self::Unavailable => "（四）无法提供",
            Self::NotProcessed => "（五）不予处理",
            Self::Other => "（六）其他处理",
            Self::Total => "（七）总计",
        }
    }
}

/// Defines `RowKey` with its keys and labels from one list.
macro_rules! row_keys {
    ($($variant:ident => $key:literal, $label:literal;)+) => {
        /// A row of section three. Serialises to the snake_case key of report.md.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, ToSchema)]
        #[serde(rename_all = "snake_case")]
        pub enum RowKey {
            $(
                #[doc = $label]
                $variant,
            )+
        }

        impl RowKey {
            /// Every row of either template, in report order.
            pub const ALL: &'static [RowKey] = &[$(RowKey::$variant),+];

            /// The stable snake_case key.
            pub fn as_str(self) -> &'static str {
                match self { $(RowKey::$variant => $key),+ }
            }

            /// The row for a key, if it is one.
            pub fn parse(key: &str) -> Option<Self> {
                match key { $($key => Some(RowKey::$variant),)+ _ => None }
            }

            /// The label exactly as printed in the official table.
            pub fn label(self) -> &'static str {
                match self { $(RowKey::$variant => $label),+ }
            }
        }
    };
}

row_keys! {
    NewReceived => "new_received", "一、本年新收政府信息公开申请数量";
    CarriedOver => "carried_over", "二、上年结转政府信息公开申请数量";
    Disclosed => "disclosed", "（一）予以公开";
    PartiallyDisclosed => "partially_disclosed", "（二）部分公开（区分处理的，只计这一情形，不计其他情形）";
    WithheldStateSecret => "withheld_state_secret", "1.属于国家秘密";
    WithheldProhibitedByLaw => "withheld_prohibited_by_law", "2.其他法律行政法规禁止公开";
    WithheldEndangersSecurityStability => "withheld_endangers_security_stability", "3.危及“三安全一稳定”";
    WithheldThirdPartyRights => "withheld_third_party_rights", "4.保护第三方合法权益";
    WithheldInternalAffairs => "withheld_internal_affairs", "5.属于三类内部事务信息";
    WithheldProcessInformation => "withheld_process_information", "6.属于四类过程性信息";
    WithheldEnforcementCaseFiles => "withheld_enforcement_case_files", "7.属于行政执法案卷";
    WithheldAdministrativeInquiry => "withheld_administrative_inquiry", "8.属于行政查询事项";
    UnavailableNotHeld => "unavailable_not_held", "1.本机关不掌握相关政府信息";
    UnavailableNeedsCreation => "unavailable_needs_creation", "2.没有现成信息需要另行制作";
    UnavailableStillUnclear => "unavailable_still_unclear", "3.补正后申请内容仍不明确";
    NotProcessedPetitionComplaint => "not_processed_petition_complaint", "1.信访举报投诉类申请";
    NotProcessedRepeated => "not_processed_repeated", "2.重复申请";
    NotProcessedPublication => "not_processed_publication", "3.要求提供公开出版物";
    NotProcessedExcessive => "not_processed_excessive", "4.无正当理由大量反复申请";
    NotProcessedConfirmOrReissue => "not_processed_confirm_or_reissue", "5.要求行政机关确认或重新出具已获取信息";
    Other => "other", "（六）其他处理";
    OtherCorrectionOverdue => "other_correction_overdue",
        "1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请";
    OtherFeeUnpaid => "other_fee_unpaid",
        "2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请";
    OtherMisc => "other_misc", "3.其他";
    ConcludedTotal => "concluded_total", "（七）总计";
    CarriedForward => "carried_forward", "四、结转下年度继续办理";
}

/// The rows of template 2019, in report order.
const ROWS_2019: &[RowKey] = &[
    RowKey::NewReceived,
    RowKey::CarriedOver,
    RowKey::Disclosed,
    RowKey::PartiallyDisclosed,
    RowKey::WithheldStateSecret,
    RowKey::WithheldProhibitedByLaw,
    RowKey::WithheldEndangersSecurityStability,
    RowKey::WithheldThirdPartyRights,
    RowKey::WithheldInternalAffairs,
    RowKey::WithheldProcessInformation,
    RowKey::WithheldEnforcementCaseFiles,
    RowKey::WithheldAdministrativeInquiry,
    RowKey::UnavailableNotHeld,
    RowKey::UnavailableNeedsCreation,
    RowKey::UnavailableStillUnclear,
    RowKey::NotProcessedPetitionComplaint,
    RowKey::NotProcessedRepeated,
    RowKey::NotProcessedPublication,
    RowKey::NotProcessedExcessive,
    RowKey::NotProcessedConfirmOrReissue,
    RowKey::Other,
    RowKey::ConcludedTotal,
    RowKey::CarriedForward,
];

/// The rows of template 2021, in report order.
const ROWS_2021: &[RowKey] = &[
    RowKey::NewReceived,
    RowKey::CarriedOver,
    RowKey::Disclosed,
    RowKey::PartiallyDisclosed,
    RowKey::WithheldStateSecret,
    RowKey::WithheldProhibitedByLaw,
    RowKey::WithheldEndangersSecurityStability,
    RowKey::WithheldThirdPartyRights,
    RowKey::WithheldInternalAffairs,
    RowKey::WithheldProcessInformation,
    RowKey::WithheldEnforcementCaseFiles,
    RowKey::WithheldAdministrativeInquiry,
    RowKey::UnavailableNotHeld,
    RowKey::UnavailableNeedsCreation,
    RowKey::UnavailableStillUnclear,
    RowKey::NotProcessedPetitionComplaint,
    RowKey::NotProcessedRepeated,
    RowKey::NotProcessedPublication,
    RowKey::NotProcessedExcessive,
    RowKey::NotProcessedConfirmOrReissue,
    RowKey::OtherCorrectionOverdue,
    RowKey::OtherFeeUnpaid,
    RowKey::OtherMisc,
    RowKey::ConcludedTotal,
    RowKey::CarriedForward,
];

/// The three outcome codes that template 2019 sums into its single `other` row.
const OTHER_OUTCOMES: &[Outcome] = &[Outcome::OtherCorrectionOverdue, Outcome::OtherFeeUnpaid, Outcome::OtherMisc];

impl RowKey {
    /// The rows of a template in report order, every one of them (23 for 2019, 25 for 2021).
    pub fn rows(template: Template) -> &'static [RowKey] {
        match template {
            Template::Y2019 => ROWS_2019,
            Template::Y2021 => ROWS_2021,
        }
    }

    /// The templates this row belongs to.
    pub fn templates(self) -> &'static [Template] {
        match self {
            Self::Other => &[Template::Y2019],
            Self::OtherCorrectionOverdue | Self::OtherFeeUnpaid | Self::OtherMisc => &[Template::Y2021],
            _ => Template::ALL,
        }
    }

    /// Whether the row belongs to `template`.
    pub fn in_template(self, template: Template) -> bool {
        self.templates().contains(&template)
    }

    /// Where the row sits in the official layout.
    pub fn group(self) -> RowGroup {
        use ResultGroup as G;
        match self {
            Self::NewReceived => RowGroup::NewReceived,
            Self::CarriedOver => RowGroup::CarriedOver,
            Self::Disclosed => RowGroup::Result(G::Disclosed),
            Self::PartiallyDisclosed => RowGroup::Result(G::PartiallyDisclosed),
            Self::WithheldStateSecret
            | Self::WithheldProhibitedByLaw
            | Self::WithheldEndangersSecurityStability
            | Self::WithheldThirdPartyRights
            | Self::WithheldInternalAffairs
            | Self::WithheldProcessInformation
            | Self::WithheldEnforcementCaseFiles
            | Self::WithheldAdministrativeInquiry => RowGroup::Result(G::Withheld),
            Self::UnavailableNotHeld | Self::UnavailableNeedsCreation | Self::UnavailableStillUnclear => {
                RowGroup::Result(G::Unavailable)
            }
            Self::NotProcessedPetitionComplaint
            | Self::NotProcessedRepeated
            | Self::NotProcessedPublication
            | Self::NotProcessedExcessive
            | Self::NotProcessedConfirmOrReissue => RowGroup::Result(G::NotProcessed),
            Self::Other | Self::OtherCorrectionOverdue | Self::OtherFeeUnpaid | Self::OtherMisc => {
                RowGroup::Result(G::Other)
            }
            Self::ConcludedTotal => RowGroup::Result(G::Total),
            Self::CarriedForward => RowGroup::CarriedForward,
        }
    }

    /// The heading of the merged group cell this row sits under, for sub-rows (`1.`, `2.`, …) of
    /// （三）（四）（五） and 2021's （六）; `None` for rows whose own label fills the group and label
    /// columns.
    pub fn group_heading(self) -> Option<&'static str> {
        match self.group() {
            RowGroup::Result(
                group @ (ResultGroup::Withheld | ResultGroup::Unavailable | ResultGroup::NotProcessed),
            ) => Some(group.heading()),
            RowGroup::Result(ResultGroup::Other) if self != Self::Other => Some(ResultGroup::Other.heading()),
            _ => None,
        }
    }

    /// The outcome codes counted in this row: one for a leaf outcome row, the three `other_*` codes for
    /// 2019's `other`, none for the other rows.
    pub fn outcomes(self) -> &'static [Outcome] {
        match self {
            Self::Other => OTHER_OUTCOMES,
            _ => Outcome::ALL.iter().position(|o| o.as_str() == self.as_str()).map_or(&[], |i| &Outcome::ALL[i..=i]),
        }
    }

    /// Whether the row is one of the outcome rows that add up to `concluded_total`.
    pub fn is_outcome_row(self) -> bool {
        !self.outcomes().is_empty()
    }

    /// The row an outcome is counted in under `template`.
    pub fn for_outcome(outcome: Outcome, template: Template) -> RowKey {
        Self::ALL
            .iter()
            .copied()
            .find(|row| row.in_template(template) && row.outcomes().contains(&outcome))
            .unwrap_or(Self::Other)
    }
}

impl fmt::Display for RowKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Figures per applicant category.
pub type CategoryCounts = BTreeMap<ApplicantCategory, i64>;

/// The input of section three, as aggregated from the cases of one agency (and, if asked, its
/// descendants) for one year Y, by the counting rules of report.md. Missing keys count as 0.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Counts {
    /// Cases received in Y.
    pub new_received: CategoryCounts,
    /// Cases received before 1 January Y and not concluded before then.
    pub carried_over: CategoryCounts,
    /// Cases received on or before 31 December Y and not concluded by then.
    pub carried_forward: CategoryCounts,
    /// Cases concluded in Y, per outcome and category.
    pub concluded: BTreeMap<(Outcome, ApplicantCategory), i64>,
    /// `carried_forward` of Y−1, for check 4: the figures of the sealed Y−1 report when there is one
    /// (so later corrections to Y−1 show up as a failed check), otherwise the live figures for Y−1.
    /// `None` when the caller has no figures for Y−1; check 4 then passes and says it was not checked.
    pub previous_carried_forward: Option<CategoryCounts>,
}

/// One row of section three.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct TableRow {
    /// The row's key.
    pub key: RowKey,
    /// The row's label as printed.
    pub label: String,
    /// Seven values in the order of `Column::ALL`, the total last.
    pub values: Vec<i64>,
}

impl TableRow {
    /// The value in `column`, if the row has it.
    pub fn get(&self, column: Column) -> Option<i64> {
        self.values.get(column.index()).copied()
    }
}

/// Section three: 收到和处理政府信息公开申请情况.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct SectionThree {
    /// The column keys, `Column::ALL` in order.
    pub columns: Vec<Column>,
    /// Every row of the template in report order, zeros included.
    pub rows: Vec<TableRow>,
}

impl SectionThree {
    /// Builds the table of `template` from aggregated counts: every row of the template, the `total`
    /// column the sum of the six category columns. Sums saturate instead of overflowing, so absurd
    /// input shows up as failed checks rather than a panic.
    pub fn from_counts(template: Template, counts: &Counts) -> Self {
        let concluded_in = |outcomes: &[Outcome], category: ApplicantCategory| {
            outcomes.iter().fold(0i64, |sum, &outcome| {
                sum.saturating_add(counts.concluded.get(&(outcome, category)).copied().unwrap_or(0))
            })
        };
        let rows = RowKey::rows(template)
            .iter()
            .map(|&key| {
                let mut values: Vec<i64> = ApplicantCategory::ALL
                    .iter()
                    .map(|&category| {
                        let from = |map: &CategoryCounts| map.get(&category).copied().unwrap_or(0);
                        match key {
                            RowKey::NewReceived => from(&counts.new_received),
                            RowKey::CarriedOver => from(&counts.carried_over),
                            RowKey::CarriedForward => from(&counts.carried_forward),
                            RowKey::ConcludedTotal => concluded_in(Outcome::ALL, category),
                            _ => concluded_in(key.outcomes(), category),
                        }
                    })
                    .collect();
                values.push(values.iter().fold(0i64, |sum, &v| sum.saturating_add(v)));
                TableRow { key, label: key.label().to_owned(), values }
            })
            .collect();
        Self { columns: Column::ALL.to_vec(), rows }
    }

    /// The row with `key`, if the table has it.
    pub fn row(&self, key: RowKey) -> Option<&TableRow> {
        self.rows.iter().find(|row| row.key == key)
    }

    /// The value at (`row`, `column`), if the table has it.
    pub fn get(&self, row: RowKey, column: Column) -> Option<i64> {
        self.row(row).and_then(|r| r.get(column))
    }
}

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

/// The result of one consistency check.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Check {
    /// `identity`, `outcomes_sum`, `total_column`, `carried_over_matches_previous_year` or
    /// `section_four_totals`.
    pub name: String,
    /// Whether the check held.
    pub passed: bool,
    /// What was compared: on failure the columns or rows that differ, with their numbers.
    pub detail: String,
}

/// The statistical part of an annual report (sections two to four) with its checks. Serialises to the
/// JSON shape of api.md, plus `agency_name` and, when entered, `section_two`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct AnnualReport {
    /// The reported year Y.
    pub year: i32,
    /// The agency reported on.
    pub agency_id: i64,
    /// The agency's name, for titles.
    pub agency_name: String,
    /// The format of the tables.
    pub template: Template,
    /// Section two (proactive disclosure), when its figures were entered.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub section_two: Option<SectionTwo>,
    /// Section three.
    pub section_three: SectionThree,
    /// Section four.
    pub section_four: SectionFour,
    /// The five checks, in the order of report.md.
    pub checks: Vec<Check>,
}

/// Everything a report is built from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReportInput {
    /// The reported year Y.
    pub year: i32,
    /// The agency reported on.
    pub agency_id: i64,
    /// The agency's name.
    pub agency_name: String,
    /// The format; usually `Template::for_year(year)`.
    pub template: Template,
    /// Section three's aggregated counts.
    pub counts: Counts,
    /// Section four's aggregated counts.
    pub appeals: AppealCounts,
    /// Section two's entered figures, if any.
    pub section_two: Option<SectionTwo>,
}

impl AnnualReport {
    /// Builds the tables and runs the checks.
    ///
    /// # Errors
    ///
    /// `ReportError::SectionTwoTemplate` when section two was entered in the other template's format,
    /// `ReportError::InvalidSectionTwo` when one of its counts is negative.
    pub fn build(input: ReportInput) -> Result<Self, super::ReportError> {
        if let Some(section_two) = &input.section_two {
            if section_two.template() != input.template {
                return Err(super::ReportError::SectionTwoTemplate {
                    report: input.template,
                    section_two: section_two.template(),
                });
            }
            section_two.validate()?;
        }
        let section_three = SectionThree::from_counts(input.template, &input.counts);
        let section_four = SectionFour::from_counts(&input.appeals);
        let previous = input.counts.previous_carried_forward.as_ref().map(|map| {
            let mut values: Vec<i64> =
                ApplicantCategory::ALL.iter().map(|c| map.get(c).copied().unwrap_or(0)).collect();
            values.push(values.iter().fold(0i64, |sum, &v| sum.saturating_add(v)));
            values
        });
        let checks = super::checks::run_all(input.year, &section_three, &section_four, previous.as_deref());
        Ok(Self {
            year: input.year,
            agency_id: input.agency_id,
            agency_name: input.agency_name,
            template: input.template,
            section_two: input.section_two,
            section_three,
            section_four,
            checks,
        })
    }

    /// The number at (`row`, `column`) of section three; 0 for a row the template does not have.
    pub fn cell(&self, row: RowKey, column: Column) -> i64 {
        self.section_three.get(row, column).unwrap_or(0)
    }

    /// Whether every check passed.
    pub fn all_checks_passed(&self) -> bool {
        self.checks.iter().all(|check| check.passed)
    }

    /// The report's title: "<agency_name><year>年政府信息公开工作年度报告（统计部分）".
    pub fn title(&self) -> String {
        format!("{}{}年政府信息公开工作年度报告（统计部分）", self.agency_name, self.year)
    }
}

/// A cell of a table's header or label area in the official layout, relative to the area's top-left
/// corner, with its spans (1 for an unmerged cell).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LayoutCell {
    /// The text printed in the cell.
    pub text: &'static str,
    /// First row (0-based, relative to the area).
    pub row: u32,
    /// First column (0-based, relative to the area).
    pub col: u16,
    /// Number of rows covered.
    pub row_span: u32,
    /// Number of columns covered.
    pub col_span: u16,
}

impl LayoutCell {
    /// Whether the cell covers more than one grid cell.
    pub fn is_merged(&self) -> bool {
        self.row_span > 1 || self.col_span > 1
    }
}

/// Builds a `LayoutCell`.
const fn cell(text: &'static str, row: u32, col: u16, row_span: u32, col_span: u16) -> LayoutCell {
    LayoutCell { text, row, col, row_span, col_span }
}

/// The number of header rows of section three.
pub const SECTION_THREE_HEADER_ROWS: u32 = 3;
/// The number of label columns of section three (part, group, item) before the seven number columns.
pub const SECTION_THREE_LABEL_COLUMNS: u16 = 3;

/// The header block of section three: 3 rows × 10 columns (3 label columns + 7 number columns). The note
/// fills the 3×3 top-left block; 申请人情况 spans the seven number columns; 自然人 and 总计 span two rows;
/// 法人或其他组织 spans the five organisation columns above their labels.
pub fn section_three_header() -> Vec<LayoutCell> {
    let l = SECTION_THREE_LABEL_COLUMNS;
    let mut cells = vec![
        cell(SECTION_THREE_NOTE, 0, 0, 3, l),
        cell(APPLICANT_HEADER, 0, l, 1, 7),
        cell(Column::NaturalPerson.label(), 1, l, 2, 1),
        cell(ORGANISATION_HEADER, 1, l + 1, 1, 5),
        cell(Column::Total.label(), 1, l + 6, 2, 1),
    ];
    for (i, column) in Column::ALL[1..6].iter().enumerate() {
        // i < 5, so the conversion cannot truncate.
        cells.push(cell(column.label(), 2, l + 1 + i as u16, 1, 1));
    }
    cells.sort_by_key(|c| (c.row, c.col));
    cells
}

/// The label area of section three (3 columns: part, group, item) for `template`, one grid row per
/// table row (row i = `RowKey::rows(template)[i]`):
/// - 一、二、四 span all three columns;
/// - 三、本年度办理结果 spans column 0 over every outcome row and `concluded_total`;
/// - one-row groups （一）（二）, 2019's （六） and （七） span columns 1–2;
/// - （三）（四）（五） and 2021's （六） span column 1 over their sub-rows, whose labels sit in column 2.
pub fn section_three_labels(template: Template) -> Vec<LayoutCell> {
    let rows = RowKey::rows(template);
    let mut cells = Vec::new();
    let result_rows = rows.iter().filter(|r| matches!(r.group(), RowGroup::Result(_))).count();
    for (i, &key) in rows.iter().enumerate() {
        // Report tables have at most 25 rows: the conversions cannot truncate.
        let r = i as u32;
        let previous = i.checked_sub(1).and_then(|p| rows.get(p)).copied();
        match key.group() {
            RowGroup::Result(_) => {
                if !matches!(previous.map(RowKey::group), Some(RowGroup::Result(_))) {
                    cells.push(cell(RESULTS_LABEL, r, 0, result_rows as u32, 1));
                }
                match key.group_heading() {
                    Some(heading) => {
                        if previous.and_then(RowKey::group_heading) != Some(heading) {
                            let span = rows[i..].iter().take_while(|k| k.group_heading() == Some(heading)).count();
                            cells.push(cell(heading, r, 1, span as u32, 1));
                        }
                        cells.push(cell(key.label(), r, 2, 1, 1));
                    }
                    None => cells.push(cell(key.label(), r, 1, 1, 2)),
                }
            }
            _ => cells.push(cell(key.label(), r, 0, 1, 3)),
        }
    }
    cells
}

/// The header block of section four: 3 rows × 15 columns. 行政复议 spans 5 columns and its five column
/// labels span rows 1–2; 行政诉讼 spans 10, split into 未经复议直接起诉 (5) and 复议后起诉 (5) in row 1,
/// with their column labels in row 2.
pub fn section_four_header() -> Vec<LayoutCell> {
    let mut cells = vec![
        cell(AppealKind::Reconsideration.label(), 0, 0, 1, 5),
        cell(LITIGATION_HEADER, 0, 5, 1, 10),
        cell(AppealKind::LitigationDirect.label(), 1, 5, 1, 5),
        cell(AppealKind::LitigationAfterReconsideration.label(), 1, 10, 1, 5),
    ];
    for (i, label) in APPEAL_COLUMN_LABELS.iter().enumerate() {
        let i = i as u16;
        cells.push(cell(label, 1, i, 2, 1));
        cells.push(cell(label, 2, 5 + i, 1, 1));
        cells.push(cell(label, 2, 10 + i, 1, 1));
    }
    cells.sort_by_key(|c| (c.row, c.col));
    cells
}

/// The number of header rows of section four.
pub const SECTION_FOUR_HEADER_ROWS: u32 = 3;
