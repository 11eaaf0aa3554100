//! The whole annual report as published (年度报告全文): the title, the preamble naming the legal
//! basis and the statistics period, then 一 to 六 in order — the agency's own text for 一, 五 and
//! 六 (and, in template 2019, the sections it adds before 六), the tables of sections two to four
//! in the official layout — and the agency's name (with the date once sealed) at the end.
//!
//! [`AnnualDocument`] is the document's canonical content: every word it prints and every figure
//! of its tables. Sealing stores its canonical JSON and SHA-256, and the sealed document is
//! rendered from that stored text, so it comes out the same byte for byte however the text or
//! the cases change afterwards. Two renderings: a Word document ([`docx`]) and a printable HTML
//! page ([`html`]).

pub mod docx;
pub mod figures;
mod grid;
pub mod html;
mod xml;

#[cfg(test)]
mod tests;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::model::{AnnualReport, ReportScope, SECTION_FOUR_TITLE, SECTION_THREE_TITLE, SECTION_TWO_TITLE};
use super::{canonical_text, hash_text, ReportError, Template};
use crate::domain::report_text::{blocks, ReportText, TextBlock};

/// The heading of the overview.
pub const OVERVIEW: &str = "总体情况";
/// The heading of the problems and improvements.
pub const PROBLEMS: &str = "存在的主要问题及改进情况";
/// The heading of the other matters.
pub const OTHER_MATTERS: &str = "其他需要报告的事项";
/// What a text part that was not written prints.
pub const NOT_WRITTEN: &str = "（本部分尚未填写。）";

/// The document's canonical content.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AnnualDocument {
    /// `<agency name><year>年政府信息公开工作年度报告`.
    pub title: String,
    /// The paragraphs before 一: the legal basis, the parts, the statistics period.
    pub preamble: Vec<String>,
    /// 一 to 六 (and more in a template-2019 report with added sections), in order.
    pub sections: Vec<Section>,
    /// The agency signing the report, and the date once sealed.
    pub signature: Signature,
    /// The statistical part printed in sections two to four.
    pub report: AnnualReport,
    /// The version of the text printed; `None` when no text was written.
    pub text_version: Option<i32>,
}

/// One numbered section.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Section {
    /// The heading as printed, with its number: `一、总体情况`.
    pub heading: String,
    /// What the section holds.
    pub content: SectionContent,
}

/// What a section holds.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum SectionContent {
    /// Written text.
    Text { blocks: Vec<TextBlock> },
    /// Section two's tables (from `report`).
    SectionTwo,
    /// Section three's table (from `report`).
    SectionThree,
    /// Section four's table (from `report`).
    SectionFour,
}

/// The end of the document: who issues it, and when.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Signature {
    pub agency: String,
    /// The date in Chinese (`2020年1月29日`): the day the report was sealed; `None` before.
    pub date: Option<String>,
}

/// The title of the notice that issued a template, as the preamble names it.
pub fn notice_title(template: Template) -> &'static str {
    match template {
        Template::Y2019 => "《国务院办公厅政府信息与政务公开办公室关于政府信息公开工作年度报告有关事项的通知》",
        Template::Y2021 => {
            "《国务院办公厅政府信息与政务公开办公室关于印发〈中华人民共和国政府信息公开工作年度报告格式〉的通知》"
        }
    }
}

/// `n` in Chinese numerals (1 ≤ n ≤ 99), as section numbers are written.
pub fn chinese_number(n: usize) -> String {
    const DIGITS: [&str; 10] = ["零", "一", "二", "三", "四", "五", "六", "七", "八", "九"];
    let digit = |d: usize| DIGITS.get(d).copied().unwrap_or("");
    match n {
        0..=9 => digit(n).to_owned(),
        10 => "十".to_owned(),
        11..=19 => format!("十{}", digit(n % 10)),
        _ if n.is_multiple_of(10) => format!("{}十", digit(n / 10)),
        _ => format!("{}十{}", digit(n / 10), digit(n % 10)),
    }
}

/// The blocks of a text part, or the mark of a part not written.
fn text_blocks(text: &str) -> Vec<TextBlock> {
    let blocks = blocks(text);
    if blocks.is_empty() {
        vec![TextBlock::Paragraph { lines: vec![NOT_WRITTEN.to_owned()] }]
    } else {
        blocks
    }
}

/// The name of a section in the preamble's list: its heading without the number, with 四's
/// inner 、 written 和 so that the list's separators stay unambiguous.
fn part_name(heading: &str) -> String {
    let name = heading.split_once('、').map_or(heading, |(_, name)| name);
    name.replace("行政复议、行政诉讼", "行政复议和行政诉讼")
}

impl AnnualDocument {
    /// The document of `report` with the agency's `text` (its version and parts; `None` when none
    /// was written), signed on `signed_on` (the day it was sealed) when given. The sections an
    /// agency added are printed only in template 2019, whose format allows them.
    pub fn build(report: AnnualReport, text: Option<(i32, &ReportText)>, signed_on: Option<NaiveDate>) -> Self {
        let empty = ReportText::default();
        let (text_version, parts) = match text {
            Some((version, parts)) => (Some(version), parts),
            None => (None, &empty),
        };
        let mut sections = vec![
            Section {
                heading: format!("一、{OVERVIEW}"),
                content: SectionContent::Text { blocks: text_blocks(&parts.overview) },
            },
            Section { heading: SECTION_TWO_TITLE.to_owned(), content: SectionContent::SectionTwo },
            Section { heading: SECTION_THREE_TITLE.to_owned(), content: SectionContent::SectionThree },
            Section { heading: SECTION_FOUR_TITLE.to_owned(), content: SectionContent::SectionFour },
            Section {
                heading: format!("五、{PROBLEMS}"),
                content: SectionContent::Text { blocks: text_blocks(&parts.problems_and_improvements) },
            },
        ];
        if report.template == Template::Y2019 {
            for added in &parts.additional_sections {
                let number = chinese_number(sections.len() + 1);
                sections.push(Section {
                    heading: format!("{number}、{}", added.title),
                    content: SectionContent::Text { blocks: text_blocks(&added.text) },
                });
            }
        }
        let number = chinese_number(sections.len() + 1);
        sections.push(Section {
            heading: format!("{number}、{OTHER_MATTERS}"),
            content: SectionContent::Text { blocks: text_blocks(&parts.other_matters) },
        });
        let preamble = preamble(&report, &sections);
        Self {
            title: format!("{}{}年政府信息公开工作年度报告", report.agency_name, report.year),
            preamble,
            signature: Signature { agency: report.agency_name.clone(), date: signed_on.map(crate::domain::cn_date) },
            sections,
            report,
            text_version,
        }
    }

    /// The canonical JSON text of the document (see [`crate::report::canonical_json`]): what a
    /// seal stores and hashes.
    ///
    /// # Errors
    /// `ReportError::Json` if serialisation fails, which the document's types do not allow.
    pub fn canonical_json(&self) -> Result<String, ReportError> {
        canonical_text(self)
    }

    /// The SHA-256 (lowercase hex) of the canonical JSON text.
    ///
    /// # Errors
    /// As [`AnnualDocument::canonical_json`].
    pub fn content_hash(&self) -> Result<String, ReportError> {
        Ok(hash_text(&self.canonical_json()?))
    }

    /// The document read back from its stored canonical JSON.
    ///
    /// # Errors
    /// The text is not a document.
    pub fn from_json(text: &str) -> Result<Self, serde_json::Error> {
        serde_json::from_str(text)
    }

    /// The section headings, in order.
    pub fn headings(&self) -> Vec<&str> {
        self.sections.iter().map(|s| s.heading.as_str()).collect()
    }

    /// The file name a download is offered under, without extension:
    /// `<title>（本级|汇总）`.
    pub fn file_stem(&self) -> String {
        format!("{}（{}）", self.title, self.report.scope.label())
    }

    /// The `Content-Disposition` of a download with extension `ext`: an ASCII name for old
    /// clients and the Chinese title (RFC 6266 / RFC 8187 `filename*`) for the others.
    pub fn content_disposition(&self, ext: &str, attachment: bool) -> String {
        let report = &self.report;
        let scope = if report.scope.include_descendants() { "-compiled" } else { "" };
        let ascii = format!("gongkai-annual-report-{}-{}{scope}.{ext}", report.year, report.agency_id);
        let kind = if attachment { "attachment" } else { "inline" };
        let utf8 = percent_encode(&format!("{}.{ext}", self.file_stem()));
        format!("{kind}; filename=\"{ascii}\"; filename*=UTF-8''{utf8}")
    }
}

/// RFC 8187 percent-encoding: every byte but the attribute characters as `%XX`.
fn percent_encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len() * 3);
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || b"!#$&+-.^_`|~".contains(&byte) {
            out.push(char::from(byte));
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

/// The preamble: the legal basis and the parts, the statistics period (and, compiled, whose
/// figures they are).
fn preamble(report: &AnnualReport, sections: &[Section]) -> Vec<String> {
    let names: Vec<String> = sections.iter().map(|s| part_name(&s.heading)).collect();
    let template = report.template;
    let mut first = format!(
        "本报告根据《中华人民共和国政府信息公开条例》（以下简称《条例》）和{}（{}）的要求编制，全文包括{}，共{}个部分。",
        notice_title(template),
        template.notice(),
        names.join("、"),
        chinese_number(sections.len()),
    );
    if report.scope == ReportScope::Compiled {
        first.push_str(&format!("第二、三、四部分的统计数据为{}及其所属各级机关的汇总数据。", report.agency_name));
    }
    let year = report.year;
    vec![first, format!("本报告中所列数据的统计期限为{year}年1月1日至{year}年12月31日。")]
}
