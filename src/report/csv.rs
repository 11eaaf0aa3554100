//! CSV export: section three, one line per table row (`key,label,` then the seven numbers), under a
//! header line `key,label,natural_person,…,total`; then an empty line and section four as
//! `kind,upheld,corrected,other,pending,total` with one line per appeal kind.
//!
//! The text is UTF-8 and starts with a byte-order mark (U+FEFF), without which Excel reads a CSV file
//! in the system's legacy code page and garbles the Chinese labels. Lines end in CRLF and fields are
//! quoted as RFC 4180 requires (when they contain a comma, a double quote, CR or LF, quotes doubled).
//! No current label needs quoting (their commas are the full-width ，), but the rule is applied anyway.

use super::model::{AnnualReport, AppealKind, Column, APPEAL_COLUMN_KEYS};

/// The UTF-8 byte-order mark that starts the file.
pub const BOM: &str = "\u{feff}";

/// The media type to serve the CSV with.
pub const CONTENT_TYPE: &str = "text/csv; charset=utf-8";

/// Renders the report as CSV text (BOM first, CRLF line ends).
pub fn render_csv(report: &AnnualReport) -> String {
    let mut out = String::from(BOM);
    let mut header = vec!["key".to_owned(), "label".to_owned()];
    header.extend(Column::ALL.iter().map(|c| c.as_str().to_owned()));
    push_line(&mut out, &header);
    for row in &report.section_three.rows {
        let mut fields = vec![row.key.as_str().to_owned(), row.label.clone()];
        fields.extend(row.values.iter().map(i64::to_string));
        push_line(&mut out, &fields);
    }
    out.push_str("\r\n");
    let mut header = vec!["kind".to_owned()];
    header.extend(APPEAL_COLUMN_KEYS.iter().map(|&k| k.to_owned()));
    push_line(&mut out, &header);
    for &kind in AppealKind::ALL {
        let mut fields = vec![kind.as_str().to_owned()];
        fields.extend(report.section_four.figures(kind).values().iter().map(i64::to_string));
        push_line(&mut out, &fields);
    }
    out
}

/// Appends one CSV record and its CRLF.
fn push_line(out: &mut String, fields: &[String]) {
    for (i, field) in fields.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        out.push_str(&quote(field));
    }
    out.push_str("\r\n");
}

/// A field quoted as RFC 4180 requires.
pub fn quote(field: &str) -> String {
    if field.contains([',', '"', '\r', '\n']) {
        format!("\"{}\"", field.replace('"', "\"\""))
    } else {
        field.to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::model::Template;
    use crate::report::tests::{portable_snapshots, sample_report};

    #[test]
    fn fields_are_quoted_only_when_needed() {
        assert_eq!(
            quote("（二）部分公开（区分处理的，只计这一情形，不计其他情形）"),
            "（二）部分公开（区分处理的，只计这一情形，不计其他情形）"
        );
        assert_eq!(quote("a,b"), "\"a,b\"");
        assert_eq!(quote("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(quote("two\nlines"), "\"two\nlines\"");
    }

    #[test]
    fn csv_starts_with_a_bom_and_has_one_line_per_row() {
        let report = sample_report(Template::Y2021);
        let csv = render_csv(&report);
        assert!(csv.starts_with(BOM));
        // Header + 25 rows + blank + header + 3 kinds.
        assert_eq!(csv.split("\r\n").filter(|l| !l.is_empty()).count(), 1 + 25 + 1 + 3);
        assert!(csv.split("\r\n").skip(1).take(25).all(|l| l.split(',').count() == 9));
    }

    #[test]
    fn csv_of_template_2019_matches_snapshot() {
        portable_snapshots(|| {
            insta::assert_snapshot!("csv_2019", render_csv(&sample_report(Template::Y2019)).replace("\r\n", "\n"))
        });
    }

    #[test]
    fn csv_of_template_2021_matches_snapshot() {
        portable_snapshots(|| {
            insta::assert_snapshot!("csv_2021", render_csv(&sample_report(Template::Y2021)).replace("\r\n", "\n"))
        });
    }
}
