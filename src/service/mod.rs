//! Use cases. Each function owns one transaction: it checks the rules against the stored facts,
//! appends the event, updates the projection and commits, or changes nothing.

pub mod agencies;
pub mod appeals;
pub mod audit;
pub mod auth;
pub mod calendar;
pub mod cases;
pub mod clock;
pub mod context;
pub mod dashboard;
pub mod documents;
pub mod ledger;
pub mod letters;
pub mod outbox;
pub mod public_status;
pub mod reminders;
pub mod report;
pub mod report_text;
pub mod sign_in;
pub mod similar;
pub mod submissions;
pub mod sweep;
pub mod users;
pub mod workflow;
pub mod worklist;

use crate::domain::lifecycle::Refusal;
use crate::domain::Violation;

/// The text search's bounds and errors (how a search is served: [`crate::storage::search`]).
pub use crate::storage::search;
pub use crate::storage::StorageError;
/// The database handle and connection the use cases run on (opaque to their callers).
pub use crate::storage::{Db, DbConnection, Readiness};
pub use context::{Actor, Context, Now, Snapshot};

/// Why a use case did not happen.
#[derive(Debug, thiserror::Error)]
pub enum ServiceError {
    /// The resource does not exist or is not visible to the caller (404).
    #[error("{what} not found")]
    NotFound { what: &'static str, code: &'static str },
    /// The caller's role does not allow the action (403).
    #[error("{0}")]
    Forbidden(String),
    /// A well-formed request that breaks a rule (422).
    #[error(transparent)]
    Invalid(#[from] Violation),
    /// The case's state or version does not allow the change (409).
    #[error("{detail}")]
    Conflict { code: &'static str, detail: String },
    /// Stored data that breaks an invariant; never shown to the caller.
    #[error("corrupt data: {0}")]
    Corrupt(String),
    /// A failure of the database; never shown to the caller.
    #[error(transparent)]
    Storage(#[from] StorageError),
}

impl From<crate::storage::QueryError> for ServiceError {
    fn from(error: crate::storage::QueryError) -> Self {
        Self::Storage(StorageError::Query(error))
    }
}

impl From<Refusal> for ServiceError {
    fn from(refusal: Refusal) -> Self {
        match refusal {
            Refusal::Forbidden(detail) => Self::Forbidden(detail),
            Refusal::NotFound { what, code } => Self::NotFound { what, code },
            Refusal::Conflict { code, detail } => Self::Conflict { code, detail },
            Refusal::Invalid(violation) => Self::Invalid(violation),
        }
    }
}

impl ServiceError {
    /// Whether the failure is a unique-constraint violation (two first uses of one key raced):
    /// the caller may retry the use case once, in a new transaction.
    pub fn is_unique_violation(&self) -> bool {
        matches!(self, Self::Storage(StorageError::Query(e)) if crate::storage::is_unique_violation(e))
    }

    pub fn conflict(code: &'static str, detail: impl Into<String>) -> Self {
        Self::Conflict { code, detail: detail.into() }
    }

    pub fn corrupt(detail: impl Into<String>) -> Self {
        Self::Corrupt(detail.into())
    }

    pub fn forbidden(detail: impl Into<String>) -> Self {
        Self::Forbidden(detail.into())
    }

    /// The violation, when the use case refused a well-formed request for breaking a rule.
    pub fn into_violation(self) -> Option<Violation> {
        match self {
            Self::Invalid(v) => Some(v),
            _ => None,
        }
    }
}

pub type ServiceResult<T> = Result<T, ServiceError>;
