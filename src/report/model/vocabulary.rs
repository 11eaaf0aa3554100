//! The vocabulary of the tables: templates, columns, row keys and their groups, and the fixed labels.

use std::fmt;

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::*;

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

    /// The notice that issued the format, as printed under a report's title.
    pub fn notice(self) -> &'static str {
        match self {
            Self::Y2019 => "国办公开办函〔2019〕60号",
            Self::Y2021 => "国办公开办函〔2021〕30号",
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

/// Whose cases a report counts: the agency alone (本级) or the agency and every agency below it,
/// compiled (汇总). Serialised as `own` / `compiled`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ReportScope {
    /// 本级: the agency's own cases and figures.
    #[default]
    Own,
    /// 汇总: the agency's subtree (`include_descendants=true`).
    Compiled,
}

impl ReportScope {
    /// The scope of `include_descendants`.
    pub fn of(include_descendants: bool) -> Self {
        if include_descendants {
            Self::Compiled
        } else {
            Self::Own
        }
    }

    /// Whether the subtree is included.
    pub fn include_descendants(self) -> bool {
        self == Self::Compiled
    }

    /// The stable key, `own` or `compiled`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Own => "own",
            Self::Compiled => "compiled",
        }
    }

    /// 本级 or 汇总, as printed in titles.
    pub fn label(self) -> &'static str {
        match self {
            Self::Own => "本级",
            Self::Compiled => "汇总",
        }
    }

    /// What the figures cover, in a sentence for the page under the title.
    pub fn description(self) -> &'static str {
        match self {
            Self::Own => "本级：仅统计本机关的数据。",
            Self::Compiled => "汇总：统计本机关及其所属各级机关的数据。",
        }
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
