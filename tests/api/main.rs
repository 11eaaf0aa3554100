//! Black-box HTTP tests. They run on SQLite, and on PostgreSQL when TEST_DATABASE_URL is set.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod agencies;
mod audit;
mod auth;
mod cases;
mod cli;
mod clocks;
mod concurrency;
mod crash;
mod health;
mod helpers;
mod letters;
mod limits;
mod matrix;
mod migrations;
mod outbox;
mod reports;
mod scaleout;
mod users;
mod writer;
