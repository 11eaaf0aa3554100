//! Writing ledgers: the export (XLSX in rust_xlsxwriter's constant-memory mode, whose rows go to
//! a temporary file as they are written, or CSV with a byte-order mark so that Excel reads it as
//! UTF-8), and the workbook of rejected rows with their problems.

use std::io::Write;

use rust_xlsxwriter::{Format as CellFormat, Workbook, XlsxError};

use super::Format;
use crate::domain::ledger::{LedgerColumn, LedgerEntry, Value};

/// Why a ledger could not be written.
#[derive(Debug, thiserror::Error)]
pub enum WriteError {
    #[error("xlsx: {0}")]
    Xlsx(#[from] XlsxError),
    #[error("csv: {0}")]
    Csv(#[from] csv::Error),
    #[error("io: {0}")]
    Io(#[from] std::io::Error),
}

/// The column widths of the export, in characters.
const WIDTHS: [f64; 18] =
    [16.0, 12.0, 10.0, 12.0, 18.0, 21.0, 18.0, 40.0, 10.0, 12.0, 12.0, 24.0, 24.0, 8.0, 10.0, 8.0, 10.0, 40.0];

/// Writes the export row by row into `W`.
pub enum LedgerWriter<W: Write + Send> {
    Csv(Box<csv::Writer<W>>),
    Xlsx { workbook: Box<Workbook>, formats: Box<[CellFormat; 3]>, next_row: u32, out: W },
}

impl<W: Write + Send> LedgerWriter<W> {
    /// Start a ledger in `format`: the header row written, the panes frozen below it (XLSX).
    ///
    /// # Errors
    /// A failure to write or to create the temporary file.
    pub fn new(format: Format, mut out: W) -> Result<Self, WriteError> {
        let header = super::export_header();
        match format {
            Format::Csv => {
                out.write_all(b"\xEF\xBB\xBF")?;
                let mut writer = csv::WriterBuilder::new().from_writer(out);
                writer.write_record(&header)?;
                Ok(Self::Csv(Box::new(writer)))
            }
            Format::Xlsx => {
                let mut workbook = Workbook::new();
                let bold = CellFormat::new().set_bold();
                let date = CellFormat::new().set_num_format("yyyy-mm-dd");
                let money = CellFormat::new().set_num_format("0.00");
                let sheet = workbook.add_worksheet_with_constant_memory()?;
                sheet.set_name("台账")?;
                for (column, width) in (0u16..).zip(WIDTHS) {
                    sheet.set_column_width(column, width)?;
                }
                sheet.set_freeze_panes(1, 0)?;
                for (column, text) in (0u16..).zip(&header) {
                    sheet.write_string_with_format(0, column, *text, &bold)?;
                }
                Ok(Self::Xlsx {
                    workbook: Box::new(workbook),
                    formats: Box::new([bold, date, money]),
                    next_row: 1,
                    out,
                })
            }
        }
    }

    /// Write one case.
    ///
    /// # Errors
    /// A failure to write.
    pub fn write(&mut self, entry: &LedgerEntry) -> Result<(), WriteError> {
        let values = entry.values();
        match self {
            Self::Csv(writer) => {
                writer.write_record(values.iter().map(Value::csv))?;
            }
            Self::Xlsx { workbook, formats, next_row, .. } => {
                let sheet = workbook.worksheet_from_index(0)?;
                let row = *next_row;
                for (column, value) in (0u16..).zip(values.iter()) {
                    match value {
                        Value::Empty => {}
                        Value::Text(text) => {
                            sheet.write_string(row, column, text)?;
                        }
                        Value::Date(date) => {
                            sheet.write_date_with_format(row, column, date, &formats[1])?;
                        }
                        Value::Money(fen) => {
                            let yuan = f64::from(i32::try_from(*fen).unwrap_or(i32::MAX)) / 100.0;
                            sheet.write_number_with_format(row, column, yuan, &formats[2])?;
                        }
                    }
                }
                *next_row += 1;
            }
        }
        Ok(())
    }

    /// Finish the file (for XLSX: assemble the workbook and write it out).
    ///
    /// # Errors
    /// A failure to write.
    pub fn finish(self) -> Result<(), WriteError> {
        match self {
            Self::Csv(mut writer) => writer.flush()?,
            Self::Xlsx { mut workbook, mut out, .. } => {
                workbook.save_to_writer(&mut out)?;
                out.flush()?;
            }
        }
        Ok(())
    }
}

/// The heading of the column the rejected rows' problems are written in.
pub const PROBLEM_COLUMN: &str = "错误原因";

/// A workbook of rejected rows: the file's header with an error column, then each row as the
/// file had it with its problems, ready to be corrected and imported again.
///
/// # Errors
/// A failure to build the workbook.
pub fn rejects_workbook(header: &[String], rows: &[(Vec<String>, String)]) -> Result<Vec<u8>, WriteError> {
    let mut workbook = Workbook::new();
    let bold = CellFormat::new().set_bold();
    let sheet = workbook.add_worksheet();
    sheet.set_name("未导入的行")?;
    sheet.set_freeze_panes(1, 0)?;
    for (column, text) in (0u16..).zip(header.iter().map(String::as_str).chain([PROBLEM_COLUMN])) {
        sheet.write_string_with_format(0, column, text, &bold)?;
    }
    let problems_at = u16::try_from(header.len()).unwrap_or(u16::MAX - 1);
    sheet.set_column_width(problems_at, 60)?;
    for (row, (cells, problems)) in (1u32..).zip(rows) {
        for (column, text) in (0u16..).zip(cells.iter().take(header.len())) {
            if !text.is_empty() {
                sheet.write_string(row, column, text)?;
            }
        }
        sheet.write_string(row, problems_at, problems)?;
    }
    Ok(workbook.save_to_buffer()?)
}

/// The ledger columns an export names, for callers that check a file's header.
pub fn is_export_header(cells: &[String]) -> bool {
    cells.len() >= 18 && cells.iter().zip(LedgerColumn::EXPORTED).all(|(text, column)| text == column.header())
}
