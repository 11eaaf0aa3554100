//! The written parts of the annual report (年度报告的文字部分): 一、总体情况, 五、存在的主要问题及改进情况
//! and 六、其他需要报告的事项 (and, in template-2019 reports, the sections an agency adds before 六),
//! as the author typed them, and the blocks a document prints them as.
//!
//! A text is paragraphs separated by a blank line. A paragraph that starts with （一）, （二）… is a
//! sub-heading (when it has more lines, the first is the heading and the rest a paragraph); a
//! paragraph whose every line starts with a bullet (`-`, `*`, `•`, `·`, `●`), or whose two or more
//! lines each start with a number (`1.`, `1、`, `（1）`, `(1)`, `1)`), is a list (a lead-in line
//! before such lines, 下一步改进措施：, is a paragraph of its own); any other paragraph keeps its
//! line breaks.

use serde::{Deserialize, Serialize};

use super::error::Errors;
use super::Violation;

/// The longest text of one part, in characters (a long 总体情况 runs to a few thousand).
pub const PART_MAX: usize = 20_000;
/// The longest title of an added section, in characters.
pub const TITLE_MAX: usize = 60;
/// At most this many added sections.
pub const ADDITIONAL_MAX: usize = 5;

/// A section an agency adds before 六、其他需要报告的事项 (template 2019 only).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AdditionalSection {
    /// The heading without its number, e.g. 政府信息公开保密审查及监督检查情况.
    pub title: String,
    /// The section's text (paragraphs separated by a blank line).
    pub text: String,
}

/// The text parts of one agency's report on one year.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReportText {
    /// 一、总体情况.
    pub overview: String,
    /// 五、存在的主要问题及改进情况.
    pub problems_and_improvements: String,
    /// 六、其他需要报告的事项.
    pub other_matters: String,
    /// Sections added before 六 (template 2019 only), in order.
    #[serde(default)]
    pub additional_sections: Vec<AdditionalSection>,
}

/// The three parts every report has, by field: (field, the heading it fills).
pub const PARTS: [(&str, &str); 3] = [
    ("overview", "一、总体情况"),
    ("problems_and_improvements", "五、存在的主要问题及改进情况"),
    ("other_matters", "六、其他需要报告的事项"),
];

impl ReportText {
    /// The text as typed, normalised and checked: line ends become `\n`, trailing spaces of each
    /// line and blank lines at either end go; no part may be longer than [`PART_MAX`] characters
    /// or hold a control character (which a Word document cannot hold); added sections need a
    /// title of one line and are allowed only when `additional_allowed` (template-2019 years).
    ///
    /// # Errors
    /// `validation_failed` naming each field that breaks a rule.
    pub fn parse(raw: ReportText, additional_allowed: bool) -> Result<Self, Violation> {
        let mut errors = Errors::default();
        let mut part = |field: &str, label: &str, value: &str| -> String {
            let text = normalise(value);
            check_text(&mut errors, field, label, &text, PART_MAX);
            text
        };
        let overview = part("overview", "总体情况", &raw.overview);
        let problems = part("problems_and_improvements", "存在的主要问题及改进情况", &raw.problems_and_improvements);
        let other = part("other_matters", "其他需要报告的事项", &raw.other_matters);
        let mut additional = Vec::with_capacity(raw.additional_sections.len());
        if !raw.additional_sections.is_empty() && !additional_allowed {
            errors.add(
                "additional_sections",
                "只有按2019年表格式（2020年及以前）编制的年度报告可以在“六、其他需要报告的事项”之前增加章节",
            );
        } else if raw.additional_sections.len() > ADDITIONAL_MAX {
            errors.add("additional_sections", format!("最多增加{ADDITIONAL_MAX}个章节"));
        } else {
            for (i, section) in raw.additional_sections.iter().enumerate() {
                let title = section.title.trim().to_owned();
                let field = format!("additional_sections[{i}].title");
                if title.is_empty() {
                    errors.add(&field, "增加的章节须有标题");
                } else if title.contains('\n') || title.contains('\r') {
                    errors.add(&field, "章节标题只能有一行");
                } else {
                    check_text(&mut errors, &field, "章节标题", &title, TITLE_MAX);
                }
                let text = normalise(&section.text);
                check_text(&mut errors, &format!("additional_sections[{i}].text"), "章节正文", &text, PART_MAX);
                additional.push(AdditionalSection { title, text });
            }
        }
        errors.finish()?;
        Ok(Self {
            overview,
            problems_and_improvements: problems,
            other_matters: other,
            additional_sections: additional,
        })
    }

    /// Whether nothing at all was written.
    pub fn is_empty(&self) -> bool {
        self.overview.is_empty()
            && self.problems_and_improvements.is_empty()
            && self.other_matters.is_empty()
            && self.additional_sections.is_empty()
    }
}

/// A character a text may not hold: the C0 controls but tab and line feed (carriage returns are
/// normalised away first) and the two non-characters XML 1.0 excludes.
fn forbidden(c: char) -> bool {
    (c.is_control() && c <= '\u{1f}' && c != '\n' && c != '\t') || c == '\u{fffe}' || c == '\u{ffff}'
}

fn check_text(errors: &mut Errors, field: &str, label: &str, text: &str, max: usize) {
    if let Some(c) = text.chars().find(|&c| forbidden(c)) {
        let code = u32::from(c);
        errors.add(field, format!("“{label}”含有不能打印的控制字符（U+{code:04X}），请删除后再保存"));
    } else if text.chars().count() > max {
        errors.add(field, format!("“{label}”不得超过{max}个字符"));
    }
}

/// `\r\n` and `\r` as `\n`, trailing whitespace of each line removed, blank lines at either end
/// removed.
pub fn normalise(text: &str) -> String {
    let unified = text.replace("\r\n", "\n").replace('\r', "\n");
    let lines: Vec<&str> = unified.split('\n').map(str::trim_end).collect();
    let first = lines.iter().position(|l| !l.is_empty());
    let last = lines.iter().rposition(|l| !l.is_empty());
    match (first, last) {
        (Some(first), Some(last)) => lines[first..=last].join("\n"),
        _ => String::new(),
    }
}

/// One block of a text as a document prints it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum TextBlock {
    /// A sub-heading such as （一）强化组织领导.
    Heading { text: String },
    /// A paragraph, its lines as typed (printed with line breaks between them).
    Paragraph { lines: Vec<String> },
    /// A list: each item with its marker as printed (`•`, or the number as typed) and its text.
    List { items: Vec<ListItem> },
}

/// One item of a list.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ListItem {
    /// `•` for a bullet, else the number as typed (`1.`, `（2）`).
    pub marker: String,
    pub text: String,
}

/// The Chinese numerals of sub-heading numbers.
const NUMERALS: &str = "一二三四五六七八九十百零〇";

/// The length in bytes of a sub-heading marker at the start of `line`: （一）… or (一)….
fn heading_marker(line: &str) -> Option<usize> {
    let open = line.strip_prefix('（').or_else(|| line.strip_prefix('('))?;
    let digits = open.chars().take_while(|c| NUMERALS.contains(*c)).map(char::len_utf8).sum::<usize>();
    if digits == 0 {
        return None;
    }
    let rest = &open[digits..];
    let close = if rest.starts_with('）') {
        '）'.len_utf8()
    } else if rest.starts_with(')') {
        1
    } else {
        return None;
    };
    Some(line.len() - rest.len() + close)
}

/// A bullet item: the text after the bullet.
fn bullet(line: &str) -> Option<&str> {
    for marker in ["- ", "* ", "• ", "· ", "● ", "•", "·", "●"] {
        if let Some(rest) = line.strip_prefix(marker) {
            let rest = rest.trim_start();
            if !rest.is_empty() {
                return Some(rest);
            }
        }
    }
    None
}

/// A numbered item: its number as typed (`1.`, `1、`, `（1）`, `(1)`, `1)`) and the text after it.
fn numbered(line: &str) -> Option<(&str, &str)> {
    let (open, body) = match line.strip_prefix('（').or_else(|| line.strip_prefix('(')) {
        Some(rest) => (line.len() - rest.len(), rest),
        None => (0, line),
    };
    let digits = body.chars().take_while(char::is_ascii_digit).count();
    if digits == 0 || digits > 3 {
        return None;
    }
    let after = &body[digits..];
    let close = if open > 0 {
        ['）', ')'].into_iter().find(|c| after.starts_with(*c))?
    } else {
        ['.', '、', '．', ')'].into_iter().find(|c| after.starts_with(*c))?
    };
    let end = open + digits + close.len_utf8();
    let text = line[end..].trim_start();
    (!text.is_empty()).then(|| (&line[..end], text))
}

/// The blocks of a (normalised) text, in order.
pub fn blocks(text: &str) -> Vec<TextBlock> {
    let mut out = Vec::new();
    let mut paragraph: Vec<&str> = Vec::new();
    for line in text.lines().chain(std::iter::once("")) {
        let line = line.trim_end();
        if line.trim().is_empty() {
            if !paragraph.is_empty() {
                push_paragraph(&mut out, &paragraph);
                paragraph.clear();
            }
        } else {
            paragraph.push(line);
        }
    }
    out
}

/// Whether `lines` make a list: all bulleted, or two or more all numbered.
fn is_list(lines: &[&str]) -> bool {
    lines.iter().all(|l| bullet(l.trim_start()).is_some())
        || (lines.len() >= 2 && lines.iter().all(|l| numbered(l.trim_start()).is_some()))
}

fn push_paragraph(out: &mut Vec<TextBlock>, lines: &[&str]) {
    let Some((first, rest)) = lines.split_first() else {
        return;
    };
    if heading_marker(first.trim_start()).is_some() {
        out.push(TextBlock::Heading { text: first.trim().to_owned() });
        if !rest.is_empty() {
            push_paragraph(out, rest);
        }
        return;
    }
    // A lead-in line followed by a list (下一步改进措施： / 1.… / 2.…): a paragraph, then the list.
    let lead_in = bullet(first.trim_start()).is_none() && numbered(first.trim_start()).is_none();
    if lines.len() >= 3 && lead_in && is_list(rest) {
        out.push(TextBlock::Paragraph { lines: vec![first.trim().to_owned()] });
        push_paragraph(out, rest);
        return;
    }
    let bullets: Option<Vec<&str>> = lines.iter().map(|l| bullet(l.trim_start())).collect();
    if let Some(items) = bullets {
        let items = items.into_iter().map(|text| ListItem { marker: "•".to_owned(), text: text.to_owned() }).collect();
        out.push(TextBlock::List { items });
        return;
    }
    if lines.len() >= 2 {
        let numbers: Option<Vec<(&str, &str)>> = lines.iter().map(|l| numbered(l.trim_start())).collect();
        if let Some(items) = numbers {
            let items = items
                .into_iter()
                .map(|(marker, text)| ListItem { marker: marker.to_owned(), text: text.to_owned() })
                .collect();
            out.push(TextBlock::List { items });
            return;
        }
    }
    out.push(TextBlock::Paragraph { lines: lines.iter().map(|l| l.trim().to_owned()).collect() });
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(overview: &str) -> ReportText {
        ReportText { overview: overview.to_owned(), ..ReportText::default() }
    }

    #[test]
    fn paragraphs_are_separated_by_blank_lines_and_keep_their_line_breaks() {
        let blocks = blocks("第一段第一行\n第一段第二行\n\n  \n第二段");
        assert_eq!(
            blocks,
            vec![
                TextBlock::Paragraph { lines: vec!["第一段第一行".into(), "第一段第二行".into()] },
                TextBlock::Paragraph { lines: vec!["第二段".into()] },
            ]
        );
    }

    #[test]
    fn a_paragraph_starting_with_a_chinese_number_in_brackets_is_a_sub_heading() {
        let blocks = blocks("（一）强化组织领导\n\n充分认识……\n\n（十二）加强培训\n我区一直……\n\n(三)半角括号");
        assert_eq!(
            blocks,
            vec![
                TextBlock::Heading { text: "（一）强化组织领导".into() },
                TextBlock::Paragraph { lines: vec!["充分认识……".into()] },
                TextBlock::Heading { text: "（十二）加强培训".into() },
                TextBlock::Paragraph { lines: vec!["我区一直……".into()] },
                TextBlock::Heading { text: "(三)半角括号".into() },
            ]
        );
        // Arabic numbers in brackets are list numbers, not headings; a lone one is a paragraph.
        assert_eq!(blocks_of("（1）一项"), vec![TextBlock::Paragraph { lines: vec!["（1）一项".into()] }]);
    }

    fn blocks_of(text: &str) -> Vec<TextBlock> {
        blocks(text)
    }

    #[test]
    fn bulleted_and_numbered_lines_are_lists() {
        assert_eq!(
            blocks("- 加大政策解读力度\n• 回应社会关切"),
            vec![TextBlock::List {
                items: vec![
                    ListItem { marker: "•".into(), text: "加大政策解读力度".into() },
                    ListItem { marker: "•".into(), text: "回应社会关切".into() },
                ]
            }]
        );
        assert_eq!(
            blocks("1.加大政策解读力度\n2、回应社会关切\n（3）提升平台"),
            vec![TextBlock::List {
                items: vec![
                    ListItem { marker: "1.".into(), text: "加大政策解读力度".into() },
                    ListItem { marker: "2、".into(), text: "回应社会关切".into() },
                    ListItem { marker: "（3）".into(), text: "提升平台".into() },
                ]
            }]
        );
        // One numbered line is an ordinary paragraph; a mixed paragraph too.
        assert!(matches!(&blocks("1.一项工作")[..], [TextBlock::Paragraph { .. }]));
        assert!(matches!(&blocks("1.一项\n没有编号")[..], [TextBlock::Paragraph { .. }]));
        // A lead-in line before a list is a paragraph of its own.
        assert!(matches!(
            &blocks("下一步改进措施：\n1.加大政策解读力度\n2.回应社会关切")[..],
            [TextBlock::Paragraph { lines }, TextBlock::List { items }] if lines.len() == 1 && items.len() == 2
        ));
    }

    #[test]
    fn line_ends_and_trailing_spaces_are_normalised() {
        let parsed = ReportText::parse(text("\r\n\r\n第一行  \r\n第二行\r第三行\n\n\n"), false).unwrap();
        assert_eq!(parsed.overview, "第一行\n第二行\n第三行");
        assert_eq!(normalise(" \n \n"), "");
    }

    #[test]
    fn control_characters_and_overlong_parts_are_refused_in_chinese() {
        let error = ReportText::parse(text("响铃\u{7}"), false).unwrap_err();
        assert_eq!(error.code, "validation_failed");
        assert_eq!(error.errors[0].field, "overview");
        assert!(error.errors[0].message.contains("U+0007"), "{error:?}");
        let long = "字".repeat(PART_MAX + 1);
        let raw = ReportText { other_matters: long, ..ReportText::default() };
        let error = ReportText::parse(raw, false).unwrap_err();
        assert_eq!(error.errors[0].field, "other_matters");
        assert!(error.errors[0].message.contains("不得超过20000个字符"));
        assert!(ReportText::parse(text("制表\t符可以"), false).is_ok());
    }

    #[test]
    fn added_sections_need_template_2019_and_a_title() {
        let section = AdditionalSection { title: "  保密审查情况 ".into(), text: "正文".into() };
        let raw = ReportText { additional_sections: vec![section.clone()], ..ReportText::default() };
        let error = ReportText::parse(raw.clone(), false).unwrap_err();
        assert_eq!(error.errors[0].field, "additional_sections");
        let parsed = ReportText::parse(raw, true).unwrap();
        assert_eq!(parsed.additional_sections[0].title, "保密审查情况");
        let untitled = AdditionalSection { title: " ".into(), text: "正文".into() };
        let raw = ReportText { additional_sections: vec![section, untitled], ..ReportText::default() };
        let error = ReportText::parse(raw, true).unwrap_err();
        assert_eq!(error.errors[0].field, "additional_sections[1].title");
    }
}
