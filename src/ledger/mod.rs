//! Ledger files (台账): reading an agency's XLSX or CSV ledger into checked cases ([`check_file`],
//! the rules being the domain's, [`crate::domain::ledger`]), and writing the ledger of cases
//! ([`write`]): XLSX in constant memory or CSV, row by row.

pub mod read;
pub mod write;

use std::collections::BTreeMap;

use chrono::NaiveDate;

use crate::domain::ids::AgencyId;
use crate::domain::ledger::row::validate_row;
use crate::domain::ledger::{find_header, Cell, Checked, HeaderError, HeaderMap, LedgerColumn, Mapping, RawRow};
use read::Merged;

/// The two formats of a ledger file.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Format {
    Xlsx,
    Csv,
}

/// The media type of XLSX workbooks.
pub const XLSX_MEDIA_TYPE: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

impl Format {
    /// The format a `Content-Type` names (parameters such as `charset` ignored).
    pub fn of_media_type(media_type: &str) -> Option<Self> {
        let essence = media_type.split(';').next().unwrap_or_default().trim().to_ascii_lowercase();
        match essence.as_str() {
            XLSX_MEDIA_TYPE => Some(Self::Xlsx),
            "text/csv" | "application/csv" => Some(Self::Csv),
            _ => None,
        }
    }

    /// The format of a file by its extension (`.xlsx`, `.csv`).
    pub fn of_path(path: &std::path::Path) -> Option<Self> {
        match path.extension()?.to_str()?.to_ascii_lowercase().as_str() {
            "xlsx" => Some(Self::Xlsx),
            "csv" => Some(Self::Csv),
            _ => None,
        }
    }

    pub fn media_type(self) -> &'static str {
        match self {
            Self::Xlsx => XLSX_MEDIA_TYPE,
            Self::Csv => "text/csv; charset=utf-8",
        }
    }

    pub fn extension(self) -> &'static str {
        match self {
            Self::Xlsx => "xlsx",
            Self::Csv => "csv",
        }
    }
}

/// Why a file cannot be imported at all (before any row is looked at).
#[derive(Debug, thiserror::Error)]
pub enum FileError {
    #[error("not a workbook")]
    NotAWorkbook,
    #[error("a workbook sent as CSV")]
    WorkbookAsCsv,
    #[error("no worksheet")]
    NoWorksheet,
    #[error("the sheet is empty")]
    EmptySheet,
    #[error("no data rows")]
    NoDataRows,
    #[error("undecodable text")]
    Encoding,
    #[error("malformed CSV: {0}")]
    Csv(String),
    #[error("header: {0:?}")]
    Header(HeaderError),
    #[error("merged cells {0}")]
    MergedCells(String),
}

impl FileError {
    /// A stable code.
    pub fn code(&self) -> &'static str {
        match self {
            Self::NotAWorkbook => "not_a_workbook",
            Self::WorkbookAsCsv => "workbook_sent_as_csv",
            Self::NoWorksheet => "no_worksheet",
            Self::EmptySheet => "empty_sheet",
            Self::NoDataRows => "no_data_rows",
            Self::Encoding => "unreadable_text",
            Self::Csv(_) => "malformed_csv",
            Self::Header(error) => error.code(),
            Self::MergedCells(_) => "merged_cells",
        }
    }

    /// What is wrong, in Chinese.
    pub fn message(&self) -> String {
        match self {
            Self::NotAWorkbook => "文件不是有效的 Excel 工作簿（.xlsx）：请在 Excel 中另存为“Excel 工作簿”，或导出为 CSV".into(),
            Self::WorkbookAsCsv => "文件是 Excel 工作簿，却按 CSV 提交：请以 .xlsx 的类型上传".into(),
            Self::NoWorksheet => "工作簿中没有工作表".into(),
            Self::EmptySheet => "工作表是空的：第一个工作表中没有任何内容".into(),
            Self::NoDataRows => "工作表只有表头，没有数据行".into(),
            Self::Encoding => "无法识别文件的文字编码：CSV 文件应为 UTF-8 或 GB18030（GBK）编码".into(),
            Self::Csv(detail) => format!("CSV 文件格式有误：{detail}"),
            Self::Header(error) => error.message(),
            Self::MergedCells(range) => format!(
                "数据行中有合并单元格（{range}）：每一行应是一件申请，请取消合并并在每一行填写完整后再导入（表头上方的标题行可以合并）"
            ),
        }
    }
}

/// A file read and every row checked.
#[derive(Debug)]
pub struct CheckedFile {
    pub header: HeaderMap,
    pub checked: Checked,
}

/// Read a ledger file and check every row, for `agency_id` on `today`: the header is found among
/// the first rows (title rows above it are skipped), cells merged inside the data refuse the file,
/// each data row is validated by the domain's rules, and a case number used twice is a problem.
/// `progress` hears the number of rows read so far, every thousand rows and at the end.
///
/// # Errors
/// The file as a whole cannot be read (see [`FileError`]).
pub fn check_file(
    bytes: &[u8],
    format: Format,
    mapping: &Mapping,
    agency_id: AgencyId,
    today: NaiveDate,
    progress: &mut dyn FnMut(u32),
) -> Result<CheckedFile, FileError> {
    let merged: std::cell::RefCell<Vec<Merged>> = std::cell::RefCell::new(Vec::new());
    let mut first: Vec<(u32, Vec<Cell>)> = Vec::new();
    let mut state: Option<(HeaderMap, Checked)> = None;
    let mut failure: Option<FileError> = None;
    let mut seen_any = false;
    let mut handle = |number: u32, cells: Vec<Cell>, state: &mut Option<(HeaderMap, Checked)>| {
        if let Some((header, checked)) = state {
            if number <= header.row {
                return;
            }
            let raw = raw_row(header, number, cells);
            if raw.is_blank() {
                return;
            }
            checked.push(validate_row(&raw, header, agency_id, today));
            if checked.rows % 1000 == 0 {
                progress(checked.rows);
            }
        }
    };
    read::read_rows(bytes, format, &mut |m| *merged.borrow_mut() = m, &mut |number, cells| {
        if cells.iter().any(|c| !c.is_empty()) {
            seen_any = true;
        }
        if state.is_none() {
            first.push((number, cells));
            if first.len() < crate::domain::ledger::HEADER_SEARCH_ROWS {
                return true;
            }
            match start(&first, &merged.borrow(), mapping) {
                Ok(header) => state = Some((header, Checked::default())),
                Err(e) => {
                    failure = Some(e);
                    return false;
                }
            }
            for (n, c) in std::mem::take(&mut first) {
                handle(n, c, &mut state);
            }
            return true;
        }
        handle(number, cells, &mut state);
        true
    })?;
    if let Some(error) = failure {
        return Err(error);
    }
    if !seen_any {
        return Err(FileError::EmptySheet);
    }
    if state.is_none() {
        state = Some((start(&first, &merged.borrow(), mapping)?, Checked::default()));
        for (n, c) in std::mem::take(&mut first) {
            handle(n, c, &mut state);
        }
    }
    let (header, mut checked) = state.ok_or(FileError::EmptySheet)?;
    progress(checked.rows);
    if checked.rows == 0 {
        return Err(FileError::NoDataRows);
    }
    checked.refuse_duplicate_numbers(&header);
    Ok(CheckedFile { header, checked })
}

/// The header among the first rows; cells merged below it refuse the file.
fn start(first: &[(u32, Vec<Cell>)], merged: &[Merged], mapping: &Mapping) -> Result<HeaderMap, FileError> {
    let texts: Vec<(u32, Vec<String>)> =
        first.iter().map(|(n, cells)| (*n, cells.iter().map(Cell::text).collect())).collect();
    let header = find_header(&texts, mapping).map_err(FileError::Header)?;
    if let Some(m) = merged.iter().find(|m| m.last_row > header.row) {
        return Err(FileError::MergedCells(m.name()));
    }
    Ok(header)
}

/// The cells of a data row by the columns the header recognised.
fn raw_row(header: &HeaderMap, number: u32, mut cells: Vec<Cell>) -> RawRow {
    let mut by_column = BTreeMap::new();
    for (column, (position, _)) in &header.columns {
        if let Some(cell) = cells.get_mut(*position) {
            by_column.insert(*column, std::mem::replace(cell, Cell::Empty));
        }
    }
    RawRow { number, cells: by_column }
}

/// Every row of the file after the header, as text (for the workbook of rejected rows).
///
/// # Errors
/// As [`check_file`].
pub fn rows_after_header(
    bytes: &[u8],
    format: Format,
    header_row: u32,
    wanted: &dyn Fn(u32) -> bool,
    on_row: &mut dyn FnMut(u32, Vec<String>),
) -> Result<Vec<String>, FileError> {
    let mut header = Vec::new();
    read::read_rows(bytes, format, &mut |_| {}, &mut |number, cells| {
        if number == header_row {
            header = cells.iter().map(Cell::text).collect();
        } else if number > header_row && wanted(number) {
            on_row(number, cells.iter().map(Cell::text).collect());
        }
        true
    })?;
    Ok(header)
}

/// The export's header row.
pub fn export_header() -> Vec<&'static str> {
    LedgerColumn::EXPORTED.iter().map(|c| c.header()).collect()
}
