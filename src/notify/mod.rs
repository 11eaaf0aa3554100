//! Letters to applicants and third parties, rendered from editable templates.

pub mod letters;
