//! The tables of sections two to four as grids of cells with their spans, built from the official
//! layout of `report::model` (the same cells the XLSX and the printable page draw), for writing
//! them as Word tables.

use crate::report::model::{
    section_four_header, section_three_header, section_three_labels, AnnualReport, Column, LayoutCell, RowKey,
    SECTION_FOUR_HEADER_ROWS, SECTION_THREE_HEADER_ROWS, SECTION_THREE_LABEL_COLUMNS,
};
use crate::report::section_two::Block;
use crate::report::{index_u16, index_u32};

/// What a cell holds, which decides how it is set.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum CellKind {
    /// A column heading (centred).
    Header,
    /// The note in section three's top-left cell (left, smaller).
    Note,
    /// A row label (left).
    Label,
    /// A figure (centred).
    Number,
}

/// A cell at its grid position with its spans.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct GridCell {
    pub row: u32,
    pub col: u16,
    pub row_span: u32,
    pub col_span: u16,
    pub text: String,
    pub kind: CellKind,
}

impl GridCell {
    fn at(layout: &LayoutCell, row_offset: u32, text: &str, kind: CellKind) -> Self {
        Self {
            row: layout.row + row_offset,
            col: layout.col,
            row_span: layout.row_span,
            col_span: layout.col_span,
            text: text.to_owned(),
            kind,
        }
    }

    fn single(row: u32, col: u16, text: String, kind: CellKind) -> Self {
        Self { row, col, row_span: 1, col_span: 1, text, kind }
    }
}

/// What occupies one grid position of a row as written: a cell starting in this row, or the
/// continuation of a cell merged down from a row above.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Slot<'a> {
    Start(&'a GridCell),
    Continue(&'a GridCell),
}

/// A table: its column widths (twentieths of a point), the rows repeated on each page, its cells.
#[derive(Clone, Debug)]
pub(crate) struct Grid {
    pub widths: Vec<u32>,
    pub header_rows: u32,
    pub cells: Vec<GridCell>,
}

impl Grid {
    /// The number of rows.
    pub(crate) fn rows(&self) -> u32 {
        self.cells.iter().map(|c| c.row + c.row_span).max().unwrap_or(0)
    }

    /// The slots of row `r` from left to right; each slot covers its cell's `col_span` columns.
    pub(crate) fn row_slots(&self, r: u32) -> Vec<Slot<'_>> {
        let mut slots: Vec<(u16, Slot<'_>)> = self
            .cells
            .iter()
            .filter(|c| c.row <= r && r < c.row + c.row_span)
            .map(|c| (c.col, if c.row == r { Slot::Start(c) } else { Slot::Continue(c) }))
            .collect();
        slots.sort_by_key(|(col, _)| *col);
        slots.into_iter().map(|(_, slot)| slot).collect()
    }

    /// The width of `span` columns from `col`.
    pub(crate) fn width(&self, col: u16, span: u16) -> u32 {
        let from = usize::from(col);
        self.widths.iter().skip(from).take(usize::from(span)).sum()
    }
}

/// `width` split into `n` equal columns, the remainder added to the last.
fn equal_widths(width: u32, n: u32) -> Vec<u32> {
    let n = n.max(1);
    let each = width / n;
    let mut widths = vec![each; usize::try_from(n).unwrap_or(1)];
    if let Some(last) = widths.last_mut() {
        *last += width - each * n;
    }
    widths
}

/// Section three: the header block, the label area and the seven figures of every row. A table
/// whose rows are not the template's (a corrupt one) still prints, each label across the three
/// label columns.
pub(crate) fn section_three(report: &AnnualReport, width: u32) -> Grid {
    // 三、本年度办理结果 in three short lines; （三）不予公开 on one; four characters of 9 pt
    // (商业企业) per figure column; the rest for the items.
    let (part, group, figure) = (700, 1500, 780);
    let item = width.saturating_sub(part + group + 7 * figure).max(figure);
    let mut widths = vec![part, group, item];
    widths.extend([figure; 7]);
    let header = SECTION_THREE_HEADER_ROWS;
    let mut cells: Vec<GridCell> = section_three_header()
        .iter()
        .map(|c| {
            let kind = if c.row == 0 && c.col == 0 { CellKind::Note } else { CellKind::Header };
            GridCell::at(c, 0, c.text, kind)
        })
        .collect();
    let rows = &report.section_three.rows;
    let official = rows.iter().map(|r| r.key).eq(RowKey::rows(report.template).iter().copied());
    let labels = section_three_labels(report.template);
    for (i, row) in rows.iter().enumerate() {
        let r = header + index_u32(i);
        if official {
            for cell in labels.iter().filter(|c| c.row == index_u32(i)) {
                // The row's own label: the table's, which its figures belong to.
                let text = if cell.text == row.key.label() { row.label.as_str() } else { cell.text };
                cells.push(GridCell::at(cell, header, text, CellKind::Label));
            }
        } else {
            let l = SECTION_THREE_LABEL_COLUMNS;
            cells.push(GridCell {
                row: r,
                col: 0,
                row_span: 1,
                col_span: l,
                text: row.label.clone(),
                kind: CellKind::Label,
            });
        }
        for (column, value) in Column::ALL.iter().zip(&row.values) {
            let col = SECTION_THREE_LABEL_COLUMNS + index_u16(column.index());
            cells.push(GridCell::single(r, col, value.to_string(), CellKind::Number));
        }
    }
    Grid { widths, header_rows: header, cells }
}

/// Section four: the header block and its one row of fifteen figures.
pub(crate) fn section_four(report: &AnnualReport, width: u32) -> Grid {
    let mut cells: Vec<GridCell> =
        section_four_header().iter().map(|c| GridCell::at(c, 0, c.text, CellKind::Header)).collect();
    for (i, value) in report.section_four.values().iter().enumerate() {
        cells.push(GridCell::single(SECTION_FOUR_HEADER_ROWS, index_u16(i), value.to_string(), CellKind::Number));
    }
    Grid { widths: equal_widths(width, 15), header_rows: SECTION_FOUR_HEADER_ROWS, cells }
}

/// One block of section two: its heading across the table, the column labels, one row per item.
pub(crate) fn section_two_block(block: &Block, width: u32) -> Grid {
    let columns = index_u16(block.columns.len());
    let first = width * 2 / 5;
    let mut widths = vec![first];
    widths.extend(equal_widths(width - first, u32::from(columns.saturating_sub(1))));
    let mut cells = vec![GridCell {
        row: 0,
        col: 0,
        row_span: 1,
        col_span: columns,
        text: block.heading.to_owned(),
        kind: CellKind::Header,
    }];
    for (c, label) in block.columns.iter().enumerate() {
        cells.push(GridCell::single(1, index_u16(c), (*label).to_owned(), CellKind::Header));
    }
    for (i, row) in block.rows.iter().enumerate() {
        let r = 2 + index_u32(i);
        cells.push(GridCell::single(r, 0, row.label.to_owned(), CellKind::Label));
        for (c, figure) in row.figures.iter().enumerate() {
            cells.push(GridCell::single(r, 1 + index_u16(c), figure.display(), CellKind::Number));
        }
    }
    Grid { widths, header_rows: 2, cells }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::model::Template;
    use crate::report::tests::sample_report;

    /// Every grid position is covered by exactly one cell.
    fn assert_tiled(grid: &Grid) {
        let columns = grid.widths.len();
        for r in 0..grid.rows() {
            let covered: usize = grid
                .row_slots(r)
                .iter()
                .map(|s| match s {
                    Slot::Start(c) | Slot::Continue(c) => usize::from(c.col_span),
                })
                .sum();
            assert_eq!(covered, columns, "row {r}");
        }
    }

    #[test]
    fn every_table_tiles_its_grid() {
        for &template in Template::ALL {
            let report = sample_report(template);
            let three = section_three(&report, 9412);
            assert_eq!(three.rows(), 3 + index_u32(report.section_three.rows.len()));
            assert_eq!(three.widths.iter().sum::<u32>(), 9412);
            assert_tiled(&three);
            let four = section_four(&report, 9412);
            assert_eq!(four.rows(), 4);
            assert_eq!(four.widths.iter().sum::<u32>(), 9412);
            assert_tiled(&four);
            for block in report.section_two.as_ref().map(|s| s.blocks()).unwrap_or_default() {
                let grid = section_two_block(&block, 9412);
                assert_eq!(grid.widths.iter().sum::<u32>(), 9412);
                assert_tiled(&grid);
            }
        }
    }
}
