//! CSV export: the whole statistical part as blocks of lines, each line a key (for programs), its
//! Chinese label (for people) and then the values; blocks are separated by an empty line:
//!
//! 1. the report: `title,标题,…` (agency, year and 本级/汇总), `agency,机关,…`, `year,年度,…`,
//!    `scope,统计范围,本级|汇总`, `template,表格式,国办公开办函〔…〕…号`;
//! 2. section two: `section_two,二、主动公开政府信息情况`, `section_two_status,填报情况,…` (已填报,
//!    未填报, or which agencies of a compiled report have not entered theirs), then per block
//!    `block,第二十条第（…）项`, a header `key,信息内容,<column labels>` and one line per item
//!    (`licensing,行政许可,26,0,83`; amounts in 万元). No blocks when section two is 未填报;
//! 3. section three: `section_three,三、收到和处理政府信息公开申请情况`, the column keys
//!    `key,label,natural_person,…,total`, their labels `,,自然人,…,总计`, then one line per table
//!    row (`key,label,` and the seven numbers);
//! 4. section four: `section_four,四、政府信息公开行政复议、行政诉讼情况`, the column keys
//!    `kind,label,upheld,corrected,other,pending,total`, their labels `,,结果维持,…,总计`, then one
//!    line per appeal kind.
//!
//! The text is UTF-8 and starts with a byte-order mark (U+FEFF), without which Excel reads a CSV file
//! in the system's legacy code page and garbles the Chinese labels. Lines end in CRLF and fields are
//! quoted as RFC 4180 requires (when they contain a comma, a double quote, CR or LF, quotes doubled).
//! No current label needs quoting (their commas are the full-width ，), but the rule is applied anyway.

use super::model::{
    AnnualReport, AppealKind, Column, APPEAL_COLUMN_KEYS, APPEAL_COLUMN_LABELS, LITIGATION_HEADER, SECTION_FOUR_TITLE,
    SECTION_THREE_TITLE, SECTION_TWO_TITLE,
};
use super::section_two::SectionTwoState;

/// The UTF-8 byte-order mark that starts the file.
pub const BOM: &str = "\u{feff}";

/// The media type to serve the CSV with.
pub const CONTENT_TYPE: &str = "text/csv; charset=utf-8";

/// The label of an appeal kind's line: the kind under its header (行政诉讼·复议后起诉).
fn appeal_label(kind: AppealKind) -> String {
    match kind {
        AppealKind::Reconsideration => kind.label().to_owned(),
        _ => format!("{LITIGATION_HEADER}·{}", kind.label()),
    }
}

/// Renders the report as CSV text (BOM first, CRLF line ends).
pub fn render_csv(report: &AnnualReport) -> String {
    let mut out = String::from(BOM);
    let line = |out: &mut String, fields: &[&str]| {
        let fields: Vec<String> = fields.iter().map(|&f| f.to_owned()).collect();
        push_line(out, &fields);
    };
    line(&mut out, &["title", "标题", &report.title()]);
    line(&mut out, &["agency", "机关", &report.agency_name]);
    line(&mut out, &["year", "年度", &report.year.to_string()]);
    line(&mut out, &["scope", "统计范围", report.scope.label()]);
    line(&mut out, &["template", "表格式", report.template.notice()]);

    out.push_str("\r\n");
    line(&mut out, &["section_two", SECTION_TWO_TITLE]);
    let status = &report.section_two_status;
    line(&mut out, &["section_two_status", "填报情况", &status.sentence()]);
    if let Some(section_two) = report.section_two.as_ref().filter(|_| status.state != SectionTwoState::Missing) {
        for block in section_two.blocks() {
            line(&mut out, &["block", block.heading]);
            let mut header = vec!["key".to_owned()];
            header.extend(block.columns.iter().map(|&c| c.to_owned()));
            push_line(&mut out, &header);
            for row in &block.rows {
                let mut fields = vec![row.key.to_owned(), row.label.to_owned()];
                fields.extend(row.figures.iter().map(|f| f.display()));
                push_line(&mut out, &fields);
            }
        }
    }

    out.push_str("\r\n");
    line(&mut out, &["section_three", SECTION_THREE_TITLE]);
    let mut keys = vec!["key".to_owned(), "label".to_owned()];
    keys.extend(Column::ALL.iter().map(|c| c.as_str().to_owned()));
    push_line(&mut out, &keys);
    let mut labels = vec![String::new(), String::new()];
    labels.extend(Column::ALL.iter().map(|c| c.label().to_owned()));
    push_line(&mut out, &labels);
    for row in &report.section_three.rows {
        let mut fields = vec![row.key.as_str().to_owned(), row.label.clone()];
        fields.extend(row.values.iter().map(i64::to_string));
        push_line(&mut out, &fields);
    }

    out.push_str("\r\n");
    line(&mut out, &["section_four", SECTION_FOUR_TITLE]);
    let mut keys = vec!["kind".to_owned(), "label".to_owned()];
    keys.extend(APPEAL_COLUMN_KEYS.iter().map(|&k| k.to_owned()));
    push_line(&mut out, &keys);
    let mut labels = vec![String::new(), String::new()];
    labels.extend(APPEAL_COLUMN_LABELS.iter().map(|&k| k.to_owned()));
    push_line(&mut out, &labels);
    for &kind in AppealKind::ALL {
        let mut fields = vec![kind.as_str().to_owned(), appeal_label(kind)];
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
    use crate::report::SectionTwoStatus;

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

    /// The lines of the block that starts with the line `first`, up to the next empty line.
    fn block<'a>(csv: &'a str, first: &str) -> Vec<&'a str> {
        csv.split("\r\n").skip_while(|l| !l.starts_with(first)).take_while(|l| !l.is_empty()).collect()
    }

    #[test]
    fn csv_starts_with_a_bom_and_has_one_line_per_row() {
        let report = sample_report(Template::Y2021);
        let csv = render_csv(&report);
        assert!(csv.starts_with(BOM));
        let three = block(&csv, "section_three,");
        // Title + column keys + column labels + 25 rows.
        assert_eq!(three.len(), 3 + 25);
        assert!(three[1..].iter().all(|l| l.split(',').count() == 9));
        assert_eq!(three[2], ",,自然人,商业企业,科研机构,社会公益组织,法律服务机构,其他,总计");
        let four = block(&csv, "section_four,");
        assert_eq!(four.len(), 3 + 3);
        assert_eq!(four[2], ",,结果维持,结果纠正,其他结果,尚未审结,总计");
        assert!(four[5].starts_with("litigation_after_reconsideration,行政诉讼·复议后起诉,"));
    }

    #[test]
    fn the_title_names_the_agency_year_and_scope() {
        let mut report = sample_report(Template::Y2019);
        let csv = render_csv(&report);
        assert!(csv
            .starts_with("\u{feff}title,标题,示例市示例区人民政府2019年政府信息公开工作年度报告（统计部分·本级）\r\n"));
        assert!(csv.contains("\r\nscope,统计范围,本级\r\n"));
        report.scope = crate::report::ReportScope::Compiled;
        assert!(render_csv(&report).contains("年度报告（统计部分·汇总）\r\n"));
    }

    #[test]
    fn a_missing_section_two_is_marked_not_entered() {
        let mut report = sample_report(Template::Y2021);
        report.section_two = None;
        report.section_two_status = SectionTwoStatus::new(false, Vec::new());
        let csv = render_csv(&report);
        assert_eq!(
            block(&csv, "section_two,"),
            ["section_two,二、主动公开政府信息情况", "section_two_status,填报情况,未填报"]
        );
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
