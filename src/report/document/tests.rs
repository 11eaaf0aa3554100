//! The document's model and renderings: headings in order, the preamble, text blocks, the Word
//! package read back with an XML parser, reproducibility, and snapshots of every XML part and of
//! the HTML page.

use std::io::{Cursor, Read as _};

use quick_xml::events::Event;
use quick_xml::Reader;

use super::*;
use crate::domain::report_text::{AdditionalSection, ReportText};
use crate::report::model::{ReportScope, Template};
use crate::report::tests::{portable_snapshots, sample_report};

fn text() -> ReportText {
    ReportText {
        overview: "2021年，本机关认真贯彻落实《条例》。\n\n（一）主动公开情况\n全年主动公开政府信息120条。\n\n- 完善目录\n- 更新指南"
            .to_owned(),
        problems_and_improvements: "一是公开内容不够全面。\n\n1.加强培训\n2.完善制度".to_owned(),
        other_matters: "本机关未收取信息处理费。".to_owned(),
        additional_sections: vec![AdditionalSection { title: "政府信息公开保密审查情况".to_owned(), text: "无。".to_owned() }],
    }
}

fn document(template: Template) -> AnnualDocument {
    let report = sample_report(template);
    AnnualDocument::build(report, Some((3, &text())), NaiveDate::from_ymd_opt(2022, 1, 20))
}

#[test]
fn the_six_sections_come_in_order_with_the_official_headings() {
    let doc = document(Template::Y2021);
    assert_eq!(
        doc.headings(),
        [
            "一、总体情况",
            "二、主动公开政府信息情况",
            "三、收到和处理政府信息公开申请情况",
            "四、政府信息公开行政复议、行政诉讼情况",
            "五、存在的主要问题及改进情况",
            "六、其他需要报告的事项",
        ]
    );
    assert_eq!(doc.title, "示例市示例区人民政府2022年政府信息公开工作年度报告");
    assert_eq!(doc.signature.date.as_deref(), Some("2022年1月20日"));
    assert_eq!(doc.text_version, Some(3));
    // Template 2021 has no added sections: the one written for a 2019 report is not printed.
    assert!(!doc.canonical_json().unwrap().contains("保密审查"));
}

#[test]
fn a_template_2019_report_prints_the_added_sections_before_the_other_matters() {
    let doc = document(Template::Y2019);
    let headings = doc.headings();
    assert_eq!(headings[4], "五、存在的主要问题及改进情况");
    assert_eq!(headings[5], "六、政府信息公开保密审查情况");
    assert_eq!(headings[6], "七、其他需要报告的事项");
    assert!(doc.preamble[0].contains("共七个部分"), "{}", doc.preamble[0]);
}

#[test]
fn the_preamble_names_the_legal_basis_the_notice_and_the_period() {
    let doc = document(Template::Y2021);
    assert_eq!(
        doc.preamble,
        [
            "本报告根据《中华人民共和国政府信息公开条例》（以下简称《条例》）和《国务院办公厅政府信息与政务公开办公室关于印发〈中华人民共和国政府信息公开工作年度报告格式〉的通知》（国办公开办函〔2021〕30号）的要求编制，全文包括总体情况、主动公开政府信息情况、收到和处理政府信息公开申请情况、政府信息公开行政复议和行政诉讼情况、存在的主要问题及改进情况、其他需要报告的事项，共六个部分。",
            "本报告中所列数据的统计期限为2022年1月1日至2022年12月31日。",
        ]
    );
    let doc = document(Template::Y2019);
    assert!(doc.preamble[0].contains("《国务院办公厅政府信息与政务公开办公室关于政府信息公开工作年度报告有关事项的通知》（国办公开办函〔2019〕60号）"));
    let mut compiled = sample_report(Template::Y2021);
    compiled.scope = ReportScope::Compiled;
    let doc = AnnualDocument::build(compiled, None, None);
    assert!(doc.preamble[0].ends_with("第二、三、四部分的统计数据为示例市示例区人民政府及其所属各级机关的汇总数据。"));
}

#[test]
fn parts_not_written_say_so_and_a_draft_has_no_date() {
    let doc = AnnualDocument::build(sample_report(Template::Y2021), None, None);
    assert_eq!(doc.text_version, None);
    assert_eq!(doc.signature.date, None);
    for section in &doc.sections {
        if let SectionContent::Text { blocks } = &section.content {
            assert_eq!(blocks, &[TextBlock::Paragraph { lines: vec![NOT_WRITTEN.to_owned()] }], "{}", section.heading);
        }
    }
}

#[test]
fn the_canonical_content_round_trips_and_its_hash_is_stable() {
    let doc = document(Template::Y2019);
    let json = doc.canonical_json().unwrap();
    let back = AnnualDocument::from_json(&json).unwrap();
    assert_eq!(back, doc);
    assert_eq!(back.canonical_json().unwrap(), json);
    assert_eq!(doc.content_hash().unwrap(), crate::report::hash_text(&json));
    assert_eq!(doc.content_hash().unwrap().len(), 64);
}

#[test]
fn numbers_are_written_in_chinese() {
    let numbers: Vec<String> = [1, 6, 10, 11, 20, 21].iter().map(|&n| chinese_number(n)).collect();
    assert_eq!(numbers, ["一", "六", "十", "十一", "二十", "二十一"]);
}

#[test]
fn the_docx_is_the_same_byte_for_byte_every_time() {
    let doc = document(Template::Y2021);
    let first = docx::render_docx(&doc).unwrap();
    let second = docx::render_docx(&AnnualDocument::from_json(&doc.canonical_json().unwrap()).unwrap()).unwrap();
    assert_eq!(first, second);
    assert!(first.starts_with(b"PK\x03\x04"));
}

/// The parts of a DOCX, unzipped.
fn unzip(bytes: &[u8]) -> Vec<(String, String)> {
    let mut archive = zip::ZipArchive::new(Cursor::new(bytes)).unwrap();
    (0..archive.len())
        .map(|i| {
            let mut file = archive.by_index(i).unwrap();
            let mut text = String::new();
            file.read_to_string(&mut text).unwrap();
            (file.name().unwrap().into_owned(), text)
        })
        .collect()
}

/// The character an XML entity reference stands for.
fn entity(name: &str) -> &'static str {
    match name {
        "lt" => "<",
        "gt" => ">",
        "amp" => "&",
        "quot" => "\"",
        "apos" => "'",
        other => panic!("unexpected entity {other}"),
    }
}

/// The paragraphs of `document.xml` outside tables: (style, text).
fn body_paragraphs(xml: &str) -> Vec<(String, String)> {
    let mut reader = Reader::from_str(xml);
    let (mut depth_in_table, mut in_text) = (0, false);
    let mut out: Vec<(String, String)> = Vec::new();
    let mut current: Option<(String, String)> = None;
    loop {
        match reader.read_event().unwrap() {
            Event::Start(e) if e.name().as_ref() == "w:tbl" => depth_in_table += 1,
            Event::End(e) if e.name().as_ref() == "w:tbl" => depth_in_table -= 1,
            Event::Start(e) if e.name().as_ref() == "w:p" && depth_in_table == 0 => {
                current = Some((String::new(), String::new()))
            }
            Event::Empty(e) if e.name().as_ref() == "w:pStyle" => {
                if let Some((style, _)) = current.as_mut() {
                    *style = e.try_get_attribute("w:val").unwrap().unwrap().value.into_owned();
                }
            }
            Event::Start(e) if e.name().as_ref() == "w:t" => in_text = true,
            Event::End(e) if e.name().as_ref() == "w:t" => in_text = false,
            Event::Text(t) if in_text => {
                if let Some((_, text)) = current.as_mut() {
                    text.push_str(&t);
                }
            }
            Event::GeneralRef(r) if in_text => {
                if let Some((_, text)) = current.as_mut() {
                    text.push_str(entity(&r));
                }
            }
            Event::End(e) if e.name().as_ref() == "w:p" && depth_in_table == 0 => out.extend(current.take()),
            Event::Eof => break,
            _ => {}
        }
    }
    out
}

#[test]
fn the_docx_holds_the_parts_word_needs_and_its_headings_in_order() {
    let bytes = docx::render_docx(&document(Template::Y2021)).unwrap();
    let parts = unzip(&bytes);
    let names: Vec<&str> = parts.iter().map(|(n, _)| n.as_str()).collect();
    for needed in
        ["[Content_Types].xml", "_rels/.rels", "word/document.xml", "word/styles.xml", "word/_rels/document.xml.rels"]
    {
        assert!(names.contains(&needed), "{needed} missing: {names:?}");
    }
    let document_xml = &parts.iter().find(|(n, _)| n == "word/document.xml").unwrap().1;
    let paragraphs = body_paragraphs(document_xml);
    let headings: Vec<&str> =
        paragraphs.iter().filter(|(style, _)| style == "Heading1").map(|(_, t)| t.as_str()).collect();
    let numbers: Vec<&str> = headings.iter().map(|h| h.split('、').next().unwrap()).collect();
    assert_eq!(numbers, ["一", "二", "三", "四", "五", "六"]);
    assert_eq!(paragraphs[0], ("Title".to_owned(), "示例市示例区人民政府2022年政府信息公开工作年度报告".to_owned()));
    assert!(paragraphs.contains(&("Heading2".to_owned(), "（一）主动公开情况".to_owned())));
    assert!(paragraphs.contains(&("ListParagraph".to_owned(), "1.加强培训".to_owned())));
    assert!(paragraphs.contains(&("ListParagraph".to_owned(), "• 完善目录".to_owned())));
    assert!(document_xml.contains("<w:pgSz w:w=\"11906\" w:h=\"16838\"/>"));
    let styles = &parts.iter().find(|(n, _)| n == "word/styles.xml").unwrap().1;
    assert!(styles.contains("w:eastAsia=\"宋体\""));
    // Every part is well-formed XML.
    for (name, xml) in &parts {
        let mut reader = Reader::from_str(xml);
        loop {
            match reader.read_event() {
                Ok(Event::Eof) => break,
                Ok(_) => {}
                Err(e) => panic!("{name}: {e}"),
            }
        }
    }
}

#[test]
fn docx_parts_of_template_2019_match_snapshots() {
    let doc = document(Template::Y2019);
    portable_snapshots(|| {
        for (name, xml) in docx::parts(&doc) {
            let snapshot = format!("docx_2019_{}", name.replace(['/', '.', '[', ']'], "_"));
            insta::assert_snapshot!(snapshot, xml);
        }
    });
}

#[test]
fn docx_document_of_template_2021_matches_snapshot() {
    let doc = document(Template::Y2021);
    let parts = docx::parts(&doc);
    let xml = &parts.iter().find(|(n, _)| *n == "word/document.xml").unwrap().1;
    portable_snapshots(|| insta::assert_snapshot!("docx_2021_word_document_xml", xml));
}

#[test]
fn html_document_matches_snapshot_and_is_escaped() {
    let doc = document(Template::Y2021);
    portable_snapshots(|| insta::assert_snapshot!("document_html_2021", html::render_html(&doc)));
    let mut hostile = text();
    hostile.overview = "<script>alert(1)</script>".to_owned();
    let doc = AnnualDocument::build(sample_report(Template::Y2021), Some((1, &hostile)), None);
    let page = html::render_html(&doc);
    assert!(!page.contains("<script>") && page.contains("&lt;script&gt;"));
    let bytes = docx::render_docx(&doc).unwrap();
    let xml = &unzip(&bytes).into_iter().find(|(n, _)| n == "word/document.xml").unwrap().1;
    assert!(xml.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
}
