//! The official layout of the header and label cells that every renderer draws from.

use super::*;
use crate::report::{index_u16, index_u32};

/// A cell of a table's header or label area in the official layout, relative to the area's top-left
/// corner, with its spans (1 for an unmerged cell).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LayoutCell {
    /// The text printed in the cell.
    pub text: &'static str,
    /// First row (0-based, relative to the area).
    pub row: u32,
    /// First column (0-based, relative to the area).
    pub col: u16,
    /// Number of rows covered.
    pub row_span: u32,
    /// Number of columns covered.
    pub col_span: u16,
}

impl LayoutCell {
    /// Whether the cell covers more than one grid cell.
    pub fn is_merged(&self) -> bool {
        self.row_span > 1 || self.col_span > 1
    }
}

/// Builds a `LayoutCell`.
const fn cell(text: &'static str, row: u32, col: u16, row_span: u32, col_span: u16) -> LayoutCell {
    LayoutCell { text, row, col, row_span, col_span }
}

/// The number of header rows of section three.
pub const SECTION_THREE_HEADER_ROWS: u32 = 3;
/// The number of label columns of section three (part, group, item) before the seven number columns.
pub const SECTION_THREE_LABEL_COLUMNS: u16 = 3;

/// The header block of section three: 3 rows × 10 columns (3 label columns + 7 number columns). The note
/// fills the 3×3 top-left block; 申请人情况 spans the seven number columns; 自然人 and 总计 span two rows;
/// 法人或其他组织 spans the five organisation columns above their labels.
pub fn section_three_header() -> Vec<LayoutCell> {
    let l = SECTION_THREE_LABEL_COLUMNS;
    let mut cells = vec![
        cell(SECTION_THREE_NOTE, 0, 0, 3, l),
        cell(APPLICANT_HEADER, 0, l, 1, 7),
        cell(Column::NaturalPerson.label(), 1, l, 2, 1),
        cell(ORGANISATION_HEADER, 1, l + 1, 1, 5),
        cell(Column::Total.label(), 1, l + 6, 2, 1),
    ];
    for (i, column) in Column::ALL[1..6].iter().enumerate() {
        cells.push(cell(column.label(), 2, l + 1 + index_u16(i), 1, 1));
    }
    cells.sort_by_key(|c| (c.row, c.col));
    cells
}

/// The label area of section three (3 columns: part, group, item) for `template`, one grid row per
/// table row (row i = `RowKey::rows(template)[i]`):
/// - 一、二、四 span all three columns;
/// - 三、本年度办理结果 spans column 0 over every outcome row and `concluded_total`;
/// - one-row groups （一）（二）, 2019's （六） and （七） span columns 1–2;
/// - （三）（四）（五） and 2021's （六） span column 1 over their sub-rows, whose labels sit in column 2.
pub fn section_three_labels(template: Template) -> Vec<LayoutCell> {
    let rows = RowKey::rows(template);
    let mut cells = Vec::new();
    let result_rows = rows.iter().filter(|r| matches!(r.group(), RowGroup::Result(_))).count();
    for (i, &key) in rows.iter().enumerate() {
        let r = index_u32(i);
        let previous = i.checked_sub(1).and_then(|p| rows.get(p)).copied();
        match key.group() {
            RowGroup::Result(_) => {
                if !matches!(previous.map(RowKey::group), Some(RowGroup::Result(_))) {
                    cells.push(cell(RESULTS_LABEL, r, 0, index_u32(result_rows), 1));
                }
                match key.group_heading() {
                    Some(heading) => {
                        if previous.and_then(RowKey::group_heading) != Some(heading) {
                            let span = rows[i..].iter().take_while(|k| k.group_heading() == Some(heading)).count();
                            cells.push(cell(heading, r, 1, index_u32(span), 1));
                        }
                        cells.push(cell(key.label(), r, 2, 1, 1));
                    }
                    None => cells.push(cell(key.label(), r, 1, 1, 2)),
                }
            }
            _ => cells.push(cell(key.label(), r, 0, 1, 3)),
        }
    }
    cells
}

/// The header block of section four: 3 rows × 15 columns. 行政复议 spans 5 columns and its five column
/// labels span rows 1–2; 行政诉讼 spans 10, split into 未经复议直接起诉 (5) and 复议后起诉 (5) in row 1,
/// with their column labels in row 2.
pub fn section_four_header() -> Vec<LayoutCell> {
    let mut cells = vec![
        cell(AppealKind::Reconsideration.label(), 0, 0, 1, 5),
        cell(LITIGATION_HEADER, 0, 5, 1, 10),
        cell(AppealKind::LitigationDirect.label(), 1, 5, 1, 5),
        cell(AppealKind::LitigationAfterReconsideration.label(), 1, 10, 1, 5),
    ];
    for (i, label) in APPEAL_COLUMN_LABELS.iter().enumerate() {
        let i = index_u16(i);
        cells.push(cell(label, 1, i, 2, 1));
        cells.push(cell(label, 2, 5 + i, 1, 1));
        cells.push(cell(label, 2, 10 + i, 1, 1));
    }
    cells.sort_by_key(|c| (c.row, c.col));
    cells
}

/// The number of header rows of section four.
pub const SECTION_FOUR_HEADER_ROWS: u32 = 3;
