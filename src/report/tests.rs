//! Tests across the report module: fixtures shared by the renderers' snapshot tests, the JSON shape,
//! the seal, the seed report of 2019 and the property tests of the counting rules.

use std::collections::BTreeMap;

use proptest::prelude::*;

use super::model::*;
use super::section_two::*;
use super::*;
use crate::domain::types::{ApplicantCategory, Outcome};

/// Runs snapshot assertions with file names free of the crate's name (`snapshots/<name>.snap` next to
/// the source), so the snapshots stay valid when this module moves into another crate.
pub(crate) fn portable_snapshots(assertions: impl FnOnce()) {
    let mut settings = insta::Settings::clone_current();
    settings.set_prepend_module_to_snapshot(false);
    settings.bind(assertions);
}

/// A report with distinct non-zero numbers: an outcome cell holds `100 × column + outcome index + 1`
/// (so 2019's `other` row holds `300 × column + 60`), carried over `10 + column`, carried forward
/// `20 + column`, and new received whatever makes the identity hold. Section four holds 1…12.
pub(crate) fn sample_report(template: Template) -> AnnualReport {
    let mut counts = Counts::default();
    for (c, &category) in ApplicantCategory::ALL.iter().enumerate() {
        let c = i64::try_from(c).unwrap();
        let mut concluded = 0;
        for (o, &outcome) in Outcome::ALL.iter().enumerate() {
            let n = 100 * c + i64::try_from(o).unwrap() + 1;
            counts.concluded.insert((outcome, category), n);
            concluded += n;
        }
        counts.carried_over.insert(category, 10 + c);
        counts.carried_forward.insert(category, 20 + c);
        counts.new_received.insert(category, concluded + 10);
    }
    counts.previous_carried_forward = Some(counts.carried_over.clone());
    let tally = |start: i64| AppealTally { upheld: start, corrected: start + 1, other: start + 2, pending: start + 3 };
    let appeals = AppealCounts {
        reconsideration: tally(1),
        litigation_direct: tally(5),
        litigation_after_reconsideration: tally(9),
    };
    let section_two = match template {
        Template::Y2019 => SectionTwo::Y2019(SectionTwo2019 {
            rules: PublicationFigures { new_made: 1, new_published: 2, total_published: 3 },
            normative_documents: PublicationFigures { new_made: 4, new_published: 5, total_published: 6 },
            licensing: ItemFigures { previous_count: 7, change: -1, decisions: 8 },
            other_services: ItemFigures { previous_count: 9, change: 2, decisions: 10 },
            penalties: ItemFigures { previous_count: 11, change: 0, decisions: 12 },
            enforcement: ItemFigures { previous_count: 13, change: 3, decisions: 14 },
            fees: FeeItemFigures { previous_count: 15, change: -4 },
            procurement: ProcurementFigures { items: 16, total_amount_fen: 123_450_000 },
        }),
        Template::Y2021 => SectionTwo::Y2021(SectionTwo2021 {
            rules: DocumentFigures { issued: 1, repealed: 2, in_force: 3 },
            normative_documents: DocumentFigures { issued: 4, repealed: 5, in_force: 6 },
            licensing: DecisionFigures { decisions: 7 },
            penalties: DecisionFigures { decisions: 8 },
            enforcement: DecisionFigures { decisions: 9 },
            fees: FeeAmount { amount_fen: 2_500_000 },
        }),
    };
    let year = match template {
        Template::Y2019 => 2019,
        Template::Y2021 => 2022,
    };
    let input = ReportInput {
        year,
        agency_id: 7,
        agency_name: "示例市示例区人民政府".to_owned(),
        template,
        scope: ReportScope::Own,
        counts,
        appeals,
        section_two: Some(section_two),
        section_two_missing: Vec::new(),
    };
    AnnualReport::build(input).unwrap()
}

#[test]
fn templates_have_23_and_25_rows_in_report_order() {
    assert_eq!(RowKey::rows(Template::Y2019).len(), 23);
    assert_eq!(RowKey::rows(Template::Y2021).len(), 25);
    assert_eq!(RowKey::ALL.len(), 26);
    for template in Template::ALL.iter().copied() {
        let rows = RowKey::rows(template);
        assert!(rows.iter().all(|r| r.in_template(template)));
        assert_eq!(rows.len(), RowKey::ALL.iter().filter(|r| r.in_template(template)).count());
        // Report order is the order of RowKey::ALL.
        assert!(rows.windows(2).all(|w| w[0] < w[1]));
        // Every outcome lands in exactly one row of each template.
        for &outcome in Outcome::ALL {
            assert_eq!(rows.iter().filter(|r| r.outcomes().contains(&outcome)).count(), 1, "{outcome}");
            assert!(RowKey::for_outcome(outcome, template).outcomes().contains(&outcome));
        }
    }
    for &key in RowKey::ALL {
        assert_eq!(RowKey::parse(key.as_str()), Some(key));
        assert_eq!(serde_json::to_value(key).unwrap(), serde_json::json!(key.as_str()));
    }
}

#[test]
fn template_follows_the_year_and_serialises_as_its_year() {
    assert_eq!(Template::for_year(2019), Template::Y2019);
    assert_eq!(Template::for_year(2020), Template::Y2019);
    assert_eq!(Template::for_year(2021), Template::Y2021);
    assert_eq!(serde_json::to_value(Template::Y2021).unwrap(), serde_json::json!("2021"));
    assert_eq!(Template::parse("2019"), Some(Template::Y2019));
}

#[test]
fn labels_are_exactly_those_of_the_specification() {
    assert_eq!(RowKey::PartiallyDisclosed.label(), "（二）部分公开（区分处理的，只计这一情形，不计其他情形）");
    assert_eq!(RowKey::WithheldEndangersSecurityStability.label(), "3.危及“三安全一稳定”");
    assert_eq!(
        RowKey::OtherFeeUnpaid.label(),
        "2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请"
    );
    let columns: Vec<&str> = Column::ALL.iter().map(|c| c.label()).collect();
    assert_eq!(columns, ["自然人", "商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他", "总计"]);
    let keys: Vec<&str> = Column::ALL.iter().map(|c| c.as_str()).collect();
    assert_eq!(
        keys,
        [
            "natural_person",
            "commercial_enterprise",
            "research_institution",
            "public_welfare_org",
            "legal_service_org",
            "other_org",
            "total"
        ]
    );
}

#[test]
fn the_json_has_the_shape_of_the_api() {
    let report = sample_report(Template::Y2019);
    let json = serde_json::to_value(&report).unwrap();
    assert_eq!(json["year"], 2019);
    assert_eq!(json["agency_id"], 7);
    assert_eq!(json["template"], "2019");
    assert_eq!(
        json["section_three"]["columns"],
        serde_json::json!([
            "natural_person",
            "commercial_enterprise",
            "research_institution",
            "public_welfare_org",
            "legal_service_org",
            "other_org",
            "total"
        ])
    );
    let first = &json["section_three"]["rows"][0];
    assert_eq!(first["key"], "new_received");
    assert_eq!(first["label"], "一、本年新收政府信息公开申请数量");
    assert_eq!(first["values"].as_array().unwrap().len(), 7);
    assert_eq!(
        json["section_four"]["reconsideration"],
        serde_json::json!({"upheld": 1, "corrected": 2, "other": 3, "pending": 4, "total": 10})
    );
    assert!(json["section_four"]["litigation_after_reconsideration"].is_object());
    assert_eq!(json["checks"][0]["name"], "identity");
    assert_eq!(json["checks"][0]["passed"], true);
    let back: AnnualReport = serde_json::from_value(json).unwrap();
    assert_eq!(back, report);
    portable_snapshots(|| insta::assert_json_snapshot!("report_json_2021", sample_report(Template::Y2021)));
}

#[test]
fn the_sample_reports_pass_every_check_and_their_cells_are_addressable() {
    for template in Template::ALL.iter().copied() {
        let report = sample_report(template);
        assert!(report.all_checks_passed(), "{:#?}", report.checks);
        assert_eq!(report.cell(RowKey::Disclosed, Column::CommercialEnterprise), 101);
        assert_eq!(report.cell(RowKey::CarriedOver, Column::Total), 10 * 6 + 15);
    }
    let y2019 = sample_report(Template::Y2019);
    assert_eq!(y2019.cell(RowKey::Other, Column::NaturalPerson), 19 + 20 + 21);
    assert_eq!(y2019.cell(RowKey::OtherMisc, Column::NaturalPerson), 0);
}

#[test]
fn canonical_json_sorts_keys_and_has_no_whitespace() {
    let report = sample_report(Template::Y2021);
    let text = canonical_json(&report).unwrap();
    assert!(text.starts_with("{\"agency_id\":7,\"agency_name\":\"示例市示例区人民政府\",\"checks\":["));
    let (mut in_string, mut escaped) = (false, false);
    for c in text.chars() {
        assert!(in_string || !c.is_whitespace(), "whitespace outside a string");
        match (in_string, escaped, c) {
            (true, false, '\\') => escaped = true,
            (true, true, _) => escaped = false,
            (_, false, '"') => in_string = !in_string,
            _ => {}
        }
    }
    assert!(text.contains("\"section_four\":{\"litigation_after_reconsideration\":{\"corrected\":10,\"other\":11,"));
    let back: AnnualReport = serde_json::from_str(&text).unwrap();
    assert_eq!(back, report);
}

#[test]
fn the_content_hash_is_stable_and_changes_with_any_figure() {
    let report = sample_report(Template::Y2019);
    let hash = content_hash(&report).unwrap();
    assert_eq!(hash.len(), 64);
    assert!(hash.bytes().all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase()));
    assert_eq!(content_hash(&sample_report(Template::Y2019)).unwrap(), hash);
    assert_eq!(hash_text(&canonical_json(&report).unwrap()), hash);
    let mut changed = report.clone();
    changed.section_three.rows[3].values[2] += 1;
    assert_ne!(content_hash(&changed).unwrap(), hash);
}

#[test]
fn section_two_in_the_other_template_is_refused() {
    let report = sample_report(Template::Y2019);
    let input = ReportInput {
        year: 2019,
        agency_id: 1,
        agency_name: String::new(),
        template: Template::Y2021,
        scope: ReportScope::Own,
        counts: Counts::default(),
        appeals: AppealCounts::default(),
        section_two: report.section_two,
        section_two_missing: Vec::new(),
    };
    assert!(matches!(
        AnnualReport::build(input),
        Err(ReportError::SectionTwoTemplate { report: Template::Y2021, section_two: Template::Y2019 })
    ));
}

#[test]
fn section_three_layout_merges_the_official_cells() {
    let header = section_three_header();
    assert_eq!(header[0], LayoutCell { text: SECTION_THREE_NOTE, row: 0, col: 0, row_span: 3, col_span: 3 });
    assert!(header.contains(&LayoutCell { text: "法人或其他组织", row: 1, col: 4, row_span: 1, col_span: 5 }));
    let labels = section_three_labels(Template::Y2021);
    let merged: Vec<(&str, u32, u16, u32, u16)> =
        labels.iter().filter(|c| c.is_merged()).map(|c| (c.text, c.row, c.col, c.row_span, c.col_span)).collect();
    assert!(merged.contains(&("三、本年度办理结果", 2, 0, 22, 1)));
    assert!(merged.contains(&("（三）不予公开", 4, 1, 8, 1)));
    assert!(merged.contains(&("（四）无法提供", 12, 1, 3, 1)));
    assert!(merged.contains(&("（五）不予处理", 15, 1, 5, 1)));
    assert!(merged.contains(&("（六）其他处理", 20, 1, 3, 1)));
    assert!(merged.contains(&("（七）总计", 23, 1, 1, 2)));
    let labels = section_three_labels(Template::Y2019);
    assert!(labels.contains(&LayoutCell { text: "（六）其他处理", row: 20, col: 1, row_span: 1, col_span: 2 }));
    assert!(labels.contains(&LayoutCell { text: RESULTS_LABEL, row: 2, col: 0, row_span: 20, col_span: 1 }));
}

/// Strips the seed's extraction spacing and maps its half-width punctuation to the full-width forms
/// printed in the official table.
fn normalise(label: &str) -> String {
    label
        .chars()
        .filter(|c| !c.is_whitespace())
        .map(|c| match c {
            '(' => '（',
            ')' => '）',
            ',' => '，',
            other => other,
        })
        .collect()
}

/// The row labels of section three as extracted in ../shared/seed/nanshan-2019-annual-report.txt, in
/// order. The seed wraps 4.无正当理由大量反复申请 over two lines and repeats the 由 in doing so; the
/// two pieces are joined here without the repetition.
const SEED_ROW_LABELS: [&str; 23] = [
    "一、本年新收政府信息公开申请数量",
    "二、上年结转政府信息公开申请数量",
    "(一) 予以公开",
    "(二) 部分公开(区分处理的, 只计这一情形, 不计其他情形)",
    "1. 属于国家秘密",
    "2. 其他法律行政法规禁止公开",
    "3. 危及“三安全一稳定”",
    "4. 保护第三方合法权益",
    "5. 属于三类内部事务信息",
    "6. 属于四类过程性信息",
    "7. 属于行政执法案卷",
    "8. 属于行政查询事项",
    "1. 本机关不掌握相关政府信息",
    "2. 没有现成信息需要另行制作",
    "3. 补正后申请内容仍不明确",
    "1. 信访举报投诉类申请",
    "2. 重复申请",
    "3. 要求提供公开出版物",
    "4. 无正当理由 大量反复申请",
    "5. 要求行政机关确认或重新出具已获取信息",
    "(六) 其他处理",
    "(七) 总计",
    "四、结转下年度继续办理",
];

#[test]
fn the_seed_report_of_2019_is_rebuilt_with_every_check_passing() {
    let section_two = SectionTwo::Y2019(SectionTwo2019 {
        licensing: ItemFigures { previous_count: 26, change: 0, decisions: 83 },
        penalties: ItemFigures { previous_count: 5, change: 0, decisions: 9 },
        ..SectionTwo2019::default()
    });
    let input = ReportInput {
        year: 2019,
        agency_id: 1,
        agency_name: "南山区".to_owned(),
        template: Template::for_year(2019),
        scope: ReportScope::Own,
        counts: Counts::default(),
        appeals: AppealCounts::default(),
        section_two: Some(section_two),
        section_two_missing: Vec::new(),
    };
    let report = AnnualReport::build(input).unwrap();
    assert_eq!(report.template, Template::Y2019);
    assert_eq!(report.section_three.rows.len(), 23);
    assert!(report.section_three.rows.iter().all(|r| r.values == [0; 7]));
    assert_eq!(report.section_four, SectionFour::default());
    assert!(report.all_checks_passed(), "{:#?}", report.checks);
    assert_eq!(report.checks.len(), 5);

    let labels: Vec<String> = report.section_three.rows.iter().map(|r| normalise(&r.label)).collect();
    let seed: Vec<String> = SEED_ROW_LABELS.iter().map(|l| normalise(l)).collect();
    assert_eq!(labels, seed);
    // Group cells and headers as extracted from the seed.
    let printed: Vec<String> = section_three_labels(Template::Y2019)
        .iter()
        .chain(section_three_header().iter())
        .map(|c| normalise(c.text))
        .collect();
    for seed_label in
        ["三、 本年 度办 理结 果", "(三) 不予 公开", "(四) 无法提供", "(五) 不予处理", "申请人情况", "自然 人"]
            .into_iter()
            .chain(["法人或其他组织", "商业 企业", "科研 机构", "社会 公益 组织", "法律服 务机构", "其他", "总计"])
    {
        assert!(printed.contains(&normalise(seed_label)), "{seed_label}");
    }

    // Section two: the seed's figures, row by row.
    let blocks = report.section_two.as_ref().unwrap().blocks();
    let figures: BTreeMap<&str, Vec<String>> = blocks
        .iter()
        .flat_map(|b| b.rows.iter().map(|r| (r.label, r.figures.iter().map(|f| f.display()).collect())))
        .collect();
    assert_eq!(figures["行政许可"], ["26", "0", "83"]);
    assert_eq!(figures["行政处罚"], ["5", "0", "9"]);
    assert_eq!(figures["规章"], ["0", "0", "0"]);
    assert_eq!(figures["政府集中采购"], ["0", "0"]);
    assert_eq!(figures["行政事业性收费"], ["0", "0"]);
    assert_eq!(figures.len(), 8);
}

// ---- Property tests: the counting rules of report.md, computed independently from case histories ----

/// First reported year of the generated histories is `Y - 2`; the year under test is `Y`.
const Y: i32 = 2021;
/// Days per year in the simplified calendar of the tests (only the order of dates matters).
const DAYS: i64 = 365;

/// One request case: its column, its receipt day and, if concluded, its conclusion day and outcome.
/// Day 0 is 1 January of `Y - 2`.
#[derive(Clone, Debug)]
struct Case {
    category: ApplicantCategory,
    received: i64,
    concluded: Option<(i64, Outcome)>,
}

fn case() -> impl Strategy<Value = Case> {
    (0..ApplicantCategory::ALL.len(), 0..4 * DAYS, proptest::option::of((0..3 * DAYS, 0..Outcome::ALL.len()))).prop_map(
        |(c, received, concluded)| Case {
            category: ApplicantCategory::ALL[c],
            received,
            concluded: concluded.map(|(after, o)| (received + after, Outcome::ALL[o])),
        },
    )
}

/// The first day of `year`.
fn start(year: i32) -> i64 {
    i64::from(year - (Y - 2)) * DAYS
}

/// Counts for `year` by report.md's rules, straight from the cases.
fn reference_counts(cases: &[Case], year: i32) -> Counts {
    let (first, last) = (start(year), start(year + 1) - 1);
    let mut counts = Counts::default();
    let add = |map: &mut BTreeMap<ApplicantCategory, i64>, category| *map.entry(category).or_insert(0) += 1;
    for case in cases {
        let concluded_on = case.concluded.map(|(day, _)| day);
        if (first..=last).contains(&case.received) {
            add(&mut counts.new_received, case.category);
        }
        if case.received < first && concluded_on.is_none_or(|day| day >= first) {
            add(&mut counts.carried_over, case.category);
        }
        if case.received <= last && concluded_on.is_none_or(|day| day > last) {
            add(&mut counts.carried_forward, case.category);
        }
        if let Some((day, outcome)) = case.concluded {
            if (first..=last).contains(&day) {
                *counts.concluded.entry((outcome, case.category)).or_insert(0) += 1;
            }
        }
    }
    counts
}

fn report_for(cases: &[Case], year: i32, template: Template) -> AnnualReport {
    let mut counts = reference_counts(cases, year);
    counts.previous_carried_forward = Some(reference_counts(cases, year - 1).carried_forward);
    let input = ReportInput {
        year,
        agency_id: 1,
        agency_name: "测试".to_owned(),
        template,
        scope: ReportScope::Own,
        counts,
        appeals: AppealCounts::default(),
        section_two: None,
        section_two_missing: Vec::new(),
    };
    AnnualReport::build(input).unwrap()
}

proptest! {
    #[test]
    fn reports_from_any_case_history_pass_every_check(cases in prop::collection::vec(case(), 0..80)) {
        for template in Template::ALL.iter().copied() {
            for year in [Y - 1, Y, Y + 1] {
                let report = report_for(&cases, year, template);
                prop_assert!(report.all_checks_passed(), "{:#?}", report.checks);
                for row in &report.section_three.rows {
                    prop_assert_eq!(row.values.len(), 7);
                    prop_assert_eq!(row.values[..6].iter().sum::<i64>(), row.values[6], "{}", row.key);
                }
            }
        }
    }

    #[test]
    fn carried_over_equals_the_previous_years_carried_forward(cases in prop::collection::vec(case(), 0..80)) {
        let this = report_for(&cases, Y, Template::Y2021);
        let previous = report_for(&cases, Y - 1, Template::Y2021);
        for column in Column::ALL {
            prop_assert_eq!(this.cell(RowKey::CarriedOver, column), previous.cell(RowKey::CarriedForward, column));
        }
    }

    #[test]
    fn the_2019_other_row_sums_the_three_2021_other_rows(cases in prop::collection::vec(case(), 0..80)) {
        let y2019 = report_for(&cases, Y, Template::Y2019);
        let y2021 = report_for(&cases, Y, Template::Y2021);
        for column in Column::ALL {
            let parts = [RowKey::OtherCorrectionOverdue, RowKey::OtherFeeUnpaid, RowKey::OtherMisc]
                .iter()
                .map(|&row| y2021.cell(row, column))
                .sum::<i64>();
            prop_assert_eq!(y2019.cell(RowKey::Other, column), parts);
            // The templates differ in the other rows only.
            for &row in RowKey::rows(Template::Y2019).iter().filter(|&&r| r != RowKey::Other) {
                prop_assert_eq!(y2019.cell(row, column), y2021.cell(row, column));
            }
        }
    }
}

#[test]
fn the_report_types_have_openapi_schemas() {
    use utoipa::PartialSchema;
    let schema = serde_json::to_value(AnnualReport::schema()).unwrap();
    assert!(schema["properties"]["section_three"].is_object(), "{schema}");
    let section_two = serde_json::to_value(SectionTwo::schema()).unwrap();
    assert!(section_two.to_string().contains("\"2021\""), "{section_two}");
}

#[test]
fn a_compiled_section_two_sums_every_figure_of_the_agencies_that_entered_theirs() {
    let one = SectionTwo2019 {
        licensing: ItemFigures { previous_count: 26, change: -2, decisions: 83 },
        procurement: ProcurementFigures { items: 1, total_amount_fen: 1_500_000 },
        ..SectionTwo2019::default()
    };
    let two = SectionTwo2019 {
        licensing: ItemFigures { previous_count: 4, change: 1, decisions: 7 },
        rules: PublicationFigures { new_made: 1, new_published: 1, total_published: 9 },
        procurement: ProcurementFigures { items: 2, total_amount_fen: 250_000 },
        ..SectionTwo2019::default()
    };
    let other_template = SectionTwo::Y2021(SectionTwo2021 { fees: FeeAmount { amount_fen: 5 }, ..Default::default() });
    let all = [SectionTwo::Y2019(one), other_template.clone(), SectionTwo::Y2019(two)];
    let Some(SectionTwo::Y2019(sum)) = SectionTwo::sum(Template::Y2019, &all) else { panic!("no 2019 sum") };
    assert_eq!(sum.licensing, ItemFigures { previous_count: 30, change: -1, decisions: 90 });
    assert_eq!(sum.rules, PublicationFigures { new_made: 1, new_published: 1, total_published: 9 });
    assert_eq!(sum.procurement, ProcurementFigures { items: 3, total_amount_fen: 1_750_000 });
    assert_eq!(SectionTwo::sum(Template::Y2021, &all), Some(other_template));
    assert_eq!(SectionTwo::sum(Template::Y2019, &[]), None);
}

#[test]
fn section_two_status_says_entered_partial_or_not_entered() {
    let agency = |id, name: &str| AgencyRef { id, name: name.to_owned() };
    let entered = SectionTwoStatus::new(true, Vec::new());
    assert_eq!(
        (entered.state, entered.label.as_str(), entered.sentence()),
        (SectionTwoState::Entered, "已填报", "已填报".into())
    );
    let missing = SectionTwoStatus::new(false, vec![agency(1, "南山区")]);
    assert_eq!(
        (missing.state, missing.label.as_str(), missing.sentence()),
        (SectionTwoState::Missing, "未填报", "未填报".into())
    );
    let none = SectionTwoStatus::new(false, vec![agency(1, "南山区"), agency(2, "教育局")]);
    assert_eq!(none.sentence(), "未填报（南山区、教育局均未填报本部分数据）");
    let partial = SectionTwoStatus::new(true, vec![agency(2, "教育局")]);
    assert_eq!(partial.state, SectionTwoState::Partial);
    assert_eq!(partial.sentence(), "部分机关未填报：教育局未填报，以下为其余已填报机关数据之和。");
}

#[test]
fn the_title_names_agency_year_and_scope() {
    let mut report = sample_report(Template::Y2019);
    assert_eq!(report.title(), "示例市示例区人民政府2019年政府信息公开工作年度报告（统计部分·本级）");
    report.scope = ReportScope::Compiled;
    assert_eq!(report.title(), "示例市示例区人民政府2019年政府信息公开工作年度报告（统计部分·汇总）");
    let json = serde_json::to_value(&report).unwrap();
    assert_eq!(json["scope"], "compiled");
    assert_eq!(
        json["section_two_status"],
        serde_json::json!({"state": "entered", "label": "已填报", "missing_agencies": []})
    );
}

/// A report as sealed before `scope`, `section_two_status` and the checks' labels existed, with its
/// checks' sentences in English.
fn legacy_sealed_json(report: &AnnualReport) -> String {
    let mut value = serde_json::to_value(report).unwrap();
    let object = value.as_object_mut().unwrap();
    object.remove("scope");
    object.remove("section_two_status");
    for check in object["checks"].as_array_mut().unwrap() {
        let check = check.as_object_mut().unwrap();
        check.remove("label");
        check.insert("detail".into(), serde_json::json!("holds in all 7 columns"));
    }
    serde_json::to_string(&value).unwrap()
}

#[test]
fn a_report_sealed_before_the_new_fields_reads_back_with_its_figures_and_the_same_figures_as_today() {
    let today = sample_report(Template::Y2021);
    let legacy = legacy_sealed_json(&today);
    let sealed = AnnualReport::from_sealed_json(&legacy, false).unwrap();
    assert_eq!(sealed.scope, ReportScope::Own);
    assert_eq!(sealed.section_two_status.state, SectionTwoState::Entered);
    assert_eq!(sealed.section_two, today.section_two);
    assert_eq!(sealed.section_three, today.section_three);
    assert!(sealed.checks.iter().all(|c| c.label == checks::label(&c.name) && c.detail == "封存时已通过"));
    // Only wording differs: the live report of unchanged data does not drift from the old seal.
    assert!(today.same_figures(&sealed));
    // The stored text, and so its hash, is not rewritten by reading it.
    assert_eq!(hash_text(&legacy), hash_text(&legacy_sealed_json(&today)));

    // Sealed compiled before the status existed: today's status names the sub-agencies without
    // section two, the old seal could not; with the same figures the seal does not drift.
    let mut compiled = today.clone();
    compiled.scope = ReportScope::Compiled;
    compiled.section_two_status = SectionTwoStatus::new(true, vec![AgencyRef { id: 8, name: "教育局".into() }]);
    let sealed = AnnualReport::from_sealed_json(&legacy_sealed_json(&today), true).unwrap();
    assert!(sealed.section_two_status.inferred);
    assert!(compiled.same_figures(&sealed));

    let mut without_two = today.clone();
    without_two.section_two = None;
    let sealed = AnnualReport::from_sealed_json(&legacy_sealed_json(&without_two), true).unwrap();
    assert_eq!(sealed.scope, ReportScope::Compiled);
    assert_eq!(sealed.section_two_status.state, SectionTwoState::Missing);
    assert_eq!(sealed.section_two_status.missing_agencies, [AgencyRef { id: 7, name: "示例市示例区人民政府".into() }]);
}

#[test]
fn a_sealed_report_reads_back_unchanged_and_differs_in_any_figure() {
    let report = sample_report(Template::Y2019);
    let sealed = AnnualReport::from_sealed_json(&canonical_json(&report).unwrap(), false).unwrap();
    assert_eq!(sealed, report);
    assert_eq!(content_hash(&sealed).unwrap(), content_hash(&report).unwrap());
    let mut changed = report.clone();
    changed.section_three.rows[2].values[1] += 1;
    assert!(!changed.same_figures(&report));
    let mut changed = report.clone();
    if let Some(SectionTwo::Y2019(s)) = &mut changed.section_two {
        s.licensing.decisions += 1;
    }
    assert!(!changed.same_figures(&report));
    let mut reworded = report.clone();
    reworded.checks[1].detail = "另一种说法".into();
    reworded.section_three.rows[0].label = "一、本年新收申请".into();
    assert!(reworded.same_figures(&report));
}
