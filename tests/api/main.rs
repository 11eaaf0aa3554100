//! Black-box HTTP tests. They run on SQLite, and on PostgreSQL when TEST_DATABASE_URL is set.
// `as`: test arithmetic on counts and durations (loops of a few thousand, millisecond timings),
// where a cast cannot truncate and `try_from` at each would only hide what the tests compute.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::as_conversions)]

mod agencies;
mod audit;
mod auth;
mod browser;
mod case_documents;
mod cases;
mod cli;
mod clocks;
mod concurrency;
mod consistency;
mod console;
mod console_ledger;
mod console_reports;
mod console_steps;
mod console_workflow;
mod corrections;
mod crash;
mod documents;
mod errors;
mod hardening;
mod health;
mod helpers;
mod ledger;
mod letters;
mod limits;
mod matrix;
mod migrations;
mod online;
mod outbox;
mod portal_pages;
mod replies;
mod reports;
mod scaleout;
mod search;
mod similar;
mod similar_population;
mod users;
mod workflow;
mod writer;
