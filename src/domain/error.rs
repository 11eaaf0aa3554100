//! Rule violations with the field paths they concern.

use serde::Serialize;
use utoipa::ToSchema;

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
        Self { code, detail: format!("{field}: {message}"), errors: vec![FieldError::new(field, message)] }
    }

    /// Collect field errors into one `validation_failed` violation, or `Ok` when there are none.
    ///
    /// # Errors
    /// At least one field error was collected.
    pub fn check(errors: Vec<FieldError>) -> Result<(), Self> {
        if errors.is_empty() {
            return Ok(());
        }
        let detail = errors.iter().map(|e| format!("{}: {}", e.field, e.message)).collect::<Vec<_>>().join("; ");
        Err(Self { code: "validation_failed", detail, errors })
    }
}

/// Collects field errors while input is parsed.
#[derive(Default, Debug)]
pub struct Errors(Vec<FieldError>);

impl Errors {
    /// Record a problem with `field`.
    pub fn add(&mut self, field: impl Into<String>, message: impl Into<String>) {
        self.0.push(FieldError::new(field, message));
    }

    /// Require `value` (trimmed) to be non-empty and at most `max` characters; returns the trimmed text.
    pub fn text(&mut self, field: &str, value: &str, max: usize) -> String {
        let trimmed = value.trim();
        if trimmed.is_empty() {
            self.add(field, "must not be empty");
        } else if trimmed.chars().count() > max {
            self.add(field, format!("must be at most {max} characters"));
        }
        trimmed.to_string()
    }

    /// Like [`Errors::text`] for an optional field; empty text becomes `None`.
    pub fn optional_text(&mut self, field: &str, value: Option<&str>, max: usize) -> Option<String> {
        let trimmed = value.map(str::trim).filter(|v| !v.is_empty())?;
        if trimmed.chars().count() > max {
            self.add(field, format!("must be at most {max} characters"));
        }
        Some(trimmed.to_string())
    }

    /// Finish: `Ok` when nothing was recorded.
    ///
    /// # Errors
    /// The recorded field errors as one violation.
    pub fn finish(self) -> Result<(), Violation> {
        Violation::check(self.0)
    }
}
