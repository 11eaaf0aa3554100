//! gongkai: case tracking for government-information disclosure requests (政府信息公开申请).
//!
//! Layers, pointing inward: [`http`] → [`service`] → [`storage`] → [`domain`].

pub mod app;
pub mod cli;
pub mod config;
pub mod domain;
pub mod http;
pub mod instances;
pub mod ledger;
pub mod notify;
pub mod report;
pub mod seed;
pub mod service;
pub mod storage;
pub mod telemetry;
pub mod web;
