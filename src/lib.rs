//! shegong: the case-management backend for social-work stations (社工站).
//!
//! Layers run one way: `routes` (HTTP) → `services` (rules, transactions, audit) → `db` (SQL).
//! `domain` is pure and used by all three; `dto` holds the bodies the API speaks.

pub mod auth;
pub mod config;
pub mod db;
pub mod domain;
pub mod dto;
pub mod error;
pub mod extract;
pub mod i18n;
pub mod middleware;
pub mod openapi;
pub mod paging;
pub mod routes;
pub mod seed;
pub mod services;
pub mod startup;
pub mod state;
pub mod telemetry;
