//! Printable HTML export: one self-contained HTML5 page (inline CSS, no external resources, A4 with
//! 15 mm margins, a Chinese font stack) with section two when entered, section three and section four
//! in the official layout with their merged cells, and the checks. All text is escaped.

use std::fmt::Write as _;

use super::model::{
    section_four_header, section_three_header, section_three_labels, AnnualReport, Check, LayoutCell, RowKey,
    SECTION_FOUR_HEADER_ROWS, SECTION_FOUR_TITLE, SECTION_THREE_HEADER_ROWS, SECTION_THREE_TITLE, SECTION_TWO_TITLE,
};
use super::section_two::SectionTwo;

/// The media type to serve the page with.
pub const CONTENT_TYPE: &str = "text/html; charset=utf-8";

/// The page's style sheet.
const STYLE: &str = "@page { size: A4; margin: 15mm }
body { font-family: \"SimSun\", \"宋体\", \"Songti SC\", \"Noto Serif CJK SC\", \"Source Han Serif SC\", \
\"Noto Sans CJK SC\", \"Microsoft YaHei\", \"PingFang SC\", serif; font-size: 10.5pt; color: #000; margin: 0 }
h1 { font-size: 16pt; text-align: center; margin: 0 0 8mm }
h2 { font-size: 12pt; margin: 6mm 0 2mm }
h3 { font-size: 10.5pt; margin: 3mm 0 1mm }
table { border-collapse: collapse; width: 100%; page-break-inside: avoid; break-inside: avoid }
th, td { border: 1px solid #000; padding: 2px 4px; vertical-align: middle }
th { font-weight: normal; text-align: center }
td.num { text-align: center; white-space: nowrap }
td.label { text-align: left }
th.note { font-size: 9pt; text-align: left }
table.checks td { text-align: left }
.passed { color: #060 }
.failed { color: #b00; font-weight: bold }
";

/// Escapes text for HTML element content and quoted attribute values.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

/// Renders the report as a complete HTML5 page.
pub fn render_html(report: &AnnualReport) -> String {
    let title = escape(&report.title());
    let mut out = String::new();
    out.push_str("<!DOCTYPE html>\n<html lang=\"zh-CN\">\n<head>\n<meta charset=\"utf-8\">\n");
    let _ = writeln!(out, "<title>{title}</title>");
    let _ = writeln!(out, "<style>\n{STYLE}</style>\n</head>\n<body>\n<h1>{title}</h1>");
    if let Some(section_two) = &report.section_two {
        render_section_two(&mut out, section_two);
    }
    render_section_three(&mut out, report);
    render_section_four(&mut out, report);
    render_checks(&mut out, &report.checks);
    out.push_str("</body>\n</html>\n");
    out
}

/// Writes one `<th>` or `<td>` for a layout cell, with its spans.
fn layout_cell(out: &mut String, tag: &str, class: Option<&str>, cell: &LayoutCell) {
    spanned_cell(out, tag, class, cell, cell.text);
}

/// Writes one `<th>` or `<td>` with the spans of a layout cell and the given text.
fn spanned_cell(out: &mut String, tag: &str, class: Option<&str>, cell: &LayoutCell, text: &str) {
    let _ = write!(out, "<{tag}");
    if let Some(class) = class {
        let _ = write!(out, " class=\"{class}\"");
    }
    if cell.row_span > 1 {
        let _ = write!(out, " rowspan=\"{}\"", cell.row_span);
    }
    if cell.col_span > 1 {
        let _ = write!(out, " colspan=\"{}\"", cell.col_span);
    }
    let _ = write!(out, ">{}</{tag}>", escape(text));
}

/// Writes the header rows of a table from its layout.
fn header_rows(out: &mut String, cells: &[LayoutCell], rows: u32, note_class: Option<&str>) {
    out.push_str("<thead>\n");
    for r in 0..rows {
        out.push_str("<tr>");
        for cell in cells.iter().filter(|c| c.row == r) {
            let class = if r == 0 && cell.col == 0 { note_class } else { None };
            layout_cell(out, "th", class, cell);
        }
        out.push_str("</tr>\n");
    }
    out.push_str("</thead>\n");
}

fn render_section_two(out: &mut String, section_two: &SectionTwo) {
    let _ = writeln!(out, "<section class=\"section-two\">\n<h2>{}</h2>", escape(SECTION_TWO_TITLE));
    for block in section_two.blocks() {
        let _ = writeln!(out, "<h3>{}</h3>", escape(block.heading));
        out.push_str("<table>\n<thead>\n<tr>");
        for column in &block.columns {
            let _ = write!(out, "<th>{}</th>", escape(column));
        }
        out.push_str("</tr>\n</thead>\n<tbody>\n");
        for row in &block.rows {
            let _ = write!(out, "<tr><td class=\"label\">{}</td>", escape(row.label));
            for figure in &row.figures {
                let _ = write!(out, "<td class=\"num\">{}</td>", escape(&figure.display()));
            }
            out.push_str("</tr>\n");
        }
        out.push_str("</tbody>\n</table>\n");
    }
    out.push_str("</section>\n");
}

fn render_section_three(out: &mut String, report: &AnnualReport) {
    let _ = writeln!(out, "<section class=\"section-three\">\n<h2>{}</h2>", escape(SECTION_THREE_TITLE));
    out.push_str("<table>\n");
    out.push_str(
        "<colgroup><col style=\"width:7%\"><col style=\"width:11%\"><col style=\"width:26%\">\
         <col span=\"7\" style=\"width:8%\"></colgroup>\n",
    );
    header_rows(out, &section_three_header(), SECTION_THREE_HEADER_ROWS, Some("note"));
    out.push_str("<tbody>\n");
    let labels = section_three_labels(report.template);
    let layout_rows = RowKey::rows(report.template);
    for row in &report.section_three.rows {
        let _ = write!(out, "<tr data-key=\"{}\">", row.key.as_str());
        match layout_rows.iter().position(|&k| k == row.key) {
            Some(j) => {
                for cell in labels.iter().filter(|c| c.row == crate::report::index_u32(j)) {
                    if cell.text == row.key.label() {
                        // The row's own label: print the table's, which is what its figures belong to.
                        spanned_cell(out, "th", Some("label"), cell, &row.label);
                    } else {
                        layout_cell(out, "th", None, cell);
                    }
                }
            }
            // A row the template does not have (a corrupt table) still shows, across the label columns.
            None => {
                let _ = write!(out, "<th class=\"label\" colspan=\"3\">{}</th>", escape(&row.label));
            }
        }
        for value in &row.values {
            let _ = write!(out, "<td class=\"num\">{value}</td>");
        }
        out.push_str("</tr>\n");
    }
    out.push_str("</tbody>\n</table>\n</section>\n");
}

fn render_section_four(out: &mut String, report: &AnnualReport) {
    let _ = writeln!(out, "<section class=\"section-four\">\n<h2>{}</h2>", escape(SECTION_FOUR_TITLE));
    out.push_str("<table>\n");
    header_rows(out, &section_four_header(), SECTION_FOUR_HEADER_ROWS, None);
    out.push_str("<tbody>\n<tr>");
    for value in report.section_four.values() {
        let _ = write!(out, "<td class=\"num\">{value}</td>");
    }
    out.push_str("</tr>\n</tbody>\n</table>\n</section>\n");
}

fn render_checks(out: &mut String, checks: &[Check]) {
    out.push_str("<section class=\"checks\">\n<h2>数据校验</h2>\n<table class=\"checks\">\n");
    out.push_str("<thead>\n<tr><th>校验项</th><th>结果</th><th>说明</th></tr>\n</thead>\n<tbody>\n");
    for check in checks {
        let (class, verdict) = if check.passed { ("passed", "通过") } else { ("failed", "未通过") };
        let _ = writeln!(
            out,
            "<tr><td>{}</td><td class=\"{class}\">{verdict}</td><td>{}</td></tr>",
            escape(&check.name),
            escape(&check.detail)
        );
    }
    out.push_str("</tbody>\n</table>\n</section>\n");
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::model::Template;
    use crate::report::tests::{portable_snapshots, sample_report};

    #[test]
    fn text_is_escaped() {
        assert_eq!(escape("<a href=\"x\">&'"), "&lt;a href=&quot;x&quot;&gt;&amp;&#39;");
        let mut report = sample_report(Template::Y2021);
        report.agency_name = "<script>alert(1)</script>".to_owned();
        report.checks[0].detail = "a < b & c".to_owned();
        let html = render_html(&report);
        assert!(!html.contains("<script>"));
        assert!(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;2022年"));
        assert!(html.contains("a &lt; b &amp; c"));
    }

    #[test]
    fn the_page_is_self_contained_and_printable() {
        let html = render_html(&sample_report(Template::Y2019));
        assert!(html.starts_with("<!DOCTYPE html>"));
        assert!(html.contains("@page { size: A4; margin: 15mm }"));
        assert!(html.contains("<title>示例市示例区人民政府2019年政府信息公开工作年度报告（统计部分）</title>"));
        assert!(!html.contains("http://") && !html.contains("https://") && !html.contains("<link"));
        assert!(!html.contains("<script"));
    }

    #[test]
    fn html_of_template_2019_matches_snapshot() {
        portable_snapshots(|| insta::assert_snapshot!("html_2019", render_html(&sample_report(Template::Y2019))));
    }

    #[test]
    fn html_of_template_2021_matches_snapshot() {
        portable_snapshots(|| insta::assert_snapshot!("html_2021", render_html(&sample_report(Template::Y2021))));
    }
}
