//! XLSX export laid out like the official tables, written with rust_xlsxwriter.
//!
//! # Cell layout
//!
//! Rows and columns below are 0-based (`(row, col)`, as rust_xlsxwriter and calamine count them) with
//! the A1 address in brackets. Every number is written as a number, zeros included; every cell of the
//! tables has thin borders; text wraps.
//!
//! Sheets, in the order of the report: section two, section three, section four. Row 0 of every
//! sheet is the report's title naming the agency, the year and 本级/汇总 ([`AnnualReport::title`]),
//! merged across the sheet's columns; row 1 is the section's title, merged likewise.
//!
//! **Sheet `二、主动公开政府信息情况`** ([`SECTION_TWO_SHEET`]), columns A–D: rows 0–1 the titles
//! merged A:D; row 2, when not every agency entered its figures, the status (未填报, or for a compiled
//! report which agencies have not entered theirs) merged A3:D3, and nothing more when none did; then
//! for each block of `SectionTwo::blocks` a heading row (第二十条第（…）项, merged A:D), a
//! column-label row (信息内容 in A, then the labels) and one row per item (label in A, figures from B).
//! A block's last column is merged through D when the block has fewer than four columns. Amounts are
//! written in 万元 as numbers.
//!
//! **Sheet `三、收到和处理政府信息公开申请情况`** ([`SECTION_THREE_SHEET`]), columns A–J:
//! - rows 0–1: the titles, merged A1:J1 and A2:J2;
//! - rows 2–4 (A3:J5): the header block. The note （本列数据的勾稽关系为：…） merged A3:C5; 申请人情况
//!   merged D3:J3; 自然人 D4:D5; 法人或其他组织 E4:I4; 总计 J4:J5; 商业企业 … 其他 in E5 … I5;
//! - row `5 + i` (A`6 + i`): table row i, i.e. `RowKey::rows(template)[i]`; its seven numbers in
//!   columns 3–9 (D–J) in the order of `Column::ALL` (total in J). [`section_three_cell`] computes the
//!   address. Template 2019: rows 5–27 (A6:J28); template 2021: rows 5–29 (A6:J30).
//! - the label columns A–C follow `model::section_three_labels`, shifted down by 5 rows:
//!   一、… (row 5), 二、… (row 6) and 四、… (last row) merged across A:C; 三、本年度办理结果 merged in
//!   column A from row 7 to the `concluded_total` row (2019: A8:A27, 2021: A8:A29); one-row groups
//!   （一）, （二）, 2019's （六） and （七） merged across B:C; （三）不予公开 B10:B17, （四）无法提供
//!   B18:B20, （五）不予处理 B21:B25 and, in 2021, （六）其他处理 B26:B28 merged in column B with the
//!   sub-row labels 1., 2., … in column C.
//!
//! A row whose key the template lacks (possible only in a hand-edited table) is appended after the
//! template's rows, its label merged across A:C.
//!
//! **Sheet `四、政府信息公开行政复议、行政诉讼情况`** ([`SECTION_FOUR_SHEET`]), columns A–O:
//! - rows 0–1: the titles, merged A1:O1 and A2:O2;
//! - row 2: 行政复议 merged A3:E3, 行政诉讼 merged F3:O3;
//! - row 3: 结果维持, 结果纠正, 其他结果, 尚未审结, 总计 of 行政复议, each merged over rows 3–4 (A4:A5 …
//!   E4:E5); 未经复议直接起诉 merged F4:J4; 复议后起诉 merged K4:O4;
//! - row 4: the five column labels under each litigation kind (F5:J5 and K5:O5);
//! - row 5: the 15 numbers, A6:E6 reconsideration, F6:J6 direct litigation, K6:O6 litigation after
//!   reconsideration, each as upheld, corrected, other, pending, total ([`section_four_cell`]).

use rust_xlsxwriter::{DocProperties, Format, FormatAlign, FormatBorder, Workbook, Worksheet};

use super::model::{
    section_four_header, section_three_header, section_three_labels, AnnualReport, AppealKind, Column, LayoutCell,
    RowKey, Template, SECTION_FOUR_HEADER_ROWS, SECTION_FOUR_TITLE, SECTION_THREE_HEADER_ROWS,
    SECTION_THREE_LABEL_COLUMNS, SECTION_THREE_TITLE, SECTION_TWO_TITLE,
};
use super::section_two::{Figure, SectionTwoState};
use super::{as_number, index_u16, index_u32, ReportError};

/// The media type to serve the workbook with.
pub const CONTENT_TYPE: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

/// The name of section three's sheet (18 characters, within Excel's limit of 31).
pub const SECTION_THREE_SHEET: &str = SECTION_THREE_TITLE;
/// The name of section four's sheet.
pub const SECTION_FOUR_SHEET: &str = SECTION_FOUR_TITLE;
/// The name of section two's sheet.
pub const SECTION_TWO_SHEET: &str = SECTION_TWO_TITLE;

/// The rows above each sheet's header block: the report's title and the section's.
pub const TITLE_ROWS: u32 = 2;
/// The sheet row (0-based) of section three's first table row.
pub const SECTION_THREE_FIRST_ROW: u32 = TITLE_ROWS + SECTION_THREE_HEADER_ROWS;
/// The sheet column (0-based) of section three's first number column (D).
pub const SECTION_THREE_FIRST_NUMBER_COL: u16 = SECTION_THREE_LABEL_COLUMNS;
/// The sheet row (0-based) of section four's numbers.
pub const SECTION_FOUR_NUMBER_ROW: u32 = TITLE_ROWS + SECTION_FOUR_HEADER_ROWS;

/// The (row, col) of a section-three number in its sheet, 0-based; `None` when the template lacks the
/// row.
pub fn section_three_cell(template: Template, row: RowKey, column: Column) -> Option<(u32, u16)> {
    let index = RowKey::rows(template).iter().position(|&k| k == row)?;
    // At most 25 rows and 7 columns: the conversions cannot truncate.
    Some((SECTION_THREE_FIRST_ROW + index_u32(index), SECTION_THREE_FIRST_NUMBER_COL + index_u16(column.index())))
}

/// The (row, col) of a section-four number in its sheet, 0-based; `figure` indexes
/// upheld, corrected, other, pending, total (0–4, larger values are clamped to 4).
pub fn section_four_cell(kind: AppealKind, figure: usize) -> (u32, u16) {
    let kind_index: u16 = match kind {
        AppealKind::Reconsideration => 0,
        AppealKind::LitigationDirect => 1,
        AppealKind::LitigationAfterReconsideration => 2,
    };
    let figure = index_u16(figure.min(4));
    (SECTION_FOUR_NUMBER_ROW, kind_index * 5 + figure)
}

/// The A1 address of a 0-based (row, col), e.g. `(4, 3)` → `D5`.
pub fn a1(row: u32, col: u16) -> String {
    let mut letters = Vec::new();
    let mut n = u32::from(col) + 1;
    while n > 0 {
        let rem = (n - 1) % 26;
        // rem < 26: the conversion cannot truncate.
        letters.push(char::from(b'A' + u8::try_from(rem).unwrap_or(0)));
        n = (n - 1) / 26;
    }
    letters.iter().rev().collect::<String>() + &(row + 1).to_string()
}

/// The cell formats of the workbook.
struct Formats {
    report_title: Format,
    title: Format,
    status: Format,
    header: Format,
    note: Format,
    label: Format,
    group: Format,
    block_heading: Format,
    count: Format,
    amount: Format,
}

impl Formats {
    fn new() -> Self {
        let base = Format::new()
            .set_font_name("SimSun")
            .set_font_size(10.5)
            .set_border(FormatBorder::Thin)
            .set_text_wrap()
            .set_align(FormatAlign::VerticalCenter);
        Self {
            report_title: Format::new()
                .set_font_name("SimSun")
                .set_font_size(16)
                .set_bold()
                .set_text_wrap()
                .set_align(FormatAlign::Center)
                .set_align(FormatAlign::VerticalCenter),
            status: base.clone().set_bold().set_align(FormatAlign::Left),
            title: Format::new()
                .set_font_name("SimSun")
                .set_font_size(14)
                .set_bold()
                .set_align(FormatAlign::Center)
                .set_align(FormatAlign::VerticalCenter),
            header: base.clone().set_align(FormatAlign::Center),
            note: base.clone().set_font_size(9).set_align(FormatAlign::Left),
            label: base.clone().set_align(FormatAlign::Left),
            group: base.clone().set_align(FormatAlign::Center),
            block_heading: base.clone().set_bold().set_align(FormatAlign::Left),
            count: base.clone().set_align(FormatAlign::Center).set_num_format("0"),
            amount: base.set_align(FormatAlign::Center).set_num_format("General"),
        }
    }
}

/// Writes text over a range, merging when it covers more than one cell.
fn text(
    sheet: &mut Worksheet,
    (row, col): (u32, u16),
    (row_span, col_span): (u32, u16),
    value: &str,
    format: &Format,
) -> Result<(), ReportError> {
    if row_span > 1 || col_span > 1 {
        sheet.merge_range(row, col, row + row_span - 1, col + col_span - 1, value, format)?;
    } else {
        sheet.write_string_with_format(row, col, value, format)?;
    }
    Ok(())
}

/// Writes a layout cell shifted by `(row_offset, col_offset)`.
fn layout(
    sheet: &mut Worksheet,
    cell: &LayoutCell,
    row_offset: u32,
    value: &str,
    format: &Format,
) -> Result<(), ReportError> {
    text(sheet, (cell.row + row_offset, cell.col), (cell.row_span, cell.col_span), value, format)
}

/// A row height (points) for `value` wrapped in a cell `width` character units wide, at least 18.
fn height_for(value: &str, width: f64) -> f64 {
    // A CJK character takes about two character units; keep a margin for the cell padding.
    let units: usize = value.chars().map(|c| if c.is_ascii() { 1 } else { 2 }).sum();
    let per_line = (width - 1.0).max(2.0);
    let lines = (as_number(i64::try_from(units).unwrap_or(i64::MAX)) / per_line).ceil().max(1.0);
    (lines * 14.0 + 4.0).max(18.0)
}

/// Renders the report as an XLSX workbook laid out as documented in this module.
///
/// # Errors
///
/// `ReportError::Xlsx` if rust_xlsxwriter refuses a cell, range or sheet name or fails to pack.
pub fn render_xlsx(report: &AnnualReport) -> Result<Vec<u8>, ReportError> {
    let formats = Formats::new();
    let mut workbook = Workbook::new();
    workbook.set_properties(&DocProperties::new().set_title(report.title()));
    section_two_sheet(workbook.add_worksheet(), report, &formats)?;
    section_three_sheet(workbook.add_worksheet(), report, &formats)?;
    section_four_sheet(workbook.add_worksheet(), report, &formats)?;
    Ok(workbook.save_to_buffer()?)
}

/// Rows 0 and 1 of a sheet `columns` wide: the report's title and the section's.
fn titles(
    sheet: &mut Worksheet,
    report: &AnnualReport,
    section: &str,
    columns: u16,
    f: &Formats,
) -> Result<(), ReportError> {
    text(sheet, (0, 0), (1, columns), &report.title(), &f.report_title)?;
    sheet.set_row_height(0, 42)?;
    text(sheet, (1, 0), (1, columns), section, &f.title)?;
    sheet.set_row_height(1, 28)?;
    Ok(())
}

/// Column widths of section three, A–J.
const SECTION_THREE_WIDTHS: [f64; 10] = [6.0, 10.0, 34.0, 8.0, 8.0, 8.0, 8.0, 8.0, 8.0, 8.0];

fn section_three_sheet(sheet: &mut Worksheet, report: &AnnualReport, f: &Formats) -> Result<(), ReportError> {
    sheet.set_name(SECTION_THREE_SHEET)?;
    sheet.set_paper_size(9).set_print_fit_to_pages(1, 1);
    for (col, width) in SECTION_THREE_WIDTHS.iter().enumerate() {
        sheet.set_column_width(index_u16(col), *width)?;
    }
    titles(sheet, report, SECTION_THREE_TITLE, 10, f)?;
    for cell in section_three_header() {
        let format = if cell.row == 0 && cell.col == 0 { &f.note } else { &f.header };
        layout(sheet, &cell, TITLE_ROWS, cell.text, format)?;
    }
    sheet.set_row_height(TITLE_ROWS + 2, 30)?;

    let labels = section_three_labels(report.template);
    let template_rows = RowKey::rows(report.template);
    let mut extra = 0u32;
    for row in &report.section_three.rows {
        let sheet_row = match template_rows.iter().position(|&k| k == row.key) {
            Some(index) => {
                let sheet_row = SECTION_THREE_FIRST_ROW + index_u32(index);
                for cell in labels.iter().filter(|c| c.row == index_u32(index)) {
                    if cell.text == row.key.label() {
                        // The row's own label: write the table's, which is what its figures belong to.
                        layout(sheet, cell, SECTION_THREE_FIRST_ROW, &row.label, &f.label)?;
                        let width: f64 =
                            SECTION_THREE_WIDTHS[usize::from(cell.col)..].iter().take(usize::from(cell.col_span)).sum();
                        sheet.set_row_height(sheet_row, height_for(&row.label, width))?;
                    } else {
                        layout(sheet, cell, SECTION_THREE_FIRST_ROW, cell.text, &f.group)?;
                    }
                }
                sheet_row
            }
            None => {
                let sheet_row = SECTION_THREE_FIRST_ROW + index_u32(template_rows.len()) + extra;
                extra += 1;
                text(sheet, (sheet_row, 0), (1, 3), &row.label, &f.label)?;
                sheet_row
            }
        };
        for (i, value) in row.values.iter().take(Column::COUNT).enumerate() {
            sheet.write_number_with_format(
                sheet_row,
                SECTION_THREE_FIRST_NUMBER_COL + index_u16(i),
                as_number(*value),
                &f.count,
            )?;
        }
    }
    Ok(())
}

fn section_four_sheet(sheet: &mut Worksheet, report: &AnnualReport, f: &Formats) -> Result<(), ReportError> {
    sheet.set_name(SECTION_FOUR_SHEET)?;
    sheet.set_paper_size(9).set_landscape().set_print_fit_to_pages(1, 1);
    sheet.set_column_range_width(0, 14, 8)?;
    titles(sheet, report, SECTION_FOUR_TITLE, 15, f)?;
    for cell in section_four_header() {
        layout(sheet, &cell, TITLE_ROWS, cell.text, &f.header)?;
    }
    for &kind in AppealKind::ALL {
        for (i, value) in report.section_four.figures(kind).values().iter().enumerate() {
            let (row, col) = section_four_cell(kind, i);
            sheet.write_number_with_format(row, col, as_number(*value), &f.count)?;
        }
    }
    sheet.set_row_height(SECTION_FOUR_NUMBER_ROW, 20)?;
    Ok(())
}

fn section_two_sheet(sheet: &mut Worksheet, report: &AnnualReport, f: &Formats) -> Result<(), ReportError> {
    const COLUMNS: u16 = 4;
    sheet.set_name(SECTION_TWO_SHEET)?;
    sheet.set_paper_size(9).set_print_fit_to_pages(1, 1);
    sheet.set_column_width(0, 24)?;
    sheet.set_column_range_width(1, COLUMNS - 1, 16)?;
    titles(sheet, report, SECTION_TWO_TITLE, COLUMNS, f)?;
    let mut row = TITLE_ROWS;
    let status = &report.section_two_status;
    if status.state != SectionTwoState::Entered || report.section_two.is_none() {
        let sentence = status.sentence();
        text(sheet, (row, 0), (1, COLUMNS), &sentence, &f.status)?;
        sheet.set_row_height(row, height_for(&sentence, 24.0 + 16.0 * 3.0))?;
        row += 1;
    }
    let Some(section_two) = report.section_two.as_ref().filter(|_| status.state != SectionTwoState::Missing) else {
        return Ok(());
    };
    for block in section_two.blocks() {
        text(sheet, (row, 0), (1, COLUMNS), block.heading, &f.block_heading)?;
        row += 1;
        // The last column takes up the remaining width of the four-column grid.
        let last = index_u16(block.columns.len()).clamp(1, COLUMNS) - 1;
        let span = |col: u16| if col == last { COLUMNS - last } else { 1 };
        for (col, label) in block.columns.iter().enumerate() {
            let col = index_u16(col);
            text(sheet, (row, col), (1, span(col)), label, &f.header)?;
        }
        sheet.set_row_height(row, 30)?;
        row += 1;
        for item in &block.rows {
            text(sheet, (row, 0), (1, 1), item.label, &f.label)?;
            for (i, figure) in item.figures.iter().enumerate() {
                let col = index_u16(i) + 1;
                let format = match figure {
                    Figure::Count(_) => &f.count,
                    Figure::Fen(_) => &f.amount,
                };
                if span(col) > 1 {
                    // Format the merged area first, then write the number into its first cell.
                    sheet.merge_range(row, col, row, col + span(col) - 1, "", format)?;
                }
                sheet.write_number_with_format(row, col, figure.as_f64(), format)?;
            }
            row += 1;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use std::fmt::Write as _;
    use std::io::Cursor;

    use calamine::{Data, Reader, Xlsx};

    use super::*;
    use crate::report::tests::{portable_snapshots, sample_report};

    /// Reads a workbook back: per sheet, every non-empty cell with its A1 address (numbers as `#n`,
    /// text quoted) and the sorted merged ranges.
    pub(crate) fn read_back(bytes: Vec<u8>) -> String {
        let mut workbook: Xlsx<_> = Xlsx::new(Cursor::new(bytes)).unwrap();
        let mut out = String::new();
        for name in workbook.sheet_names() {
            writeln!(out, "== {name} ==").unwrap();
            let range = workbook.worksheet_range(&name).unwrap();
            let (top, left) = range.start().unwrap_or((0, 0));
            for (r, c, data) in range.used_cells() {
                let address = a1(top + index_u32(r), index_u16(usize::try_from(left).unwrap_or(0) + c));
                let shown = match data {
                    Data::Float(v) => format!("#{v}"),
                    Data::Int(v) => format!("#{v}"),
                    Data::String(s) => format!("{s:?}"),
                    other => format!("{other:?}"),
                };
                writeln!(out, "{address} {shown}").unwrap();
            }
            let mut merged = workbook.merge_cells_by_sheet_name(&name).unwrap();
            merged.sort_by_key(|d| (d.start, d.end));
            let merged: Vec<String> = merged
                .iter()
                .map(|d| {
                    format!(
                        "{}:{}",
                        a1(d.start.0, index_u16(usize::try_from(d.start.1).unwrap_or(0))),
                        a1(d.end.0, index_u16(usize::try_from(d.end.1).unwrap_or(0)))
                    )
                })
                .collect();
            writeln!(out, "merged: {}", merged.join(" ")).unwrap();
        }
        out
    }

    #[test]
    fn a1_addresses() {
        assert_eq!(a1(0, 0), "A1");
        assert_eq!(a1(4, 3), "D5");
        assert_eq!(a1(9, 25), "Z10");
        assert_eq!(a1(0, 26), "AA1");
        assert_eq!(a1(0, 701), "ZZ1");
    }

    #[test]
    fn cell_addresses_follow_the_documented_layout() {
        assert_eq!(section_three_cell(Template::Y2019, RowKey::NewReceived, Column::NaturalPerson), Some((5, 3)));
        assert_eq!(section_three_cell(Template::Y2019, RowKey::CarriedForward, Column::Total), Some((27, 9)));
        assert_eq!(section_three_cell(Template::Y2021, RowKey::CarriedForward, Column::Total), Some((29, 9)));
        assert_eq!(section_three_cell(Template::Y2019, RowKey::OtherMisc, Column::Total), None);
        assert_eq!(section_four_cell(AppealKind::Reconsideration, 0), (5, 0));
        assert_eq!(section_four_cell(AppealKind::LitigationAfterReconsideration, 4), (5, 14));
    }

    #[test]
    fn every_number_lands_at_its_documented_address() {
        for template in Template::ALL.iter().copied() {
            let report = sample_report(template);
            let mut workbook: Xlsx<_> = Xlsx::new(Cursor::new(render_xlsx(&report).unwrap())).unwrap();
            let three = workbook.worksheet_range(SECTION_THREE_SHEET).unwrap();
            for &row in RowKey::rows(template) {
                for column in Column::ALL {
                    let (r, c) = section_three_cell(template, row, column).unwrap();
                    let expected = as_number(report.cell(row, column));
                    assert_eq!(three.get_value((r, u32::from(c))), Some(&Data::Float(expected)), "{row} {column}");
                }
            }
            let four = workbook.worksheet_range(SECTION_FOUR_SHEET).unwrap();
            for &kind in AppealKind::ALL {
                for (i, value) in report.section_four.figures(kind).values().iter().enumerate() {
                    let (r, c) = section_four_cell(kind, i);
                    assert_eq!(four.get_value((r, u32::from(c))), Some(&Data::Float(as_number(*value))));
                }
            }
        }
    }

    #[test]
    fn zeros_are_written_as_numbers() {
        let mut report = sample_report(Template::Y2019);
        for row in &mut report.section_three.rows {
            row.values = vec![0; 7];
        }
        let grid = read_back(render_xlsx(&report).unwrap());
        assert!(grid.contains("\nD6 #0\n") && grid.contains("\nJ28 #0\n"), "{grid}");
    }

    #[test]
    fn every_sheet_starts_with_the_report_title_and_a_missing_section_two_is_marked() {
        let mut report = sample_report(Template::Y2021);
        report.scope = crate::report::ReportScope::Compiled;
        report.section_two = None;
        report.section_two_status = crate::report::SectionTwoStatus::new(false, Vec::new());
        let grid = read_back(render_xlsx(&report).unwrap());
        let title = "\"示例市示例区人民政府2022年政府信息公开工作年度报告（统计部分·汇总）\"";
        assert_eq!(grid.matches(&format!("==\nA1 {title}\n")).count(), 3, "{grid}");
        let two: Vec<&str> = grid.split("== ").nth(1).unwrap().lines().collect();
        assert_eq!(
            two,
            [
                "二、主动公开政府信息情况 ==",
                &format!("A1 {title}"),
                "A2 \"二、主动公开政府信息情况\"",
                "A3 \"未填报\"",
                "merged: A1:D1 A2:D2 A3:D3"
            ]
        );
    }

    #[test]
    fn xlsx_of_template_2019_matches_snapshot() {
        portable_snapshots(|| {
            insta::assert_snapshot!("xlsx_2019", read_back(render_xlsx(&sample_report(Template::Y2019)).unwrap()))
        });
    }

    #[test]
    fn xlsx_of_template_2021_matches_snapshot() {
        portable_snapshots(|| {
            insta::assert_snapshot!("xlsx_2021", read_back(render_xlsx(&sample_report(Template::Y2021)).unwrap()))
        });
    }
}
