//! Reading a ledger file row by row: the first worksheet of an XLSX workbook (through calamine's
//! streaming cell reader, so a large sheet is never held whole) or a CSV file (UTF-8, with or
//! without a byte-order mark, or GB18030 as Excel saves CSV on Chinese Windows).

use std::io::Cursor;

use calamine::{DataRef, Reader, Xlsx, XlsxFormulaMetadata};

use super::{FileError, Format};
use crate::domain::ledger::Cell;

/// A merged range of cells: first and last row (1-based), first and last column (0-based).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Merged {
    pub first_row: u32,
    pub last_row: u32,
    pub first_column: u32,
    pub last_column: u32,
}

impl Merged {
    /// The range as Excel names it, e.g. `B5:B6`.
    pub fn name(&self) -> String {
        format!(
            "{}{}:{}{}",
            column_name(self.first_column),
            self.first_row,
            column_name(self.last_column),
            self.last_row
        )
    }
}

/// A column's letters (0 → `A`, 26 → `AA`).
pub fn column_name(column: u32) -> String {
    let mut n = column + 1;
    let mut letters = Vec::new();
    while n > 0 {
        let rem = (n - 1) % 26;
        letters.push(char::from(b'A' + u8::try_from(rem).unwrap_or(0)));
        n = (n - 1) / 26;
    }
    letters.iter().rev().collect()
}

fn cell_of(value: DataRef<'_>) -> Cell {
    match value {
        DataRef::Empty => Cell::Empty,
        DataRef::String(s) => Cell::Text(s),
        DataRef::SharedString(s) => Cell::Text(s.to_owned()),
        DataRef::Float(f) => Cell::Number(f),
        DataRef::Int(i) => i32::try_from(i).map_or_else(|_| Cell::Text(i.to_string()), |i| Cell::Number(f64::from(i))),
        DataRef::Bool(b) => Cell::Bool(b),
        DataRef::DateTime(dt) if dt.is_datetime() => Cell::Date(dt.as_f64()),
        DataRef::DateTime(dt) => Cell::Number(dt.as_f64()),
        DataRef::DateTimeIso(s) | DataRef::DurationIso(s) => Cell::Text(s),
        DataRef::Error(e) => Cell::Error(e.to_string()),
    }
}

fn not_a_workbook(error: impl std::fmt::Display) -> FileError {
    tracing::debug!(%error, "not a readable workbook");
    FileError::NotAWorkbook
}

/// Read `bytes` as `format`: first the merged ranges (XLSX only), then every row in order as
/// `(row number, cells)`; rows without any cell are skipped. `on_row` may stop the reading by
/// returning `false`.
///
/// # Errors
/// A file that is not of its format, has no worksheet, or cannot be decoded.
pub fn read_rows(
    bytes: &[u8],
    format: Format,
    on_merged: &mut dyn FnMut(Vec<Merged>),
    on_row: &mut dyn FnMut(u32, Vec<Cell>) -> bool,
) -> Result<(), FileError> {
    match format {
        Format::Xlsx => read_xlsx(bytes, on_merged, on_row),
        Format::Csv => {
            on_merged(Vec::new());
            read_csv(bytes, on_row)
        }
    }
}

fn read_xlsx(
    bytes: &[u8],
    on_merged: &mut dyn FnMut(Vec<Merged>),
    on_row: &mut dyn FnMut(u32, Vec<Cell>) -> bool,
) -> Result<(), FileError> {
    if !bytes.starts_with(b"PK") {
        return Err(FileError::NotAWorkbook);
    }
    let mut workbook: Xlsx<_> = Xlsx::new(Cursor::new(bytes)).map_err(not_a_workbook)?;
    let sheet = workbook.sheet_names().into_iter().next().ok_or(FileError::NoWorksheet)?;
    let merged = workbook.merge_cells_by_sheet_name(&sheet).map_err(not_a_workbook)?;
    on_merged(
        merged
            .into_iter()
            .map(|d| Merged {
                first_row: d.start.0 + 1,
                last_row: d.end.0 + 1,
                first_column: d.start.1,
                last_column: d.end.1,
            })
            .collect(),
    );
    let mut reader = workbook.worksheet_cells_reader(&sheet).map_err(not_a_workbook)?;
    let mut current: Option<(u32, Vec<Cell>)> = None;
    while let Some(record) = reader.next_cell_with_formula_metadata().map_err(not_a_workbook)? {
        let (row, column) = record.pos;
        let cell = match record.formula {
            Some(XlsxFormulaMetadata::Normal { formula } | XlsxFormulaMetadata::Shared { formula, .. }) => {
                Cell::Formula(formula)
            }
            Some(_) => Cell::Formula("…".to_owned()),
            None => cell_of(record.value),
        };
        let number = row + 1;
        if current.as_ref().is_some_and(|(r, _)| *r != number) {
            if let Some((r, cells)) = current.take() {
                if !on_row(r, cells) {
                    return Ok(());
                }
            }
        }
        let (_, cells) = current.get_or_insert_with(|| (number, Vec::new()));
        let index = usize::try_from(column).unwrap_or(usize::MAX);
        if index >= 16_384 {
            continue; // beyond Excel's last column: not a cell of a real sheet
        }
        if cells.len() <= index {
            cells.resize(index + 1, Cell::Empty);
        }
        cells[index] = cell;
    }
    if let Some((r, cells)) = current {
        on_row(r, cells);
    }
    Ok(())
}

/// The text of a CSV file: UTF-8 (a byte-order mark dropped), else GB18030.
fn decode(bytes: &[u8]) -> Result<std::borrow::Cow<'_, str>, FileError> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    if let Ok(text) = std::str::from_utf8(bytes) {
        return Ok(std::borrow::Cow::Borrowed(text));
    }
    let (text, _, had_errors) = encoding_rs::GB18030.decode(bytes);
    if had_errors {
        return Err(FileError::Encoding);
    }
    Ok(text)
}

fn read_csv(bytes: &[u8], on_row: &mut dyn FnMut(u32, Vec<Cell>) -> bool) -> Result<(), FileError> {
    if bytes.starts_with(b"PK\x03\x04") {
        return Err(FileError::WorkbookAsCsv);
    }
    let text = decode(bytes)?;
    if text.contains('\0') {
        return Err(FileError::Encoding);
    }
    let mut reader = csv::ReaderBuilder::new().has_headers(false).flexible(true).from_reader(text.as_bytes());
    let mut record = csv::StringRecord::new();
    loop {
        match reader.read_record(&mut record) {
            Ok(false) => return Ok(()),
            Ok(true) => {}
            Err(e) => return Err(FileError::Csv(e.to_string())),
        }
        let number = record.position().map_or(0, |p| u32::try_from(p.line()).unwrap_or(u32::MAX));
        let cells = record.iter().map(|field| Cell::Text(field.to_owned())).collect();
        if !on_row(number, cells) {
            return Ok(());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn column_names_are_excels() {
        assert_eq!(column_name(0), "A");
        assert_eq!(column_name(25), "Z");
        assert_eq!(column_name(26), "AA");
        assert_eq!(column_name(16_383), "XFD");
    }

    fn rows(bytes: &[u8], format: Format) -> Result<Vec<(u32, Vec<Cell>)>, FileError> {
        let mut rows = Vec::new();
        read_rows(bytes, format, &mut |_| {}, &mut |n, cells| {
            rows.push((n, cells));
            true
        })?;
        Ok(rows)
    }

    #[test]
    fn csv_in_utf8_with_a_bom_and_in_gb18030_reads_the_same() {
        let text = "申请编号,申请人\nA-1,\"张三,李四\"\n";
        let utf8 = rows(format!("\u{feff}{text}").as_bytes(), Format::Csv).unwrap();
        let (gbk, _, _) = encoding_rs::GB18030.encode(text);
        assert_eq!(rows(&gbk, Format::Csv).unwrap(), utf8);
        assert_eq!(utf8[1], (2, vec![Cell::Text("A-1".into()), Cell::Text("张三,李四".into())]));
    }

    #[test]
    fn bytes_that_are_not_a_workbook_are_refused() {
        assert!(matches!(rows(b"hello", Format::Xlsx), Err(FileError::NotAWorkbook)));
        assert!(matches!(rows(b"PK\x03\x04garbage", Format::Xlsx), Err(FileError::NotAWorkbook)));
        assert!(matches!(rows(b"PK\x03\x04garbage", Format::Csv), Err(FileError::WorkbookAsCsv)));
    }
}
