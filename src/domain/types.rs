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
}
keyed_enum!(CaseStatus { Received => "received", AwaitingCorrection => "awaiting_correction",
    InConsultation => "in_consultation", AwaitingFee => "awaiting_fee", Concluded => "concluded" });

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

    /// The typical legal basis of the outcome under the Regulation (2019 revision).
    pub fn legal_basis(self) -> &'static str {
        match self {
            Self::Disclosed => "《政府信息公开条例》第三十六条第（一）、（二）项",
            Self::PartiallyDisclosed => "《政府信息公开条例》第三十七条",
            Self::WithheldStateSecret | Self::WithheldProhibitedByLaw | Self::WithheldEndangersSecurityStability => {
                "《政府信息公开条例》第十四条"
            }
            Self::WithheldThirdPartyRights => "《政府信息公开条例》第十五条、第三十二条",
            Self::WithheldInternalAffairs => "《政府信息公开条例》第十六条第一款",
            Self::WithheldProcessInformation | Self::WithheldEnforcementCaseFiles => {
                "《政府信息公开条例》第十六条第二款"
            }
            Self::WithheldAdministrativeInquiry => "《政府信息公开条例》第三十六条第（七）项",
            Self::UnavailableNotHeld => "《政府信息公开条例》第三十六条第（四）、（五）项",
            Self::UnavailableNeedsCreation => "《政府信息公开条例》第三十八条",
            Self::UnavailableStillUnclear => "《政府信息公开条例》第三十条",
            Self::NotProcessedPetitionComplaint => "《政府信息公开条例》第三十九条第一款",
            Self::NotProcessedRepeated => "《政府信息公开条例》第三十六条第（六）项",
            Self::NotProcessedPublication => "《政府信息公开条例》第三十九条第二款",
            Self::NotProcessedExcessive => "《政府信息公开条例》第三十五条",
            Self::NotProcessedConfirmOrReissue => "",
            Self::OtherCorrectionOverdue => "《政府信息公开条例》第三十条",
            Self::OtherFeeUnpaid => "《政府信息公开信息处理费管理办法》（国办函〔2020〕109号）",
            Self::OtherMisc => "",
        }
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
}
