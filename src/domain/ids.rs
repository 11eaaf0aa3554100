//! Typed ids: an agency id cannot be passed where a case id is meant. They travel as plain
//! positive integers in JSON and in the database; storage converts them at its edge.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

macro_rules! ids {
    ($($(#[$doc:meta])* $name:ident;)+) => {$(
        $(#[$doc])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, ToSchema)]
        #[serde(transparent)]
        #[schema(value_type = i64, format = Int64)]
        pub struct $name(i64);

        impl $name {
            /// The id of a stored row.
            pub const fn new(raw: i64) -> Self {
                Self(raw)
            }

            /// The integer stored in the database and shown in JSON.
            pub const fn get(self) -> i64 {
                self.0
            }
        }

        impl From<$name> for i64 {
            fn from(id: $name) -> i64 {
                id.0
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                self.0.fmt(f)
            }
        }
    )+};
}

ids! {
    /// A case (one application).
    CaseId;
    /// An agency (行政机关).
    AgencyId;
    /// A user of the service.
    UserId;
    /// An applicant's record, shared by their requests with the same identity document.
    ApplicantId;
    /// One piece of information asked for in a case.
    ItemId;
    /// A consultation of a third party or an agency.
    ConsultationId;
    /// A fee notice.
    FeeNoticeId;
    /// A reconsideration or lawsuit.
    AppealId;
    /// An online application waiting to be confirmed or rejected.
    SubmissionId;
}
