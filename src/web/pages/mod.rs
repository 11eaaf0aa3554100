//! One module per page (or group of pages) of the console.

pub mod admin;
pub mod cases;
pub mod dashboard;
pub mod intake;
pub mod login;
pub mod report;
pub mod report_text;
