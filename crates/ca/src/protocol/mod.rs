//! The CA protocol: what to send and what an answer means. No IO.
//!
//! A [`Profile`] names the dialect a CA speaks; each dialect is one module
//! holding every wire name and answer shape it uses: [`sslcom`] (SSL.com's
//! SWS API, the default) and [`reference`] (our earlier JSON protocol).

mod answer;
pub mod decimal;
mod http;
mod profile;
pub mod reference;
pub mod sslcom;
pub mod trust;
mod types;

pub use http::{Body, HttpRequest, HttpResponse, Method};
pub use profile::Profile;
pub use types::{
    CaError, Credentials, Enrolled, EnrollmentRequest, FieldErrors, ListQuery, Order, OrderRequest, Period, Product,
};
