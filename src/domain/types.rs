//! Closed sets of the domain: channels, applicant categories, roles, statuses and outcome codes.
//! Each is a snake_case enum whose keys are those of domain.md and report.md.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// Implements `as_str`, `parse` and `ALL` for a unit-only enum from one list of keys.
macro_rules! keyed_enum {
    ($ty:ident { $($variant:ident => $key:literal),+ $(,)? }) => {
        impl $ty {
            /// Every value, in the order of the specification.
            pub const ALL: &'static [$ty] = &[$($ty::$variant),+];

            /// The stable snake_case key used in JSON and in the database.
            pub fn as_str(self) -> &'static str {
                match self { $($ty::$variant => $key),+ }
            }

            /// The value for a stored key, if it is one.
            pub fn parse(key: &str) -> Option<Self> {
                match key { $($key => Some($ty::$variant),)+ _ => None }
            }
        }

        impl std::fmt::Display for $ty {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}
pub(crate) use keyed_enum;

/// How the application reached the agency (Art. 31 fixes the receipt date per channel).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Channel {
    InPerson,
    Post,
    Letter,
    Online,
    Fax,
    Email,
    Other,
}
keyed_enum!(Channel { InPerson => "in_person", Post => "post", Letter => "letter", Online => "online",
    Fax => "fax", Email => "email", Other => "other" });

/// The report column an applicant falls into.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema, PartialOrd, Ord)]
#[serde(rename_all = "snake_case")]
pub enum ApplicantCategory {
    NaturalPerson,
    CommercialEnterprise,
    ResearchInstitution,
    PublicWelfareOrg,
    LegalServiceOrg,
    OtherOrg,
}
keyed_enum!(ApplicantCategory { NaturalPerson => "natural_person",
    CommercialEnterprise => "commercial_enterprise", ResearchInstitution => "research_institution",
    PublicWelfareOrg => "public_welfare_org", LegalServiceOrg => "legal_service_org",
    OtherOrg => "other_org" });

impl ApplicantCategory {
    /// Whether the applicant is an organisation (法人或其他组织).
    pub fn is_organisation(self) -> bool {
        self != Self::NaturalPerson
    }
}

/// The kind of identity document an applicant gave.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum IdType {
    /// 居民身份证 (checked: GB 11643).
    ResidentIdCard,
    /// 统一社会信用代码 (checked: GB 32100).
    UnifiedSocialCreditCode,
    /// Passport, permit or other document (not checked).
    Other,
}
keyed_enum!(IdType { ResidentIdCard => "resident_id_card",
    UnifiedSocialCreditCode => "unified_social_credit_code", Other => "other" });

/// What a user may do.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Registers requests and reads.
    Clerk,
    /// Also records transitions and decisions.
    Officer,
    /// Also approves extensions, amends concluded cases and seals reports.
    Supervisor,
    /// Manages agencies, users and calendars; may do everything.
    Admin,
    /// Reads everything visible, including the audit trail; changes nothing.
    Auditor,
}
keyed_enum!(Role { Clerk => "clerk", Officer => "officer", Supervisor => "supervisor",
    Admin => "admin", Auditor => "auditor" });

impl Role {
    /// May register new requests.
    pub fn can_register(self) -> bool {
        matches!(self, Self::Clerk | Self::Officer | Self::Supervisor | Self::Admin)
    }
    /// May record transitions and decisions.
    pub fn can_handle(self) -> bool {
        matches!(self, Self::Officer | Self::Supervisor | Self::Admin)
    }
    /// May approve extensions and amend concluded cases.
    pub fn can_supervise(self) -> bool {
        matches!(self, Self::Supervisor | Self::Admin)
    }
    /// May manage agencies and users.
    pub fn can_administer(self) -> bool {
        self == Self::Admin
    }
    /// May exist without an agency (then sees every agency).
    pub fn may_be_unbound(self) -> bool {
        matches!(self, Self::Admin | Self::Auditor)
    }
}

/// The derived status of a case.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum CaseStatus {
    /// The reply clock is running.
    Received,
    AwaitingCorrection,
    InConsultation,
    AwaitingFee,
    Concluded,
    /// Registered by mistake and voided: kept with its history, counted nowhere.
    Voided,
}
keyed_enum!(CaseStatus { Received => "received", AwaitingCorrection => "awaiting_correction",
    InConsultation => "in_consultation", AwaitingFee => "awaiting_fee", Concluded => "concluded",
    Voided => "voided" });

impl CaseStatus {
    /// Open: neither concluded nor voided.
    pub fn is_open(self) -> bool {
        !matches!(self, Self::Concluded | Self::Voided)
    }
}

/// The outcome of a concluded case: the leaf rows of the annual report's section three (2021).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema, PartialOrd, Ord)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    Disclosed,
    PartiallyDisclosed,
    WithheldStateSecret,
    WithheldProhibitedByLaw,
    WithheldEndangersSecurityStability,
    WithheldThirdPartyRights,
    WithheldInternalAffairs,
    WithheldProcessInformation,
    WithheldEnforcementCaseFiles,
    WithheldAdministrativeInquiry,
    UnavailableNotHeld,
    UnavailableNeedsCreation,
    UnavailableStillUnclear,
    NotProcessedPetitionComplaint,
    NotProcessedRepeated,
    NotProcessedPublication,
    NotProcessedExcessive,
    NotProcessedConfirmOrReissue,
    OtherCorrectionOverdue,
    OtherFeeUnpaid,
    OtherMisc,
}
keyed_enum!(Outcome {
    Disclosed => "disclosed",
    PartiallyDisclosed => "partially_disclosed",
    WithheldStateSecret => "withheld_state_secret",
    WithheldProhibitedByLaw => "withheld_prohibited_by_law",
    WithheldEndangersSecurityStability => "withheld_endangers_security_stability",
    WithheldThirdPartyRights => "withheld_third_party_rights",
    WithheldInternalAffairs => "withheld_internal_affairs",
    WithheldProcessInformation => "withheld_process_information",
    WithheldEnforcementCaseFiles => "withheld_enforcement_case_files",
    WithheldAdministrativeInquiry => "withheld_administrative_inquiry",
    UnavailableNotHeld => "unavailable_not_held",
    UnavailableNeedsCreation => "unavailable_needs_creation",
    UnavailableStillUnclear => "unavailable_still_unclear",
    NotProcessedPetitionComplaint => "not_processed_petition_complaint",
    NotProcessedRepeated => "not_processed_repeated",
    NotProcessedPublication => "not_processed_publication",
    NotProcessedExcessive => "not_processed_excessive",
    NotProcessedConfirmOrReissue => "not_processed_confirm_or_reissue",
    OtherCorrectionOverdue => "other_correction_overdue",
    OtherFeeUnpaid => "other_fee_unpaid",
    OtherMisc => "other_misc",
});

impl Outcome {
    /// Whether some information is provided (予以公开 or 部分公开).
    pub fn provides_information(self) -> bool {
        matches!(self, Self::Disclosed | Self::PartiallyDisclosed)
    }
}

/// Who is consulted (Art. 32 third parties, Art. 34 co-producing agencies).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum PartyKind {
    ThirdParty,
    Agency,
}
keyed_enum!(PartyKind { ThirdParty => "third_party", Agency => "agency" });

/// The consulted party's answer; `none` records that no answer came within the period.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Opinion {
    Consent,
    Objection,
    None,
}
keyed_enum!(Opinion { Consent => "consent", Objection => "objection", None => "none" });

/// The result of a reconsideration or lawsuit (section four of the report).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum AppealResult {
    /// 维持.
    Upheld,
    /// 纠正.
    Corrected,
    /// 其他结果.
    Other,
}
keyed_enum!(AppealResult { Upheld => "upheld", Corrected => "corrected", Other => "other" });

/// The kinds of appeal against a decision, in the order of section four of the report.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum AppealKind {
    /// 行政复议.
    Reconsideration,
    /// 行政诉讼 · 未经复议直接起诉.
    LitigationDirect,
    /// 行政诉讼 · 复议后起诉.
    LitigationAfterReconsideration,
}
keyed_enum!(AppealKind { Reconsideration => "reconsideration", LitigationDirect => "litigation_direct",
    LitigationAfterReconsideration => "litigation_after_reconsideration" });

impl AppealKind {
    /// The header printed above the kind's five columns of section four.
    pub fn label(self) -> &'static str {
        match self {
            Self::Reconsideration => "行政复议",
            Self::LitigationDirect => "未经复议直接起诉",
            Self::LitigationAfterReconsideration => "复议后起诉",
        }
    }
}

/// The kinds of letter the law requires a case's steps to send.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum LetterKind {
    /// 受理回执 (Art. 31, 33).
    Acknowledgement,
    /// 补正告知书 (Art. 30).
    CorrectionNotice,
    /// 延期答复告知书 (Art. 33 ¶2).
    ExtensionNotice,
    /// 征求意见书 to a third party (Art. 32) or 征求意见函 to a co-producing agency (Art. 34),
    /// addressed to the party consulted.
    ConsultationLetter,
    /// 信息处理费收费通知书 (Art. 42, 国办函〔2020〕109号).
    FeeNotice,
    /// 政府信息公开申请答复书 (Art. 36–39).
    Decision,
    /// 更正告知书: a letter sent for a step recorded by mistake is withdrawn.
    Rectification,
    /// 说明理由通知书 (Art. 35): the applicant is asked to explain clearly excessive requests.
    ReasonsRequest,
    /// 撤回申请确认书: the applicant withdrew the request; no reply on its substance, no remedies.
    WithdrawalConfirmation,
    /// 决定公开告知书 (Art. 32, last sentence): a third party that objected is told of the decision
    /// to disclose, its content and its reasons.
    DisclosureNoticeToThirdParty,
}
keyed_enum!(LetterKind { Acknowledgement => "acknowledgement", CorrectionNotice => "correction_notice",
    ExtensionNotice => "extension_notice", ConsultationLetter => "consultation_letter",
    FeeNotice => "fee_notice", Decision => "decision", Rectification => "rectification",
    ReasonsRequest => "reasons_request", WithdrawalConfirmation => "withdrawal_confirmation",
    DisclosureNoticeToThirdParty => "disclosure_notice_to_third_party" });

impl LetterKind {
    /// The short mark of the kind in document numbers.
    pub fn mark(self) -> &'static str {
        match self {
            Self::Acknowledgement => "受",
            Self::CorrectionNotice => "补",
            Self::ExtensionNotice => "延",
            Self::ConsultationLetter => "征",
            Self::FeeNotice => "费",
            Self::Decision => "答",
            Self::Rectification => "更",
            Self::ReasonsRequest => "理",
            Self::WithdrawalConfirmation => "撤",
            Self::DisclosureNoticeToThirdParty => "告",
        }
    }

    /// The letter's title as printed on it and in the subject. A consultation letter is titled
    /// by whom it consults ([`LetterKind::consultation_title`]); this is its general name.
    pub fn title(self) -> &'static str {
        match self {
            Self::Acknowledgement => "政府信息公开申请受理回执",
            Self::CorrectionNotice => "政府信息公开申请补正告知书",
            Self::ExtensionNotice => "政府信息公开申请延期答复告知书",
            Self::ConsultationLetter => "政府信息公开征求意见书",
            Self::FeeNotice => "政府信息公开信息处理费收费通知书",
            Self::Decision => "政府信息公开申请答复书",
            Self::Rectification => "政府信息公开更正告知书",
            Self::ReasonsRequest => "政府信息公开申请说明理由通知书",
            Self::WithdrawalConfirmation => "政府信息公开撤回申请确认书",
            Self::DisclosureNoticeToThirdParty => "政府信息公开决定公开告知书",
        }
    }

    /// The title of a consultation letter: 征求第三方意见书 (Art. 32) or 征求意见函 to another
    /// agency (Art. 34).
    pub fn consultation_title(party_kind: PartyKind) -> &'static str {
        match party_kind {
            PartyKind::ThirdParty => "政府信息公开征求第三方意见书",
            PartyKind::Agency => "政府信息公开征求意见函",
        }
    }
}

/// Implements `label`, the Chinese name people see, from one list.
macro_rules! labelled {
    ($ty:ident { $($variant:ident => $label:literal),+ $(,)? }) => {
        impl $ty {
            /// The Chinese name shown to people (pages, letters, messages).
            pub fn label(self) -> &'static str {
                match self { $($ty::$variant => $label),+ }
            }
        }
    };
}
pub(crate) use labelled;

labelled!(Channel { InPerson => "当面提交", Post => "邮寄", Letter => "平常信函", Online => "互联网",
    Fax => "传真", Email => "电子邮件", Other => "其他方式" });
labelled!(ApplicantCategory { NaturalPerson => "自然人", CommercialEnterprise => "商业企业",
    ResearchInstitution => "科研机构", PublicWelfareOrg => "社会公益组织", LegalServiceOrg => "法律服务机构",
    OtherOrg => "其他组织" });
labelled!(IdType { ResidentIdCard => "居民身份证", UnifiedSocialCreditCode => "统一社会信用代码",
    Other => "其他证件" });
labelled!(Role { Clerk => "登记员", Officer => "承办人", Supervisor => "负责人", Admin => "管理员",
    Auditor => "审计员" });
labelled!(CaseStatus { Received => "办理中", AwaitingCorrection => "待补正", InConsultation => "征求意见中",
    AwaitingFee => "待缴费", Concluded => "已办结", Voided => "已作废" });
labelled!(PartyKind { ThirdParty => "第三方", Agency => "行政机关" });
labelled!(Opinion { Consent => "同意公开", Objection => "不同意公开", None => "逾期未答复" });
labelled!(AppealResult { Upheld => "结果维持", Corrected => "结果纠正", Other => "其他结果" });
labelled!(Outcome {
    Disclosed => "予以公开",
    PartiallyDisclosed => "部分公开",
    WithheldStateSecret => "属于国家秘密",
    WithheldProhibitedByLaw => "其他法律行政法规禁止公开",
    WithheldEndangersSecurityStability => "危及“三安全一稳定”",
    WithheldThirdPartyRights => "保护第三方合法权益",
    WithheldInternalAffairs => "属于三类内部事务信息",
    WithheldProcessInformation => "属于四类过程性信息",
    WithheldEnforcementCaseFiles => "属于行政执法案卷",
    WithheldAdministrativeInquiry => "属于行政查询事项",
    UnavailableNotHeld => "本机关不掌握相关政府信息",
    UnavailableNeedsCreation => "没有现成信息需要另行制作",
    UnavailableStillUnclear => "补正后申请内容仍不明确",
    NotProcessedPetitionComplaint => "信访举报投诉类申请",
    NotProcessedRepeated => "重复申请",
    NotProcessedPublication => "要求提供公开出版物",
    NotProcessedExcessive => "无正当理由大量反复申请",
    NotProcessedConfirmOrReissue => "要求行政机关确认或重新出具已获取信息",
    OtherCorrectionOverdue => "申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请",
    OtherFeeUnpaid => "申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请",
    OtherMisc => "其他",
});

/// The groups of outcomes, as the rows of section three group them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum OutcomeGroup {
    Disclosed,
    PartiallyDisclosed,
    Withheld,
    Unavailable,
    NotProcessed,
    Other,
}

impl OutcomeGroup {
    /// The group heading of section three, e.g. `不予公开`.
    pub fn label(self) -> &'static str {
        match self {
            Self::Disclosed => "予以公开",
            Self::PartiallyDisclosed => "部分公开",
            Self::Withheld => "不予公开",
            Self::Unavailable => "无法提供",
            Self::NotProcessed => "不予处理",
            Self::Other => "其他处理",
        }
    }
}

impl Outcome {
    /// The group of section three the outcome belongs to.
    pub fn group(self) -> OutcomeGroup {
        let key = self.as_str();
        if self == Self::Disclosed {
            OutcomeGroup::Disclosed
        } else if self == Self::PartiallyDisclosed {
            OutcomeGroup::PartiallyDisclosed
        } else if key.starts_with("withheld_") {
            OutcomeGroup::Withheld
        } else if key.starts_with("unavailable_") {
            OutcomeGroup::Unavailable
        } else if key.starts_with("not_processed_") {
            OutcomeGroup::NotProcessed
        } else {
            OutcomeGroup::Other
        }
    }

    /// Every code with its Chinese label, for messages that list the valid codes.
    pub fn codes_with_labels() -> String {
        Self::ALL.iter().map(|o| format!("{}（{}）", o.as_str(), o.label())).collect::<Vec<_>>().join("、")
    }
}

/// The Chinese labels of the closed set whose keys are exactly `keys` (in any order), in the order
/// of `keys` — for a message that lists the valid values of a field, e.g. after an unknown one.
/// `None` when no closed set of the domain has these keys.
pub fn labels_of_keys(keys: &[&str]) -> Option<Vec<&'static str>> {
    fn pairs<T: Copy>(
        all: &[T],
        key: fn(T) -> &'static str,
        label: fn(T) -> &'static str,
    ) -> Vec<(&'static str, &'static str)> {
        all.iter().map(|&v| (key(v), label(v))).collect()
    }
    let sets = [
        pairs(Channel::ALL, Channel::as_str, Channel::label),
        pairs(ApplicantCategory::ALL, ApplicantCategory::as_str, ApplicantCategory::label),
        pairs(IdType::ALL, IdType::as_str, IdType::label),
        pairs(Role::ALL, Role::as_str, Role::label),
        pairs(CaseStatus::ALL, CaseStatus::as_str, CaseStatus::label),
        pairs(Outcome::ALL, Outcome::as_str, Outcome::label),
        pairs(PartyKind::ALL, PartyKind::as_str, PartyKind::label),
        pairs(Opinion::ALL, Opinion::as_str, Opinion::label),
        pairs(AppealResult::ALL, AppealResult::as_str, AppealResult::label),
        pairs(AppealKind::ALL, AppealKind::as_str, AppealKind::label),
        pairs(LetterKind::ALL, LetterKind::as_str, LetterKind::title),
        pairs(
            crate::domain::fees::FeeBasis::ALL,
            crate::domain::fees::FeeBasis::as_str,
            crate::domain::fees::FeeBasis::label,
        ),
    ];
    let mut wanted: Vec<&str> = keys.to_vec();
    wanted.sort_unstable();
    sets.into_iter().find_map(|set| {
        let mut have: Vec<&str> = set.iter().map(|&(k, _)| k).collect();
        have.sort_unstable();
        (have == wanted).then(|| {
            keys.iter().filter_map(|k| set.iter().find(|&&(key, _)| key == *k).map(|&(_, label)| label)).collect()
        })
    })
}

/// The Chinese name of a stored event kind (`received`, `decided`, …), `None` for an unknown key.
pub fn event_label(kind: &str) -> Option<&'static str> {
    Some(match kind {
        "received" => "收到申请",
        "correction_requested" => "补正告知",
        "correction_received" => "收到补正材料",
        "consultation_started" => "征求意见",
        "consultation_replied" => "收到意见",
        "reasons_requested" => "要求说明理由",
        "reasons_given" => "申请人说明理由",
        "extended" => "延期答复",
        "fee_notice_issued" => "收费通知",
        "fee_paid" => "缴纳信息处理费",
        "decided" => "作出答复",
        "withdrawn" => "申请人撤回申请",
        "amended" => "更正办理结果",
        "appeal_filed" => "提起行政复议或行政诉讼",
        "appeal_decided" => "行政复议或行政诉讼结果",
        "voided" => "作废登记",
        "intake_corrected" => "更正登记信息",
        "step_revoked" => "撤销误录步骤",
        "letter_served" => "文书送达",
        "imported" => "自台账导入",
        "assigned" => "分派承办",
        "routed" => "转办",
        "routing_accepted" => "签收转办",
        "routing_returned" => "退回转办",
        "chase_recorded" => "督办",
        "chase_closed" => "结束督办",
        "document_added" => "上传材料",
        "document_withdrawn" => "撤回材料",
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn there_are_twenty_one_outcome_codes_and_keys_round_trip() {
        assert_eq!(Outcome::ALL.len(), 21);
        for &o in Outcome::ALL {
            assert_eq!(Outcome::parse(o.as_str()), Some(o));
            assert_eq!(serde_json::to_value(o).unwrap(), serde_json::json!(o.as_str()));
        }
        for &c in ApplicantCategory::ALL {
            assert_eq!(serde_json::to_value(c).unwrap(), serde_json::json!(c.as_str()));
        }
        for &c in Channel::ALL {
            assert_eq!(serde_json::to_value(c).unwrap(), serde_json::json!(c.as_str()));
        }
    }

    #[test]
    fn the_labels_of_a_closed_set_are_found_by_its_keys_in_any_order() {
        assert_eq!(
            labels_of_keys(&["objection", "consent", "none"]),
            Some(vec!["不同意公开", "同意公开", "逾期未答复"])
        );
        assert_eq!(labels_of_keys(&["per_page", "per_request"]), Some(vec!["按量", "按件"]));
        let outcomes: Vec<&str> = Outcome::ALL.iter().map(|o| o.as_str()).collect();
        assert_eq!(labels_of_keys(&outcomes).map(|l| l.len()), Some(21));
        assert_eq!(labels_of_keys(&["json", "csv"]), None);
        assert_eq!(labels_of_keys(&["consent", "objection"]), None, "a subset is not the set");
    }

    #[test]
    fn every_value_has_its_own_chinese_name() {
        fn distinct(labels: Vec<&'static str>) {
            let mut unique = labels.clone();
            unique.sort_unstable();
            unique.dedup();
            assert_eq!(unique.len(), labels.len(), "{labels:?}");
            assert!(labels.iter().all(|l| !l.is_empty() && !l.is_ascii()), "{labels:?}");
        }
        distinct(Outcome::ALL.iter().map(|o| o.label()).collect());
        distinct(Channel::ALL.iter().map(|o| o.label()).collect());
        distinct(ApplicantCategory::ALL.iter().map(|o| o.label()).collect());
        distinct(CaseStatus::ALL.iter().map(|o| o.label()).collect());
        distinct(Role::ALL.iter().map(|o| o.label()).collect());
        distinct(IdType::ALL.iter().map(|o| o.label()).collect());
        assert_eq!(event_label("decided"), Some("作出答复"));
        assert_eq!(event_label("nope"), None);
    }
}
