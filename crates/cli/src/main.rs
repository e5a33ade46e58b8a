//! `smime-bulk`: check, parse and template a bulk S/MIME roster from a shell.
//!
//! Exit status: 0 every row valid, 1 some row invalid, 2 the file is unusable
//! or the command line is wrong.

mod ca_client;
mod output;
mod probe;
mod submit;

use clap::{Args, Parser, Subcommand, ValueEnum};
use smime_bulk_ca::engine::{Enrollment, OrderMode, DEFAULT_CHUNK, MAX_CHUNK, MAX_PERIOD_DAYS};
use smime_bulk_ca::protocol::Profile;
use smime_bulk_roster::domains::ValidatedDomains;
use smime_bulk_roster::limits;
use smime_bulk_roster::{Mode, Options};
use std::io::Read;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Parser)]
#[command(
    name = "smime-bulk",
    version,
    about = "Bulk-order Personal ID + Organization (IV+OV) S/MIME certificates: check a roster before anything is sent."
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Validate a roster and report every problem with its line, column and fix.
    #[command(
        after_help = "Examples:\n  smime-bulk check --domains example.com,example.org roster.csv\n  smime-bulk check --domains-file domains.txt --format json roster.csv\n  smime-bulk check --domains example.com --sheet Staff roster.xlsx\n  pbpaste | smime-bulk check --list --domains example.com -\n\nExit status: 0 every row valid, 1 some row invalid, 2 the file is unusable or the command line is wrong."
    )]
    Check(CheckArgs),
    /// Print the rows as read (decoded, delimiter sniffed, header applied), as JSON.
    #[command(after_help = "Example:\n  smime-bulk parse roster.csv\n  smime-bulk parse --list recipients.txt")]
    Parse(ParseArgs),
    /// Print the roster CSV template.
    #[command(after_help = "Example:\n  smime-bulk template > roster.csv")]
    Template,
    /// Order the valid rows with the CA, one order per row or by bulk enrollment; resumable from its journal.
    #[command(
        after_help = "Examples:\n  export SMIME_BULK_SECRET_KEY=sandbox-secret\n  smime-bulk submit --ca http://127.0.0.1:8787 --account-key sandbox-account \\\n      --product 302 --period 365 --journal batch.journal --out results.csv roster.csv\n  smime-bulk submit --mode enrollment --certificate-id 417 --approver-id 1 --chunk 50 \\\n      --ca http://127.0.0.1:8787 --account-key sandbox-account --product 302 --period 365 \\\n      --journal batch.journal --out results.csv roster.csv\n\nWhat each mode costs: per-row charges each order to the account's funds at the product's price and sends\nthe row's CSR; enrollment puts each chunk of addresses on one invoice to your team under its EPKI agreement,\nwith no funds check, sends no CSR (the recipients are invited and make their own keys), and needs the\nproduct's certificate id and an approver's user id, which the CA has no API to list: ask the CA for them.\n\nThe secret key comes from SMIME_BULK_SECRET_KEY or --secret-key-file, never from the command line.\nCtrl-C stops cleanly; running the same command again resumes the batch without ordering anything twice.\nExit status: 0 every order placed, 1 some row rejected, failed or not confirmed, 2 unusable input or stopped by the CA, 130 interrupted."
    )]
    Submit(Box<SubmitArgs>),
    /// Check, without ordering anything, that the CA behaves as its profile says.
    #[command(
        after_help = "Example:\n  SMIME_BULK_SECRET_KEY=… smime-bulk probe --ca https://sws-test.sslpki.com --ca-profile sslcom --account-key KEY\n\nIt lists orders, reads one, and sends an order with a deliberately wrong secret key (refused, so nothing is ordered),\nthen asks the CA the CORS questions a browser would. Exit status: 0 all match, 1 something differs, 2 no answer."
    )]
    Probe(ProbeArgs),
    /// List the account's pre-validated email domains.
    #[command(
        after_help = "Example:\n  SMIME_BULK_SECRET_KEY=sandbox-secret smime-bulk domains --ca http://127.0.0.1:8787 --account-key sandbox-account"
    )]
    Domains(CaArgs),
    /// List the S/MIME products the account can order, with periods and prices.
    #[command(
        after_help = "Example:\n  SMIME_BULK_SECRET_KEY=sandbox-secret smime-bulk products --ca http://127.0.0.1:8787 --account-key sandbox-account"
    )]
    Products(CaArgs),
}

#[derive(Args)]
struct CaArgs {
    /// The CA's API base URL, e.g. http://127.0.0.1:8787 or https://sws-test.sslpki.com.
    #[arg(long, value_name = "URL")]
    ca: String,
    /// The dialect the CA speaks: sslcom (SSL.com's SWS API) or reference.
    #[arg(long, value_name = "PROFILE", default_value = "sslcom", value_parser = parse_profile)]
    ca_profile: Profile,
    /// The account key.
    #[arg(long, value_name = "KEY")]
    account_key: String,
    /// A file holding the secret key (else SMIME_BULK_SECRET_KEY).
    #[arg(long, value_name = "FILE")]
    secret_key_file: Option<PathBuf>,
    /// Seconds to wait for each answer.
    #[arg(long, default_value_t = 30)]
    timeout_secs: u64,
}

#[derive(Args)]
struct ProbeArgs {
    #[command(flatten)]
    ca: CaArgs,
    /// The origin the app is served from, for the CORS checks.
    #[arg(long, value_name = "ORIGIN", default_value = "https://smime-bulk.example")]
    origin: String,
}

#[derive(Args)]
struct SubmitArgs {
    #[command(flatten)]
    ca: CaArgs,
    /// Product code (see `smime-bulk products`).
    #[arg(long)]
    product: String,
    #[arg(
        long,
        help = format!("Validity in days (at most {MAX_PERIOD_DAYS}, S/MIME BR 6.3.2)"),
        value_parser = clap::value_parser!(u32).range(1..=i64::from(MAX_PERIOD_DAYS))
    )]
    period: u32,
    /// The batch journal: created on the first run, resumed from on the next.
    #[arg(long, value_name = "FILE")]
    journal: PathBuf,
    /// Requests in flight at most.
    #[arg(long, default_value_t = 4, value_parser = clap::value_parser!(u16).range(1..=64))]
    concurrency: u16,
    /// Pre-validated domains (default: asked from the CA).
    #[arg(long, value_name = "D1,D2,…", conflicts_with = "domains_file")]
    domains: Option<String>,
    /// A file with one pre-validated domain per line.
    #[arg(long, value_name = "FILE")]
    domains_file: Option<String>,
    /// Write the results here: email, ref, status, order_amount, certificate_url, receipt_url, error.
    #[arg(long, value_name = "FILE")]
    out: Option<PathBuf>,
    /// Order the valid rows and leave out the invalid ones.
    #[arg(long)]
    skip_invalid: bool,
    /// Settle an unconfirmed row: EMAIL's order is REF, one of its candidates
    /// (repeatable; on a resumed batch).
    #[arg(long, value_name = "EMAIL=REF")]
    accept: Vec<String>,
    /// Settle an unconfirmed row: none of EMAIL's candidates is its order, so
    /// order it again (repeatable; on a resumed batch).
    #[arg(long, value_name = "EMAIL")]
    resend: Vec<String>,
    #[command(flatten)]
    limits: LimitArgs,
    /// How to order: one order per row, or bulk enrollment (chunks of addresses, one invoice each).
    #[arg(long, value_enum, default_value_t = ModeArg::PerRow)]
    mode: ModeArg,
    /// Enrollment: the CA's numeric id of the product (SSL.com's database id, not the 3-digit code).
    #[arg(long, value_name = "N", required_if_eq("mode", "enrollment"))]
    certificate_id: Option<u64>,
    /// Enrollment: the user id of the approver.
    #[arg(long, value_name = "N", required_if_eq("mode", "enrollment"))]
    approver_id: Option<u64>,
    #[arg(
        long,
        value_name = "N",
        help = format!("Enrollment: addresses per enrollment, 1 to {MAX_CHUNK} (default {DEFAULT_CHUNK}); a lost answer leaves at most this many to settle"),
        value_parser = clap::value_parser!(u16).range(1..=MAX_CHUNK as i64)
    )]
    chunk: Option<u16>,
    /// For a workbook (.xlsx, .xlsm, .ods, .xls): the sheet to read (default: the first).
    #[arg(long, value_name = "NAME")]
    sheet: Option<String>,
    /// The roster file, or - for standard input.
    #[arg(value_name = "ROSTER")]
    roster: String,
}

/// The limits a roster is checked within (see `smime_bulk_roster::limits`).
#[derive(Args)]
struct LimitArgs {
    /// The largest roster file, in bytes (no more is read).
    #[arg(long, value_name = "BYTES", default_value_t = limits::DEFAULT_MAX_FILE_BYTES)]
    max_file_bytes: usize,
    /// The most rows a roster may have.
    #[arg(long, value_name = "ROWS", default_value_t = limits::DEFAULT_MAX_ROWS)]
    max_rows: usize,
    /// The longest cell of a mapped column, in characters.
    #[arg(long, value_name = "CHARS", default_value_t = limits::DEFAULT_MAX_FIELD_CHARS)]
    max_field_chars: usize,
}

impl LimitArgs {
    fn limits(&self) -> limits::Limits {
        limits::Limits {
            max_file_bytes: self.max_file_bytes,
            max_rows: self.max_rows,
            max_field_chars: self.max_field_chars,
        }
    }
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum ModeArg {
    /// One order per row, charged to the account's funds, with the row's CSR.
    PerRow,
    /// Bulk enrollment: one invoiced order per chunk of addresses, no CSR sent.
    Enrollment,
}

impl SubmitArgs {
    /// The ordering mode the flags ask for.
    fn order_mode(&self) -> Result<OrderMode, String> {
        match (self.mode, self.certificate_id, self.approver_id) {
            (ModeArg::PerRow, None, None) if self.chunk.is_none() => Ok(OrderMode::PerRow),
            (ModeArg::PerRow, ..) => Err(
                "--certificate-id, --approver-id and --chunk are for --mode enrollment; remove them or add it".into(),
            ),
            (ModeArg::Enrollment, Some(certificate_id), Some(approver_id)) => {
                let enrollment = Enrollment {
                    certificate_id,
                    approver_id,
                    chunk: self.chunk.map_or(DEFAULT_CHUNK, usize::from),
                };
                enrollment
                    .years(self.period)
                    .map_err(|e| format!("--period {}: {e}", self.period))?;
                if !self.ca.ca_profile.supports_enrollment() {
                    return Err(format!(
                        "a CA of profile {} takes no bulk enrollment; use --mode per-row",
                        self.ca.ca_profile
                    ));
                }
                Ok(OrderMode::Enrollment(enrollment))
            }
            (ModeArg::Enrollment, ..) => {
                Err("--mode enrollment needs --certificate-id and --approver-id (ask the CA for them)".into())
            }
        }
    }
}

#[derive(Args)]
struct CheckArgs {
    /// Pre-validated email domains, comma-separated (U- or A-labels).
    #[arg(long, value_name = "D1,D2,…", conflicts_with = "domains_file")]
    domains: Option<String>,
    /// A file with one pre-validated domain per line (# starts a comment).
    #[arg(long, value_name = "FILE")]
    domains_file: Option<String>,
    /// Only the listed domains themselves, not their subdomains.
    #[arg(long)]
    exact_domains: bool,
    /// Read the input as a list of addresses instead of a table.
    #[arg(long)]
    list: bool,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    format: Format,
    #[command(flatten)]
    limits: LimitArgs,
    /// For a workbook (.xlsx, .xlsm, .ods, .xls): the sheet to read (default: the first).
    #[arg(long, value_name = "NAME")]
    sheet: Option<String>,
    /// The roster file, or - for standard input.
    #[arg(value_name = "FILE|-")]
    file: String,
}

#[derive(Args)]
struct ParseArgs {
    /// Read the input as a list of addresses instead of a table.
    #[arg(long)]
    list: bool,
    #[command(flatten)]
    limits: LimitArgs,
    /// For a workbook (.xlsx, .xlsm, .ods, .xls): the sheet to read (default: the first).
    #[arg(long, value_name = "NAME")]
    sheet: Option<String>,
    /// The roster file, or - for standard input.
    #[arg(value_name = "FILE|-")]
    file: String,
}

#[derive(Clone, Copy, ValueEnum)]
enum Format {
    Text,
    Json,
    /// The compact binary report the browser's engine worker sends (see
    /// `smime_bulk_roster::wire`), for tests and tools.
    Wire,
}

/// Exit status for a file that is unusable or a wrong command line.
const EXIT_UNUSABLE: u8 = 2;

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            return ExitCode::from(if e.use_stderr() { EXIT_UNUSABLE } else { 0 });
        }
    };
    match run(cli) {
        Ok(code) => code,
        Err(message) => {
            eprintln!("smime-bulk: {message}");
            ExitCode::from(EXIT_UNUSABLE)
        }
    }
}

fn run(cli: Cli) -> Result<ExitCode, String> {
    match cli.command {
        Command::Template => {
            print!("{}", smime_bulk_roster::template::TEMPLATE_CSV);
            Ok(ExitCode::SUCCESS)
        }
        Command::Parse(args) => {
            let limits = args.limits.limits();
            let bytes = read_input(&args.file, &limits)?;
            let parsed = smime_bulk_roster::parse(
                &bytes,
                if args.list { Mode::List } else { Mode::Table },
                args.sheet.as_deref(),
                &limits,
            );
            if let Some(f) = parsed.findings.first() {
                return Err(format!("{}: {} [{}]", display_name(&args.file), f.message, f.code));
            }
            println!("{}", output::parsed_json(&parsed));
            Ok(ExitCode::SUCCESS)
        }
        Command::Submit(args) => {
            let args = *args;
            let mode = args.order_mode()?;
            let secret_key = secret_key(&args.ca)?;
            let limits = args.limits.limits();
            let roster_bytes = read_input(&args.roster, &limits)?;
            let opts = submit::SubmitOptions {
                ca: args.ca.ca,
                profile: args.ca.ca_profile,
                accept: args.accept,
                resend: args.resend,
                account_key: args.ca.account_key,
                secret_key,
                product: args.product,
                period: args.period,
                mode,
                journal: args.journal,
                concurrency: usize::from(args.concurrency),
                domains: read_domains(&args.domains, &args.domains_file)?,
                out: args.out,
                skip_invalid: args.skip_invalid,
                timeout: std::time::Duration::from_secs(args.ca.timeout_secs.max(1)),
                roster: display_name(&args.roster),
                roster_bytes,
                limits,
                sheet: args.sheet,
            };
            runtime()?.block_on(submit::run(opts))
        }
        Command::Probe(args) => {
            let creds = smime_bulk_ca::protocol::Credentials::new(args.ca.account_key.clone(), secret_key(&args.ca)?);
            let client =
                ca_client::CaClient::new(&args.ca.ca, std::time::Duration::from_secs(args.ca.timeout_secs.max(1)))?;
            runtime()?.block_on(probe::run(probe::ProbeOptions {
                client,
                profile: args.ca.ca_profile,
                creds,
                origin: args.origin,
            }))
        }
        Command::Domains(args) => runtime()?.block_on(account_listing(args, Listing::Domains)),
        Command::Products(args) => runtime()?.block_on(account_listing(args, Listing::Products)),
        Command::Check(args) => {
            let domains = read_domains(&args.domains, &args.domains_file)?.unwrap_or_default();
            if domains.is_empty() {
                eprintln!(
                    "smime-bulk: note: no --domains given, so domains are not checked against the validated list"
                );
            }
            let limits = args.limits.limits();
            let bytes = read_input(&args.file, &limits)?;
            let options = Options {
                mode: if args.list { Mode::List } else { Mode::Table },
                domains,
                exact_domains: args.exact_domains,
                mapping: None,
                limits,
                sheet: args.sheet,
                // Fixed: a file's wire form is the same on every run.
                key_seed: 0,
            };
            let (unusable, invalid) = match args.format {
                Format::Json => check_streamed(&bytes, &options, |head| {
                    output::JsonFindings::begin(std::io::BufWriter::new(std::io::stdout()), head)
                })?,
                Format::Text => {
                    let file = display_name(&args.file);
                    check_streamed(&bytes, &options, |head| {
                        output::TextFindings::new(std::io::BufWriter::new(std::io::stdout()), &file, head)
                    })?
                }
                Format::Wire => {
                    use std::io::Write;
                    let report = smime_bulk_roster::check(&bytes, &options);
                    std::io::stdout()
                        .write_all(&smime_bulk_roster::wire::encode(&report))
                        .map_err(|e| e.to_string())?;
                    (report.is_unusable(), report.invalid_count())
                }
            };
            Ok(ExitCode::from(if unusable {
                EXIT_UNUSABLE
            } else if invalid > 0 {
                1
            } else {
                0
            }))
        }
    }
}

/// Checks `bytes`, the report written to standard output as the rows are
/// checked by the writer `begin` makes of the report's head; whether the
/// file was unusable, and how many rows are invalid.
fn check_streamed<W: output::ReportWriter>(
    bytes: &[u8],
    options: &Options,
    begin: impl Fn(&smime_bulk_roster::Report) -> W,
) -> Result<(bool, usize), String> {
    let streamed = smime_bulk_roster::check_streamed(bytes, options, &begin);
    // A file that could not be checked gets its writer at the end.
    let writer = streamed.sink.unwrap_or_else(|| begin(&streamed.report));
    writer
        .finish(&streamed.report, streamed.rows, streamed.valid)
        .map_err(|e| format!("cannot write the report: {e}"))?;
    Ok((streamed.report.is_unusable(), streamed.rows - streamed.valid))
}

fn read_domains(list: &Option<String>, file: &Option<String>) -> Result<Option<ValidatedDomains>, String> {
    match (list, file) {
        (Some(list), _) => ValidatedDomains::parse_list(list)
            .map(Some)
            .map_err(|e| format!("--domains: {e}")),
        (None, Some(path)) => {
            let text = std::fs::read_to_string(path).map_err(|e| format!("--domains-file {path}: {e}"))?;
            ValidatedDomains::parse_list(&text)
                .map(Some)
                .map_err(|e| format!("--domains-file {path}: {e}"))
        }
        (None, None) => Ok(None),
    }
}

/// The secret key from `--secret-key-file` or `SMIME_BULK_SECRET_KEY` (never argv,
/// which other users of the machine can read).
fn secret_key(args: &CaArgs) -> Result<String, String> {
    let secret = match &args.secret_key_file {
        Some(path) => std::fs::read_to_string(path)
            .map_err(|e| format!("--secret-key-file {}: {e}", path.display()))?
            .trim()
            .to_owned(),
        None => std::env::var("SMIME_BULK_SECRET_KEY").unwrap_or_default(),
    };
    if secret.is_empty() {
        return Err("no secret key: set SMIME_BULK_SECRET_KEY or pass --secret-key-file FILE".into());
    }
    Ok(secret)
}

fn runtime() -> Result<tokio::runtime::Runtime, String> {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| format!("cannot start the async runtime: {e}"))
}

enum Listing {
    Domains,
    Products,
}

async fn account_listing(args: CaArgs, what: Listing) -> Result<ExitCode, String> {
    use smime_bulk_ca::protocol;
    let creds = protocol::Credentials::new(args.account_key.clone(), secret_key(&args)?);
    let client = ca_client::CaClient::new(&args.ca, std::time::Duration::from_secs(args.timeout_secs.max(1)))?;
    let profile = args.ca_profile;
    match what {
        Listing::Domains => {
            let Some(request) = profile.list_domains(&creds) else {
                return Err(format!(
                    "a CA of profile {profile} has no API for the account's validated domains; \
                     they are in its portal: pass them to check and submit with --domains"
                ));
            };
            let resp = client.fetch(&request).await?;
            for d in profile.parse_domains(&resp).map_err(|e| e.to_string())? {
                println!("{d}");
            }
        }
        Listing::Products => {
            let products = match profile.list_products(&creds) {
                Some(request) => {
                    let resp = client.fetch(&request).await?;
                    profile.parse_products(&resp).map_err(|e| e.to_string())?
                }
                None => {
                    eprintln!(
                        "smime-bulk: note: a CA of profile {profile} has no product API; these are the built-in \
                         products, priced per your agreement with the CA"
                    );
                    profile.catalogue()
                }
            };
            for p in products {
                let periods: Vec<String> = p
                    .periods
                    .iter()
                    .map(|x| {
                        format!(
                            "{} days{}",
                            x.days,
                            x.price.as_ref().map_or(String::new(), |pr| format!(" at {pr}"))
                        )
                    })
                    .collect();
                println!("{}\t{}\t{}", p.code, p.name, periods.join(", "));
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn parse_profile(name: &str) -> Result<Profile, String> {
    Profile::parse(name)
}

/// The bytes of `file` (or standard input for `-`), at most one more than
/// the file-size limit: enough for the engine to say the file is too large
/// without reading all of it.
fn read_input(file: &str, limits: &smime_bulk_roster::limits::Limits) -> Result<Vec<u8>, String> {
    let most = u64::try_from(limits.max_file_bytes)
        .unwrap_or(u64::MAX)
        .saturating_add(1);
    let mut bytes = Vec::new();
    if file == "-" {
        std::io::stdin()
            .take(most)
            .read_to_end(&mut bytes)
            .map_err(|e| format!("cannot read standard input: {e}"))?;
    } else {
        std::fs::File::open(file)
            .and_then(|f| f.take(most).read_to_end(&mut bytes))
            .map_err(|e| format!("cannot read {file}: {e}"))?;
    }
    Ok(bytes)
}

fn display_name(file: &str) -> String {
    if file == "-" {
        "<stdin>".to_owned()
    } else {
        file.to_owned()
    }
}
