//! The five consistency checks of report.md. They read the built tables, not the counts the tables
//! were built from, so they also catch a corrupt table (say, a sealed report edited by hand, or a
//! drifted aggregation) and name the failing columns or rows with their numbers.
//!
//! Sums are taken in `i128`, so no table, however corrupt, makes a check overflow.

use super::model::{AppealKind, Check, Column, FailingPart, RowKey, SectionFour, SectionThree, APPEAL_COLUMN_LABELS};

/// Name of check 1: `new_received + carried_over = concluded_total + carried_forward`, per column.
pub const IDENTITY: &str = "identity";
/// Name of check 2: the outcome rows sum to `concluded_total`, per column.
pub const OUTCOMES_SUM: &str = "outcomes_sum";
/// Name of check 3: `total` equals the sum of the six category columns, per row.
pub const TOTAL_COLUMN: &str = "total_column";
/// Name of check 4: `carried_over` of Y equals `carried_forward` of Y−1, per column.
pub const CARRIED_OVER_MATCHES_PREVIOUS_YEAR: &str = "carried_over_matches_previous_year";
/// Name of check 5: in section four each total equals upheld + corrected + other + pending.
pub const SECTION_FOUR_TOTALS: &str = "section_four_totals";

/// The Chinese name of a check (校验项), as printed beside its result; the name itself for an unknown one.
pub fn label(name: &str) -> &str {
    match name {
        IDENTITY => "勾稽关系：第一项加第二项之和等于第三项加第四项之和（各列）",
        OUTCOMES_SUM => "办理结果各项之和等于（七）总计（各列）",
        TOTAL_COLUMN => "总计列等于六类申请人之和（各行）",
        CARRIED_OVER_MATCHES_PREVIOUS_YEAR => "上年结转数等于上一年度结转下年度数（各列）",
        SECTION_FOUR_TOTALS => "行政复议、行政诉讼各总计等于分项之和",
        other => other,
    }
}

/// Runs the five checks in the order of report.md. `previous_carried_forward` is the `carried_forward`
/// row of Y−1 (seven values, total last, or six without it), `None` when there is none to compare.
pub fn run_all(
    year: i32,
    table: &SectionThree,
    four: &SectionFour,
    previous_carried_forward: Option<&[i64]>,
) -> Vec<Check> {
    vec![
        identity(table),
        outcomes_sum(table),
        total_column(table),
        carried_over_matches_previous_year(year, table, previous_carried_forward),
        section_four_totals(four),
    ]
}

/// Builds a check from its failures, or from a confirmation when there are none.
fn outcome(name: &str, failures: Vec<(FailingPart, String)>, confirmation: impl FnOnce() -> String) -> Check {
    let passed = failures.is_empty();
    let detail = if passed {
        confirmation()
    } else {
        failures.iter().map(|(_, sentence)| sentence.as_str()).collect::<Vec<_>>().join("；")
    };
    let failing = failures.into_iter().map(|(part, _)| part).collect();
    Check { name: name.to_owned(), label: label(name).to_owned(), passed, detail, failing }
}

/// The short name of a row in the checks' sentences.
fn row_name(key: RowKey) -> &'static str {
    match key {
        RowKey::NewReceived => "本年新收",
        RowKey::CarriedOver => "上年结转",
        RowKey::ConcludedTotal => "办理结果总计",
        RowKey::CarriedForward => "结转下年度",
        other => other.label(),
    }
}

/// The value at (`key`, `column`), or a failure saying why there is none.
fn value(table: &SectionThree, key: RowKey, column: Column) -> Result<i128, String> {
    match table.row(key) {
        None => Err(format!("缺少“{}”行", key.label())),
        Some(row) => match row.get(column) {
            Some(v) => Ok(i128::from(v)),
            None => Err(format!("“{}”行有{}个数，应为{}个", key.label(), row.values.len(), Column::COUNT)),
        },
    }
}

/// Check 1: `new_received + carried_over = concluded_total + carried_forward` in every column.
pub fn identity(table: &SectionThree) -> Check {
    let mut failures = Vec::new();
    let mut total_line = String::new();
    for column in Column::ALL {
        let get = |key| value(table, key, column);
        match (
            get(RowKey::NewReceived),
            get(RowKey::CarriedOver),
            get(RowKey::ConcludedTotal),
            get(RowKey::CarriedForward),
        ) {
            (Ok(nr), Ok(co), Ok(ct), Ok(cf)) => {
                let received = format!(
                    "{} {nr} + {} {co} = {}",
                    row_name(RowKey::NewReceived),
                    row_name(RowKey::CarriedOver),
                    nr + co
                );
                let handled = format!(
                    "{} {ct} + {} {cf} = {}",
                    row_name(RowKey::ConcludedTotal),
                    row_name(RowKey::CarriedForward),
                    ct + cf
                );
                if nr + co != ct + cf {
                    failures.push((
                        FailingPart::Column(column),
                        format!("“{}”列：{received}，但{handled}", column.label()),
                    ));
                } else if column == Column::Total {
                    total_line = format!("{received}，{handled}");
                }
            }
            (a, b, c, d) => {
                let missing: Vec<String> = [a, b, c, d].into_iter().filter_map(Result::err).collect();
                failures.push((FailingPart::Column(column), format!("“{}”列：{}", column.label(), missing.join("，"))));
            }
        }
    }
    failures.dedup();
    outcome(IDENTITY, failures, || format!("7列均成立（总计列：{total_line}）"))
}

/// Check 2: the outcome rows add up to `concluded_total` in every column.
pub fn outcomes_sum(table: &SectionThree) -> Check {
    let outcome_rows: Vec<RowKey> = table.rows.iter().map(|r| r.key).filter(|k| k.is_outcome_row()).collect();
    let mut failures = Vec::new();
    let mut total = 0;
    for column in Column::ALL {
        let mut sum = 0i128;
        let mut missing = Vec::new();
        for &key in &outcome_rows {
            match value(table, key, column) {
                Ok(v) => sum += v,
                Err(e) => missing.push(e),
            }
        }
        match value(table, RowKey::ConcludedTotal, column) {
            Err(e) => missing.push(e),
            Ok(concluded) if missing.is_empty() && concluded != sum => failures.push((
                FailingPart::Column(column),
                format!(
                    "“{}”列：{}个办理结果行之和为{sum}，但（七）总计为{concluded}",
                    column.label(),
                    outcome_rows.len()
                ),
            )),
            Ok(concluded) => total = concluded,
        }
        if !missing.is_empty() {
            failures.push((FailingPart::Column(column), format!("“{}”列：{}", column.label(), missing.join("，"))));
        }
    }
    let rows = outcome_rows.len();
    outcome(OUTCOMES_SUM, failures, || format!("7列中{rows}个办理结果行之和均等于（七）总计（总计列：{total}）"))
}

/// Check 3: in every row, `total` equals the sum of the six category columns.
pub fn total_column(table: &SectionThree) -> Check {
    let mut failures = Vec::new();
    for row in &table.rows {
        if row.values.len() != Column::COUNT {
            failures.push((
                FailingPart::Row(row.key),
                format!("“{}”行有{}个数，应为{}个", row.label, row.values.len(), Column::COUNT),
            ));
            continue;
        }
        let categories = &row.values[..Column::COUNT - 1];
        let sum: i128 = categories.iter().map(|&v| i128::from(v)).sum();
        let total = row.values[Column::Total.index()];
        if sum != i128::from(total) {
            let terms: Vec<String> = categories.iter().map(i64::to_string).collect();
            failures.push((
                FailingPart::Row(row.key),
                format!("“{}”行：{} = {sum}，但总计为{total}", row.label, terms.join(" + ")),
            ));
        }
    }
    let rows = table.rows.len();
    outcome(TOTAL_COLUMN, failures, || format!("{rows}行的总计均等于六类申请人之和"))
}

/// Check 4: `carried_over` of `year` equals `carried_forward` of `year − 1`, per column. The previous
/// row may have six values (the total is then their sum) or seven. With no previous figures the check
/// passes and says it compared nothing.
pub fn carried_over_matches_previous_year(year: i32, table: &SectionThree, previous: Option<&[i64]>) -> Check {
    let previous_year = year.saturating_sub(1);
    let Some(previous) = previous else {
        return Check {
            name: CARRIED_OVER_MATCHES_PREVIOUS_YEAR.to_owned(),
            label: label(CARRIED_OVER_MATCHES_PREVIOUS_YEAR).to_owned(),
            passed: true,
            detail: format!("未比较：没有{previous_year}年的结转下年度数据"),
            failing: Vec::new(),
        };
    };
    let previous_value = |column: Column| -> Option<i128> {
        match (column, previous.len()) {
            (Column::Total, 6) => Some(previous.iter().map(|&v| i128::from(v)).sum()),
            (_, 6 | 7) => previous.get(column.index()).map(|&v| i128::from(v)),
            _ => None,
        }
    };
    let mut failures = Vec::new();
    let mut total = 0;
    for column in Column::ALL {
        match (value(table, RowKey::CarriedOver, column), previous_value(column)) {
            (Err(e), _) => failures.push((FailingPart::Column(column), format!("“{}”列：{e}", column.label()))),
            (_, None) => failures
                .push((FailingPart::Whole, format!("{previous_year}年的结转下年度有{}个数，应为7个", previous.len()))),
            (Ok(now), Some(before)) if now != before => failures.push((
                FailingPart::Column(column),
                format!("“{}”列：{year}年上年结转为{now}，但{previous_year}年结转下年度为{before}", column.label()),
            )),
            (Ok(now), Some(_)) => {
                if column == Column::Total {
                    total = now;
                }
            }
        }
    }
    failures.dedup();
    outcome(CARRIED_OVER_MATCHES_PREVIOUS_YEAR, failures, || {
        format!("{year}年上年结转与{previous_year}年结转下年度在7列均相等（总计：{total}）")
    })
}

/// Check 5: in section four, each kind's total equals upheld + corrected + other + pending.
pub fn section_four_totals(four: &SectionFour) -> Check {
    let [upheld, corrected, other, pending, _] = APPEAL_COLUMN_LABELS;
    let mut failures = Vec::new();
    let mut totals = Vec::new();
    for &kind in AppealKind::ALL {
        let f = four.figures(kind);
        let sum = i128::from(f.upheld) + i128::from(f.corrected) + i128::from(f.other) + i128::from(f.pending);
        if sum != i128::from(f.total) {
            failures.push((
                FailingPart::Appeal(kind),
                format!(
                    "{}：{upheld} {} + {corrected} {} + {other} {} + {pending} {} = {sum}，但总计为{}",
                    kind.label(),
                    f.upheld,
                    f.corrected,
                    f.other,
                    f.pending,
                    f.total
                ),
            ));
        }
        totals.push(format!("{} {}", kind.label(), f.total));
    }
    outcome(SECTION_FOUR_TOTALS, failures, || {
        format!("各总计均等于{upheld}、{corrected}、{other}、{pending}之和（{}）", totals.join("，"))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::types::{ApplicantCategory, Outcome};
    use crate::report::model::{AppealCounts, AppealTally, Counts, Template};

    /// A consistent table: natural persons 5 new + 2 carried over = 4 concluded + 3 forward, one
    /// commercial enterprise received and disclosed.
    fn consistent(template: Template) -> SectionThree {
        let mut counts = Counts::default();
        counts.new_received.insert(ApplicantCategory::NaturalPerson, 5);
        counts.new_received.insert(ApplicantCategory::CommercialEnterprise, 1);
        counts.carried_over.insert(ApplicantCategory::NaturalPerson, 2);
        counts.carried_forward.insert(ApplicantCategory::NaturalPerson, 3);
        counts.concluded.insert((Outcome::Disclosed, ApplicantCategory::NaturalPerson), 2);
        counts.concluded.insert((Outcome::OtherFeeUnpaid, ApplicantCategory::NaturalPerson), 1);
        counts.concluded.insert((Outcome::UnavailableNotHeld, ApplicantCategory::NaturalPerson), 1);
        counts.concluded.insert((Outcome::Disclosed, ApplicantCategory::CommercialEnterprise), 1);
        SectionThree::from_counts(template, &counts)
    }

    fn set(table: &mut SectionThree, key: RowKey, column: Column, value: i64) {
        let row = table.rows.iter_mut().find(|r| r.key == key).unwrap();
        row.values[column.index()] = value;
    }

    #[test]
    fn a_consistent_table_passes_every_check() {
        for template in Template::ALL.iter().copied() {
            let table = consistent(template);
            let four = SectionFour::from_counts(&AppealCounts::default());
            let previous = [2, 0, 0, 0, 0, 0, 2];
            let checks = run_all(2022, &table, &four, Some(&previous));
            let names: Vec<&str> = checks.iter().map(|c| c.name.as_str()).collect();
            assert_eq!(
                names,
                [IDENTITY, OUTCOMES_SUM, TOTAL_COLUMN, CARRIED_OVER_MATCHES_PREVIOUS_YEAR, SECTION_FOUR_TOTALS]
            );
            assert!(checks.iter().all(|c| c.passed), "{checks:#?}");
        }
    }

    #[test]
    fn identity_fails_naming_the_column_and_its_numbers() {
        let mut table = consistent(Template::Y2021);
        set(&mut table, RowKey::CarriedForward, Column::NaturalPerson, 2);
        let check = identity(&table);
        assert!(!check.passed);
        assert_eq!(check.detail, "“自然人”列：本年新收 5 + 上年结转 2 = 7，但办理结果总计 4 + 结转下年度 2 = 6");
    }

    #[test]
    fn identity_fails_when_a_row_is_missing() {
        let mut table = consistent(Template::Y2019);
        table.rows.retain(|r| r.key != RowKey::CarriedOver);
        let check = identity(&table);
        assert!(!check.passed);
        assert!(check.detail.contains("缺少“二、上年结转政府信息公开申请数量”行"), "{}", check.detail);
    }

    #[test]
    fn outcomes_sum_fails_naming_the_column_and_its_numbers() {
        let mut table = consistent(Template::Y2019);
        set(&mut table, RowKey::Other, Column::CommercialEnterprise, 4);
        let check = outcomes_sum(&table);
        assert!(!check.passed);
        assert_eq!(check.detail, "“商业企业”列：19个办理结果行之和为5，但（七）总计为1");
    }

    #[test]
    fn total_column_fails_naming_the_row_and_its_numbers() {
        let mut table = consistent(Template::Y2021);
        set(&mut table, RowKey::Disclosed, Column::Total, 4);
        let check = total_column(&table);
        assert!(!check.passed);
        assert_eq!(check.detail, "“（一）予以公开”行：2 + 1 + 0 + 0 + 0 + 0 = 3，但总计为4");
    }

    #[test]
    fn total_column_fails_on_a_short_row() {
        let mut table = consistent(Template::Y2021);
        table.rows[0].values.pop();
        assert_eq!(total_column(&table).detail, "“一、本年新收政府信息公开申请数量”行有6个数，应为7个");
    }

    #[test]
    fn carried_over_check_fails_naming_the_years_and_numbers() {
        let table = consistent(Template::Y2021);
        let check = carried_over_matches_previous_year(2022, &table, Some(&[1, 0, 0, 0, 0, 0]));
        assert!(!check.passed);
        assert_eq!(
            check.detail,
            "“自然人”列：2022年上年结转为2，但2021年结转下年度为1；\
             “总计”列：2022年上年结转为2，但2021年结转下年度为1"
        );
    }

    #[test]
    fn carried_over_check_passes_and_says_so_without_previous_figures() {
        let check = carried_over_matches_previous_year(2019, &consistent(Template::Y2019), None);
        assert!(check.passed);
        assert_eq!(check.detail, "未比较：没有2018年的结转下年度数据");
    }

    #[test]
    fn section_four_totals_fails_naming_the_kind_and_its_numbers() {
        let counts = AppealCounts {
            litigation_direct: AppealTally { upheld: 1, corrected: 2, other: 0, pending: 3 },
            ..AppealCounts::default()
        };
        let mut four = SectionFour::from_counts(&counts);
        assert!(section_four_totals(&four).passed);
        four.litigation_direct.total = 5;
        let check = section_four_totals(&four);
        assert!(!check.passed);
        assert_eq!(check.detail, "未经复议直接起诉：结果维持 1 + 结果纠正 2 + 其他结果 0 + 尚未审结 3 = 6，但总计为5");
    }

    #[test]
    fn checks_do_not_overflow_on_absurd_values() {
        let mut table = consistent(Template::Y2019);
        set(&mut table, RowKey::NewReceived, Column::Total, i64::MAX);
        set(&mut table, RowKey::CarriedOver, Column::Total, i64::MAX);
        assert!(!identity(&table).passed);
        assert!(!total_column(&table).passed);
    }
}
