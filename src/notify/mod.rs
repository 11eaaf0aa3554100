//! Letters to applicants and third parties, rendered from editable templates, and the outbox
//! worker that delivers them (SMTP or `.eml` files).

pub mod address;
pub mod letters;
pub mod outbox;
