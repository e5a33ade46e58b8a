//! `smime-bulk`: check, parse and template a bulk S/MIME roster from a shell.
//!
//! Exit status: 0 every row valid, 1 some row invalid, 2 the file is unusable
//! or the command line is wrong.

mod output;

use clap::{Args, Parser, Subcommand, ValueEnum};
use smime_bulk_roster::domains::ValidatedDomains;
use smime_bulk_roster::{Mode, Options};
use std::io::Read;
use std::process::ExitCode;

#[derive(Parser)]
#[command(name = "smime-bulk", version, about = "Bulk-order Personal ID + Organization (IV+OV) S/MIME certificates: check a roster before anything is sent.")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Validate a roster and report every problem with its line, column and fix.
    #[command(after_help = "Examples:\n  smime-bulk check --domains example.com,example.org roster.csv\n  smime-bulk check --domains-file domains.txt --format json roster.csv\n  pbpaste | smime-bulk check --list --domains example.com -\n\nExit status: 0 every row valid, 1 some row invalid, 2 the file is unusable or the command line is wrong.")]
    Check(CheckArgs),
    /// Print the rows as read (decoded, delimiter sniffed, header applied), as JSON.
    #[command(after_help = "Example:\n  smime-bulk parse roster.csv\n  smime-bulk parse --list recipients.txt")]
    Parse(ParseArgs),
    /// Print the roster CSV template.
    #[command(after_help = "Example:\n  smime-bulk template > roster.csv")]
    Template,
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
    /// The roster file, or - for standard input.
    #[arg(value_name = "FILE|-")]
    file: String,
}

#[derive(Args)]
struct ParseArgs {
    /// Read the input as a list of addresses instead of a table.
    #[arg(long)]
    list: bool,
    /// The roster file, or - for standard input.
    #[arg(value_name = "FILE|-")]
    file: String,
}

#[derive(Clone, Copy, ValueEnum)]
enum Format {
    Text,
    Json,
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
            let parsed = smime_bulk_roster::parse(&bytes, if args.list { Mode::List } else { Mode::Table });
            if let Some(f) = parsed.findings.first() {
                return Err(format!("{}: {} [{}]", display_name(&args.file), f.message, f.code));
            }
            println!("{}", output::parsed_json(&parsed));
            Ok(ExitCode::SUCCESS)
        }
        Command::Check(args) => {
            let domains = match (&args.domains, &args.domains_file) {
                (Some(list), _) => ValidatedDomains::parse_list(list).map_err(|e| format!("--domains: {e}"))?,
                (None, Some(path)) => {
                    let text = std::fs::read_to_string(path).map_err(|e| format!("--domains-file {path}: {e}"))?;
                    ValidatedDomains::parse_list(&text).map_err(|e| format!("--domains-file {path}: {e}"))?
                }
                (None, None) => ValidatedDomains::default(),
            };
            if domains.is_empty() {
                eprintln!("smime-bulk: note: no --domains given, so domains are not checked against the validated list");
            }
            let bytes = read_input(&args.file)?;
            let options = Options {
                mode: if args.list { Mode::List } else { Mode::Table },
                domains,
                exact_domains: args.exact_domains,
            };
            let report = smime_bulk_roster::check(&bytes, &options);
            match args.format {
                Format::Json => println!("{}", serde_json::to_string_pretty(&report.summary()).map_err(|e| e.to_string())?),
                Format::Text => print!("{}", output::text(&report, &display_name(&args.file))),
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

fn read_input(file: &str) -> Result<Vec<u8>, String> {
    if file == "-" {
        let mut bytes = Vec::new();
        std::io::stdin().read_to_end(&mut bytes).map_err(|e| format!("cannot read standard input: {e}"))?;
        Ok(bytes)
    } else {
        std::fs::read(file).map_err(|e| format!("cannot read {file}: {e}"))
    }
}

fn display_name(file: &str) -> String {
    if file == "-" { "<stdin>".to_owned() } else { file.to_owned() }
}
