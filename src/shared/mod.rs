//! Pieces every feature may use; features never import each other.

pub mod file;
pub mod state;
