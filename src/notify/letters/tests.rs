//! The templates: every kind renders, HTML escapes what users typed, overrides and their errors,
//! and the decision letter prints the domain's wording and articles and nothing of its own.

use std::path::Path;

use chrono::NaiveDate;

use super::*;
use crate::domain::remedies::{self, Forums};
use crate::domain::reply::{self, Addressee, CaseFacts, DecisionFacts, ResponsibleAgency, Situation};
use crate::domain::types::{Channel, Outcome, PartyKind};

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

fn builtin() -> Letters {
    Letters::load(None).unwrap()
}

const FORUMS: Forums<'static> =
    Forums { reconsideration_body: "深圳市南山区人民政府", court: "深圳市南山区人民法院" };

/// A request received on Tuesday 2024-03-05; 20 working days later is 2024-04-02.
fn base(kind: LetterKind) -> LetterData {
    let mut data = LetterData::new(kind, "南山区人民政府".to_owned(), "NS-2024-00042".to_owned(), date(2024, 3, 5));
    data.document_number = "南政信公〔2024〕7号".to_owned();
    data.applicant_name = "张三".to_owned();
    data.applicant_address = Some("广东省深圳市南山区南海大道1号".to_owned());
    data.contact = Some("南山区政务服务中心三楼政府信息公开窗口，电话0755-26000000（工作日9:00—17:00）".to_owned());
    data.channel = Channel::Online;
    data.description = "2023年南山区老旧小区改造项目的资金使用明细".to_owned();
    data.due_on = Some(date(2024, 4, 2));
    data
}

fn decision_data(situation: Situation, basis: Option<&str>, decided_on: NaiveDate) -> DecisionData {
    let decision = DecisionFacts {
        already_public: situation == Situation::AlreadyPublic,
        responsible_agency: (situation == Situation::NotThisAgency)
            .then(|| ResponsibleAgency {
                name: "深圳市规划和自然资源局".into(), contact: "0755-83000000".into()
            }),
        ..DecisionFacts::default()
    };
    let case = CaseFacts { third_party_objected: situation == Situation::ThirdPartyObjected, ..CaseFacts::default() };
    let outcome = situation.outcome();
    let r = reply::reply(outcome, basis, &[], Addressee::Person, &decision, &case);
    DecisionData {
        outcome,
        decided_on,
        sections: r.sections,
        remarks: r.remarks,
        remedies: remedies::paragraphs(remedies::for_letter(outcome, decided_on), "本答复", "您", FORUMS),
    }
}

fn sample(kind: LetterKind) -> LetterData {
    let mut data = base(kind);
    match kind {
        LetterKind::Acknowledgement => {}
        LetterKind::CorrectionNotice => {
            data.issued_on = date(2024, 3, 8);
            data.due_on = None;
            data.correction = Some(CorrectionData {
                matters: "1. 请明确所需信息的年度范围；\n\n  2. 请写明所涉小区名称，或者相关文件的名称、文号。  "
                    .to_owned(),
                respond_by: date(2024, 3, 22),
            });
        }
        LetterKind::ExtensionNotice => {
            data.issued_on = date(2024, 3, 28);
            data.extension = Some(ExtensionData {
                working_days: 15,
                reason: "所申请信息涉及多个项目，需要检索、汇总的档案数量较多".to_owned(),
                previous_due_on: date(2024, 4, 2),
                new_due_on: date(2024, 4, 24),
            });
        }
        LetterKind::ConsultationLetter => {
            data.issued_on = date(2024, 3, 11);
            data.consultation = Some(ConsultationData {
                party: "深圳市某某建设工程有限公司".to_owned(),
                party_kind: PartyKind::ThirdParty,
                reply_limit: 15,
                reply_due: None,
            });
        }
        LetterKind::FeeNotice => {
            data.issued_on = date(2024, 3, 20);
            data.fee = Some(FeeData {
                basis_label: "按量计收".to_owned(),
                scale: crate::domain::fees::FeeBasis::PerPage.scale().to_owned(),
                amount_fen: 170_000,
                explanation: "共150页，按量计收：第1—30页不收费；第31—100页每页10元，计700元；第101—150页每页20元，计1000元；合计1700元".to_owned(),
                per_request: None,
                pay_limit: 20,
                pay_by: Some(date(2024, 4, 18)),
                payment: "收款单位：深圳市南山区财政局\n开户行：某某银行南山支行\n账号：4000 0000 0000 0000".to_owned(),
            });
        }
        LetterKind::Decision => {
            data.issued_on = date(2024, 3, 29);
            data.decision = Some(decision_data(
                Situation::PartiallyProvided,
                Some("资金使用明细中的银行账号属于个人隐私，已作遮盖处理；\n其余内容见附件。"),
                date(2024, 3, 29),
            ));
        }
        LetterKind::Rectification => {
            data.issued_on = date(2024, 3, 12);
            data.rectification = Some(RectificationData {
                withdrawn: EarlierLetter {
                    title: LetterKind::ExtensionNotice.title().to_owned(),
                    document_number: "南政信公延〔2024〕3号".to_owned(),
                    issued_on: date(2024, 3, 11),
                },
                reason: "延期申请误录入本案".to_owned(),
                to_party: false,
            });
        }
        LetterKind::ReasonsRequest => {
            data.issued_on = date(2024, 3, 7);
            data.reasons_request = Some(ReasonsRequestData {
                grounds: vec![
                    "自2024年2月1日至3月5日，向本机关提出政府信息公开申请62件，其中41件申请内容相同或者相近。"
                        .to_owned(),
                ],
                respond_by: date(2024, 3, 21),
            });
        }
        LetterKind::WithdrawalConfirmation => {
            data.issued_on = date(2024, 3, 15);
            data.withdrawal = Some(WithdrawalData { withdrawn_on: date(2024, 3, 15) });
        }
        LetterKind::DisclosureNoticeToThirdParty => {
            data.issued_on = date(2024, 4, 10);
            data.third_party_notice = Some(ThirdPartyNoticeData {
                party: "深圳市某某建设工程有限公司".to_owned(),
                consulted_on: date(2024, 3, 11),
                objected_on: Some(date(2024, 3, 25)),
                decided_on: date(2024, 4, 10),
                content: vec!["2023年南山区老旧小区改造项目的资金使用明细".to_owned()],
                reason: vec!["该资金系财政资金，其使用情况涉及公共利益，不公开可能对公共利益造成重大影响。".to_owned()],
                remedies: remedies::paragraphs(
                    remedies::for_letter(Outcome::Disclosed, date(2024, 4, 10)),
                    "本决定",
                    "贵方",
                    FORUMS,
                ),
            });
        }
    }
    data
}

#[test]
fn every_kind_renders_html_and_text_snapshots() {
    let letters = builtin();
    for &kind in LetterKind::ALL {
        let letter = letters.render(&sample(kind)).unwrap();
        assert_eq!(letter.kind, kind);
        insta::assert_snapshot!(format!("{kind}_html"), letter.html);
        insta::assert_snapshot!(format!("{kind}_text"), letter.text);
    }
}

#[test]
fn an_agency_is_consulted_by_a_letter_of_its_own() {
    let mut data = sample(LetterKind::ConsultationLetter);
    if let Some(c) = data.consultation.as_mut() {
        c.party = "南山区住房和建设局".to_owned();
        c.party_kind = PartyKind::Agency;
        c.reply_due = Some(date(2024, 4, 3));
    }
    let letter = builtin().render(&data).unwrap();
    for text in [&letter.text, &letter.html] {
        assert!(text.contains("政府信息公开征求意见函"), "{text}");
        assert!(text.contains("第三十四条") && !text.contains("第三十二条"));
        assert!(text.contains("逾期未提出意见的，视为同意公开"));
        assert!(text.contains("自收到本函之日起15个工作日内（即于2024年4月3日前）"));
        assert!(!text.contains("合法权益"));
    }
    insta::assert_snapshot!("consultation_letter_agency_text", letter.text);
}

#[test]
fn a_letter_without_a_known_delivery_prints_the_rule_and_no_date() {
    let letters = builtin();
    let consultation = letters.render(&sample(LetterKind::ConsultationLetter)).unwrap().text;
    assert!(consultation.contains("请贵方自收到本征求意见书之日起15个工作日内，向本机关"), "{consultation}");
    assert!(!consultation.contains("即于"));
    let mut fee = sample(LetterKind::FeeNotice);
    if let Some(f) = fee.fee.as_mut() {
        f.pay_by = None;
    }
    let text = letters.render(&fee).unwrap().text;
    assert!(text.contains("请您自收到本通知书之日的次日起20个工作日内缴纳信息处理费"), "{text}");
    assert!(!text.contains("即于"));
}

#[test]
fn every_situation_prints_the_articles_of_the_domain_table_and_no_others() {
    let letters = builtin();
    let re =
        regex::Regex::new(r"第[一二三四五六七八九十]+条(?:第[一二三四五]款)?(?:第（[一二三四五六七]）项)?").unwrap();
    for &situation in Situation::ALL {
        let mut data = base(LetterKind::Decision);
        let decision = decision_data(situation, Some("具体情况见附件。"), date(2024, 3, 29));
        let remedies = decision.remedies.clone();
        data.decision = Some(decision);
        let letter = letters.render(&data).unwrap();
        let citation = situation.citation();
        assert!(letter.text.contains(&citation) && letter.html.contains(&citation), "{situation:?}");
        // Outside the remedies (other laws), only the row's articles of the Regulation appear.
        let mut body = letter.text.clone();
        for paragraph in &remedies {
            body = body.replace(paragraph.as_str(), "");
        }
        for named in re.find_iter(&body) {
            assert!(situation.row().articles.contains(&named.as_str()), "{situation:?}: {} in {body}", named.as_str());
        }
        assert_eq!(letter.text.matches("特此").count(), 1, "{situation:?}: one closing");
        assert!(letter.text.contains("深圳市南山区人民政府申请行政复议"), "{situation:?}: the body is named");
        assert!(letter.text.contains("深圳市南山区人民法院"), "{situation:?}: the court is named");
    }
}

#[test]
fn the_templates_of_a_reply_name_no_article_of_their_own() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("config/letters");
    for name in ["decision.txt", "decision.html"] {
        let source = std::fs::read_to_string(dir.join(name)).unwrap();
        assert!(!source.contains("条例》第"), "{name} cites an article itself");
    }
}

#[test]
fn subject_names_agency_title_and_the_letters_own_number() {
    let letter = builtin().render(&sample(LetterKind::Decision)).unwrap();
    assert_eq!(letter.subject, "【南山区人民政府】政府信息公开申请答复书（南政信公〔2024〕7号）");
    assert!(letter.html.contains("<title>政府信息公开申请答复书（南政信公〔2024〕7号）</title>"));
    // A letter rendered from a case entered before letters were kept has no number of its own.
    let mut unnumbered = sample(LetterKind::Decision);
    unnumbered.document_number = String::new();
    assert_eq!(
        builtin().render(&unnumbered).unwrap().subject,
        "【南山区人民政府】政府信息公开申请答复书（NS-2024-00042）"
    );
}

#[test]
fn an_organisation_is_addressed_as_gui_danwei_throughout() {
    for &kind in LetterKind::ALL {
        let mut data = sample(kind);
        data.you = "贵单位".to_owned();
        data.applicant_name = "深圳市某某科技有限公司".to_owned();
        if let Some(d) = data.decision.as_mut() {
            let facts = (DecisionFacts::default(), CaseFacts::default());
            let r = reply::reply(Outcome::UnavailableNotHeld, None, &[], Addressee::Organisation, &facts.0, &facts.1);
            d.sections = r.sections;
            d.remedies = remedies::paragraphs(
                remedies::for_letter(Outcome::UnavailableNotHeld, date(2024, 3, 29)),
                "本答复",
                "贵单位",
                FORUMS,
            );
        }
        let letter = builtin().render(&data).unwrap();
        let body = letter.text.split_once("深圳市某某科技有限公司：").map_or(letter.text.as_str(), |(_, b)| b);
        if !matches!(kind, LetterKind::ConsultationLetter | LetterKind::DisclosureNoticeToThirdParty) {
            assert!(!body.contains('您'), "{kind}: {body}");
        }
    }
}

#[test]
fn acknowledgement_states_the_due_date_and_how_it_is_counted() {
    let letter = builtin().render(&sample(LetterKind::Acknowledgement)).unwrap();
    for text in [&letter.text, &letter.html] {
        assert!(text.contains("应于2024年4月2日前答复"));
        assert!(text.contains("收到申请日期："));
        assert!(text.contains("2024年3月5日"));
        assert!(text.contains("互联网在线申请"));
        assert!(text.contains("次日起算，计20个工作日，法定节假日和休息日不计算在内"));
    }
}

#[test]
fn every_letter_carries_the_contact_line() {
    for &kind in LetterKind::ALL {
        let letter = builtin().render(&sample(kind)).unwrap();
        assert!(letter.text.contains("本机关联系方式：南山区政务服务中心三楼"), "{kind}");
        assert!(letter.html.contains("本机关联系方式："), "{kind}");
    }
    let mut without = sample(LetterKind::Acknowledgement);
    without.contact = None;
    assert!(!builtin().render(&without).unwrap().text.contains("联系方式"));
}

#[test]
fn html_escapes_user_text_and_text_keeps_it() {
    let mut data = sample(LetterKind::Decision);
    data.description = "<script>alert(\"x\")</script>".to_owned();
    data.applicant_name = "A & B".to_owned();
    data.decision = Some(decision_data(Situation::StateSecret, Some("<b>理由</b>"), date(2024, 3, 29)));
    let letter = builtin().render(&data).unwrap();
    assert!(!letter.html.contains("<script>"));
    assert!(!letter.html.contains("<b>"));
    assert!(letter.html.contains("&lt;script&gt;"));
    assert!(letter.html.contains("A &amp; B"));
    assert!(letter.text.contains("<script>alert(\"x\")</script>"));
    assert!(letter.text.contains("A & B"));
    assert!(letter.text.contains("理由：<b>理由</b>"));
}

#[test]
fn html_is_a_complete_printable_page_without_external_resources() {
    let letters = builtin();
    for &kind in LetterKind::ALL {
        let html = letters.render(&sample(kind)).unwrap().html;
        assert!(html.starts_with("<!DOCTYPE html>"), "{kind}");
        assert!(html.trim_end().ends_with("</html>"), "{kind}");
        assert!(html.contains("@page { size: A4; margin: 20mm; }"), "{kind}");
        assert!(html.contains("【印章】"), "{kind}");
        assert!(!html.contains("http://") && !html.contains("https://") && !html.contains("src="), "{kind}");
    }
}

#[test]
fn a_file_in_the_directory_overrides_the_builtin_template() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("acknowledgement.txt"),
        "{% extends \"_base.txt\" %}{% block body %}本局已收到{{ applicant_name }}的申请。{% endblock %}",
    )
    .unwrap();
    let letters = Letters::load(Some(dir.path())).unwrap();
    let letter = letters.render(&sample(LetterKind::Acknowledgement)).unwrap();
    assert!(letter.text.contains("本局已收到张三的申请。"));
    assert!(letter.text.starts_with("南山区人民政府\n"), "the built-in _base.txt is still used");
    assert!(!letter.text.contains("答复期限"));
    // The HTML template was not overridden.
    assert!(letter.html.contains("应于2024年4月2日前答复"));
}

#[test]
fn a_missing_directory_falls_back_to_the_builtin_templates() {
    let dir = tempfile::tempdir().unwrap();
    let letters = Letters::load(Some(&dir.path().join("does-not-exist"))).unwrap();
    let letter = letters.render(&sample(LetterKind::Acknowledgement)).unwrap();
    assert_eq!(letter, builtin().render(&sample(LetterKind::Acknowledgement)).unwrap());
}

#[test]
fn the_shipped_directory_matches_the_builtin_templates() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("config/letters");
    let from_dir = Letters::load(Some(&dir)).unwrap();
    for &kind in LetterKind::ALL {
        assert_eq!(from_dir.render(&sample(kind)).unwrap(), builtin().render(&sample(kind)).unwrap());
    }
}

#[test]
fn a_broken_override_fails_at_load() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("decision.txt"), "{% if %}").unwrap();
    let err = Letters::load(Some(dir.path())).unwrap_err();
    assert!(matches!(err, LetterError::Template { ref name, .. } if name == "decision.txt"), "{err:?}");
}

#[test]
fn an_unknown_variable_in_an_override_is_an_error_not_a_blank() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("fee_notice.txt"), "{{ fee.amount_yuan }}").unwrap();
    let letters = Letters::load(Some(dir.path())).unwrap();
    let err = letters.render(&sample(LetterKind::FeeNotice)).unwrap_err();
    assert!(matches!(err, LetterError::Template { ref name, .. } if name == "fee_notice.txt"), "{err:?}");
}

#[test]
fn a_missing_section_is_an_error() {
    let letters = builtin();
    for &kind in LetterKind::ALL {
        let Some(section) = kind.required_section() else { continue };
        let err = letters.render(&base(kind)).unwrap_err();
        assert!(
            matches!(err, LetterError::MissingSection { kind: k, section: s } if k == kind && s == section),
            "{kind}: {err:?}"
        );
        assert_eq!(err.to_string(), format!("a {kind} letter needs the `{section}` section"));
    }
    assert!(letters.render(&base(LetterKind::Acknowledgement)).is_ok());
}

#[test]
fn dates_and_amounts_are_formatted_the_chinese_way() {
    assert_eq!(cn_date(date(2019, 3, 5)), "2019年3月5日");
    assert_eq!(cn_date(date(2024, 12, 31)), "2024年12月31日");
    assert_eq!(yuan(170_000), "1700");
    assert_eq!(yuan(10_050), "100.50");
    assert_eq!(yuan(5), "0.05");
    assert_eq!(yuan(0), "0");
    assert_eq!(yuan(-250), "-2.50");
    let letter = builtin().render(&sample(LetterKind::FeeNotice)).unwrap();
    assert!(letter.text.contains("人民币1700元"));
    assert!(letter.text.contains("即于2024年4月18日前缴纳"));
    assert!(letter.text.contains("缴纳方式：收款单位：深圳市南山区财政局；开户行：某某银行南山支行；账号"));
}

#[test]
fn letter_kind_keys_round_trip() {
    assert_eq!(LetterKind::ALL.len(), 10);
    for &kind in LetterKind::ALL {
        assert_eq!(LetterKind::parse(kind.as_str()), Some(kind));
        assert_eq!(serde_json::to_value(kind).unwrap(), serde_json::json!(kind.as_str()));
        assert!(BUILTIN_TEMPLATES.iter().any(|(name, _)| *name == format!("{kind}.html")));
        assert!(BUILTIN_TEMPLATES.iter().any(|(name, _)| *name == format!("{kind}.txt")));
    }
    assert_eq!(LetterKind::parse("nope"), None);
}

#[test]
fn every_file_in_config_letters_is_compiled_in() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("config/letters");
    let mut names: Vec<String> =
        std::fs::read_dir(dir).unwrap().map(|entry| entry.unwrap().file_name().into_string().unwrap()).collect();
    names.sort();
    let mut builtin: Vec<String> = BUILTIN_TEMPLATES.iter().map(|(name, _)| (*name).to_owned()).collect();
    builtin.sort();
    assert_eq!(names, builtin);
}
