//! The letters an agency sends about a disclosure request — the acknowledgement, the correction
//! notice, the extension notice, the consultation letters (to a third party, Art. 32; to another
//! agency, Art. 34), the request for reasons (Art. 35), the fee notice, the decision (答复书), the
//! withdrawal confirmation, the notice to a third party of a disclosure over its objection and the
//! rectification — each as a printable A4 HTML page and as plain text.
//!
//! # Wording and templates
//!
//! The legal wording of a reply — one per legal situation, with its articles — and of the
//! remedies is the domain's ([`crate::domain::reply`], [`crate::domain::remedies`]): the templates
//! receive those sentences as data and never name an article of a reply themselves, so that the
//! letters, the lifecycle's checks and the tests read one table. The templates hold the frame
//! (addressee, introduction, contact line, signature) and the wording of the other letters.
//!
//! For each [`LetterKind`] there is `<kind>.html` and `<kind>.txt` (for example `decision.txt`);
//! they extend `_base.html` / `_base.txt` and include shared parts (`_remedies`, `_contact`,
//! `_deadline_rule`; `_labels.jinja` holds the channel names).
//!
//! [`Letters::load`] takes the template directory configured at run time (normally
//! `config/letters/`). A template is looked up there first; a name the directory does not have
//! — or a directory that does not exist at all — falls back to the copy of `config/letters/`
//! compiled into the binary with `include_str!`, so letters work with no directory. An override
//! may therefore replace a single file (say `decision.txt`) and still extend the built-in
//! `_base.txt`. Every known template is compiled in [`Letters::load`], so a broken override fails
//! at start-up rather than when a letter is sent; the templates are read once, so an edited file
//! takes effect at the next start.
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

/// The templates compiled into the binary: the fallback for every name the configured directory
/// does not have. Keep in step with the files in `config/letters/`.
const BUILTIN_TEMPLATES: &[(&str, &str)] = &[
    ("_base.html", include_str!("../../../config/letters/_base.html")),
    ("_base.txt", include_str!("../../../config/letters/_base.txt")),
    ("_deadline_rule.html", include_str!("../../../config/letters/_deadline_rule.html")),
    ("_deadline_rule.txt", include_str!("../../../config/letters/_deadline_rule.txt")),
    ("_labels.jinja", include_str!("../../../config/letters/_labels.jinja")),
    ("acknowledgement.html", include_str!("../../../config/letters/acknowledgement.html")),
    ("acknowledgement.txt", include_str!("../../../config/letters/acknowledgement.txt")),
    ("correction_notice.html", include_str!("../../../config/letters/correction_notice.html")),
    ("correction_notice.txt", include_str!("../../../config/letters/correction_notice.txt")),
    ("extension_notice.html", include_str!("../../../config/letters/extension_notice.html")),
    ("extension_notice.txt", include_str!("../../../config/letters/extension_notice.txt")),
    ("consultation_letter.html", include_str!("../../../config/letters/consultation_letter.html")),
    ("consultation_letter.txt", include_str!("../../../config/letters/consultation_letter.txt")),
    ("fee_notice.html", include_str!("../../../config/letters/fee_notice.html")),
    ("fee_notice.txt", include_str!("../../../config/letters/fee_notice.txt")),
    ("decision.html", include_str!("../../../config/letters/decision.html")),
    ("decision.txt", include_str!("../../../config/letters/decision.txt")),
    ("rectification.html", include_str!("../../../config/letters/rectification.html")),
    ("rectification.txt", include_str!("../../../config/letters/rectification.txt")),
    ("reasons_request.html", include_str!("../../../config/letters/reasons_request.html")),
    ("reasons_request.txt", include_str!("../../../config/letters/reasons_request.txt")),
    ("withdrawal_confirmation.html", include_str!("../../../config/letters/withdrawal_confirmation.html")),
    ("withdrawal_confirmation.txt", include_str!("../../../config/letters/withdrawal_confirmation.txt")),
    (
        "disclosure_notice_to_third_party.html",
        include_str!("../../../config/letters/disclosure_notice_to_third_party.html"),
    ),
    (
        "disclosure_notice_to_third_party.txt",
        include_str!("../../../config/letters/disclosure_notice_to_third_party.txt"),
    ),
    ("_contact.html", include_str!("../../../config/letters/_contact.html")),
    ("_contact.txt", include_str!("../../../config/letters/_contact.txt")),
];

mod data;

pub use data::{
    ConsultationData, CorrectionData, CountedRow, DecisionData, EarlierLetter, ExtensionData, FeeData, LetterData,
    PerRequestData, ReasonsRequestData, RectificationData, ThirdPartyNoticeData, WithdrawalData,
};

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
        let title = data.title();
        // The letter's own number; the case number only for a letter rendered from a case entered
        // before letters were kept (it has none).
        let reference = if data.document_number.is_empty() { &data.case_number } else { &data.document_number };
        let subject = format!("【{}】{}（{}）", data.agency_name, title, reference);
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
mod tests;
