//! What a reply (答复) says: one wording per legal situation, each with the articles it rests on,
//! chosen from the facts of the case and of the decision. This is the one table of the legal basis
//! per outcome: the decision letters print it (the templates receive the sentences as data), the
//! lifecycle refuses a decision whose situation lacks a fact its wording states
//! ([`check_decision`]), and [`Outcome::legal_basis`] is derived from it.
//!
//! Articles are those of 《中华人民共和国政府信息公开条例》 (国务院令第711号, 2019 revision), “the
//! Regulation”, unless another instrument is named.

mod check;
mod facts;
mod wording;

use serde::Serialize;

use super::types::Outcome;

pub use check::{check_decision, DecisionInput, EarlierCase, ItemInput};
pub use facts::{
    Addressee, CaseFacts, CorrectionFacts, DecisionFacts, EarlierReply, FeeFacts, ReasonsFacts, ResponsibleAgency,
};
pub use wording::{reply, section, ItemAnswer, Reply, Section};

/// The Regulation's title as cited.
pub const REGULATION: &str = "《中华人民共和国政府信息公开条例》";
/// The fee rules (国办函〔2020〕109号) as cited.
pub const FEE_RULES: &str = "《政府信息公开信息处理费管理办法》（国办函〔2020〕109号）";

/// The legal situations a reply answers, one wording each.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, PartialOrd, Ord)]
#[serde(rename_all = "snake_case")]
pub enum Situation {
    /// Art. 36 (1): already proactively disclosed; the applicant is told how to obtain it.
    AlreadyPublic,
    /// Art. 36 (2): provided, or the way, route and time to obtain it.
    Provided,
    /// Art. 37: the part that may be disclosed is provided, the rest withheld with reasons.
    PartiallyProvided,
    /// Art. 14, 36 (3).
    StateSecret,
    /// Art. 14, 36 (3).
    ProhibitedByLaw,
    /// Art. 14, 36 (3).
    SecurityStability,
    /// Art. 15, 32, 36 (3): the consulted third party objected with reasons the agency accepts.
    ThirdPartyObjected,
    /// Art. 15, 36 (3): disclosure would harm a third party's lawful rights (no objection recorded).
    ThirdPartyRights,
    /// Art. 16 ¶1, 36 (3).
    InternalAffairs,
    /// Art. 16 ¶2, 36 (3).
    ProcessInformation,
    /// Art. 16 ¶2, 36 (3).
    EnforcementCaseFiles,
    /// Art. 36 (7): laws provide their own procedure (commercial, real-estate registers).
    SpecialProcedure,
    /// Art. 36 (4): searched, and the information does not exist.
    DoesNotExist,
    /// Art. 36 (5): not this agency's to disclose; the responsible agency is named.
    NotThisAgency,
    /// Art. 38: would have to be produced by processing or analysing existing information.
    NeedsCreation,
    /// Art. 30: still unclear after the correction.
    StillUnclear,
    /// Art. 39 ¶1: a petition, complaint or report in the form of a request.
    PetitionComplaint,
    /// Art. 36 (6): the same information again, after a reply.
    Repeated,
    /// Art. 39 ¶2: a publication; the applicant is told where to obtain it.
    Publication,
    /// Art. 35: clearly excessive, and no reasonable reasons given when asked.
    Excessive,
    /// Art. 2 (the definition of government information) **[product rule]**: the law has no
    /// article of its own for a request to confirm or issue again information already obtained.
    ConfirmOrReissue,
    /// Art. 30: the correction lapsed.
    CorrectionOverdue,
    /// Art. 42 and 国办函〔2020〕109号: the fee was not paid in time.
    FeeUnpaid,
    /// Handled otherwise (`other_misc`), as the officer states.
    OtherHandling,
}

/// Whether a situation needs the officer's text (`basis`), and what it is called in the letter.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BasisRule {
    /// The letter states what the article requires only through this text: refused without it.
    Required { label: &'static str, why: &'static str },
    /// Printed under `label` when given.
    Optional { label: &'static str },
}

impl BasisRule {
    pub fn label(self) -> &'static str {
        match self {
            Self::Required { label, .. } | Self::Optional { label } => label,
        }
    }
}

/// One row of the table.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Row {
    pub outcome: Outcome,
    /// Articles of the Regulation, as printed after its title (e.g. `第十四条`, `第三十六条第（三）项`).
    pub articles: &'static [&'static str],
    /// Another instrument cited after the Regulation.
    pub also: Option<&'static str>,
    pub basis: BasisRule,
}

const ITEM_3: &str = "第三十六条第（三）项";
const REFUSAL_REASON: BasisRule = BasisRule::Required {
    label: "理由",
    why: "决定不予公开的，应当说明理由（条例第三十六条第（三）项）",
};

impl Situation {
    pub const ALL: &'static [Situation] = &[
        Self::AlreadyPublic,
        Self::Provided,
        Self::PartiallyProvided,
        Self::StateSecret,
        Self::ProhibitedByLaw,
        Self::SecurityStability,
        Self::ThirdPartyObjected,
        Self::ThirdPartyRights,
        Self::InternalAffairs,
        Self::ProcessInformation,
        Self::EnforcementCaseFiles,
        Self::SpecialProcedure,
        Self::DoesNotExist,
        Self::NotThisAgency,
        Self::NeedsCreation,
        Self::StillUnclear,
        Self::PetitionComplaint,
        Self::Repeated,
        Self::Publication,
        Self::Excessive,
        Self::ConfirmOrReissue,
        Self::CorrectionOverdue,
        Self::FeeUnpaid,
        Self::OtherHandling,
    ];

    /// The situation's row: its outcome code, articles and what the officer must write.
    pub fn row(self) -> Row {
        use BasisRule::{Optional, Required};
        let row = |outcome, articles, basis| Row { outcome, articles, also: None, basis };
        match self {
            Self::AlreadyPublic => row(
                Outcome::Disclosed,
                &["第三十六条第（一）项"],
                Required {
                    label: "获取方式、途径",
                    why: "已主动公开的，应当告知获取该政府信息的方式、途径（条例第三十六条第（一）项）",
                },
            ),
            Self::Provided => {
                row(Outcome::Disclosed, &["第三十六条第（二）项"], Optional { label: "获取方式、途径和时间" })
            }
            Self::PartiallyProvided => row(
                Outcome::PartiallyDisclosed,
                &["第三十七条"],
                Required {
                    label: "不予公开的内容及理由",
                    why: "部分公开的，应当对不予公开的内容说明理由（条例第三十七条）",
                },
            ),
            Self::StateSecret | Self::ProhibitedByLaw | Self::SecurityStability => row(
                match self {
                    Self::StateSecret => Outcome::WithheldStateSecret,
                    Self::ProhibitedByLaw => Outcome::WithheldProhibitedByLaw,
                    _ => Outcome::WithheldEndangersSecurityStability,
                },
                &["第十四条", ITEM_3],
                REFUSAL_REASON,
            ),
            Self::ThirdPartyObjected => {
                row(Outcome::WithheldThirdPartyRights, &["第十五条", "第三十二条", ITEM_3], REFUSAL_REASON)
            }
            Self::ThirdPartyRights => row(Outcome::WithheldThirdPartyRights, &["第十五条", ITEM_3], REFUSAL_REASON),
            Self::InternalAffairs => row(Outcome::WithheldInternalAffairs, &["第十六条第一款", ITEM_3], REFUSAL_REASON),
            Self::ProcessInformation => {
                row(Outcome::WithheldProcessInformation, &["第十六条第二款", ITEM_3], REFUSAL_REASON)
            }
            Self::EnforcementCaseFiles => {
                row(Outcome::WithheldEnforcementCaseFiles, &["第十六条第二款", ITEM_3], REFUSAL_REASON)
            }
            Self::SpecialProcedure => row(
                Outcome::WithheldAdministrativeInquiry,
                &["第三十六条第（七）项"],
                Required {
                    label: "有关规定及办理途径",
                    why: "应当告知申请人依照哪些法律、行政法规的规定办理（条例第三十六条第（七）项）",
                },
            ),
            Self::DoesNotExist => {
                row(Outcome::UnavailableNotHeld, &["第三十六条第（四）项"], Optional { label: "检索情况" })
            }
            Self::NotThisAgency => row(
                Outcome::UnavailableNotHeld,
                &["第三十六条第（五）项"],
                Required {
                    label: "理由", why: "不属于本机关负责公开的，应当说明理由（条例第三十六条第（五）项）"
                },
            ),
            Self::NeedsCreation => row(Outcome::UnavailableNeedsCreation, &["第三十八条"], Optional { label: "说明" }),
            Self::StillUnclear => row(Outcome::UnavailableStillUnclear, &["第三十条"], Optional { label: "说明" }),
            Self::PetitionComplaint => {
                row(Outcome::NotProcessedPetitionComplaint, &["第三十九条第一款"], Optional { label: "可以提出的渠道" })
            }
            Self::Repeated => row(Outcome::NotProcessedRepeated, &["第三十六条第（六）项"], Optional { label: "说明" }),
            Self::Publication => row(
                Outcome::NotProcessedPublication,
                &["第三十九条第二款"],
                Required {
                    label: "获取途径", why: "要求提供公开出版物的，应当告知获取的途径（条例第三十九条第二款）"
                },
            ),
            Self::Excessive => row(Outcome::NotProcessedExcessive, &["第三十五条"], Optional { label: "理由" }),
            Self::ConfirmOrReissue => {
                row(Outcome::NotProcessedConfirmOrReissue, &["第二条"], Optional { label: "说明" })
            }
            Self::CorrectionOverdue => row(Outcome::OtherCorrectionOverdue, &["第三十条"], Optional { label: "说明" }),
            Self::FeeUnpaid => Row {
                outcome: Outcome::OtherFeeUnpaid,
                articles: &["第四十二条"],
                also: Some(FEE_RULES),
                basis: Optional { label: "说明" },
            },
            Self::OtherHandling => row(
                Outcome::OtherMisc,
                &[],
                Required {
                    label: "处理情况", why: "按“其他”办结的，应当写明处理情况及其依据"
                },
            ),
        }
    }

    /// The outcome code (report row) the situation belongs to.
    pub fn outcome(self) -> Outcome {
        self.row().outcome
    }

    /// The citation as printed: `《中华人民共和国政府信息公开条例》第十四条、第三十六条第（三）项`, with
    /// another instrument after `和`; empty when the situation cites nothing.
    pub fn citation(self) -> String {
        citation(self.row().articles, self.row().also)
    }

    /// The situation of an outcome, chosen from the facts.
    pub fn of(outcome: Outcome, decision: &DecisionFacts, case: &CaseFacts) -> Self {
        match outcome {
            Outcome::Disclosed if decision.already_public => Self::AlreadyPublic,
            Outcome::Disclosed => Self::Provided,
            Outcome::PartiallyDisclosed => Self::PartiallyProvided,
            Outcome::WithheldStateSecret => Self::StateSecret,
            Outcome::WithheldProhibitedByLaw => Self::ProhibitedByLaw,
            Outcome::WithheldEndangersSecurityStability => Self::SecurityStability,
            Outcome::WithheldThirdPartyRights if case.third_party_objected => Self::ThirdPartyObjected,
            Outcome::WithheldThirdPartyRights => Self::ThirdPartyRights,
            Outcome::WithheldInternalAffairs => Self::InternalAffairs,
            Outcome::WithheldProcessInformation => Self::ProcessInformation,
            Outcome::WithheldEnforcementCaseFiles => Self::EnforcementCaseFiles,
            Outcome::WithheldAdministrativeInquiry => Self::SpecialProcedure,
            Outcome::UnavailableNotHeld if decision.responsible_agency.is_some() => Self::NotThisAgency,
            Outcome::UnavailableNotHeld => Self::DoesNotExist,
            Outcome::UnavailableNeedsCreation => Self::NeedsCreation,
            Outcome::UnavailableStillUnclear => Self::StillUnclear,
            Outcome::NotProcessedPetitionComplaint => Self::PetitionComplaint,
            Outcome::NotProcessedRepeated => Self::Repeated,
            Outcome::NotProcessedPublication => Self::Publication,
            Outcome::NotProcessedExcessive => Self::Excessive,
            Outcome::NotProcessedConfirmOrReissue => Self::ConfirmOrReissue,
            Outcome::OtherCorrectionOverdue => Self::CorrectionOverdue,
            Outcome::OtherFeeUnpaid => Self::FeeUnpaid,
            Outcome::OtherMisc => Self::OtherHandling,
        }
    }

    /// The situations of an outcome (one, or two told apart by a fact).
    pub fn of_outcome(outcome: Outcome) -> impl Iterator<Item = Situation> {
        Self::ALL.iter().copied().filter(move |s| s.outcome() == outcome)
    }
}

/// `《…条例》第A条、第B条` (+ `和{also}`); the articles in the order given.
fn citation(articles: &[&str], also: Option<&str>) -> String {
    let mut out = String::new();
    if !articles.is_empty() {
        out.push_str(REGULATION);
        out.push_str(&articles.join("、"));
    }
    if let Some(also) = also {
        if !out.is_empty() {
            out.push('和');
        }
        out.push_str(also);
    }
    out
}

impl Outcome {
    /// The legal basis of the outcome under the Regulation: the articles of every situation it
    /// answers (from the one table, [`Situation::row`]), e.g. for `unavailable_not_held`
    /// `…第三十六条第（四）项、第三十六条第（五）项`.
    pub fn legal_basis(self) -> String {
        let mut articles: Vec<&'static str> = Vec::new();
        let mut also = None;
        for situation in Situation::of_outcome(self) {
            let row = situation.row();
            for article in row.articles {
                if !articles.contains(article) {
                    articles.push(article);
                }
            }
            also = also.or(row.also);
        }
        citation(&articles, also)
    }
}

#[cfg(test)]
mod tests;
