//! Printable HTML export: one self-contained HTML5 page in Chinese (inline CSS, no external
//! resources, A4 portrait with 15 mm margins, a Chinese font stack): the title naming the agency, the
//! year and 本级/汇总, section two (marked 未填报 when missing), sections three and four in the official
//! layout with their merged cells, and the checks. All text is escaped.
//!
//! Printing: a heading never ends a page (`break-after: avoid`), a table is not split when it fits
//! on a page (`break-inside: avoid`), a longer one repeats its header on the next page and never
//! splits a row; on screen the page is shown at A4's printable width.

use std::fmt::Write as _;

use super::model::{
    section_four_header, section_three_header, section_three_labels, AnnualReport, Check, LayoutCell, RowKey,
    SECTION_FOUR_HEADER_ROWS, SECTION_FOUR_TITLE, SECTION_THREE_HEADER_ROWS, SECTION_THREE_TITLE, SECTION_TWO_TITLE,
};
use super::section_two::{SectionTwo, SectionTwoState};

/// The media type to serve the page with.
pub const CONTENT_TYPE: &str = "text/html; charset=utf-8";

/// The page's style sheet.
pub(crate) const STYLE: &str = "@page { size: A4 portrait; margin: 15mm }
body { font-family: \"SimSun\", \"宋体\", \"Songti SC\", \"Noto Serif CJK SC\", \"Source Han Serif SC\", \
\"Noto Sans CJK SC\", \"Microsoft YaHei\", \"PingFang SC\", serif; font-size: 10.5pt; color: #000; margin: 0 }
@media screen { body { max-width: 180mm; margin: 10mm auto; padding: 0 5mm } }
h1 { font-size: 16pt; text-align: center; margin: 0 0 3mm }
p.scope { text-align: center; margin: 0 0 6mm }
h2 { font-size: 12pt; margin: 6mm 0 2mm }
h3 { font-size: 10.5pt; margin: 3mm 0 1mm }
h1, h2, h3 { break-after: avoid; page-break-after: avoid }
section.keep { break-inside: avoid; page-break-inside: avoid }
table { border-collapse: collapse; width: 100%; break-inside: avoid; page-break-inside: avoid }
thead { display: table-header-group }
tr { break-inside: avoid; page-break-inside: avoid }
th, td { border: 1px solid #000; padding: 2px 4px; vertical-align: middle }
th { font-weight: normal; text-align: center }
td.num { text-align: center; white-space: nowrap }
td.label, th.label { text-align: left }
th.note { font-size: 9pt; text-align: left }
p.missing { font-weight: bold; margin: 1mm 0 2mm }
p.note { margin: 1mm 0 2mm }
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
    let _ = writeln!(
        out,
        "<p class=\"scope\">{}表格式：{}</p>",
        escape(report.scope.description()),
        escape(report.template.notice())
    );
    render_section_two(&mut out, report);
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

pub(crate) fn render_section_two(out: &mut String, report: &AnnualReport) {
    let _ = writeln!(out, "<section class=\"section-two\">\n<h2>{}</h2>", escape(SECTION_TWO_TITLE));
    let status = &report.section_two_status;
    match (&report.section_two, status.state) {
        (None, _) | (Some(_), SectionTwoState::Missing) => {
            let _ = writeln!(out, "<p class=\"missing\">{}</p>", escape(&status.sentence()));
        }
        (Some(section_two), state) => {
            if state == SectionTwoState::Partial {
                let _ = writeln!(out, "<p class=\"note\">{}</p>", escape(&status.sentence()));
            }
            render_blocks(out, section_two);
        }
    }
    out.push_str("</section>\n");
}

fn render_blocks(out: &mut String, section_two: &SectionTwo) {
    for block in section_two.blocks() {
        // Each block's heading stays with its table.
        let _ = writeln!(out, "<section class=\"keep\">\n<h3>{}</h3>", escape(block.heading));
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
        out.push_str("</tbody>\n</table>\n</section>\n");
    }
}

pub(crate) fn render_section_three(out: &mut String, report: &AnnualReport) {
    let _ = writeln!(out, "<section class=\"section-three keep\">\n<h2>{}</h2>", escape(SECTION_THREE_TITLE));
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

pub(crate) fn render_section_four(out: &mut String, report: &AnnualReport) {
    let _ = writeln!(out, "<section class=\"section-four keep\">\n<h2>{}</h2>", escape(SECTION_FOUR_TITLE));
    // Fifteen equal columns: A4's printable width gives each about 12 mm, room for 总计 on one line.
    out.push_str("<table>\n<colgroup><col span=\"15\" style=\"width:6.66%\"></colgroup>\n");
    header_rows(out, &section_four_header(), SECTION_FOUR_HEADER_ROWS, None);
    out.push_str("<tbody>\n<tr>");
    for value in report.section_four.values() {
        let _ = write!(out, "<td class=\"num\">{value}</td>");
    }
    out.push_str("</tr>\n</tbody>\n</table>\n</section>\n");
}

/// The Chinese name of a check: its stored label, or the one of its name.
fn check_label(check: &Check) -> &str {
    if check.label.is_empty() {
        super::checks::label(&check.name)
    } else {
        &check.label
    }
}

fn render_checks(out: &mut String, checks: &[Check]) {
    out.push_str("<section class=\"checks keep\">\n<h2>数据校验</h2>\n<table class=\"checks\">\n");
    out.push_str("<colgroup><col style=\"width:32%\"><col style=\"width:10%\"><col style=\"width:58%\"></colgroup>\n");
    out.push_str("<thead>\n<tr><th>校验项</th><th>结果</th><th>说明</th></tr>\n</thead>\n<tbody>\n");
    for check in checks {
        let (class, verdict) = if check.passed { ("passed", "通过") } else { ("failed", "未通过") };
        let _ = writeln!(
            out,
            "<tr><td>{}</td><td class=\"{class}\">{verdict}</td><td>{}</td></tr>",
            escape(check_label(check)),
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
    use crate::report::{AgencyRef, SectionTwoStatus};

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
        assert!(html.contains("@page { size: A4 portrait; margin: 15mm }"));
        assert!(html.contains("<title>示例市示例区人民政府2019年政府信息公开工作年度报告（统计部分·本级）</title>"));
        assert!(!html.contains("http://") && !html.contains("https://") && !html.contains("<link"));
        assert!(!html.contains("<script"));
    }

    /// The text a reader sees: the page without its style sheet and tags, entities decoded.
    fn visible_text(html: &str) -> String {
        let body = &html[html.find("</head>").unwrap()..];
        let mut text = String::new();
        let mut in_tag = false;
        for c in body.chars() {
            match c {
                '<' => in_tag = true,
                '>' => {
                    in_tag = false;
                    text.push(' ');
                }
                c if !in_tag => text.push(c),
                _ => {}
            }
        }
        text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
    }

    #[test]
    fn every_word_on_the_page_is_chinese() {
        for template in Template::ALL.iter().copied() {
            let mut report = sample_report(template);
            // A failed check too: its sentence names the failing column.
            report.checks[0] = crate::report::checks::identity(&{
                let mut table = report.section_three.clone();
                table.rows[0].values[0] += 1;
                table
            });
            let text = visible_text(&render_html(&report));
            let latin: Vec<&str> = text.split(|c: char| !c.is_ascii_alphabetic()).filter(|w| !w.is_empty()).collect();
            assert!(latin.is_empty(), "{template}: Latin words on the page: {latin:?}");
            assert!(text.contains("勾稽关系") && text.contains("未通过") && text.contains("“自然人”列"), "{text}");
        }
    }

    #[test]
    fn headings_stay_with_their_tables() {
        let html = render_html(&sample_report(Template::Y2021));
        assert!(html.contains("h1, h2, h3 { break-after: avoid; page-break-after: avoid }"));
        assert!(html.contains(
            "table { border-collapse: collapse; width: 100%; break-inside: avoid; page-break-inside: avoid }"
        ));
        // Each section-two block is one unbreakable unit of heading and table.
        assert_eq!(html.matches("<section class=\"keep\">\n<h3>").count(), 4);
        assert!(html
            .contains("<section class=\"section-three keep\">\n<h2>三、收到和处理政府信息公开申请情况</h2>\n<table>"));
        assert!(html.contains(
            "<section class=\"section-four keep\">\n<h2>四、政府信息公开行政复议、行政诉讼情况</h2>\n<table>"
        ));
    }

    #[test]
    fn the_title_says_whether_the_report_is_compiled() {
        let mut report = sample_report(Template::Y2019);
        report.scope = crate::report::ReportScope::Compiled;
        let html = render_html(&report);
        assert!(html.contains("<h1>示例市示例区人民政府2019年政府信息公开工作年度报告（统计部分·汇总）</h1>"));
        assert!(html.contains("汇总：统计本机关及其所属各级机关的数据。表格式：国办公开办函〔2019〕60号"));
    }

    #[test]
    fn a_missing_section_two_is_marked_not_entered() {
        let mut report = sample_report(Template::Y2021);
        report.section_two = None;
        report.section_two_status = SectionTwoStatus::new(false, vec![AgencyRef { id: 7, name: "示例区".into() }]);
        let html = render_html(&report);
        assert!(
            html.contains("<h2>二、主动公开政府信息情况</h2>\n<p class=\"missing\">未填报</p>\n</section>"),
            "{html}"
        );
        assert!(!html.contains("第二十条"));
    }

    #[test]
    fn a_compiled_report_names_the_agencies_without_section_two() {
        let mut report = sample_report(Template::Y2021);
        report.scope = crate::report::ReportScope::Compiled;
        let missing =
            vec![AgencyRef { id: 8, name: "示例区教育局".into() }, AgencyRef { id: 9, name: "示例区财政局".into() }];
        report.section_two_status = SectionTwoStatus::new(true, missing);
        let html = render_html(&report);
        assert!(html.contains(
            "<p class=\"note\">部分机关未填报：示例区教育局、示例区财政局未填报，以下为其余已填报机关数据之和。</p>"
        ));
        assert!(html.contains("第二十条第（一）项"));
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
