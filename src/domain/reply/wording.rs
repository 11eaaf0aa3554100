//! The sentences of a reply, per situation, from the facts. The article cited is always the
//! table's ([`Situation::citation`]); no sentence here names another article of the Regulation.

use serde::Serialize;

use super::{Addressee, CaseFacts, DecisionFacts, Situation};
use crate::domain::cn_date;
use crate::domain::types::Outcome;

/// The answer on one item of the request, or on the whole request.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Section {
    /// `一、关于第1项申请内容“…”`, for a reply that answers several items one by one.
    pub heading: Option<String>,
    pub outcome: Outcome,
    pub situation: Situation,
    /// The articles cited, as printed (empty for `other_handling`).
    pub citation: String,
    /// The finding and the decision with its legal basis.
    pub lead: String,
    /// The heading of the officer's text.
    pub basis_label: &'static str,
    /// The officer's text, one entry per non-empty line (none: nothing printed).
    pub basis: Vec<String>,
    /// Printed after the officer's text (the responsible agency, what the applicant may still do).
    pub tail: Option<String>,
}

/// The body of a decision letter: one section per item (or one for the whole request) and the
/// officer's general remarks.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Reply {
    pub sections: Vec<Section>,
    /// For a reply by items: the officer's text on the request as a whole, line by line.
    pub remarks: Vec<String>,
}

/// One item of the request as answered.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ItemAnswer<'a> {
    pub position: i32,
    pub description: &'a str,
    pub outcome: Outcome,
    pub basis: Option<&'a str>,
}

fn lines(text: Option<&str>) -> Vec<String> {
    text.map(|t| t.lines().map(str::trim).filter(|l| !l.is_empty()).map(str::to_owned).collect()).unwrap_or_default()
}

/// `一`, `二`, … for the items' headings (up to 99).
fn numeral(n: i32) -> String {
    const DIGITS: [&str; 10] = ["〇", "一", "二", "三", "四", "五", "六", "七", "八", "九"];
    let digit = |d: i32| usize::try_from(d).ok().and_then(|d| DIGITS.get(d)).copied().unwrap_or("");
    match n {
        1..=9 => digit(n).to_owned(),
        10 => "十".to_owned(),
        11..=19 => format!("十{}", digit(n - 10)),
        20..=99 if n % 10 == 0 => format!("{}十", digit(n / 10)),
        20..=99 => format!("{}十{}", digit(n / 10), digit(n % 10)),
        _ => n.to_string(),
    }
}

/// The reply to a request: by items when `items` is not empty, else on the whole request.
pub fn reply(
    outcome: Outcome,
    basis: Option<&str>,
    items: &[ItemAnswer<'_>],
    you: Addressee,
    decision: &DecisionFacts,
    case: &CaseFacts,
) -> Reply {
    if items.is_empty() {
        let situation = Situation::of(outcome, decision, case);
        return Reply { sections: vec![section(situation, basis, you, decision, case)], remarks: Vec::new() };
    }
    let sections = items
        .iter()
        .enumerate()
        .map(|(index, item)| {
            let situation = Situation::of(item.outcome, decision, case);
            let mut s = section(situation, item.basis, you, decision, case);
            let n = i32::try_from(index + 1).unwrap_or(item.position);
            s.heading = Some(format!("{}、关于第{}项申请内容“{}”", numeral(n), item.position, item.description));
            s
        })
        .collect();
    Reply { sections, remarks: lines(basis) }
}

/// The section of one situation.
pub fn section(
    situation: Situation,
    basis: Option<&str>,
    you: Addressee,
    decision: &DecisionFacts,
    case: &CaseFacts,
) -> Section {
    let y = you.you();
    let c = situation.citation();
    let refuse = |finding: &str| format!("经审查，{y}申请公开的政府信息{finding}。根据{c}的规定，本机关决定不予公开。");
    let mut tail = None;
    let lead = match situation {
        Situation::AlreadyPublic => format!(
            "经审查，{y}申请公开的政府信息本机关已经主动公开。根据{c}的规定，现告知{y}获取该政府信息的方式、途径。"
        ),
        Situation::Provided => {
            let how = if basis.is_some() {
                "获取该政府信息的方式、途径和时间如下"
            } else {
                "该政府信息随本答复书一并提供"
            };
            format!("经审查，{y}申请公开的政府信息属于可以公开的政府信息。根据{c}的规定，本机关决定予以公开，{how}。")
        }
        Situation::PartiallyProvided => format!(
            "经审查，{y}申请公开的信息中含有不应当公开或者不属于政府信息的内容，但是能够作区分处理。根据{c}的规定，本机关向{y}提供可以公开的政府信息内容，对不予公开的内容说明理由如下。"
        ),
        Situation::StateSecret => refuse("属于依法确定为国家秘密的政府信息"),
        Situation::ProhibitedByLaw => refuse("属于法律、行政法规禁止公开的政府信息"),
        Situation::SecurityStability => refuse("公开后可能危及国家安全、公共安全、经济安全、社会稳定"),
        Situation::ThirdPartyObjected => format!(
            "经审查，{y}申请公开的政府信息涉及商业秘密、个人隐私等，公开会对第三方合法权益造成损害。本机关已书面征求第三方意见，第三方不同意公开，本机关认为其理由合理。根据{c}的规定，本机关决定不予公开。"
        ),
        Situation::ThirdPartyRights => refuse("涉及商业秘密、个人隐私等，公开会对第三方合法权益造成损害"),
        Situation::InternalAffairs => {
            refuse("属于行政机关的内部事务信息，即人事管理、后勤管理、内部工作流程等方面的信息")
        }
        Situation::ProcessInformation => refuse(
            "属于行政机关在履行行政管理职能过程中形成的讨论记录、过程稿、磋商信函、请示报告等过程性信息",
        ),
        Situation::EnforcementCaseFiles => refuse("属于行政执法案卷信息"),
        Situation::SpecialProcedure => format!(
            "经审查，{y}申请获取的信息属于工商、不动产登记资料等信息，有关法律、行政法规对信息的获取有特别规定。根据{c}的规定，请{y}依照有关法律、行政法规的规定办理。"
        ),
        Situation::DoesNotExist => {
            format!("经检索，本机关没有{y}所申请公开的政府信息。根据{c}的规定，现告知{y}该政府信息不存在。")
        }
        Situation::NotThisAgency => {
            if let Some(agency) = &decision.responsible_agency {
                tail = Some(format!(
                    "根据{c}的规定，现告知{y}：负责公开该政府信息的行政机关为{}，联系方式：{}。",
                    agency.name, agency.contact
                ));
            }
            format!("经审查，{y}所申请公开的信息不属于本机关负责公开。")
        }
        Situation::NeedsCreation => format!(
            "经审查，本机关没有{y}所申请的现成信息，提供该信息需要本机关对现有政府信息进行加工、分析。根据{c}的规定，本机关不予提供。"
        ),
        Situation::StillUnclear => {
            tail = Some(format!(
                "{y}可以在明确所需政府信息的名称、文号或者便于本机关查询的其他特征性描述后，重新提出申请。"
            ));
            match case.correction {
                Some(corr) if corr.received_on.is_some() => format!(
                    "本机关已于{}告知{y}对申请作出补正（补正期限至{}），并于{}收到{y}补正后的申请。经审查，补正后的申请内容仍不明确，本机关无法据此确定{y}所申请公开的政府信息。根据{c}的规定，本机关无法按照该申请提供政府信息。",
                    cn_date(corr.issued_on),
                    cn_date(corr.respond_by),
                    cn_date(corr.received_on.unwrap_or(corr.respond_by)),
                ),
                // A case decided before the correction was required to be on record.
                _ => format!(
                    "经审查，{y}的申请内容不明确，本机关无法据此确定{y}所申请公开的政府信息。根据{c}的规定，本机关无法按照该申请提供政府信息。"
                ),
            }
        }
        Situation::PetitionComplaint => {
            if basis.is_none() {
                tail = Some(format!("{y}可以通过信访、投诉、举报等相应渠道提出。"));
            }
            format!(
                "经审查，{y}以政府信息公开申请的形式进行信访、投诉、举报等活动。根据{c}的规定，本机关不作为政府信息公开申请处理。"
            )
        }
        Situation::Repeated => match &decision.repeats {
            Some(earlier) => {
                let number = earlier.document_number.as_ref().map(|n| format!("，答复书文号{n}")).unwrap_or_default();
                format!(
                    "本机关已于{}就{y}提出的政府信息公开申请（申请编号{}{number}）作出答复。{y}此次重复申请公开相同的政府信息，根据{c}的规定，本机关不予重复处理。",
                    cn_date(earlier.decided_on),
                    earlier.case_number
                )
            }
            None => format!(
                "经审查，本机关已就{y}提出的政府信息公开申请作出答复，{y}此次重复申请公开相同的政府信息。根据{c}的规定，本机关不予重复处理。"
            ),
        },
        Situation::Publication => format!(
            "经审查，{y}申请获取的是政府公报、报刊、书籍等公开出版物。根据{c}的规定，现告知{y}获取的途径，本机关对该申请不再另行处理。"
        ),
        Situation::Excessive => match case.reasons {
            Some(r) => {
                let answer = match r.given_on {
                    Some(on) => format!("{y}于{}作出了说明。经审查，本机关认为{y}的申请理由不合理。", cn_date(on)),
                    None => format!("{y}未在该期限内说明理由。"),
                };
                format!(
                    "{y}申请公开政府信息的数量、频次明显超过合理范围，本机关已于{}要求{y}于{}前说明理由。{answer}根据{c}的规定，本机关对该申请不予处理。",
                    cn_date(r.requested_on),
                    cn_date(r.respond_by)
                )
            }
            None => format!(
                "{y}申请公开政府信息的数量、频次明显超过合理范围，本机关认为申请理由不合理。根据{c}的规定，本机关对该申请不予处理。"
            ),
        },
        Situation::ConfirmOrReissue => format!(
            "经审查，{y}的申请系要求本机关对{y}已获取的信息予以确认或者重新出具，不属于获取{c}所称政府信息的申请，本机关不作为政府信息公开申请处理。"
        ),
        Situation::CorrectionOverdue => match case.correction {
            Some(corr) => format!(
                "本机关已于{}一次性告知{y}对申请作出补正，补正期限至{}。{y}无正当理由逾期未补正。根据{c}的规定，视为{y}放弃申请，本机关不再处理该政府信息公开申请。",
                cn_date(corr.issued_on),
                cn_date(corr.respond_by)
            ),
            None => format!(
                "{y}无正当理由逾期未补正。根据{c}的规定，视为{y}放弃申请，本机关不再处理该政府信息公开申请。"
            ),
        },
        Situation::FeeUnpaid => match case.fee {
            Some(fee) => format!(
                "本机关已于{}向{y}发出信息处理费收费通知，缴费期限至{}。{y}逾期未缴纳信息处理费。根据{c}的规定，视为{y}放弃申请，本机关不再处理该政府信息公开申请。",
                cn_date(fee.issued_on),
                cn_date(fee.pay_by)
            ),
            None => format!(
                "{y}逾期未缴纳信息处理费。根据{c}的规定，视为{y}放弃申请，本机关不再处理该政府信息公开申请。"
            ),
        },
        Situation::OtherHandling => format!("本机关对{y}的政府信息公开申请处理如下。"),
    };
    Section {
        heading: None,
        outcome: situation.outcome(),
        situation,
        citation: c,
        lead,
        basis_label: situation.row().basis.label(),
        basis: lines(basis),
        tail,
    }
}
