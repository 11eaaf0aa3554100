//! What pages show of the service's answers: small serialisable views, built in one place.

use std::collections::BTreeMap;

use serde::Serialize;

use super::messages;
use crate::domain::case::{Applicant, CaseSummary};
use crate::domain::identity::mask;
use crate::domain::Violation;

/// Each field's message (the first one per field), keyed by the field's path as the API names it
/// (`applicant.id_number`); a message of a field the form does not have is kept under `_` for
/// the top of the form.
pub fn field_errors(violation: &Violation, fields: &[&str]) -> BTreeMap<String, String> {
    let mut errors = BTreeMap::new();
    for error in &violation.errors {
        let key = if fields.contains(&error.field.as_str()) { error.field.clone() } else { "_".to_string() };
        errors.entry(key).or_insert_with(|| error.message.clone());
    }
    if violation.errors.is_empty() {
        errors.insert("_".to_string(), messages::sentence(violation.code, &violation.detail));
    }
    errors
}

/// A text cut to `chars` characters, with an ellipsis when it was longer.
pub fn excerpt(text: &str, chars: usize) -> String {
    let cut: String = text.chars().take(chars).collect();
    if text.chars().count() > chars {
        format!("{cut}…")
    } else {
        cut
    }
}

/// A case in a list.
#[derive(Clone, Debug, Serialize)]
pub struct CaseLine {
    pub id: i64,
    pub case_number: String,
    pub applicant: String,
    /// The masked identity number (lists never show it whole).
    pub id_number: Option<String>,
    pub received_on: String,
    pub status: &'static str,
    pub due_on: Option<String>,
    pub paused: bool,
    pub outcome: Option<&'static str>,
    pub concluded_on: Option<String>,
    pub description: String,
    /// The handler's name (filled in by the list when it has the names).
    pub handler: Option<String>,
    /// Routed to a unit and not yet signed for.
    pub routed: bool,
}

impl CaseLine {
    pub fn new(case: CaseSummary, applicant: Applicant) -> Self {
        Self {
            id: case.id.get(),
            case_number: case.case_number,
            applicant: applicant.name,
            id_number: applicant.identity.as_ref().map(|i| mask(&i.number)),
            received_on: case.received_on.to_string(),
            status: case.status.as_str(),
            due_on: case.due_on.map(|d| d.to_string()),
            paused: case.paused,
            outcome: case.outcome.map(|o| o.as_str()),
            concluded_on: case.concluded_on.map(|d| d.to_string()),
            description: excerpt(&case.description, 60),
            handler: None,
            routed: case.handling.routed_to.is_some(),
        }
    }
}
