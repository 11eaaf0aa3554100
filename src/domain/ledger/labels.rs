//! The words of a ledger's cells: outcomes by their official labels (with or without the group
//! prefix) and the API's codes, channels and applicant types by their usual words, yes/no, money.

use crate::domain::types::OutcomeGroup;
use crate::domain::{ApplicantCategory, CaseStatus, Channel, Outcome};

/// Text as compared: without white space; full-width letters, digits and brackets as ASCII ones;
/// ASCII letters in lower case.
pub fn normalise(text: &str) -> String {
    text.chars()
        .filter(|c| !c.is_whitespace())
        .map(|c| match c {
            '（' => '(',
            '）' => ')',
            '\u{ff01}'..='\u{ff5e}' => char::from_u32(u32::from(c) - 0xfee0).unwrap_or(c),
            other => other,
        })
        .flat_map(char::to_lowercase)
        .collect()
}

/// An outcome as a ledger writes it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct OutcomeReading {
    pub outcome: Outcome,
    /// The text says the applicant withdrew (撤回): recorded as a withdrawal.
    pub withdrawn: bool,
}

/// Short names ledgers use beside the official labels [product rule: `其他处理` alone, the 2019
/// table's row, is `other_misc`; the two lapses must be named].
const OUTCOME_WORDS: &[(&str, Outcome)] = &[
    ("逾期不补正", Outcome::OtherCorrectionOverdue),
    ("申请人逾期不补正", Outcome::OtherCorrectionOverdue),
    ("申请人无正当理由逾期不补正", Outcome::OtherCorrectionOverdue),
    ("逾期未缴费", Outcome::OtherFeeUnpaid),
    ("逾期未缴纳费用", Outcome::OtherFeeUnpaid),
    ("申请人逾期未缴费", Outcome::OtherFeeUnpaid),
    ("其他处理", Outcome::OtherMisc),
    ("其他", Outcome::OtherMisc),
    ("撤回", Outcome::OtherMisc),
    ("申请人撤回", Outcome::OtherMisc),
    ("申请人撤回申请", Outcome::OtherMisc),
    ("申请人主动撤回", Outcome::OtherMisc),
    ("公开", Outcome::Disclosed),
    ("区分处理", Outcome::PartiallyDisclosed),
    ("不掌握", Outcome::UnavailableNotHeld),
    ("信息不存在", Outcome::UnavailableNotHeld),
    ("国家秘密", Outcome::WithheldStateSecret),
];

/// Characters that separate a group prefix from the label (`不予公开：属于国家秘密`,
/// `无法提供—本机关不掌握相关政府信息`, `不予公开-属于四类过程性信息`).
const SEPARATORS: &[char] = &[':', '：', '—', '–', '-', '－', '/', '、', '|', '>', '＞', '·'];

/// The enumeration before a label in the official table: `（一）`, `（三）1.`, `1.`, `2．`.
fn strip_enumeration(text: &str) -> &str {
    let mut rest = text;
    if let Some(after) = rest.strip_prefix('(') {
        if let Some(end) = after.find(')') {
            let inside = &after[..end];
            if inside.chars().all(|c| "一二三四五六七八九十".contains(c)) && !inside.is_empty() {
                rest = &after[end + 1..];
            }
        }
    }
    let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
    if digits > 0 {
        let after = &rest[digits..];
        if let Some(stripped) = after.strip_prefix(['.', '、', '．']) {
            rest = stripped;
        } else if after.starts_with(|c: char| !c.is_ascii()) {
            rest = after;
        }
    }
    rest
}

/// The outcome a label names exactly (after normalising), by its label, its report row's
/// label, a short name or its code.
fn outcome_exact(text: &str) -> Option<Outcome> {
    let text = strip_enumeration(text);
    if text.is_empty() {
        return None;
    }
    if let Some(outcome) = Outcome::parse(text) {
        return Some(outcome);
    }
    Outcome::ALL
        .iter()
        .copied()
        .find(|o| normalise(o.label()) == text || normalise(&report_label(*o)) == text)
        .or_else(|| OUTCOME_WORDS.iter().find(|(word, _)| *word == text).map(|(_, o)| *o))
}

/// The label of the outcome's row in the official table (partial disclosure carries its note).
fn report_label(outcome: Outcome) -> String {
    match outcome {
        Outcome::PartiallyDisclosed => "部分公开（区分处理的，只计这一情形，不计其他情形）".to_owned(),
        other => other.label().to_owned(),
    }
}

/// Read an outcome: the official label with or without its group prefix (`不予公开：属于国家秘密`,
/// `（三）1.属于国家秘密`, `属于国家秘密`), the API's code (`withheld_state_secret`), or a short
/// name (`逾期不补正`, `其他处理`, `撤回`).
///
/// # Errors
/// A Chinese message listing what is accepted; a group name alone says which rows it has.
pub fn parse_outcome(text: &str) -> Result<OutcomeReading, String> {
    let normalised = normalise(text);
    let withdrawn = normalised.contains("撤回");
    let reading = |outcome| Ok(OutcomeReading { outcome, withdrawn: withdrawn && outcome == Outcome::OtherMisc });
    if let Some(outcome) = outcome_exact(&normalised) {
        return reading(outcome);
    }
    // A group prefix and a separator: the part after a separator names the row.
    for (i, _) in normalised.match_indices(SEPARATORS) {
        if let Some(outcome) = outcome_exact(normalised[i..].trim_start_matches(SEPARATORS)) {
            return reading(outcome);
        }
    }
    // A group prefix without a separator (`不予公开属于国家秘密`, `（三）不予公开1.属于国家秘密`).
    for group in [OutcomeGroup::Withheld, OutcomeGroup::Unavailable, OutcomeGroup::NotProcessed, OutcomeGroup::Other] {
        if let Some(i) = normalised.find(group.label()) {
            let rest = normalised[i + group.label().len()..].trim_start_matches(SEPARATORS);
            if let Some(outcome) = outcome_exact(rest).filter(|o| o.group() == group) {
                return reading(outcome);
            }
        }
    }
    // A group name alone is not a row of the table.
    let groups = [OutcomeGroup::Withheld, OutcomeGroup::Unavailable, OutcomeGroup::NotProcessed];
    if let Some(group) = groups.into_iter().find(|g| strip_enumeration(&normalised) == g.label()) {
        let rows: Vec<&str> = Outcome::ALL.iter().filter(|o| o.group() == group).map(|o| o.label()).collect();
        return Err(format!(
            "“{}”是一类答复，不是报表中的一行：请写明具体情形，如“{}：{}”，可选：{}",
            text.trim(),
            group.label(),
            rows[0],
            rows.join("、")
        ));
    }
    Err(format!(
        "“{}”不是可识别的办理结果：请填写年度报表中的办理结果（可带“不予公开：”等前缀），如“予以公开”“部分公开”“不予公开：属于国家秘密”“本机关不掌握相关政府信息”“重复申请”“其他”",
        text.trim()
    ))
}

/// Usual words for the channels, checked in this order inside the text.
const CHANNEL_WORDS: &[(&str, Channel)] = &[
    ("电子邮件", Channel::Email),
    ("电子邮箱", Channel::Email),
    ("邮件", Channel::Email),
    ("email", Channel::Email),
    ("e-mail", Channel::Email),
    ("传真", Channel::Fax),
    ("互联网", Channel::Online),
    ("网上", Channel::Online),
    ("网络", Channel::Online),
    ("在线", Channel::Online),
    ("网站", Channel::Online),
    ("当面", Channel::InPerson),
    ("现场", Channel::InPerson),
    ("窗口", Channel::InPerson),
    ("来访", Channel::InPerson),
    ("挂号", Channel::Post),
    ("邮寄", Channel::Post),
    ("快递", Channel::Post),
    ("ems", Channel::Post),
    ("信函", Channel::Letter),
    ("平信", Channel::Letter),
    ("来信", Channel::Letter),
    ("其他", Channel::Other),
];

/// Read a channel from its usual words (当面, 现场, 邮寄, 信函, 网上, 网络, 互联网, 传真, 电子邮件, …)
/// or the API's code.
///
/// # Errors
/// A Chinese message naming the words accepted.
pub fn parse_channel(text: &str) -> Result<Channel, String> {
    let normalised = normalise(text);
    if let Some(channel) = Channel::parse(&normalised) {
        return Ok(channel);
    }
    if let Some(channel) = Channel::ALL.iter().copied().find(|c| normalise(c.label()) == normalised) {
        return Ok(channel);
    }
    CHANNEL_WORDS.iter().find(|(word, _)| normalised.contains(word)).map(|(_, c)| *c).ok_or_else(|| {
        format!(
            "“{}”不是可识别的申请方式，可填写：当面（现场）、邮寄、信函、网上（网络、互联网）、传真、电子邮件、其他",
            text.trim()
        )
    })
}

/// Usual words for the applicant types besides the report's column labels.
const CATEGORY_WORDS: &[(&str, ApplicantCategory)] = &[
    ("自然人", ApplicantCategory::NaturalPerson),
    ("个人", ApplicantCategory::NaturalPerson),
    ("公民", ApplicantCategory::NaturalPerson),
    ("商业企业", ApplicantCategory::CommercialEnterprise),
    ("企业", ApplicantCategory::CommercialEnterprise),
    ("公司", ApplicantCategory::CommercialEnterprise),
    ("科研机构", ApplicantCategory::ResearchInstitution),
    ("社会公益组织", ApplicantCategory::PublicWelfareOrg),
    ("公益组织", ApplicantCategory::PublicWelfareOrg),
    ("法律服务机构", ApplicantCategory::LegalServiceOrg),
    ("律师事务所", ApplicantCategory::LegalServiceOrg),
    ("其他组织", ApplicantCategory::OtherOrg),
    ("其他", ApplicantCategory::OtherOrg),
];

/// Read an applicant type from the report's column labels (自然人, 商业企业, 科研机构, 社会公益组织,
/// 法律服务机构, 其他), with or without the prefix 法人或其他组织, or the API's code.
///
/// # Errors
/// A Chinese message naming the types.
pub fn parse_category(text: &str) -> Result<ApplicantCategory, String> {
    let normalised = normalise(text);
    let tail =
        normalised.rfind(SEPARATORS).map_or(normalised.as_str(), |i| normalised[i..].trim_start_matches(SEPARATORS));
    let tail = tail.strip_prefix("法人或其他组织").unwrap_or(tail);
    ApplicantCategory::parse(tail)
        .or_else(|| ApplicantCategory::ALL.iter().copied().find(|c| normalise(c.label()) == tail))
        .or_else(|| CATEGORY_WORDS.iter().find(|(word, _)| *word == tail).map(|(_, c)| *c))
        .ok_or_else(|| {
            format!(
                "“{}”不是可识别的申请人类型，可填写：自然人、商业企业、科研机构、社会公益组织、法律服务机构、其他",
                text.trim()
            )
        })
}

/// Read yes or no; an empty cell is no.
///
/// # Errors
/// A Chinese message.
pub fn parse_yes_no(text: &str) -> Result<bool, String> {
    match normalise(text).as_str() {
        "是" | "有" | "y" | "yes" | "true" | "√" | "✓" | "1" | "已补正" | "已延期" | "已征求" => {
            Ok(true)
        }
        "" | "否" | "无" | "n" | "no" | "false" | "×" | "0" | "-" | "/" => Ok(false),
        _ => Err(format!("“{}”应为“是”或“否”", text.trim())),
    }
}

/// Whether a status text says the case is concluded (`Some(true)`), open (`Some(false)`) or
/// voided (`None` with `voided`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StatusReading {
    Open,
    Concluded,
    Voided,
}

/// Read a status: the statuses' labels and codes, and the usual words (办结, 已答复, 在办, …).
///
/// # Errors
/// A Chinese message naming the statuses.
pub fn parse_status(text: &str) -> Result<Option<StatusReading>, String> {
    let normalised = normalise(text);
    if normalised.is_empty() {
        return Ok(None);
    }
    let status = CaseStatus::parse(&normalised)
        .or_else(|| CaseStatus::ALL.iter().copied().find(|s| normalise(s.label()) == normalised));
    let reading = match status {
        Some(CaseStatus::Concluded) => StatusReading::Concluded,
        Some(CaseStatus::Voided) => StatusReading::Voided,
        Some(_) => StatusReading::Open,
        None => match normalised.as_str() {
            "办结" | "已答复" | "已处理" | "完成" | "已完成" | "结案" | "已结案" => {
                StatusReading::Concluded
            }
            "在办" | "办理中" | "未办结" | "处理中" | "待答复" | "未答复" | "受理" | "已受理" => {
                StatusReading::Open
            }
            "作废" | "无效" => StatusReading::Voided,
            _ => {
                return Err(format!(
                    "“{}”不是可识别的办理状态，可填写：{}，或留空",
                    text.trim(),
                    CaseStatus::ALL.iter().map(|s| s.label()).collect::<Vec<_>>().join("、")
                ))
            }
        },
    };
    Ok(Some(reading))
}

/// Read an amount of money in yuan (`120`, `120.50`, `120元`, `¥1,200`) as fen.
///
/// # Errors
/// A Chinese message for anything else, negative amounts and fractions of a fen.
pub fn parse_fen(text: &str) -> Result<Option<i64>, String> {
    let normalised = normalise(text);
    let cleaned: String = normalised
        .trim_start_matches(['¥', '￥'])
        .trim_end_matches("元")
        .trim_end_matches("人民币")
        .chars()
        .filter(|c| *c != ',')
        .collect();
    if cleaned.is_empty() || cleaned == "无" || cleaned == "0" || cleaned == "-" {
        return Ok(None);
    }
    let invalid = || format!("“{}”不是有效的金额：请以元为单位填写数字，如 120 或 120.50", text.trim());
    let (yuan, fraction) = cleaned.split_once('.').unwrap_or((&cleaned, ""));
    if yuan.is_empty() || !yuan.bytes().all(|b| b.is_ascii_digit()) || yuan.len() > 12 {
        return Err(invalid());
    }
    if fraction.len() > 2 || !fraction.bytes().all(|b| b.is_ascii_digit()) {
        return Err(invalid());
    }
    let yuan: i64 = yuan.parse().map_err(|_| invalid())?;
    let fen: i64 = format!("{fraction:0<2}").parse().map_err(|_| invalid())?;
    Ok(Some(yuan * 100 + fen).filter(|f| *f > 0))
}

/// An amount in fen as yuan with two decimals (`120.50`).
pub fn yuan(fen: i64) -> String {
    format!("{}.{:02}", fen / 100, fen % 100)
}

#[cfg(test)]
mod tests {
    use super::*;
    use Outcome::*;

    fn outcome(text: &str) -> Outcome {
        parse_outcome(text).unwrap_or_else(|e| panic!("{text}: {e}")).outcome
    }

    #[test]
    fn outcomes_are_read_from_labels_with_and_without_their_group_prefix() {
        assert_eq!(outcome("予以公开"), Disclosed);
        assert_eq!(outcome("部分公开"), PartiallyDisclosed);
        assert_eq!(outcome("部分公开（区分处理的，只计这一情形，不计其他情形）"), PartiallyDisclosed);
        assert_eq!(outcome("属于国家秘密"), WithheldStateSecret);
        assert_eq!(outcome("不予公开：属于国家秘密"), WithheldStateSecret);
        assert_eq!(outcome("不予公开-属于四类过程性信息"), WithheldProcessInformation);
        assert_eq!(outcome("无法提供—本机关不掌握相关政府信息"), UnavailableNotHeld);
        assert_eq!(outcome("本机关不掌握相关政府信息"), UnavailableNotHeld);
        assert_eq!(outcome("不予处理：信访举报投诉类申请"), NotProcessedPetitionComplaint);
        assert_eq!(outcome("重复申请"), NotProcessedRepeated);
        assert_eq!(outcome("（三）1.属于国家秘密"), WithheldStateSecret);
        assert_eq!(outcome("2.没有现成信息需要另行制作"), UnavailableNeedsCreation);
        assert_eq!(outcome("不予公开属于行政执法案卷"), WithheldEnforcementCaseFiles);
        assert_eq!(outcome("危及“三安全一稳定”"), WithheldEndangersSecurityStability);
        assert_eq!(outcome(" withheld_third_party_rights "), WithheldThirdPartyRights);
        assert_eq!(outcome("其他处理"), OtherMisc);
        assert_eq!(outcome("其他"), OtherMisc);
        assert_eq!(outcome("逾期不补正"), OtherCorrectionOverdue);
        assert_eq!(outcome("其他处理：逾期未缴费"), OtherFeeUnpaid);
        assert_eq!(outcome(OtherCorrectionOverdue.label()), OtherCorrectionOverdue);
        for &o in Outcome::ALL {
            assert_eq!(outcome(o.label()), o, "{o}");
            assert_eq!(outcome(o.as_str()), o);
            assert_eq!(outcome(&format!("{}：{}", o.group().label(), o.label())), o);
        }
    }

    #[test]
    fn a_withdrawal_is_read_as_one() {
        assert_eq!(parse_outcome("申请人撤回"), Ok(OutcomeReading { outcome: OtherMisc, withdrawn: true }));
        assert_eq!(parse_outcome("其他"), Ok(OutcomeReading { outcome: OtherMisc, withdrawn: false }));
    }

    #[test]
    fn a_group_alone_or_an_unknown_outcome_is_refused_in_chinese() {
        let message = parse_outcome("不予公开").unwrap_err();
        assert!(message.contains("属于国家秘密"), "{message}");
        assert!(parse_outcome("无法提供").is_err());
        assert!(parse_outcome("已答复").unwrap_err().contains("不是可识别的办理结果"));
    }

    #[test]
    fn channels_are_read_from_their_usual_words() {
        for (text, channel) in [
            ("当面", Channel::InPerson),
            ("现场", Channel::InPerson),
            ("当面提交", Channel::InPerson),
            ("邮寄", Channel::Post),
            ("信函", Channel::Letter),
            ("平常信函", Channel::Letter),
            ("网上", Channel::Online),
            ("网络", Channel::Online),
            ("互联网", Channel::Online),
            ("网上申请", Channel::Online),
            ("传真", Channel::Fax),
            ("电子邮件", Channel::Email),
            ("E-mail", Channel::Email),
            ("其他方式", Channel::Other),
            ("online", Channel::Online),
        ] {
            assert_eq!(parse_channel(text), Ok(channel), "{text}");
        }
        assert!(parse_channel("飞鸽传书").is_err());
        for &c in Channel::ALL {
            assert_eq!(parse_channel(c.label()), Ok(c));
        }
    }

    #[test]
    fn applicant_types_are_read_from_the_tables_column_labels() {
        for (text, category) in [
            ("自然人", ApplicantCategory::NaturalPerson),
            ("商业企业", ApplicantCategory::CommercialEnterprise),
            ("科研机构", ApplicantCategory::ResearchInstitution),
            ("社会公益组织", ApplicantCategory::PublicWelfareOrg),
            ("法律服务机构", ApplicantCategory::LegalServiceOrg),
            ("其他", ApplicantCategory::OtherOrg),
            ("法人或其他组织-商业企业", ApplicantCategory::CommercialEnterprise),
            ("legal_service_org", ApplicantCategory::LegalServiceOrg),
        ] {
            assert_eq!(parse_category(text), Ok(category), "{text}");
        }
        for &c in ApplicantCategory::ALL {
            assert_eq!(parse_category(c.label()), Ok(c));
        }
        assert!(parse_category("外星人").unwrap_err().contains("自然人"));
    }

    #[test]
    fn yes_no_status_and_money() {
        assert_eq!(parse_yes_no("是"), Ok(true));
        assert_eq!(parse_yes_no(" 否 "), Ok(false));
        assert_eq!(parse_yes_no(""), Ok(false));
        assert!(parse_yes_no("也许").is_err());
        assert_eq!(parse_status("已办结"), Ok(Some(StatusReading::Concluded)));
        assert_eq!(parse_status("办理中"), Ok(Some(StatusReading::Open)));
        assert_eq!(parse_status("已作废"), Ok(Some(StatusReading::Voided)));
        assert_eq!(parse_status(""), Ok(None));
        assert_eq!(parse_fen("120"), Ok(Some(12_000)));
        assert_eq!(parse_fen("120.5元"), Ok(Some(12_050)));
        assert_eq!(parse_fen("¥1,200.05"), Ok(Some(120_005)));
        assert_eq!(parse_fen(""), Ok(None));
        assert!(parse_fen("1.005").is_err());
        assert!(parse_fen("-3").is_err());
        assert_eq!(yuan(12_050), "120.50");
    }
}
