//! The table of reply wordings: one per legal situation, each citing exactly its own articles, and
//! the decisions refused when their facts are missing.

use chrono::NaiveDate;

use super::*;
use crate::domain::ids::{AgencyId, ApplicantId, CaseId, ConsultationId};
use crate::domain::types::Outcome;

fn d(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

fn agency() -> ResponsibleAgency {
    ResponsibleAgency { name: "鹤岗市自然资源局".into(), contact: "0468-1234567".into() }
}

/// Every combination of the facts that choose between situations.
fn fact_combinations() -> Vec<(DecisionFacts, CaseFacts)> {
    let mut out = Vec::new();
    for already_public in [false, true] {
        for responsible in [None, Some(agency())] {
            for objected in [false, true] {
                let decision =
                    DecisionFacts { already_public, responsible_agency: responsible.clone(), ..Default::default() };
                let case = CaseFacts {
                    third_party_objected: objected,
                    objecting_third_parties: if objected { vec![ConsultationId::new(1)] } else { Vec::new() },
                    ..Default::default()
                };
                out.push((decision, case));
            }
        }
    }
    out
}

/// The facts under which `situation` is chosen.
fn facts_for(situation: Situation) -> (DecisionFacts, CaseFacts) {
    fact_combinations()
        .into_iter()
        .find(|(decision, case)| Situation::of(situation.outcome(), decision, case) == situation)
        .unwrap()
}

#[test]
fn every_outcome_code_has_exactly_one_wording_for_its_facts() {
    for &outcome in Outcome::ALL {
        let situations: Vec<Situation> = Situation::of_outcome(outcome).collect();
        assert!(!situations.is_empty(), "{outcome} has no wording");
        for (decision, case) in fact_combinations() {
            let chosen = Situation::of(outcome, &decision, &case);
            assert_eq!(chosen.outcome(), outcome, "{outcome}: {chosen:?} belongs to another outcome");
            assert_eq!(situations.iter().filter(|s| **s == chosen).count(), 1);
        }
    }
    // Each situation is reachable, and is the situation of exactly one outcome.
    for &situation in Situation::ALL {
        let (decision, case) = facts_for(situation);
        assert_eq!(Situation::of(situation.outcome(), &decision, &case), situation);
        let owners = Outcome::ALL.iter().filter(|o| Situation::of_outcome(**o).any(|s| s == situation)).count();
        assert_eq!(owners, 1, "{situation:?}");
    }
}

#[test]
fn the_outcomes_told_apart_by_facts_are_the_ones_the_regulation_splits() {
    let by_outcome = |o: Outcome| Situation::of_outcome(o).collect::<Vec<_>>();
    assert_eq!(by_outcome(Outcome::Disclosed), vec![Situation::AlreadyPublic, Situation::Provided]);
    assert_eq!(by_outcome(Outcome::UnavailableNotHeld), vec![Situation::DoesNotExist, Situation::NotThisAgency]);
    assert_eq!(
        by_outcome(Outcome::WithheldThirdPartyRights),
        vec![Situation::ThirdPartyObjected, Situation::ThirdPartyRights]
    );
    let split: usize = Outcome::ALL.iter().map(|o| by_outcome(*o).len()).sum();
    assert_eq!(split, Outcome::ALL.len() + 3);
}

/// The articles of the Regulation a text names: `第十四条`, `第十六条第一款`, `第三十六条第（三）项`.
fn articles_named(text: &str) -> Vec<String> {
    let re =
        regex::Regex::new(r"第[一二三四五六七八九十]+条(?:第[一二三四五]款)?(?:第（[一二三四五六七]）项)?").unwrap();
    re.find_iter(text).map(|m| m.as_str().to_owned()).collect()
}

#[test]
fn each_wording_cites_exactly_the_articles_of_its_row() {
    let mut leads = Vec::new();
    for &situation in Situation::ALL {
        let (decision, mut case) = facts_for(situation);
        case.correction = Some(CorrectionFacts {
            issued_on: d("2024-03-06"),
            respond_by: d("2024-03-20"),
            received_on: Some(d("2024-03-15")),
        });
        case.reasons =
            Some(ReasonsFacts { requested_on: d("2024-03-06"), respond_by: d("2024-03-20"), given_on: None });
        case.fee = Some(FeeFacts { issued_on: d("2024-03-06"), pay_by: d("2024-04-03") });
        let section = section(situation, Some("理由"), Addressee::Person, &decision, &case);
        let row = situation.row();
        assert_eq!(section.citation, situation.citation());
        assert_eq!(section.outcome, row.outcome);
        let printed = format!("{}{}", section.lead, section.tail.clone().unwrap_or_default());
        if row.articles.is_empty() && row.also.is_none() {
            assert!(articles_named(&printed).is_empty(), "{situation:?}: {printed}");
        } else {
            assert!(printed.contains(&section.citation), "{situation:?} does not print its citation: {printed}");
            for named in articles_named(&printed) {
                assert!(row.articles.contains(&named.as_str()), "{situation:?} names {named}, not in its row");
            }
        }
        assert!(!printed.contains("特此"), "{situation:?}: the closing belongs to the letter");
        leads.push(section.lead);
    }
    let mut unique = leads.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), leads.len(), "two situations share a wording");
}

#[test]
fn the_citation_is_printed_as_the_regulation_names_it() {
    assert_eq!(Situation::StateSecret.citation(), "《中华人民共和国政府信息公开条例》第十四条、第三十六条第（三）项");
    assert_eq!(
        Situation::FeeUnpaid.citation(),
        "《中华人民共和国政府信息公开条例》第四十二条和《政府信息公开信息处理费管理办法》（国办函〔2020〕109号）"
    );
    assert_eq!(Situation::OtherHandling.citation(), "");
    assert_eq!(
        Outcome::UnavailableNotHeld.legal_basis(),
        "《中华人民共和国政府信息公开条例》第三十六条第（四）项、第三十六条第（五）项"
    );
    assert_eq!(
        Outcome::WithheldThirdPartyRights.legal_basis(),
        "《中华人民共和国政府信息公开条例》第十五条、第三十二条、第三十六条第（三）项"
    );
}

#[test]
fn an_organisation_is_addressed_as_gui_danwei() {
    let facts = (DecisionFacts::default(), CaseFacts::default());
    let person = section(Situation::DoesNotExist, None, Addressee::Person, &facts.0, &facts.1);
    let org = section(Situation::DoesNotExist, None, Addressee::Organisation, &facts.0, &facts.1);
    assert!(person.lead.contains("告知您该政府信息不存在"));
    assert!(org.lead.contains("告知贵单位该政府信息不存在") && !org.lead.contains('您'));
}

#[test]
fn a_reply_by_items_answers_each_item_in_its_own_section() {
    let facts = (DecisionFacts::default(), CaseFacts::default());
    let items = [
        ItemAnswer { position: 1, description: "规划图", outcome: Outcome::Disclosed, basis: None },
        ItemAnswer {
            position: 2,
            description: "会议纪要",
            outcome: Outcome::WithheldProcessInformation,
            basis: Some("系内部讨论记录"),
        },
        ItemAnswer { position: 3, description: "补偿名单", outcome: Outcome::UnavailableNotHeld, basis: None },
    ];
    let r = reply(Outcome::PartiallyDisclosed, Some("其余事项另行答复"), &items, Addressee::Person, &facts.0, &facts.1);
    let situations: Vec<Situation> = r.sections.iter().map(|s| s.situation).collect();
    assert_eq!(situations, vec![Situation::Provided, Situation::ProcessInformation, Situation::DoesNotExist]);
    assert_eq!(r.sections[1].heading.as_deref(), Some("二、关于第2项申请内容“会议纪要”"));
    assert_eq!(r.sections[1].basis, vec!["系内部讨论记录".to_owned()]);
    assert!(r.sections.iter().all(|s| s.situation != Situation::PartiallyProvided), "no 区分处理 across items");
    assert_eq!(r.remarks, vec!["其余事项另行答复".to_owned()]);
}

fn input<'a>(outcome: Outcome, basis: Option<&'a str>, facts: &'a DecisionFacts) -> DecisionInput<'a> {
    DecisionInput {
        outcome,
        basis,
        items: Vec::new(),
        decided_on: d("2024-04-01"),
        facts,
        repeats_case_id: None,
        earlier: None,
        repeats_on_record: false,
        case_id: CaseId::new(9),
        applicant_id: ApplicantId::new(1),
        agency_id: AgencyId::new(1),
    }
}

#[test]
fn a_situation_whose_article_requires_a_text_is_refused_without_it() {
    for &situation in Situation::ALL {
        let (decision, mut case) = facts_for(situation);
        case.correction = Some(CorrectionFacts {
            issued_on: d("2024-03-06"),
            respond_by: d("2024-03-20"),
            received_on: Some(d("2024-03-15")),
        });
        case.reasons =
            Some(ReasonsFacts { requested_on: d("2024-03-06"), respond_by: d("2024-03-20"), given_on: None });
        let earlier = EarlierCase {
            id: CaseId::new(3),
            case_number: "NS-2024-00003".into(),
            applicant_id: ApplicantId::new(1),
            same_applicant: true,
            agency_id: AgencyId::new(1),
            outcome: Some(Outcome::Disclosed),
            concluded_on: Some(d("2024-02-01")),
            document_number: None,
        };
        let over = DecisionFacts { over_objection_reason: Some("公共利益".into()), ..decision.clone() };
        let decision =
            if situation.outcome() == Outcome::Disclosed && case.third_party_objected { over } else { decision };
        let mut with = input(situation.outcome(), Some("说明"), &decision);
        if situation == Situation::Repeated {
            with.repeats_case_id = Some(earlier.id);
            with.earlier = Some(&earlier);
        }
        let without = DecisionInput { basis: None, ..with.clone() };
        assert_eq!(check_decision(&with, &case), Ok(()), "{situation:?}");
        match situation.row().basis {
            BasisRule::Required { .. } => {
                assert_eq!(check_decision(&without, &case).unwrap_err().code, "basis_required", "{situation:?}");
            }
            BasisRule::Optional { .. } => assert_eq!(check_decision(&without, &case), Ok(()), "{situation:?}"),
        }
    }
}

#[test]
fn every_refusal_and_a_partial_disclosure_need_a_reason() {
    let facts = DecisionFacts::default();
    let case = CaseFacts::default();
    for &outcome in Outcome::ALL {
        if outcome.as_str().starts_with("withheld_") || outcome == Outcome::PartiallyDisclosed {
            let err = check_decision(&input(outcome, None, &facts), &case).unwrap_err();
            assert_eq!((err.code, err.errors[0].field.as_str()), ("basis_required", "basis"), "{outcome}");
        }
    }
    // By items: the item's own text is needed, and the refusal names the item.
    let mut by_items = input(Outcome::PartiallyDisclosed, Some("总体说明"), &facts);
    by_items.items = vec![
        ItemInput { index: 0, position: 1, outcome: Outcome::Disclosed, basis: None },
        ItemInput { index: 1, position: 2, outcome: Outcome::WithheldStateSecret, basis: None },
    ];
    let err = check_decision(&by_items, &case).unwrap_err();
    assert_eq!(err.errors[0].field, "items[1].basis");
    assert!(err.detail.starts_with("第2项申请内容："), "{}", err.detail);
}

#[test]
fn still_unclear_needs_the_correction_and_the_corrected_application() {
    let facts = DecisionFacts::default();
    let mut case = CaseFacts::default();
    let decision = input(Outcome::UnavailableStillUnclear, None, &facts);
    assert_eq!(check_decision(&decision, &case).unwrap_err().code, "correction_missing");
    case.correction =
        Some(CorrectionFacts { issued_on: d("2024-03-06"), respond_by: d("2024-03-20"), received_on: None });
    assert_eq!(check_decision(&decision, &case).unwrap_err().code, "correction_missing");
    case.correction = Some(CorrectionFacts { received_on: Some(d("2024-03-15")), ..case.correction.unwrap() });
    assert_eq!(check_decision(&decision, &case), Ok(()));
}

#[test]
fn excessive_needs_a_request_for_reasons_and_its_answer_or_deadline() {
    let facts = DecisionFacts::default();
    let mut case = CaseFacts::default();
    let mut decision = input(Outcome::NotProcessedExcessive, None, &facts);
    assert_eq!(check_decision(&decision, &case).unwrap_err().code, "reasons_not_requested");
    case.reasons = Some(ReasonsFacts { requested_on: d("2024-03-06"), respond_by: d("2024-04-01"), given_on: None });
    assert_eq!(check_decision(&decision, &case).unwrap_err().code, "reasons_pending");
    decision.decided_on = d("2024-04-02");
    assert_eq!(check_decision(&decision, &case), Ok(()));
    decision.decided_on = d("2024-03-20");
    case.reasons = Some(ReasonsFacts { given_on: Some(d("2024-03-18")), ..case.reasons.unwrap() });
    assert_eq!(check_decision(&decision, &case), Ok(()));
}

#[test]
fn a_repeated_request_needs_an_earlier_reply_to_the_same_applicant_by_this_agency() {
    let facts = DecisionFacts::default();
    let case = CaseFacts::default();
    let mut decision = input(Outcome::NotProcessedRepeated, None, &facts);
    assert_eq!(check_decision(&decision, &case).unwrap_err().code, "earlier_case_required");
    decision.repeats_case_id = Some(CaseId::new(3));
    assert_eq!(check_decision(&decision, &case).unwrap_err().code, "earlier_case_invalid", "not found");
    let good = EarlierCase {
        id: CaseId::new(3),
        case_number: "NS-2024-00003".into(),
        applicant_id: ApplicantId::new(1),
        same_applicant: true,
        agency_id: AgencyId::new(1),
        outcome: Some(Outcome::WithheldStateSecret),
        concluded_on: Some(d("2024-02-01")),
        document_number: Some("NS答〔2024〕3号".into()),
    };
    for (bad, why) in [
        (EarlierCase { id: CaseId::new(9), ..good.clone() }, "this case"),
        (EarlierCase { applicant_id: ApplicantId::new(2), same_applicant: false, ..good.clone() }, "another applicant"),
        (EarlierCase { agency_id: AgencyId::new(2), ..good.clone() }, "another agency"),
        (EarlierCase { outcome: None, concluded_on: None, ..good.clone() }, "not answered"),
        (EarlierCase { concluded_on: Some(d("2024-04-02")), ..good.clone() }, "answered later"),
        (EarlierCase { outcome: Some(Outcome::OtherMisc), ..good.clone() }, "withdrawn"),
        (EarlierCase { outcome: Some(Outcome::OtherCorrectionOverdue), ..good.clone() }, "lapsed"),
    ] {
        let with_bad = DecisionInput { earlier: Some(&bad), ..decision.clone() };
        assert_eq!(check_decision(&with_bad, &case).unwrap_err().code, "earlier_case_invalid", "{why}");
    }
    decision.earlier = Some(&good);
    assert_eq!(check_decision(&decision, &case), Ok(()));
    // The earlier case belongs only to a repeated request.
    let mut other = input(Outcome::Disclosed, None, &facts);
    other.repeats_case_id = Some(CaseId::new(3));
    other.earlier = Some(&good);
    assert_eq!(check_decision(&other, &case).unwrap_err().code, "fact_not_applicable");
}

#[test]
fn a_fact_is_refused_with_an_outcome_it_does_not_belong_to() {
    let case = CaseFacts::default();
    let public = DecisionFacts { already_public: true, ..Default::default() };
    assert_eq!(
        check_decision(&input(Outcome::UnavailableNotHeld, None, &public), &case).unwrap_err().code,
        "fact_not_applicable"
    );
    let responsible = DecisionFacts { responsible_agency: Some(agency()), ..Default::default() };
    let err = check_decision(&input(Outcome::Disclosed, None, &responsible), &case).unwrap_err();
    assert_eq!((err.code, err.errors[0].field.as_str()), ("fact_not_applicable", "responsible_agency"));
    let reason = DecisionFacts { over_objection_reason: Some("公共利益".into()), ..Default::default() };
    assert_eq!(
        check_decision(&input(Outcome::Disclosed, None, &reason), &case).unwrap_err().code,
        "fact_not_applicable"
    );
}

#[test]
fn a_full_disclosure_over_a_third_partys_objection_needs_its_reason() {
    let case = CaseFacts {
        third_party_objected: true,
        objecting_third_parties: vec![ConsultationId::new(1)],
        ..Default::default()
    };
    let none = DecisionFacts::default();
    assert_eq!(
        check_decision(&input(Outcome::Disclosed, None, &none), &case).unwrap_err().code,
        "objection_reason_required"
    );
    // A partial disclosure may withhold exactly what the third party objected to.
    assert_eq!(check_decision(&input(Outcome::PartiallyDisclosed, Some("遮盖了第三方信息"), &none), &case), Ok(()));
    let reason = DecisionFacts { over_objection_reason: Some("涉及公共安全".into()), ..Default::default() };
    assert_eq!(check_decision(&input(Outcome::Disclosed, None, &reason), &case), Ok(()));
    // A refusal after the objection is worded as such.
    assert_eq!(Situation::of(Outcome::WithheldThirdPartyRights, &none, &case), Situation::ThirdPartyObjected);
}
