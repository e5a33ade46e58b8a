//! Every name the reference dialect puts on the wire.

/// `POST` places an order; `GET` lists orders (paginated, filterable).
pub const PATH_CERTIFICATES: &str = "/certificates";
/// `GET /certificate/{ref}`: one order.
pub const PATH_CERTIFICATE: &str = "/certificate";
/// `GET`: the account's pre-validated email domains (sandbox extension).
pub const PATH_DOMAINS: &str = "/domains";
/// `GET`: the S/MIME products on offer.
pub const PATH_PRODUCTS: &str = "/products";

/// Account key (body for POST, query for GET).
pub const ACCOUNT_KEY: &str = "account_key";
/// Secret key (body for POST, query for GET). Never logged, never echoed.
pub const SECRET_KEY: &str = "secret_key";
/// Product code.
pub const PRODUCT: &str = "product";
/// Validity in days.
pub const PERIOD: &str = "period";
/// The certificate's mailbox.
pub const EMAIL_ADDRESS: &str = "email_address";
/// Given name.
pub const FIRST_NAME: &str = "first_name";
/// Surname.
pub const LAST_NAME: &str = "last_name";
/// ISO 3166-1 alpha-2 country.
pub const COUNTRY: &str = "country";
/// PEM CSR (optional).
pub const CSR: &str = "csr";
/// Our idempotency key for the row.
pub const EXTERNAL_ORDER_NUMBER: &str = "external_order_number";
/// List pagination: page number from 1.
pub const PAGE: &str = "page";
/// List pagination: orders per page.
pub const PER_PAGE: &str = "per_page";

/// The CA's order reference (`co-…`).
pub const REF: &str = "ref";
/// The order's status text, e.g. `pending validation`.
pub const ORDER_STATUS: &str = "order_status";
/// The amount charged.
pub const ORDER_AMOUNT: &str = "order_amount";
/// Where the certificate can be fetched.
pub const CERTIFICATE_URL: &str = "certificate_url";
/// The invoice.
pub const RECEIPT_URL: &str = "receipt_url";
/// Where the person completes validation.
pub const VALIDATION_URL: &str = "validation_url";
/// Per-field error messages: `{"field": ["message", …]}`.
pub const ERRORS: &str = "errors";
/// `GET /domains` answer: `{"domains": [...]}`.
pub const DOMAINS: &str = "domains";
/// `GET /products` answer: `{"products": [...]}`.
pub const PRODUCTS: &str = "products";
/// Product fields.
pub const CODE: &str = "code";
/// Product display name.
pub const NAME: &str = "name";
/// Product periods: `[{"period": 365, "price": "39.00"}]`.
pub const PERIODS: &str = "periods";
/// Price of one period.
pub const PRICE: &str = "price";
/// Header of a 429 answer: seconds to wait.
pub const RETRY_AFTER: &str = "retry-after";
