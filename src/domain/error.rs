//! Rule violations with the field paths they concern.

use serde::Serialize;
use utoipa::ToSchema;

/// Whether `c` is a CJK ideograph: the test for text written in Chinese.
pub fn is_cjk(c: char) -> bool {
    matches!(c, '\u{4e00}'..='\u{9fff}' | '\u{3400}'..='\u{4dbf}' | '\u{f900}'..='\u{faff}')
}

/// One problem with one input field.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, ToSchema)]
pub struct FieldError {
    /// Path of the field in the request body, e.g. `applicant.id_number` or `items[2].outcome`.
    pub field: String,
    /// What is wrong, for a person.
    pub message: String,
}

impl FieldError {
    pub fn new(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self { field: field.into(), message: message.into() }
    }
}

/// A well-formed request that breaks a rule (HTTP 422).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{detail}")]
pub struct Violation {
    /// Stable snake_case code, e.g. `validation_failed`, `outcome_contradicts_items`.
    pub code: &'static str,
    /// A sentence for a person.
    pub detail: String,
    pub errors: Vec<FieldError>,
}

impl Violation {
    /// A violation of one field.
    pub fn field(code: &'static str, field: &str, message: impl Into<String>) -> Self {
        let message = message.into();
        Self { code, detail: message.clone(), errors: vec![FieldError::new(field, message)] }
    }

    /// Collect field errors into one `validation_failed` violation, or `Ok` when there are none.
    ///
    /// # Errors
    /// At least one field error was collected.
    pub fn check(errors: Vec<FieldError>) -> Result<(), Self> {
        if errors.is_empty() {
            return Ok(());
        }
        let detail = errors.iter().map(|e| format!("{}：{}", e.field, e.message)).collect::<Vec<_>>().join("；");
        Err(Self { code: "validation_failed", detail, errors })
    }
}

/// Collects field errors while input is parsed.
#[derive(Default, Debug)]
pub struct Errors(Vec<FieldError>);

impl Errors {
    /// Whether a problem with `field` was recorded.
    pub fn has(&self, field: &str) -> bool {
        self.0.iter().any(|e| e.field == field)
    }

    /// Record a problem with `field`.
    pub fn add(&mut self, field: impl Into<String>, message: impl Into<String>) {
        self.0.push(FieldError::new(field, message));
    }

    /// Require `value` (trimmed) to be non-empty and at most `max` characters; returns the trimmed text.
    pub fn text(&mut self, field: &str, value: &str, max: usize) -> String {
        let trimmed = value.trim();
        if trimmed.is_empty() {
            self.add(field, "不能为空");
        } else {
            self.check_length(field, trimmed, max);
        }
        trimmed.to_string()
    }

    /// Like [`Errors::text`] for an optional field; empty text becomes `None`.
    pub fn optional_text(&mut self, field: &str, value: Option<&str>, max: usize) -> Option<String> {
        let trimmed = value.map(str::trim).filter(|v| !v.is_empty())?;
        self.check_length(field, trimmed, max);
        Some(trimmed.to_string())
    }

    /// At most `max` characters, none of them NUL (which PostgreSQL cannot store in text).
    fn check_length(&mut self, field: &str, text: &str, max: usize) {
        if text.contains('\0') {
            self.add(field, "不得包含空字符（NUL）");
        } else if text.chars().count() > max {
            self.add(field, format!("不得超过{max}个字符"));
        }
    }

    /// Finish: `Ok` when nothing was recorded.
    ///
    /// # Errors
    /// The recorded field errors as one violation.
    pub fn finish(self) -> Result<(), Violation> {
        Violation::check(self.0)
    }
}
