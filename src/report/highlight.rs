//! Which cells a failing check concerns, so that a page can mark them. The checks themselves
//! ([`super::checks`]) record the part of the table each failure names ([`FailingPart`]); this
//! maps those parts to cells instead of doing the arithmetic a second time. A report read back
//! from a seal carries no parts: its failing checks then mark every cell they cover.

use std::collections::BTreeSet;

use super::checks::{CARRIED_OVER_MATCHES_PREVIOUS_YEAR, IDENTITY, OUTCOMES_SUM, SECTION_FOUR_TOTALS, TOTAL_COLUMN};
use super::model::{AnnualReport, AppealKind, Column, FailingPart, RowKey};

/// The cells of failing checks.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Highlight {
    /// Cells of section three: (row, column).
    pub section_three: BTreeSet<(RowKey, Column)>,
    /// Rows (appeal kinds) of section four.
    pub section_four: BTreeSet<AppealKind>,
}

impl Highlight {
    /// Whether the cell is marked.
    pub fn has(&self, row: RowKey, column: Column) -> bool {
        self.section_three.contains(&(row, column))
    }

    fn mark(&mut self, rows: &[RowKey], columns: &[Column]) {
        for &row in rows {
            for &column in columns {
                self.section_three.insert((row, column));
            }
        }
    }
}

/// The cells that the failing checks of `report` concern.
pub fn failing_cells(report: &AnnualReport) -> Highlight {
    let mut marked = Highlight::default();
    let rows: Vec<RowKey> = report.section_three.rows.iter().map(|r| r.key).collect();
    let outcome_rows: Vec<RowKey> = rows.iter().copied().filter(|k| k.is_outcome_row()).collect();
    let identity_rows = [RowKey::NewReceived, RowKey::CarriedOver, RowKey::ConcludedTotal, RowKey::CarriedForward];
    for check in report.checks.iter().filter(|c| !c.passed) {
        let parts: &[FailingPart] = if check.failing.is_empty() { &[FailingPart::Whole] } else { &check.failing };
        for &part in parts {
            let columns: Vec<Column> = match part {
                FailingPart::Column(column) => vec![column],
                _ => Column::ALL.to_vec(),
            };
            match check.name.as_str() {
                IDENTITY => marked.mark(&identity_rows, &columns),
                OUTCOMES_SUM => {
                    marked.mark(&outcome_rows, &columns);
                    marked.mark(&[RowKey::ConcludedTotal], &columns);
                }
                CARRIED_OVER_MATCHES_PREVIOUS_YEAR => marked.mark(&[RowKey::CarriedOver], &columns),
                TOTAL_COLUMN => match part {
                    FailingPart::Row(row) => marked.mark(&[row], &Column::ALL),
                    _ => marked.mark(&rows, &Column::ALL),
                },
                SECTION_FOUR_TOTALS => match part {
                    FailingPart::Appeal(kind) => {
                        marked.section_four.insert(kind);
                    }
                    _ => marked.section_four.extend(AppealKind::ALL),
                },
                _ => {}
            }
        }
    }
    marked
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::checks;
    use crate::report::model::Template;
    use crate::report::tests::sample_report;

    fn with_checks_rerun(mut report: AnnualReport) -> AnnualReport {
        report.checks = checks::run_all(report.year, &report.section_three, &report.section_four, None);
        report
    }

    #[test]
    fn a_consistent_report_marks_nothing() {
        let report = with_checks_rerun(sample_report(Template::Y2021));
        assert!(report.checks.iter().all(|c| c.passed), "{:?}", report.checks);
        assert_eq!(failing_cells(&report), Highlight::default());
    }

    #[test]
    fn each_failing_check_marks_the_cells_it_names() {
        let mut report = sample_report(Template::Y2021);
        // One more disclosed request of a natural person than received: identity and outcomes
        // fail in the natural_person column, the total column in the disclosed row.
        let row = report.section_three.rows.iter_mut().find(|r| r.key == RowKey::parse("disclosed").unwrap()).unwrap();
        row.values[Column::NaturalPerson.index()] += 1;
        report.section_four.reconsideration.total += 1;
        let report = with_checks_rerun(report);
        let marked = failing_cells(&report);
        let disclosed = RowKey::parse("disclosed").unwrap();
        assert!(marked.has(disclosed, Column::NaturalPerson), "outcomes_sum");
        assert!(marked.has(RowKey::ConcludedTotal, Column::NaturalPerson));
        assert!(marked.has(disclosed, Column::Total), "total_column marks the whole row");
        assert!(!marked.has(RowKey::NewReceived, Column::CommercialEnterprise), "other columns stay");
        assert!(
            !marked.has(RowKey::NewReceived, Column::NaturalPerson),
            "identity still holds: only an outcome row changed"
        );
        assert_eq!(marked.section_four, BTreeSet::from([AppealKind::Reconsideration]));
    }

    #[test]
    fn a_failing_check_read_back_without_parts_marks_everything_it_covers() {
        let mut report = sample_report(Template::Y2021);
        report.section_four.litigation_direct.total += 1;
        let mut report = with_checks_rerun(report);
        for check in &mut report.checks {
            check.failing.clear();
        }
        let marked = failing_cells(&report);
        assert_eq!(marked.section_four, AppealKind::ALL.iter().copied().collect());
        assert!(marked.section_three.is_empty());
    }
}
