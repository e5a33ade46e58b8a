//! The workflow steps, one folder each. Features import `shared`, never each other.

pub mod domains;
pub mod load;
pub mod review;
