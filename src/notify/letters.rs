//! The letters an agency sends about a disclosure request: receipt, correction notice, extension,
//! third-party consultation, fee notice and the decision (答复书), each as a printable A4 HTML page
//! and as plain text.
//!
//! # Templates
//!
//! The wording lives in minijinja templates, not in Rust, so that an agency can change it without a
//! release. For each [`LetterKind`] there is `<kind>.html` and `<kind>.txt` (for example
//! `decision.txt`); they extend `_base.html` / `_base.txt` and import shared data files
//! (`_decision_wording.jinja` holds the wording and legal basis of every outcome code and the
//! applicant's rights; `_labels.jinja` the channel names).
//!
//! [`Letters::load`] takes the template directory configured at run time (normally
//! `config/letters/`). A template is looked up there first; a name the directory does not have
//! — or a directory that does not exist at all — falls back to the copy of `config/letters/`
//! compiled into the binary with `include_str!`, so letters work with no directory. An override
//! may therefore replace a single file (say `decision.txt`) and still extend the built-in
//! `_base.txt`. Every known template is compiled in [`Letters::load`], so a broken override fails
//! at start-up rather than when a letter is sent. Edits to a file that was loaded from the
//! directory are picked up on the next render (minijinja checks the file's modification time); a
//! file added to the directory after [`Letters::load`] is seen after the next load (restart).
//!
//! `.html` templates auto-escape every value; `.txt` templates do not. Undefined variables are
//! errors (strict mode) so that a typo in an edited template is reported instead of printing
//! nothing. Templates see the fields of [`LetterData`] (dates as ISO `YYYY-MM-DD` strings, the
//! outcome as its snake_case code) plus `title` and `subject`, and two filters: `cn_date`
//! (`2019-03-05` → `2019年3月5日`) and `yuan` (fen → `300` or `300.50`).

use std::path::Path;

use chrono::NaiveDate;
use minijinja::syntax::SyntaxConfig;
use minijinja::value::Serde;
use minijinja::{path_loader, Environment, ErrorKind, TemplateSource, UndefinedBehavior, Value};
use serde::Serialize;

pub use crate::domain::types::LetterKind;
use crate::domain::types::{Channel, Outcome};

/// The templates compiled into the binary: the fallback for every name the configured directory
/// does not have. Keep in step with the files in `config/letters/`.
const BUILTIN_TEMPLATES: &[(&str, &str)] = &[
    ("_base.html", include_str!("../../config/letters/_base.html")),
    ("_base.txt", include_str!("../../config/letters/_base.txt")),
    ("_deadline_rule.html", include_str!("../../config/letters/_deadline_rule.html")),
    ("_deadline_rule.txt", include_str!("../../config/letters/_deadline_rule.txt")),
    ("_decision_wording.jinja", include_str!("../../config/letters/_decision_wording.jinja")),
    ("_labels.jinja", include_str!("../../config/letters/_labels.jinja")),
    ("acknowledgement.html", include_str!("../../config/letters/acknowledgement.html")),
    ("acknowledgement.txt", include_str!("../../config/letters/acknowledgement.txt")),
    ("correction_notice.html", include_str!("../../config/letters/correction_notice.html")),
    ("correction_notice.txt", include_str!("../../config/letters/correction_notice.txt")),
    ("extension_notice.html", include_str!("../../config/letters/extension_notice.html")),
    ("extension_notice.txt", include_str!("../../config/letters/extension_notice.txt")),
    ("consultation_letter.html", include_str!("../../config/letters/consultation_letter.html")),
    ("consultation_letter.txt", include_str!("../../config/letters/consultation_letter.txt")),
    ("fee_notice.html", include_str!("../../config/letters/fee_notice.html")),
    ("fee_notice.txt", include_str!("../../config/letters/fee_notice.txt")),
    ("decision.html", include_str!("../../config/letters/decision.html")),
    ("decision.txt", include_str!("../../config/letters/decision.txt")),
    ("rectification.html", include_str!("../../config/letters/rectification.html")),
    ("rectification.txt", include_str!("../../config/letters/rectification.txt")),
];

impl LetterKind {
    /// The kind-specific section of [`LetterData`] this kind needs, if any.
    pub fn required_section(self) -> Option<&'static str> {
        match self {
            Self::Acknowledgement => None,
            Self::CorrectionNotice => Some("correction"),
            Self::ExtensionNotice => Some("extension"),
            Self::ConsultationLetter => Some("consultation"),
            Self::FeeNotice => Some("fee"),
            Self::Decision => Some("decision"),
            Self::Rectification => Some("rectification"),
        }
    }
}

/// The earlier letter a letter replaces (an amended decision) or withdraws (a rectification).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct EarlierLetter {
    /// Its title, e.g. `政府信息公开申请答复书`.
    pub title: String,
    pub document_number: String,
    pub issued_on: NaiveDate,
}

/// A rectification: the earlier letter was sent for a step recorded by mistake.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct RectificationData {
    pub withdrawn: EarlierLetter,
    /// Why the step was revoked.
    pub reason: String,
}

/// What a correction notice asks for (Art. 30).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct CorrectionData {
    /// The matters to correct, with guidance; one line per matter.
    pub matters: String,
    /// The last day to hand in the corrected application.
    pub respond_by: NaiveDate,
}

/// The one extension of the reply period (Art. 33 ¶2).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ExtensionData {
    pub working_days: u32,
    /// Why the agency cannot answer in time; printed after “因”.
    pub reason: String,
    pub new_due_on: NaiveDate,
}

/// A consultation of a third party (Art. 32).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ConsultationData {
    /// The addressee: the third party's name.
    pub party: String,
    /// The last day of the 15 working days the party has to answer.
    pub reply_due: NaiveDate,
}

/// An information-processing fee (国办函〔2020〕109号).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct FeeData {
    /// How the fee is charged, e.g. “按件计收” or “按量计收”.
    pub basis_label: String,
    /// The amount in fen (分).
    pub amount_fen: i64,
    /// How the amount was computed, for the applicant.
    pub explanation: String,
    /// The last day of the 20 working days to pay.
    pub pay_by: NaiveDate,
}

/// The decision on a case.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct DecisionData {
    pub outcome: Outcome,
    /// The officer's own text: reasons, where to obtain the information, and the like.
    pub basis: Option<String>,
    /// The day of the decision; from 2024-01-01 a refusal must go to reconsideration first.
    pub decided_on: NaiveDate,
}

/// Everything a letter may print. Fields of other kinds are ignored.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct LetterData {
    pub kind: LetterKind,
    pub agency_name: String,
    /// The letter's own document number (e.g. `南政信公答〔2026〕12号`).
    pub document_number: String,
    pub case_number: String,
    pub applicant_name: String,
    /// Printed as the service address when present (not on the consultation letter).
    pub applicant_address: Option<String>,
    /// How the application arrived (printed on the acknowledgement).
    pub channel: Channel,
    /// The legal receipt date (Art. 31).
    pub received_on: NaiveDate,
    /// The date printed in the signature block.
    pub issued_on: NaiveDate,
    /// What the applicant asked for.
    pub description: String,
    /// The current statutory due date, when known.
    pub due_on: Option<NaiveDate>,
    pub correction: Option<CorrectionData>,
    pub extension: Option<ExtensionData>,
    pub consultation: Option<ConsultationData>,
    pub fee: Option<FeeData>,
    pub decision: Option<DecisionData>,
    /// The letter this one replaces (an amended decision).
    pub replaces: Option<EarlierLetter>,
    pub rectification: Option<RectificationData>,
}

impl LetterData {
    /// The section the kind needs, when it is missing.
    fn missing_section(&self) -> Option<&'static str> {
        let present = match self.kind {
            LetterKind::Acknowledgement => true,
            LetterKind::CorrectionNotice => self.correction.is_some(),
            LetterKind::ExtensionNotice => self.extension.is_some(),
            LetterKind::ConsultationLetter => self.consultation.is_some(),
            LetterKind::FeeNotice => self.fee.is_some(),
            LetterKind::Decision => self.decision.is_some(),
            LetterKind::Rectification => self.rectification.is_some(),
        };
        if present {
            None
        } else {
            self.kind.required_section()
        }
    }
}

/// A letter ready to print or send.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct RenderedLetter {
    pub kind: LetterKind,
    /// E.g. `【南山区人民政府】政府信息公开申请答复书（NS-2019-00042）`.
    pub subject: String,
    /// A complete HTML5 page for A4 printing, with inline style only.
    pub html: String,
    /// The plain-text version, ending with one newline.
    pub text: String,
}

/// Why a letter could not be produced.
#[derive(Debug, thiserror::Error)]
pub enum LetterError {
    /// The data lacks the section the letter kind needs (e.g. a fee notice without `fee`).
    #[error("a {kind} letter needs the `{section}` section")]
    MissingSection { kind: LetterKind, section: &'static str },
    /// A template could not be read, compiled or rendered.
    #[error("letter template `{name}` failed")]
    Template {
        name: String,
        #[source]
        source: minijinja::Error,
    },
}

/// The letter templates, loaded once.
#[derive(Debug)]
pub struct Letters {
    env: Environment<'static>,
}

impl Letters {
    /// Loads the templates from `dir`, falling back to the built-in copy of `config/letters/` for
    /// every name `dir` lacks (all of them when `dir` is `None` or does not exist). See the module
    /// documentation.
    ///
    /// # Errors
    ///
    /// [`LetterError::Template`] when a file in `dir` cannot be read or does not compile.
    pub fn load(dir: Option<&Path>) -> Result<Self, LetterError> {
        let mut env = Environment::new();
        // Block tags on their own line leave no blank line behind.
        let syntax = SyntaxConfig::builder().trim_blocks(true).lstrip_blocks(true).build();
        env.set_syntax(syntax.map_err(|source| LetterError::Template { name: "(syntax)".to_owned(), source })?);
        env.set_undefined_behavior(UndefinedBehavior::Strict);
        // Loaded once (below): no file check on every render (it was a `stat` per template, on
        // the SQLite writer thread, for every intake).
        env.set_auto_reload(false);
        env.add_filter("cn_date", cn_date_filter);
        env.add_filter("yuan", yuan);
        let from_dir = dir.map(path_loader);
        env.set_loader(move |name| -> Result<Option<TemplateSource>, minijinja::Error> {
            if let Some(load) = &from_dir {
                if let Some(source) = load(name)? {
                    return Ok(Some(source));
                }
            }
            Ok(BUILTIN_TEMPLATES.iter().find(|(builtin, _)| *builtin == name).map(|(_, source)| (*source).into()))
        });
        // Compile every known template now: a broken override should stop start-up, not a letter.
        for (name, _) in BUILTIN_TEMPLATES {
            env.get_template(name).map_err(|source| LetterError::Template { name: (*name).to_owned(), source })?;
        }
        Ok(Self { env })
    }

    /// Renders the letter `data.kind` as HTML and plain text.
    ///
    /// # Errors
    ///
    /// [`LetterError::MissingSection`] when the section the kind needs is `None`;
    /// [`LetterError::Template`] when a template fails (e.g. an edited template uses an unknown
    /// variable).
    pub fn render(&self, data: &LetterData) -> Result<RenderedLetter, LetterError> {
        if let Some(section) = data.missing_section() {
            return Err(LetterError::MissingSection { kind: data.kind, section });
        }
        let title = data.kind.title();
        let subject = format!("【{}】{}（{}）", data.agency_name, title, data.case_number);
        let context = Value::from(Serde(TemplateContext { data, title, subject: &subject }));
        let html = self.render_template(&format!("{}.html", data.kind.as_str()), &context)?;
        let text = self.render_template(&format!("{}.txt", data.kind.as_str()), &context)?;
        Ok(RenderedLetter { kind: data.kind, subject, html, text: tidy_text(&text) })
    }

    fn render_template(&self, name: &str, context: &Value) -> Result<String, LetterError> {
        let template_error = |source| LetterError::Template { name: name.to_owned(), source };
        self.env.get_template(name).map_err(template_error)?.render(context).map_err(template_error)
    }
}

/// What the templates see: the letter data plus the derived title and subject.
#[derive(Serialize)]
struct TemplateContext<'a> {
    #[serde(flatten)]
    data: &'a LetterData,
    title: &'a str,
    subject: &'a str,
}

pub use crate::domain::cn_date;

/// Fen → yuan without a unit: whole yuan as `300`, otherwise two decimals as `300.50`.
pub fn yuan(fen: i64) -> String {
    let sign = if fen < 0 { "-" } else { "" };
    let (whole, cents) = (fen.unsigned_abs() / 100, fen.unsigned_abs() % 100);
    if cents == 0 {
        format!("{sign}{whole}")
    } else {
        format!("{sign}{whole}.{cents:02}")
    }
}

/// The `cn_date` filter: takes the ISO date string a [`NaiveDate`] serialises to.
fn cn_date_filter(value: &Value) -> Result<String, minijinja::Error> {
    value
        .as_str()
        .and_then(|iso| NaiveDate::parse_from_str(iso, "%Y-%m-%d").ok())
        .map(cn_date)
        .ok_or_else(|| minijinja::Error::new(ErrorKind::InvalidOperation, format!("cn_date: not a date: {value}")))
}

/// Drops trailing spaces on each line, keeps at most one blank line in a row, and ends the text
/// with exactly one newline, so that edited templates need not be careful with whitespace.
fn tidy_text(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut blank_run = 0;
    for line in text.trim().lines() {
        let line = line.trim_end();
        if line.is_empty() {
            blank_run += 1;
            if blank_run > 1 {
                continue;
            }
        } else {
            blank_run = 0;
        }
        out.push_str(line);
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    fn builtin() -> Letters {
        Letters::load(None).unwrap()
    }

    /// A request received on Tuesday 2024-03-05; 20 working days later is 2024-04-02.
    fn base(kind: LetterKind) -> LetterData {
        LetterData {
            kind,
            agency_name: "南山区人民政府".to_owned(),
            document_number: "南政信公〔2024〕7号".to_owned(),
            case_number: "NS-2024-00042".to_owned(),
            applicant_name: "张三".to_owned(),
            applicant_address: Some("广东省深圳市南山区南海大道1号".to_owned()),
            channel: Channel::Online,
            received_on: date(2024, 3, 5),
            issued_on: date(2024, 3, 5),
            description: "2023年南山区老旧小区改造项目的资金使用明细".to_owned(),
            due_on: Some(date(2024, 4, 2)),
            correction: None,
            extension: None,
            consultation: None,
            fee: None,
            decision: None,
            replaces: None,
            rectification: None,
        }
    }

    fn sample(kind: LetterKind) -> LetterData {
        let mut data = base(kind);
        match kind {
            LetterKind::Acknowledgement => {}
            LetterKind::CorrectionNotice => {
                data.issued_on = date(2024, 3, 8);
                data.due_on = None;
                data.correction = Some(CorrectionData {
                    matters: "1. 请明确所需信息的年度范围；\n\n  2. 请写明所涉小区名称，或者相关文件的名称、文号。  "
                        .to_owned(),
                    respond_by: date(2024, 3, 22),
                });
            }
            LetterKind::ExtensionNotice => {
                data.issued_on = date(2024, 3, 28);
                data.extension = Some(ExtensionData {
                    working_days: 15,
                    reason: "所申请信息涉及多个项目，需要检索、汇总的档案数量较多".to_owned(),
                    new_due_on: date(2024, 4, 24),
                });
            }
            LetterKind::ConsultationLetter => {
                data.issued_on = date(2024, 3, 11);
                data.consultation = Some(ConsultationData {
                    party: "深圳市某某建设工程有限公司".to_owned(),
                    reply_due: date(2024, 4, 1),
                });
            }
            LetterKind::FeeNotice => {
                data.issued_on = date(2024, 3, 20);
                data.fee = Some(FeeData {
                    basis_label: "按量计收".to_owned(),
                    amount_fen: 170_000,
                    explanation: "共150页：第1—30页免收；第31—100页70页，每页10元，计700元；第101—150页50页，每页20元，计1000元；合计1700元。".to_owned(),
                    pay_by: date(2024, 4, 18),
                });
            }
            LetterKind::Decision => {
                data.issued_on = date(2024, 3, 29);
                data.decision = Some(DecisionData {
                    outcome: Outcome::PartiallyDisclosed,
                    basis: Some("资金使用明细中的银行账号属于个人隐私，已作遮盖处理；\n其余内容见附件。".to_owned()),
                    decided_on: date(2024, 3, 29),
                });
            }
            LetterKind::Rectification => {
                data.issued_on = date(2024, 3, 12);
                data.rectification = Some(RectificationData {
                    withdrawn: EarlierLetter {
                        title: LetterKind::ExtensionNotice.title().to_owned(),
                        document_number: "南政信公延〔2024〕3号".to_owned(),
                        issued_on: date(2024, 3, 11),
                    },
                    reason: "延期申请误录入本案".to_owned(),
                });
            }
        }
        data
    }

    fn decision(outcome: Outcome) -> LetterData {
        let mut data = sample(LetterKind::Decision);
        data.decision = Some(DecisionData {
            outcome,
            basis: Some("具体情况见附件《政府信息公开申请处理说明》。".to_owned()),
            decided_on: date(2024, 3, 29),
        });
        data
    }

    /// The article each outcome's letter must cite (domain.md, “Outcomes”).
    fn expected_article(outcome: Outcome) -> Option<&'static str> {
        Some(match outcome {
            Outcome::Disclosed => "《中华人民共和国政府信息公开条例》第三十六条第（二）项",
            Outcome::PartiallyDisclosed => "《中华人民共和国政府信息公开条例》第三十七条",
            Outcome::WithheldStateSecret
            | Outcome::WithheldProhibitedByLaw
            | Outcome::WithheldEndangersSecurityStability => "《中华人民共和国政府信息公开条例》第十四条",
            Outcome::WithheldThirdPartyRights => "《中华人民共和国政府信息公开条例》第十五条、第三十二条",
            Outcome::WithheldInternalAffairs => "《中华人民共和国政府信息公开条例》第十六条第一款",
            Outcome::WithheldProcessInformation | Outcome::WithheldEnforcementCaseFiles => {
                "《中华人民共和国政府信息公开条例》第十六条第二款"
            }
            Outcome::WithheldAdministrativeInquiry => "《中华人民共和国政府信息公开条例》第三十六条第（七）项",
            Outcome::UnavailableNotHeld => "《中华人民共和国政府信息公开条例》第三十六条第（四）项",
            Outcome::UnavailableNeedsCreation => "《中华人民共和国政府信息公开条例》第三十八条",
            Outcome::UnavailableStillUnclear | Outcome::OtherCorrectionOverdue => {
                "《中华人民共和国政府信息公开条例》第三十条"
            }
            Outcome::NotProcessedPetitionComplaint => "《中华人民共和国政府信息公开条例》第三十九条第一款",
            Outcome::NotProcessedRepeated => "《中华人民共和国政府信息公开条例》第三十六条第（六）项",
            Outcome::NotProcessedPublication => "《中华人民共和国政府信息公开条例》第三十九条第二款",
            Outcome::NotProcessedExcessive => "《中华人民共和国政府信息公开条例》第三十五条",
            Outcome::NotProcessedConfirmOrReissue => "《中华人民共和国政府信息公开条例》第二条",
            Outcome::OtherFeeUnpaid => "《政府信息公开信息处理费管理办法》（国办函〔2020〕109号）",
            Outcome::OtherMisc => return None,
        })
    }

    #[test]
    fn every_kind_renders_html_and_text_snapshots() {
        let letters = builtin();
        for &kind in LetterKind::ALL {
            let letter = letters.render(&sample(kind)).unwrap();
            assert_eq!(letter.kind, kind);
            insta::assert_snapshot!(format!("{kind}_html"), letter.html);
            insta::assert_snapshot!(format!("{kind}_text"), letter.text);
        }
    }

    #[test]
    fn every_outcome_renders_a_decision_text_snapshot() {
        let letters = builtin();
        for &outcome in Outcome::ALL {
            let letter = letters.render(&decision(outcome)).unwrap();
            insta::assert_snapshot!(format!("decision_{outcome}_text"), letter.text);
        }
    }

    #[test]
    fn every_outcome_states_its_article_and_the_rights_of_appeal() {
        let letters = builtin();
        for &outcome in Outcome::ALL {
            let letter = letters.render(&decision(outcome)).unwrap();
            for text in [&letter.text, &letter.html] {
                assert!(text.contains("行政复议"), "{outcome}: no 行政复议");
                assert!(text.contains("《中华人民共和国行政复议法》"), "{outcome}");
                assert!(text.contains("行政诉讼"), "{outcome}: no 行政诉讼");
                assert!(text.contains("《中华人民共和国行政诉讼法》"), "{outcome}");
                assert!(text.contains("六十日"), "{outcome}");
                if let Some(article) = expected_article(outcome) {
                    assert!(text.contains(article), "{outcome}: does not cite {article}");
                }
                // The article number of the domain's typical basis is cited too.
                let basis = outcome.legal_basis();
                if let Some(number) = basis.find('第').map(|start| &basis[start..]) {
                    let number = &number[..number.find('条').map_or(number.len(), |end| end + '条'.len_utf8())];
                    assert!(text.contains(number), "{outcome}: does not cite {number}");
                }
                assert!(text.contains("具体情况见附件《政府信息公开申请处理说明》。"), "{outcome}: no basis");
            }
        }
    }

    #[test]
    fn refusals_since_2024_go_to_reconsideration_first_and_earlier_ones_may_go_to_court_directly() {
        let letters = builtin();
        let mut data = decision(Outcome::WithheldStateSecret);
        let since_2024 = letters.render(&data).unwrap().text;
        assert!(since_2024.contains("第二十三条第一款第（四）项"));
        assert!(since_2024.contains("应当先申请行政复议"));
        assert!(since_2024.contains("十五日内向人民法院提起行政诉讼"));
        assert!(!since_2024.contains("六个月"));

        if let Some(decision) = data.decision.as_mut() {
            decision.decided_on = date(2023, 12, 29);
        }
        let before = letters.render(&data).unwrap().text;
        assert!(!before.contains("第二十三条"));
        assert!(before.contains("六个月内向人民法院提起行政诉讼"));

        // A decision that refuses nothing may go to court directly, also since 2024.
        let disclosed = letters.render(&decision(Outcome::Disclosed)).unwrap().text;
        assert!(!disclosed.contains("第二十三条"));
        assert!(disclosed.contains("六个月内向人民法院提起行政诉讼"));
    }

    #[test]
    fn decision_html_snapshot() {
        let letter = builtin().render(&decision(Outcome::WithheldThirdPartyRights)).unwrap();
        insta::assert_snapshot!("decision_withheld_third_party_rights_html", letter.html);
    }

    #[test]
    fn decision_without_officer_basis_prints_no_basis_heading() {
        let mut data = decision(Outcome::UnavailableNotHeld);
        if let Some(decision) = data.decision.as_mut() {
            decision.basis = None;
        }
        let letter = builtin().render(&data).unwrap();
        assert!(!letter.text.contains("说明："));
        assert!(letter.text.contains("该政府信息不存在"));
    }

    #[test]
    fn subject_names_agency_title_and_case_number() {
        let letter = builtin().render(&sample(LetterKind::Decision)).unwrap();
        assert_eq!(letter.subject, "【南山区人民政府】政府信息公开申请答复书（NS-2024-00042）");
    }

    #[test]
    fn acknowledgement_states_the_due_date_and_how_it_is_counted() {
        let letter = builtin().render(&sample(LetterKind::Acknowledgement)).unwrap();
        for text in [&letter.text, &letter.html] {
            assert!(text.contains("应于2024年4月2日前答复"));
            assert!(text.contains("收到申请日期："));
            assert!(text.contains("2024年3月5日"));
            assert!(text.contains("互联网在线申请"));
            assert!(text.contains("次日起算，计20个工作日，法定节假日和休息日不计算在内"));
        }
    }

    #[test]
    fn html_escapes_user_text_and_text_keeps_it() {
        let mut data = sample(LetterKind::Decision);
        data.description = "<script>alert(\"x\")</script>".to_owned();
        data.applicant_name = "A & B".to_owned();
        if let Some(decision) = data.decision.as_mut() {
            decision.basis = Some("<b>理由</b>".to_owned());
        }
        let letter = builtin().render(&data).unwrap();
        assert!(!letter.html.contains("<script>"));
        assert!(!letter.html.contains("<b>"));
        assert!(letter.html.contains("&lt;script&gt;"));
        assert!(letter.html.contains("A &amp; B"));
        assert!(letter.text.contains("<script>alert(\"x\")</script>"));
        assert!(letter.text.contains("A & B"));
    }

    #[test]
    fn html_is_a_complete_printable_page_without_external_resources() {
        let letters = builtin();
        for &kind in LetterKind::ALL {
            let html = letters.render(&sample(kind)).unwrap().html;
            assert!(html.starts_with("<!DOCTYPE html>"), "{kind}");
            assert!(html.trim_end().ends_with("</html>"), "{kind}");
            assert!(html.contains("@page { size: A4; margin: 20mm; }"), "{kind}");
            assert!(html.contains("【印章】"), "{kind}");
            assert!(!html.contains("http://") && !html.contains("https://") && !html.contains("src="), "{kind}");
        }
    }

    #[test]
    fn a_file_in_the_directory_overrides_the_builtin_template() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("acknowledgement.txt"),
            "{% extends \"_base.txt\" %}{% block body %}本局已收到{{ applicant_name }}的申请。{% endblock %}",
        )
        .unwrap();
        let letters = Letters::load(Some(dir.path())).unwrap();
        let letter = letters.render(&sample(LetterKind::Acknowledgement)).unwrap();
        assert!(letter.text.contains("本局已收到张三的申请。"));
        assert!(letter.text.starts_with("南山区人民政府\n"), "the built-in _base.txt is still used");
        assert!(!letter.text.contains("答复期限"));
        // The HTML template was not overridden.
        assert!(letter.html.contains("应于2024年4月2日前答复"));
    }

    #[test]
    fn a_missing_directory_falls_back_to_the_builtin_templates() {
        let dir = tempfile::tempdir().unwrap();
        let letters = Letters::load(Some(&dir.path().join("does-not-exist"))).unwrap();
        let letter = letters.render(&sample(LetterKind::Acknowledgement)).unwrap();
        assert_eq!(letter, builtin().render(&sample(LetterKind::Acknowledgement)).unwrap());
    }

    #[test]
    fn the_shipped_directory_matches_the_builtin_templates() {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("config/letters");
        let from_dir = Letters::load(Some(&dir)).unwrap();
        for &kind in LetterKind::ALL {
            assert_eq!(from_dir.render(&sample(kind)).unwrap(), builtin().render(&sample(kind)).unwrap());
        }
    }

    #[test]
    fn a_broken_override_fails_at_load() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("decision.txt"), "{% if %}").unwrap();
        let err = Letters::load(Some(dir.path())).unwrap_err();
        assert!(matches!(err, LetterError::Template { ref name, .. } if name == "decision.txt"), "{err:?}");
    }

    #[test]
    fn an_unknown_variable_in_an_override_is_an_error_not_a_blank() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("fee_notice.txt"), "{{ fee.amount_yuan }}").unwrap();
        let letters = Letters::load(Some(dir.path())).unwrap();
        let err = letters.render(&sample(LetterKind::FeeNotice)).unwrap_err();
        assert!(matches!(err, LetterError::Template { ref name, .. } if name == "fee_notice.txt"), "{err:?}");
    }

    #[test]
    fn a_missing_section_is_an_error() {
        let letters = builtin();
        for &kind in LetterKind::ALL {
            let Some(section) = kind.required_section() else { continue };
            let err = letters.render(&base(kind)).unwrap_err();
            assert!(
                matches!(err, LetterError::MissingSection { kind: k, section: s } if k == kind && s == section),
                "{kind}: {err:?}"
            );
            assert_eq!(err.to_string(), format!("a {kind} letter needs the `{section}` section"));
        }
        assert!(letters.render(&base(LetterKind::Acknowledgement)).is_ok());
    }

    #[test]
    fn dates_and_amounts_are_formatted_the_chinese_way() {
        assert_eq!(cn_date(date(2019, 3, 5)), "2019年3月5日");
        assert_eq!(cn_date(date(2024, 12, 31)), "2024年12月31日");
        assert_eq!(yuan(170_000), "1700");
        assert_eq!(yuan(10_050), "100.50");
        assert_eq!(yuan(5), "0.05");
        assert_eq!(yuan(0), "0");
        assert_eq!(yuan(-250), "-2.50");
        let letter = builtin().render(&sample(LetterKind::FeeNotice)).unwrap();
        assert!(letter.text.contains("人民币1700元"));
        assert!(letter.text.contains("于2024年4月18日前缴纳"));
    }

    #[test]
    fn letter_kind_keys_round_trip() {
        assert_eq!(LetterKind::ALL.len(), 7);
        for &kind in LetterKind::ALL {
            assert_eq!(LetterKind::parse(kind.as_str()), Some(kind));
            assert_eq!(serde_json::to_value(kind).unwrap(), serde_json::json!(kind.as_str()));
            assert!(BUILTIN_TEMPLATES.iter().any(|(name, _)| *name == format!("{kind}.html")));
            assert!(BUILTIN_TEMPLATES.iter().any(|(name, _)| *name == format!("{kind}.txt")));
        }
        assert_eq!(LetterKind::parse("nope"), None);
    }

    #[test]
    fn every_file_in_config_letters_is_compiled_in() {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("config/letters");
        let mut names: Vec<String> =
            std::fs::read_dir(dir).unwrap().map(|entry| entry.unwrap().file_name().into_string().unwrap()).collect();
        names.sort();
        let mut builtin: Vec<String> = BUILTIN_TEMPLATES.iter().map(|(name, _)| (*name).to_owned()).collect();
        builtin.sort();
        assert_eq!(names, builtin);
    }
}
