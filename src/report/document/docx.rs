//! The document as a Word file (DOCX, WordprocessingML), written part by part: A4 portrait, 宋体
//! (SimSun) for Chinese text, the section headings as paragraphs of their own in the built-in
//! heading styles (so Word's navigation pane lists them), the tables as Word tables with merged
//! cells (`w:gridSpan`, `w:vMerge`) whose header rows repeat on each page, page numbers in the
//! footer. It opens in Word and WPS and stays editable.
//!
//! Reproducible byte for byte: the parts are written in a fixed order with fixed time stamps
//! (1980-01-01, the zip format's earliest) and a fixed host system, and hold no date but the
//! document's own.

use std::io::{Cursor, Write as _};

use zip::write::SimpleFileOptions;
use zip::{CompressionMethod, DateTime, System, ZipWriter};

use super::grid::{self, CellKind, Grid, Slot};
use super::xml::Xml;
use super::{AnnualDocument, SectionContent};
use crate::domain::report_text::TextBlock;
use crate::report::section_two::SectionTwoState;
use crate::report::ReportError;

/// The media type to serve the file with.
pub const CONTENT_TYPE: &str = "application/vnd.openxmlformats-officedocument.wordprocessingml.document";

const W: &str = "http://schemas.openxmlformats.org/wordprocessingml/2006/main";
const R: &str = "http://schemas.openxmlformats.org/officeDocument/2006/relationships";
const REL: &str = "http://schemas.openxmlformats.org/officeDocument/2006/relationships";

/// A4 in twentieths of a point, and the margins: the text is 9412 wide (166 mm).
const PAGE_WIDTH: u32 = 11906;
const PAGE_HEIGHT: u32 = 16838;
const MARGIN_TOP: u32 = 1440;
const MARGIN_SIDE: u32 = 1247;
const TEXT_WIDTH: u32 = PAGE_WIDTH - 2 * MARGIN_SIDE;

/// Paragraph styles (ids in `styles.xml`).
const TITLE: &str = "Title";
const HEADING: &str = "Heading1";
const SUB_HEADING: &str = "Heading2";
const BODY: &str = "BodyText";
const LIST: &str = "ListParagraph";
const SIGNATURE: &str = "Signature";
const TABLE_TEXT: &str = "TableText";
const TABLE_LABEL: &str = "TableLabel";
const TABLE_NOTE: &str = "TableNote";
const TABLE_GAP: &str = "TableGap";

/// The package's parts in the order written: (path, content).
pub fn parts(document: &AnnualDocument) -> Vec<(&'static str, String)> {
    vec![
        ("[Content_Types].xml", content_types()),
        ("_rels/.rels", package_rels()),
        ("docProps/core.xml", core_properties(document)),
        ("word/document.xml", document_xml(document)),
        ("word/styles.xml", STYLES.to_owned()),
        ("word/settings.xml", SETTINGS.to_owned()),
        ("word/footer1.xml", FOOTER.to_owned()),
        ("word/_rels/document.xml.rels", document_rels()),
    ]
}

/// The document as a DOCX file.
///
/// # Errors
/// `ReportError::Docx` or `ReportError::Io` when the package cannot be written (in memory: only
/// on running out of it).
pub fn render_docx(document: &AnnualDocument) -> Result<Vec<u8>, ReportError> {
    let options = SimpleFileOptions::default()
        .compression_method(CompressionMethod::Deflated)
        .last_modified_time(DateTime::DEFAULT)
        .system(System::Dos);
    let mut zip = ZipWriter::new(Cursor::new(Vec::new()));
    for (path, content) in parts(document) {
        zip.start_file(path, options)?;
        zip.write_all(content.as_bytes())?;
    }
    Ok(zip.finish()?.into_inner())
}

fn content_types() -> String {
    const PART: &str = "application/vnd.openxmlformats-officedocument.wordprocessingml";
    let mut x = Xml::new();
    x.start("Types", &[("xmlns", "http://schemas.openxmlformats.org/package/2006/content-types")]);
    x.empty(
        "Default",
        &[("Extension", "rels"), ("ContentType", "application/vnd.openxmlformats-package.relationships+xml")],
    );
    x.empty("Default", &[("Extension", "xml"), ("ContentType", "application/xml")]);
    for (part, kind) in [
        ("/word/document.xml", "document.main+xml"),
        ("/word/styles.xml", "styles+xml"),
        ("/word/settings.xml", "settings+xml"),
        ("/word/footer1.xml", "footer+xml"),
    ] {
        x.empty("Override", &[("PartName", part), ("ContentType", &format!("{PART}.{kind}"))]);
    }
    x.empty(
        "Override",
        &[
            ("PartName", "/docProps/core.xml"),
            ("ContentType", "application/vnd.openxmlformats-package.core-properties+xml"),
        ],
    );
    x.end("Types");
    x.finish()
}

fn relationships(rels: &[(&str, &str, &str)]) -> String {
    let mut x = Xml::new();
    x.start("Relationships", &[("xmlns", "http://schemas.openxmlformats.org/package/2006/relationships")]);
    for (id, kind, target) in rels {
        x.empty("Relationship", &[("Id", id), ("Type", kind), ("Target", target)]);
    }
    x.end("Relationships");
    x.finish()
}

fn package_rels() -> String {
    relationships(&[
        ("rId1", &format!("{REL}/officeDocument"), "word/document.xml"),
        (
            "rId2",
            "http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties",
            "docProps/core.xml",
        ),
    ])
}

fn document_rels() -> String {
    relationships(&[
        ("rId1", &format!("{REL}/styles"), "styles.xml"),
        ("rId2", &format!("{REL}/settings"), "settings.xml"),
        ("rId3", &format!("{REL}/footer"), "footer1.xml"),
    ])
}

/// The title and the issuing agency as the file's properties; no dates (they would change the
/// bytes of every download).
fn core_properties(document: &AnnualDocument) -> String {
    let mut x = Xml::new();
    x.start(
        "cp:coreProperties",
        &[
            ("xmlns:cp", "http://schemas.openxmlformats.org/package/2006/metadata/core-properties"),
            ("xmlns:dc", "http://purl.org/dc/elements/1.1/"),
        ],
    );
    x.element("dc:title", &[], &document.title);
    x.element("dc:creator", &[], &document.signature.agency);
    x.element("dc:language", &[], "zh-CN");
    x.end("cp:coreProperties");
    x.finish()
}

/// A paragraph of `style` holding `lines`, separated by line breaks.
fn paragraph(x: &mut Xml, style: &str, lines: &[&str]) {
    styled_paragraph(x, style, lines, false);
}

/// [`paragraph`], kept on one page with the next when `keep_next`.
fn styled_paragraph(x: &mut Xml, style: &str, lines: &[&str], keep_next: bool) {
    x.start("w:p", &[]);
    x.start("w:pPr", &[]);
    x.empty("w:pStyle", &[("w:val", style)]);
    if keep_next {
        x.empty("w:keepNext", &[]);
    }
    x.end("w:pPr");
    if lines.iter().any(|l| !l.is_empty()) {
        x.start("w:r", &[]);
        for (i, line) in lines.iter().enumerate() {
            if i > 0 {
                x.empty("w:br", &[]);
            }
            x.element("w:t", &[("xml:space", "preserve")], line);
        }
        x.end("w:r");
    }
    x.end("w:p");
    x.newline();
}

fn document_xml(document: &AnnualDocument) -> String {
    let mut x = Xml::new();
    x.start("w:document", &[("xmlns:w", W), ("xmlns:r", R)]);
    x.start("w:body", &[]);
    x.newline();
    paragraph(&mut x, TITLE, &[&document.title]);
    for text in &document.preamble {
        paragraph(&mut x, BODY, &[text]);
    }
    let last = document.sections.len().saturating_sub(1);
    for (i, section) in document.sections.iter().enumerate() {
        paragraph(&mut x, HEADING, &[&section.heading]);
        match &section.content {
            // The end of the last section stays on the page of the signature.
            SectionContent::Text { blocks } => text_blocks(&mut x, blocks, i == last),
            SectionContent::SectionTwo => section_two(&mut x, document),
            SectionContent::SectionThree => table(&mut x, &grid::section_three(&document.report, TEXT_WIDTH)),
            SectionContent::SectionFour => table(&mut x, &grid::section_four(&document.report, TEXT_WIDTH)),
        }
    }
    styled_paragraph(&mut x, BODY, &[], true);
    styled_paragraph(&mut x, SIGNATURE, &[&document.signature.agency], document.signature.date.is_some());
    if let Some(date) = &document.signature.date {
        paragraph(&mut x, SIGNATURE, &[date]);
    }
    section_properties(&mut x);
    x.end("w:body");
    x.end("w:document");
    x.finish()
}

/// The blocks of a text; with `keep_last`, its last paragraph is kept with what follows.
fn text_blocks(x: &mut Xml, blocks: &[TextBlock], keep_last: bool) {
    for (b, block) in blocks.iter().enumerate() {
        let last_block = keep_last && b + 1 == blocks.len();
        match block {
            TextBlock::Heading { text } => paragraph(x, SUB_HEADING, &[text]),
            TextBlock::Paragraph { lines } => {
                let lines: Vec<&str> = lines.iter().map(String::as_str).collect();
                styled_paragraph(x, BODY, &lines, last_block);
            }
            TextBlock::List { items } => {
                for (i, item) in items.iter().enumerate() {
                    let separator = if item.marker == "•" { " " } else { "" };
                    let text = format!("{}{separator}{}", item.marker, item.text);
                    styled_paragraph(x, LIST, &[&text], last_block && i + 1 == items.len());
                }
            }
        }
    }
}

/// Section two: its blocks as tables, each headed by its 第二十条 item across the table, or the
/// sentence saying it was not entered.
fn section_two(x: &mut Xml, document: &AnnualDocument) {
    let report = &document.report;
    let status = &report.section_two_status;
    match (&report.section_two, status.state) {
        (None, _) | (Some(_), SectionTwoState::Missing) => paragraph(x, BODY, &[&status.sentence()]),
        (Some(section_two), state) => {
            if state == SectionTwoState::Partial {
                paragraph(x, BODY, &[&status.sentence()]);
            }
            for block in section_two.blocks() {
                table(x, &grid::section_two_block(&block, TEXT_WIDTH));
            }
        }
    }
}

/// A table from its grid; a small empty paragraph after it keeps it apart from the next one
/// (Word joins tables that touch).
fn table(x: &mut Xml, grid: &Grid) {
    let total = grid.widths.iter().sum::<u32>().to_string();
    x.start("w:tbl", &[]);
    x.start("w:tblPr", &[]);
    x.empty("w:tblW", &[("w:w", &total), ("w:type", "dxa")]);
    x.empty("w:jc", &[("w:val", "center")]);
    x.start("w:tblBorders", &[]);
    for side in ["w:top", "w:left", "w:bottom", "w:right", "w:insideH", "w:insideV"] {
        x.empty(side, &[("w:val", "single"), ("w:sz", "4"), ("w:space", "0"), ("w:color", "000000")]);
    }
    x.end("w:tblBorders");
    x.empty("w:tblLayout", &[("w:type", "fixed")]);
    x.start("w:tblCellMar", &[]);
    x.empty("w:left", &[("w:w", "28"), ("w:type", "dxa")]);
    x.empty("w:right", &[("w:w", "28"), ("w:type", "dxa")]);
    x.end("w:tblCellMar");
    x.end("w:tblPr");
    x.start("w:tblGrid", &[]);
    for width in &grid.widths {
        x.empty("w:gridCol", &[("w:w", &width.to_string())]);
    }
    x.end("w:tblGrid");
    x.newline();
    for r in 0..grid.rows() {
        x.start("w:tr", &[]);
        x.start("w:trPr", &[]);
        x.empty("w:cantSplit", &[]);
        if r < grid.header_rows {
            x.empty("w:tblHeader", &[]);
        }
        x.end("w:trPr");
        for slot in grid.row_slots(r) {
            let (cell, starts) = match slot {
                Slot::Start(cell) => (cell, true),
                Slot::Continue(cell) => (cell, false),
            };
            x.start("w:tc", &[]);
            x.start("w:tcPr", &[]);
            x.empty("w:tcW", &[("w:w", &grid.width(cell.col, cell.col_span).to_string()), ("w:type", "dxa")]);
            if cell.col_span > 1 {
                x.empty("w:gridSpan", &[("w:val", &cell.col_span.to_string())]);
            }
            match (cell.row_span > 1, starts) {
                (true, true) => x.empty("w:vMerge", &[("w:val", "restart")]),
                (true, false) => x.empty("w:vMerge", &[]),
                _ => {}
            }
            x.empty("w:vAlign", &[("w:val", "center")]);
            x.end("w:tcPr");
            let style = match cell.kind {
                CellKind::Header | CellKind::Number => TABLE_TEXT,
                CellKind::Label => TABLE_LABEL,
                CellKind::Note => TABLE_NOTE,
            };
            // A merged-over cell holds an empty paragraph, as Word writes it.
            let text = if starts { cell.text.as_str() } else { "" };
            paragraph(x, style, &[text]);
            x.end("w:tc");
        }
        x.end("w:tr");
        x.newline();
    }
    x.end("w:tbl");
    x.newline();
    paragraph(x, TABLE_GAP, &[]);
}

fn section_properties(x: &mut Xml) {
    x.start("w:sectPr", &[]);
    x.empty("w:footerReference", &[("w:type", "default"), ("r:id", "rId3")]);
    x.empty("w:pgSz", &[("w:w", &PAGE_WIDTH.to_string()), ("w:h", &PAGE_HEIGHT.to_string())]);
    let (top, side) = (MARGIN_TOP.to_string(), MARGIN_SIDE.to_string());
    x.empty(
        "w:pgMar",
        &[
            ("w:top", &top),
            ("w:right", &side),
            ("w:bottom", &top),
            ("w:left", &side),
            ("w:header", "851"),
            ("w:footer", "851"),
            ("w:gutter", "0"),
        ],
    );
    x.empty("w:cols", &[("w:space", "425")]);
    // No line grid: the line spacing is the styles' own (a grid of lines would double it).
    x.empty("w:docGrid", &[("w:linePitch", "312")]);
    x.end("w:sectPr");
}

/// The styles: 宋体 for Chinese and Times New Roman for Latin text by default; the title 宋体
/// bold 18 pt; the section headings 黑体 14 pt (built-in 标题 1, outline level 1); sub-headings
/// 楷体 bold (标题 2); body text 12 pt with a first-line indent of two characters and 1.5 line
/// spacing; tables 9 pt, single-spaced.
const STYLES: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w:styles xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">
<w:docDefaults><w:rPrDefault><w:rPr><w:rFonts w:ascii="Times New Roman" w:hAnsi="Times New Roman" w:eastAsia="宋体" w:cs="Times New Roman"/><w:kern w:val="2"/><w:sz w:val="24"/><w:szCs w:val="24"/><w:lang w:val="en-US" w:eastAsia="zh-CN" w:bidi="ar-SA"/></w:rPr></w:rPrDefault><w:pPrDefault><w:pPr><w:spacing w:line="360" w:lineRule="auto"/></w:pPr></w:pPrDefault></w:docDefaults>
<w:style w:type="paragraph" w:default="1" w:styleId="Normal"><w:name w:val="Normal"/><w:qFormat/><w:pPr><w:jc w:val="both"/></w:pPr></w:style>
<w:style w:type="paragraph" w:styleId="Title"><w:name w:val="Title"/><w:basedOn w:val="Normal"/><w:next w:val="BodyText"/><w:qFormat/><w:pPr><w:keepNext/><w:spacing w:before="240" w:after="360"/><w:jc w:val="center"/></w:pPr><w:rPr><w:rFonts w:eastAsia="宋体"/><w:b/><w:bCs/><w:sz w:val="36"/><w:szCs w:val="36"/></w:rPr></w:style>
<w:style w:type="paragraph" w:styleId="Heading1"><w:name w:val="heading 1"/><w:basedOn w:val="Normal"/><w:next w:val="BodyText"/><w:qFormat/><w:pPr><w:keepNext/><w:keepLines/><w:spacing w:before="240" w:after="120"/><w:jc w:val="left"/><w:outlineLvl w:val="0"/></w:pPr><w:rPr><w:rFonts w:eastAsia="黑体"/><w:sz w:val="28"/><w:szCs w:val="28"/></w:rPr></w:style>
<w:style w:type="paragraph" w:styleId="Heading2"><w:name w:val="heading 2"/><w:basedOn w:val="Normal"/><w:next w:val="BodyText"/><w:qFormat/><w:pPr><w:keepNext/><w:keepLines/><w:ind w:firstLineChars="200" w:firstLine="480"/><w:outlineLvl w:val="1"/></w:pPr><w:rPr><w:rFonts w:eastAsia="楷体"/><w:b/><w:bCs/></w:rPr></w:style>
<w:style w:type="paragraph" w:styleId="BodyText"><w:name w:val="Body Text"/><w:basedOn w:val="Normal"/><w:qFormat/><w:pPr><w:ind w:firstLineChars="200" w:firstLine="480"/></w:pPr></w:style>
<w:style w:type="paragraph" w:styleId="ListParagraph"><w:name w:val="List Paragraph"/><w:basedOn w:val="Normal"/><w:qFormat/><w:pPr><w:ind w:left="480"/></w:pPr></w:style>
<w:style w:type="paragraph" w:styleId="Signature"><w:name w:val="Signature"/><w:basedOn w:val="Normal"/><w:pPr><w:jc w:val="right"/></w:pPr></w:style>
<w:style w:type="paragraph" w:customStyle="1" w:styleId="TableText"><w:name w:val="表格文字"/><w:basedOn w:val="Normal"/><w:qFormat/><w:pPr><w:spacing w:line="240" w:lineRule="auto"/><w:jc w:val="center"/></w:pPr><w:rPr><w:sz w:val="18"/><w:szCs w:val="18"/></w:rPr></w:style>
<w:style w:type="paragraph" w:customStyle="1" w:styleId="TableLabel"><w:name w:val="表格行名"/><w:basedOn w:val="TableText"/><w:qFormat/><w:pPr><w:jc w:val="left"/></w:pPr></w:style>
<w:style w:type="paragraph" w:customStyle="1" w:styleId="TableNote"><w:name w:val="表格说明"/><w:basedOn w:val="TableText"/><w:pPr><w:jc w:val="left"/></w:pPr><w:rPr><w:sz w:val="16"/><w:szCs w:val="16"/></w:rPr></w:style>
<w:style w:type="paragraph" w:customStyle="1" w:styleId="TableGap"><w:name w:val="表格间隔"/><w:basedOn w:val="Normal"/><w:pPr><w:spacing w:line="240" w:lineRule="auto"/></w:pPr><w:rPr><w:sz w:val="12"/><w:szCs w:val="12"/></w:rPr></w:style>
<w:style w:type="paragraph" w:styleId="Footer"><w:name w:val="footer"/><w:basedOn w:val="Normal"/><w:pPr><w:spacing w:line="240" w:lineRule="auto"/><w:jc w:val="center"/></w:pPr><w:rPr><w:sz w:val="18"/><w:szCs w:val="18"/></w:rPr></w:style>
</w:styles>
"#;

/// Compatibility mode of Word 2013 and later (no "compatibility mode" banner), Chinese
/// punctuation compressed, and a line ended by a line break within a justified paragraph not
/// stretched across the page.
const SETTINGS: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w:settings xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:zoom w:percent="100"/><w:defaultTabStop w:val="420"/><w:characterSpacingControl w:val="compressPunctuation"/><w:compat><w:doNotExpandShiftReturn/><w:compatSetting w:name="compatibilityMode" w:uri="http://schemas.microsoft.com/office/word" w:val="15"/></w:compat></w:settings>
"#;

/// The page number, centred: — 1 —.
const FOOTER: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w:ftr xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:p><w:pPr><w:pStyle w:val="Footer"/></w:pPr><w:r><w:t xml:space="preserve">— </w:t></w:r><w:r><w:fldChar w:fldCharType="begin"/></w:r><w:r><w:instrText xml:space="preserve"> PAGE </w:instrText></w:r><w:r><w:fldChar w:fldCharType="separate"/></w:r><w:r><w:t>1</w:t></w:r><w:r><w:fldChar w:fldCharType="end"/></w:r><w:r><w:t xml:space="preserve"> —</w:t></w:r></w:p></w:ftr>
"#;
