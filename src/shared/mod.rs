//! Pieces every feature may use; features never import each other.

pub mod alert;
pub mod ca;
pub mod config;
pub mod download;
pub mod engine;
pub mod file;
pub mod focus;
pub mod idn;
pub mod journal_store;
pub mod slices;
pub mod state;
