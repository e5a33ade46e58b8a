//! Every name SSL.com's SWS API puts on the wire, as its public source shows
//! them (docs/sslcom-sws.md cites each).

/// `POST` places one order (form-encoded from a page: a CORS simple request);
/// `GET` lists the account's orders, newest first, as a bare JSON array.
pub const PATH_CERTIFICATES: &str = "/certificates";
/// `GET /certificate/{ref}`: one order (its answer has no `ref`).
pub const PATH_CERTIFICATE: &str = "/certificate";
/// `POST`: bulk enrollment, one invoiced order for a list of addresses.
pub const PATH_ENROLLMENT: &str = "/certificate_enrollment";

/// Account key (form body for POST, query for GET).
pub const ACCOUNT_KEY: &str = "account_key";
/// Secret key (form body for POST, query for GET). Never logged, never echoed.
pub const SECRET_KEY: &str = "secret_key";
/// Three-digit product code.
pub const PRODUCT: &str = "product";
/// Validity in days.
pub const PERIOD: &str = "period";
/// The order's names: for an S/MIME order, the mailbox (as SSL.com's own portal does).
pub const DOMAINS: &str = "domains";
/// The mailbox, also sent as the registrant's address.
pub const EMAIL_ADDRESS: &str = "email_address";
/// Registrant country (ISO 3166-1 alpha-2).
pub const COUNTRY: &str = "country";
/// PEM CSR (optional: without one the order waits for the recipient's key).
pub const CSR: &str = "csr";
/// Our key for the row: stored by the CA, echoed by create and show, but not
/// searchable and not unique (the CA never de-duplicates).
pub const EXTERNAL_ORDER_NUMBER: &str = "external_order_number";
/// List paging: page from 1.
pub const PAGE: &str = "page";
/// List paging: orders per page (the CA's default is 10).
pub const PER_PAGE: &str = "per_page";
/// List search: `created_at:MM/DD/YYYY-MM/DD/YYYY` is the date window that filters.
pub const SEARCH: &str = "search";
/// The search key of the creation-date window.
pub const SEARCH_CREATED_AT: &str = "created_at";

/// Enrollment: the CA's numeric id of the product (not its 3-digit code).
pub const CERTIFICATE_ID: &str = "certificate_id";
/// Enrollment: validity in years (1–3), not days.
pub const DURATION: &str = "duration";
/// Enrollment: the approving user's id.
pub const APPROVER_ID: &str = "approver_id";

/// The CA's order reference (`co-…`); absent from show answers.
pub const REF: &str = "ref";
/// The order's status text, e.g. `waiting on validation from customer`.
pub const ORDER_STATUS: &str = "order_status";
/// The amount charged, formatted with its currency, e.g. `$39.00`.
pub const ORDER_AMOUNT: &str = "order_amount";
/// The order's page in the CA's portal.
pub const CERTIFICATE_URL: &str = "certificate_url";
/// The invoice.
pub const RECEIPT_URL: &str = "receipt_url";
/// Where validation is followed.
pub const VALIDATION_URL: &str = "validation_url";
/// Errors answered with 200: `{"errors": {"field": ["message"]}}`.
pub const ERRORS: &str = "errors";
/// Errors answered with 400/500: `{"response_type": "ERROR", "message": …}`.
pub const MESSAGE: &str = "message";
/// `"ERROR"` on a 400/500 answer.
pub const RESPONSE_TYPE: &str = "response_type";
/// The malformed-JSON answer's text (`{"status": 400, "error": "…"}`).
pub const ERROR: &str = "error";
/// Enrollment answer: the CA's request-log id (not an order id).
pub const ID: &str = "id";
/// Enrollment answer: whether the orders were placed.
pub const IS_ORDERED: &str = "is_ordered";

/// Error field: wrong account key or secret key.
pub const ERR_LOGIN: &str = "login";
/// Error field: the account cannot pay.
pub const ERR_FUNDED_ACCOUNT: &str = "funded_account";
/// Error fields of show: no such order, or another account's.
pub const ERR_NOT_FOUND: [&str; 2] = ["ref", "certificate_order"];
/// Error fields the CA checks *before* it creates anything: an answer with
/// only these is a clean refusal. Any other field (e.g. `contacts`, checked
/// after the order is saved and paid) leaves the order's existence unknown.
pub const ERR_BEFORE_CREATE: [&str; 12] = [
    "account_key",
    "secret_key",
    "product",
    "period",
    "csr",
    "server_software",
    "contact_email_address",
    "domains",
    "country",
    "billing_profile",
    "external_order_number",
    "email_address",
];

/// Error fields of an enrollment that the CA checks before it creates
/// anything (the required parameters and the keys): an answer with only
/// these is a clean refusal.
pub const ERR_BEFORE_ENROLL: [&str; 7] = [
    "login",
    "account_key",
    "secret_key",
    "certificate_id",
    "domains",
    "duration",
    "approver_id",
];
