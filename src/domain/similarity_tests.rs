use proptest::prelude::*;

use super::*;

fn key<'a>(
    id: i64,
    has_identity: bool,
    name: &'a str,
    phone: Option<&'a str>,
    email: Option<&'a str>,
) -> ApplicantKey<'a> {
    ApplicantKey { applicant_id: ApplicantId::new(id), has_identity, name, phone, email }
}

#[test]
fn the_same_identity_document_is_the_same_applicant_whatever_the_contacts() {
    let a = key(1, true, "王伟", Some("13800000001"), None);
    let b = key(1, true, "王伟", Some("13900000002"), Some("w@example.com"));
    assert!(same_applicant(&a, &b));
}

#[test]
fn different_identity_documents_are_different_applicants_even_with_the_same_name_and_phone() {
    let a = key(1, true, "王伟", Some("13800000001"), None);
    let b = key(2, true, "王伟", Some("13800000001"), None);
    assert!(!same_applicant(&a, &b));
}

#[test]
fn without_a_document_the_same_name_and_phone_or_email_is_the_same_applicant() {
    let a = key(1, false, "李芳", Some("13800000001"), Some("li@example.com"));
    let by_phone = key(2, false, "李芳", Some("13800000001"), None);
    let by_email = key(3, true, "李芳", None, Some("li@example.com"));
    assert!(same_applicant(&a, &by_phone));
    assert!(same_applicant(&a, &by_email));
    assert!(same_applicant(&by_email, &a), "symmetric");
}

#[test]
fn without_a_document_another_name_or_no_shared_contact_is_another_applicant() {
    let a = key(1, false, "李芳", Some("13800000001"), None);
    assert!(!same_applicant(&a, &key(2, false, "李芳芳", Some("13800000001"), None)));
    assert!(!same_applicant(&a, &key(3, false, "李芳", Some("13800000009"), None)));
    assert!(!same_applicant(&a, &key(4, false, "李芳", None, None)));
    let no_contact = key(5, false, "李芳", None, None);
    assert!(!same_applicant(&no_contact, &key(6, false, "李芳", None, None)), "a name alone is not enough");
}

#[test]
fn normalising_folds_full_width_forms_and_case_and_drops_punctuation() {
    assert_eq!(normalise("２０２３年，ＡＢＣ！ a b。"), "2023年abcab".chars().collect::<Vec<_>>());
}

#[test]
fn identical_texts_score_one_and_unrelated_texts_zero() {
    let text = "申请公开2023年棚户区改造补偿标准文件";
    assert!((score(text, text) - 1.0).abs() < 1e-12);
    assert_eq!(score("棚户区改造补偿标准", "政府采购合同"), 0.0);
    assert!((score("", "") - 1.0).abs() < 1e-12);
    assert_eq!(score("", "会议纪要"), 0.0);
}

#[test]
fn texts_of_boilerplate_only_are_still_compared() {
    assert!((score("申请公开信息", "申请公开信息。") - 1.0).abs() < 1e-12);
}

/// A request, its rewordings by the same applicant, and requests on other subjects.
const REWORDED: &[(&str, &[&str])] = &[
    (
        "申请公开2023年度本区棚户区改造项目的补偿标准文件",
        &[
            "您好！本人再次申请公开：本区棚户区改造项目补偿标准的文件（2023年度），请予提供，谢谢。",
            "请提供2023年棚户区改造项目的补偿标准文件。申请日期：2024年5月6日",
        ],
    ),
    (
        "请公开某某路拓宽工程建设项目环境影响评价报告及批复",
        &["某某路拓宽工程的环境影响评价批复和环评报告，申请依法公开", "关于某某路拓宽工程环评报告和批复文件的公开申请"],
    ),
    (
        "申请获取本镇2022年征收集体土地的补偿安置方案及批准文件",
        &[
            "本人要求公开2022年本镇集体土地征收补偿安置方案和批准文件",
            "申请公开：征收本镇集体土地（2022年）补偿安置方案、批准文件",
        ],
    ),
];

const OTHER_SUBJECTS: &[&str] = &[
    "申请公开2023年度本区财政预算执行情况报告",
    "请公开本局2023年政府采购合同及中标公告",
    "申请公开市场监管局对某某公司作出的行政处罚决定书",
    "申请公开区政府常务会议2023年第5次会议纪要",
];

#[test]
fn rewordings_score_above_the_threshold_and_other_subjects_below_it() {
    for (original, rewordings) in REWORDED {
        for reworded in *rewordings {
            let s = score(original, reworded);
            assert!(s >= MIN_SCORE, "{s:.3}: {original} / {reworded}");
        }
        for other in OTHER_SUBJECTS {
            let s = score(original, other);
            assert!(s < MIN_SCORE, "{s:.3}: {original} / {other}");
        }
    }
    for (i, (a, _)) in REWORDED.iter().enumerate() {
        for (b, _) in &REWORDED[i + 1..] {
            assert!(score(a, b) < MIN_SCORE, "{a} / {b}");
        }
    }
}

#[test]
fn the_same_subject_of_another_year_scores_low() {
    let budget = "申请公开区教育局2023年度部门预算及“三公”经费预算表";
    assert!(score(budget, "申请公开区教育局2024年度部门预算及“三公”经费预算表") < MIN_SCORE);
    // A repeat that adds its own date still names the year asked about.
    assert!(score(budget, "请公开2023年区教育局部门预算、三公经费预算表（申请日期：2025年3月1日）") >= MIN_SCORE);
    // Years on one side only change nothing.
    assert!(score("区教育局部门预算", "区教育局2023年部门预算") > 0.7);
}

#[test]
fn rank_lists_the_best_first_above_the_minimum_and_at_most_max() {
    let candidates = vec![
        (1, "申请公开会议纪要"),
        (2, "申请公开2023年度本区棚户区改造项目的补偿标准文件"),
        (3, "请提供2023年棚户区改造项目的补偿标准文件"),
        (4, "本区棚户区改造项目的补偿标准文件"),
    ];
    let ranked = rank("申请公开2023年度本区棚户区改造项目的补偿标准文件", candidates.clone(), MIN_SCORE, 10);
    let ids: Vec<i32> = ranked.iter().map(|(id, _)| *id).collect();
    assert_eq!(ids[0], 2);
    assert!(!ids.contains(&1));
    assert!(ranked.windows(2).all(|w| w[0].1 >= w[1].1));
    assert_eq!(rank("棚户区改造补偿标准", candidates, 0.0, 2).len(), 2);
}

fn text() -> impl Strategy<Value = String> {
    prop::collection::vec(
        prop_oneof![
            prop::sample::select(vec!['申', '请', '公', '开', '棚', '户', '区', '改', '造', '补', '偿', '标', '准']),
            prop::sample::select(vec!['2', '0', '3', 'a', 'B', '年', '的', '信', '息']),
        ],
        0..30,
    )
    .prop_map(|chars| chars.into_iter().collect())
}

/// `text` with punctuation and whitespace put between its characters.
fn punctuated(text: &str, marks: &[char]) -> String {
    let mut out = String::new();
    for (i, c) in text.chars().enumerate() {
        out.push(c);
        if let Some(m) = marks.get(i) {
            out.push(*m);
        }
    }
    out
}

proptest! {
    #[test]
    fn the_score_is_symmetric_and_bounded(a in text(), b in text()) {
        let ab = score(&a, &b);
        prop_assert!((0.0..=1.0).contains(&ab));
        prop_assert!((ab - score(&b, &a)).abs() < 1e-12);
    }

    #[test]
    fn a_text_scores_one_against_itself(a in text()) {
        prop_assert!((score(&a, &a) - 1.0).abs() < 1e-12);
    }

    #[test]
    fn punctuation_and_whitespace_do_not_change_the_score(
        a in text(),
        b in text(),
        marks in prop::collection::vec(prop::sample::select(vec![' ', '，', '。', '、', '（', '）', '!', '\n', '　', '：']), 0..30),
    ) {
        prop_assert!((score(&punctuated(&a, &marks), &b) - score(&a, &b)).abs() < 1e-12);
    }

    #[test]
    fn the_same_applicant_is_symmetric(
        ids in (1i64..4, 1i64..4), docs in (any::<bool>(), any::<bool>()),
        names in (0usize..2, 0usize..2), phones in (0usize..3, 0usize..3), emails in (0usize..3, 0usize..3),
    ) {
        let names_ = ["王伟", "李芳"];
        let contacts = [None, Some("1"), Some("2")];
        let a = key(ids.0, docs.0, names_[names.0], contacts[phones.0], contacts[emails.0]);
        let b = key(ids.1, docs.1, names_[names.1], contacts[phones.1], contacts[emails.1]);
        prop_assert_eq!(same_applicant(&a, &b), same_applicant(&b, &a));
    }
}
