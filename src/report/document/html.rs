//! The document as one printable HTML page: the printable report page's style and tables (the
//! same functions draw sections two to four), with the title, the preamble, the written sections
//! and the signature around them. A4 portrait, Chinese throughout, all text escaped.

use std::fmt::Write as _;

use super::{AnnualDocument, SectionContent};
use crate::domain::report_text::TextBlock;
use crate::report::html::{escape, render_section_four, render_section_three, render_section_two, STYLE};

/// The media type to serve the page with.
pub const CONTENT_TYPE: &str = "text/html; charset=utf-8";

/// What the document adds to the report page's style: body text indented by two characters, the
/// section headings in a black face, sub-headings in 楷体, the signature on the right.
const DOCUMENT_STYLE: &str = "h1 { font-size: 18pt; margin: 4mm 0 6mm }
h2 { font-family: \"SimHei\", \"黑体\", \"Heiti SC\", \"Noto Sans CJK SC\", \"Source Han Sans SC\", \"Microsoft YaHei\", sans-serif; \
font-weight: normal; font-size: 14pt }
h3.sub { font-family: \"KaiTi\", \"楷体\", \"STKaiti\", \"Noto Serif CJK SC\", serif; font-size: 12pt; text-indent: 2em; margin: 2mm 0 }
p.text { font-size: 12pt; line-height: 1.8; text-indent: 2em; margin: 0 0 1mm; text-align: justify }
ul.list { font-size: 12pt; line-height: 1.8; list-style: none; margin: 0 0 1mm; padding-left: 2em }
p.signature { font-size: 12pt; text-align: right; margin: 0 }
p.signature.first { margin-top: 10mm }
";

/// Renders the document as a complete HTML5 page.
pub fn render_html(document: &AnnualDocument) -> String {
    let title = escape(&document.title);
    let mut out = String::new();
    out.push_str("<!DOCTYPE html>\n<html lang=\"zh-CN\">\n<head>\n<meta charset=\"utf-8\">\n");
    let _ = writeln!(out, "<title>{title}</title>");
    let _ = writeln!(out, "<style>\n{STYLE}{DOCUMENT_STYLE}</style>\n</head>\n<body>\n<h1>{title}</h1>");
    for paragraph in &document.preamble {
        let _ = writeln!(out, "<p class=\"text\">{}</p>", escape(paragraph));
    }
    for section in &document.sections {
        match &section.content {
            SectionContent::Text { blocks } => {
                let _ = writeln!(out, "<section class=\"text\">\n<h2>{}</h2>", escape(&section.heading));
                text_blocks(&mut out, blocks);
                out.push_str("</section>\n");
            }
            SectionContent::SectionTwo => render_section_two(&mut out, &document.report),
            SectionContent::SectionThree => render_section_three(&mut out, &document.report),
            SectionContent::SectionFour => render_section_four(&mut out, &document.report),
        }
    }
    let _ = writeln!(out, "<p class=\"signature first\">{}</p>", escape(&document.signature.agency));
    if let Some(date) = &document.signature.date {
        let _ = writeln!(out, "<p class=\"signature\">{}</p>", escape(date));
    }
    out.push_str("</body>\n</html>\n");
    out
}

fn text_blocks(out: &mut String, blocks: &[TextBlock]) {
    for block in blocks {
        match block {
            TextBlock::Heading { text } => {
                let _ = writeln!(out, "<h3 class=\"sub\">{}</h3>", escape(text));
            }
            TextBlock::Paragraph { lines } => {
                let lines: Vec<String> = lines.iter().map(|l| escape(l)).collect();
                let _ = writeln!(out, "<p class=\"text\">{}</p>", lines.join("<br>"));
            }
            TextBlock::List { items } => {
                out.push_str("<ul class=\"list\">\n");
                for item in items {
                    let separator = if item.marker == "•" { " " } else { "" };
                    let _ = writeln!(out, "<li>{}{separator}{}</li>", escape(&item.marker), escape(&item.text));
                }
                out.push_str("</ul>\n");
            }
        }
    }
}
