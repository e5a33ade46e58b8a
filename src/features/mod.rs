//! The workflow steps, one module each. Features import `shared`, never each other.

pub mod connect;
pub mod domains;
pub mod load;
pub mod mapping;
pub mod order;
pub mod results;
pub mod review;
pub mod submit;
