//! `smime-bulk`: check, parse and template a bulk S/MIME roster from a shell.
//!
//! Exit status: 0 every row valid, 1 some row invalid, 2 the file is unusable
//! or the command line is wrong.

mod ca_client;
mod output;
mod probe;
mod submit;

use clap::{Args, Parser, Subcommand, ValueEnum};
use smime_bulk_ca::engine::MAX_PERIOD_DAYS;
use smime_bulk_ca::protocol::Profile;
use smime_bulk_roster::domains::ValidatedDomains;
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
    /// Place one order per valid row with the CA; resumable from its journal.
    #[command(
        after_help = "Example:\n  export SMIME_BULK_SECRET_KEY=sandbox-secret\n  smime-bulk submit --ca http://127.0.0.1:8787 --account-key sandbox-account \\\n      --product smime-ivov-1y --period 365 --journal batch.journal --out results.csv roster.csv\n\nThe secret key comes from SMIME_BULK_SECRET_KEY or --secret-key-file, never from the command line.\nCtrl-C stops cleanly; running the same command again resumes the batch without ordering anything twice.\nExit status: 0 every order placed, 1 some row rejected, failed or not confirmed, 2 unusable input or stopped by the CA, 130 interrupted."
    )]
    Submit(SubmitArgs),
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
    /// For a workbook (.xlsx, .xlsm, .ods, .xls): the sheet to read (default: the first).
    #[arg(long, value_name = "NAME")]
    sheet: Option<String>,
    /// The roster file, or - for standard input.
    #[arg(value_name = "ROSTER")]
    roster: String,
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
            let bytes = read_input(&args.file)?;
            let parsed = smime_bulk_roster::parse(
                &bytes,
                if args.list { Mode::List } else { Mode::Table },
                args.sheet.as_deref(),
            );
            if let Some(f) = parsed.findings.first() {
                return Err(format!("{}: {} [{}]", display_name(&args.file), f.message, f.code));
            }
            println!("{}", output::parsed_json(&parsed));
            Ok(ExitCode::SUCCESS)
        }
        Command::Submit(args) => {
            let secret_key = secret_key(&args.ca)?;
            let roster_bytes = read_input(&args.roster)?;
            let opts = submit::SubmitOptions {
                ca: args.ca.ca,
                profile: args.ca.ca_profile,
                accept: args.accept,
                resend: args.resend,
                account_key: args.ca.account_key,
                secret_key,
                product: args.product,
                period: args.period,
                journal: args.journal,
                concurrency: usize::from(args.concurrency),
                domains: read_domains(&args.domains, &args.domains_file)?,
                out: args.out,
                skip_invalid: args.skip_invalid,
                timeout: std::time::Duration::from_secs(args.ca.timeout_secs.max(1)),
                roster: display_name(&args.roster),
                roster_bytes,
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
            let bytes = read_input(&args.file)?;
            let options = Options {
                mode: if args.list { Mode::List } else { Mode::Table },
                domains,
                exact_domains: args.exact_domains,
                mapping: None,
                sheet: args.sheet,
            };
            let report = smime_bulk_roster::check(&bytes, &options);
            match args.format {
                Format::Json => println!(
                    "{}",
                    serde_json::to_string_pretty(&report.summary()).map_err(|e| e.to_string())?
                ),
                Format::Text => print!("{}", output::text(&report, &display_name(&args.file))),
                Format::Wire => {
                    use std::io::Write;
                    std::io::stdout()
                        .write_all(&smime_bulk_roster::wire::encode(&report))
                        .map_err(|e| e.to_string())?;
                }
            }
            Ok(ExitCode::from(if report.is_unusable() {
                EXIT_UNUSABLE
            } else if report.invalid_count() > 0 {
                1
            } else {
                0
            }))
        }
    }
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

fn read_input(file: &str) -> Result<Vec<u8>, String> {
    if file == "-" {
        let mut bytes = Vec::new();
        std::io::stdin()
            .read_to_end(&mut bytes)
            .map_err(|e| format!("cannot read standard input: {e}"))?;
        Ok(bytes)
    } else {
        std::fs::read(file).map_err(|e| format!("cannot read {file}: {e}"))
    }
}

fn display_name(file: &str) -> String {
    if file == "-" {
        "<stdin>".to_owned()
    } else {
        file.to_owned()
    }
}
