//! One module per page (or group of pages) of the console.

pub mod admin;
pub mod agency_settings;
pub mod case;
pub mod cases;
pub mod dashboard;
pub mod documents;
pub mod intake;
pub mod ledger;
pub mod login;
pub mod portal;
pub mod report;
pub mod report_text;
pub mod section_two;
pub mod similar;
pub mod step_forms;
pub mod steps;
pub mod workflow;
