//! Section three (收到和处理政府信息公开申请情况): the counts per category and the table built from them.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::*;

/// Figures per applicant category.
pub type CategoryCounts = BTreeMap<ApplicantCategory, i64>;

/// The input of section three, as aggregated from the cases of one agency (and, if asked, its
/// descendants) for one year Y, by the counting rules of report.md. Missing keys count as 0.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Counts {
    /// Cases received in Y.
    pub new_received: CategoryCounts,
    /// Cases received before 1 January Y and not concluded before then.
    pub carried_over: CategoryCounts,
    /// Cases received on or before 31 December Y and not concluded by then.
    pub carried_forward: CategoryCounts,
    /// Cases concluded in Y, per outcome and category.
    pub concluded: BTreeMap<(Outcome, ApplicantCategory), i64>,
    /// `carried_forward` of Y−1, for check 4: the figures of the sealed Y−1 report when there is one
    /// (so later corrections to Y−1 show up as a failed check), otherwise the live figures for Y−1.
    /// `None` when the caller has no figures for Y−1; check 4 then passes and says it was not checked.
    pub previous_carried_forward: Option<CategoryCounts>,
}

/// One row of section three.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct TableRow {
    /// The row's key.
    pub key: RowKey,
    /// The row's label as printed.
    pub label: String,
    /// Seven values in the order of `Column::ALL`, the total last.
    pub values: Vec<i64>,
}

impl TableRow {
    /// The value in `column`, if the row has it.
    pub fn get(&self, column: Column) -> Option<i64> {
        self.values.get(column.index()).copied()
    }
}

/// Section three: 收到和处理政府信息公开申请情况.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct SectionThree {
    /// The column keys, `Column::ALL` in order.
    pub columns: Vec<Column>,
    /// Every row of the template in report order, zeros included.
    pub rows: Vec<TableRow>,
}

impl SectionThree {
    /// Builds the table of `template` from aggregated counts: every row of the template, the `total`
    /// column the sum of the six category columns. Sums saturate instead of overflowing, so absurd
    /// input shows up as failed checks rather than a panic.
    pub fn from_counts(template: Template, counts: &Counts) -> Self {
        let concluded_in = |outcomes: &[Outcome], category: ApplicantCategory| {
            outcomes.iter().fold(0i64, |sum, &outcome| {
                sum.saturating_add(counts.concluded.get(&(outcome, category)).copied().unwrap_or(0))
            })
        };
        let rows = RowKey::rows(template)
            .iter()
            .map(|&key| {
                let mut values: Vec<i64> = ApplicantCategory::ALL
                    .iter()
                    .map(|&category| {
                        let from = |map: &CategoryCounts| map.get(&category).copied().unwrap_or(0);
                        match key {
                            RowKey::NewReceived => from(&counts.new_received),
                            RowKey::CarriedOver => from(&counts.carried_over),
                            RowKey::CarriedForward => from(&counts.carried_forward),
                            RowKey::ConcludedTotal => concluded_in(Outcome::ALL, category),
                            _ => concluded_in(key.outcomes(), category),
                        }
                    })
                    .collect();
                values.push(values.iter().fold(0i64, |sum, &v| sum.saturating_add(v)));
                TableRow { key, label: key.label().to_owned(), values }
            })
            .collect();
        Self { columns: Column::ALL.to_vec(), rows }
    }

    /// The row with `key`, if the table has it.
    pub fn row(&self, key: RowKey) -> Option<&TableRow> {
        self.rows.iter().find(|row| row.key == key)
    }

    /// The value at (`row`, `column`), if the table has it.
    pub fn get(&self, row: RowKey, column: Column) -> Option<i64> {
        self.row(row).and_then(|r| r.get(column))
    }
}
