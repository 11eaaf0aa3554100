//! The annual report (政府信息公开工作年度报告, statistical part): the table model built from aggregated
//! counts, its consistency checks, and its renderings (canonical JSON for sealing, CSV, HTML, XLSX).
//!
//! Pure: the aggregation queries live in storage and hand over `Counts` and `AppealCounts`.

pub mod checks;
pub mod csv;
pub mod document;
pub mod highlight;
pub mod html;
pub mod model;
pub mod section_two;
pub mod xlsx;

use serde_json::Value;
use sha2::{Digest, Sha256};

pub use model::{
    AnnualReport, AppealCounts, AppealFigures, AppealKind, AppealTally, Check, Column, Counts, ReportInput,
    ReportScope, RowGroup, RowKey, SectionFour, SectionThree, TableRow, Template,
};
pub use section_two::{AgencyRef, SectionTwo, SectionTwoState, SectionTwoStatus};

/// A figure as a spreadsheet or JSON floating-point number.
///
/// `i64` has no lossless conversion to `f64`, so this is the one place a cast is right: the
/// report's counts and amounts in fen are far below 2^53, where every integer is exact.
#[allow(clippy::as_conversions)]
pub fn as_number(value: i64) -> f64 {
    value as f64
}

/// A table index as a spreadsheet row or column number (tables have a few dozen of each).
pub fn index_u32(index: usize) -> u32 {
    u32::try_from(index).unwrap_or(u32::MAX)
}

/// [`index_u32`] for column numbers.
pub fn index_u16(index: usize) -> u16 {
    u16::try_from(index).unwrap_or(u16::MAX)
}

/// Errors of building or rendering a report.
#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    /// Section two was entered in the format of the other template.
    #[error("第二部分数据按{section_two}年表格式填报，而报表为{report}年表格式")]
    SectionTwoTemplate {
        /// The report's template.
        report: Template,
        /// The template of the entered section two.
        section_two: Template,
    },
    /// A section-two count or amount is negative.
    #[error("第二部分的{field}为{value}，不得为负数")]
    InvalidSectionTwo {
        /// The field's path, e.g. `licensing.decisions`.
        field: &'static str,
        /// The offending value.
        value: i64,
    },
    /// The report could not be serialised.
    #[error("serialising the report: {0}")]
    Json(#[from] serde_json::Error),
    /// The workbook could not be written.
    #[error("writing the XLSX workbook: {0}")]
    Xlsx(#[from] rust_xlsxwriter::XlsxError),
    /// The Word document's package could not be written.
    #[error("writing the DOCX package: {0}")]
    Docx(#[from] zip::result::ZipError),
    /// Writing into the package failed.
    #[error("writing the DOCX package: {0}")]
    Io(#[from] std::io::Error),
}

/// The canonical JSON text of a report, the input of its seal: the report's JSON (the API shape) with
/// the keys of every object sorted by their UTF-8 bytes, no whitespace, arrays in their order,
/// strings escaped by serde_json (non-ASCII characters kept as UTF-8) and integers in plain decimal.
/// Keys are sorted here rather than by relying on serde_json's map type, so enabling serde_json's
/// `preserve_order` anywhere in the build does not change the text.
///
/// # Errors
///
/// `ReportError::Json` if serialisation fails, which the report's types (no maps with non-string keys,
/// no floats) do not allow; the `Result` keeps a seal from ever being computed over a fallback text.
pub fn canonical_json(report: &AnnualReport) -> Result<String, ReportError> {
    canonical_text(report)
}

/// The canonical JSON text of any serialisable value, by the rules of [`canonical_json`].
///
/// # Errors
///
/// `ReportError::Json` if the value does not serialise.
pub fn canonical_text<T: serde::Serialize>(value: &T) -> Result<String, ReportError> {
    let value = serde_json::to_value(value)?;
    let mut out = String::new();
    write_canonical(&value, &mut out)?;
    Ok(out)
}

/// Appends the canonical text of `value` to `out`.
fn write_canonical(value: &Value, out: &mut String) -> Result<(), ReportError> {
    match value {
        Value::Object(map) => {
            let mut entries: Vec<(&String, &Value)> = map.iter().collect();
            entries.sort_by(|a, b| a.0.as_bytes().cmp(b.0.as_bytes()));
            out.push('{');
            for (i, (key, item)) in entries.into_iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                out.push_str(&serde_json::to_string(key)?);
                out.push(':');
                write_canonical(item, out)?;
            }
            out.push('}');
        }
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_canonical(item, out)?;
            }
            out.push(']');
        }
        scalar => out.push_str(&serde_json::to_string(scalar)?),
    }
    Ok(())
}

/// The seal of a report: the lowercase hex SHA-256 of its canonical JSON text.
///
/// # Errors
///
/// As `canonical_json`.
pub fn content_hash(report: &AnnualReport) -> Result<String, ReportError> {
    Ok(hash_text(&canonical_json(report)?))
}

/// The lowercase hex SHA-256 of a text, e.g. of a stored canonical JSON to verify its seal.
pub fn hash_text(text: &str) -> String {
    hex::encode(Sha256::digest(text.as_bytes()))
}

#[cfg(test)]
pub(crate) mod tests;
