//! `smime-bulk submit`: the tokio driver of the submission engine, with its
//! journal in a file. Running the same command again with the same journal
//! resumes the batch; reconciliation makes sure no order is placed twice.

use crate::ca_client::CaClient;
use futures_util::stream::{FuturesUnordered, StreamExt};
use indicatif::{ProgressBar, ProgressStyle};
use smime_bulk_ca::engine::journal::{self, JournalEntry};
use smime_bulk_ca::engine::{BatchRow, BatchSpec, Engine, EngineConfig, OrderMode, Progress};
use smime_bulk_ca::protocol::{Credentials, ListQuery, Profile};
use smime_bulk_ca::results::results_csv;
use smime_bulk_roster::domains::ValidatedDomains;
use smime_bulk_roster::{Mode, Options};
use std::fs::{File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::{Duration, Instant};

/// What `submit` was asked to do.
pub struct SubmitOptions {
    pub ca: String,
    pub profile: Profile,
    /// `EMAIL=REF`: settle an unconfirmed row with one of its candidates.
    pub accept: Vec<String>,
    /// `EMAIL`: settle an unconfirmed row by ordering it again.
    pub resend: Vec<String>,
    pub account_key: String,
    pub secret_key: String,
    pub product: String,
    pub period: u32,
    pub mode: OrderMode,
    pub journal: PathBuf,
    pub concurrency: usize,
    pub domains: Option<ValidatedDomains>,
    pub out: Option<PathBuf>,
    pub skip_invalid: bool,
    pub timeout: Duration,
    pub roster: String,
    pub roster_bytes: Vec<u8>,
    /// The file size, rows and cell length the roster may have.
    pub limits: smime_bulk_roster::limits::Limits,
    /// The workbook's sheet to read (the first when `None`).
    pub sheet: Option<String>,
}

/// Exit status when the user stopped the run (resumable).
const EXIT_INTERRUPTED: u8 = 130;

pub async fn run(opts: SubmitOptions) -> Result<ExitCode, String> {
    let client = CaClient::new(&opts.ca, opts.timeout)?;
    let creds = Credentials::new(opts.account_key.clone(), opts.secret_key.clone());
    let start = Instant::now();
    let now = || start.elapsed().as_millis() as u64;
    let config = EngineConfig {
        concurrency: opts.concurrency.max(1),
        seed: random_u64()?,
        ..EngineConfig::default()
    };

    let mut engine = if has_journal(&opts.journal)? {
        let text = std::fs::read_to_string(&opts.journal)
            .map_err(|e| format!("cannot read {}: {e}", opts.journal.display()))?;
        let (spec, states) = journal::replay(&text).map_err(|e| format!("{}: {e}", opts.journal.display()))?;
        check_same_batch(&spec, &opts)?;
        let mut engine = Engine::resume(spec, states, creds, config, now());
        decide_unconfirmed(&mut engine, &opts)?;
        let again = engine.retry_failed();
        if again > 0 {
            eprintln!("trying again {again} rows whose attempts ran out (the CA confirmed it holds no order for them)");
        }
        // Start the resumed run from a compact journal (written aside, then renamed).
        let tmp = opts.journal.with_extension("compacting");
        std::fs::write(&tmp, journal::snapshot(engine.spec(), engine.states()))
            .and_then(|_| std::fs::rename(&tmp, &opts.journal))
            .map_err(|e| format!("cannot rewrite {}: {e}", opts.journal.display()))?;
        let p = engine.progress(now());
        eprintln!(
            "resuming batch {} from {}: {} placed, {} rejected, {} to reconcile, {} to send",
            engine.spec().batch_id,
            opts.journal.display(),
            p.placed,
            p.rejected,
            p.unknown + p.sending,
            p.pending
        );
        engine
    } else {
        if !opts.accept.is_empty() || !opts.resend.is_empty() {
            return Err("--accept and --resend settle rows of a batch being resumed; there is no journal yet".into());
        }
        let spec = new_batch(&client, &creds, &opts).await?;
        std::fs::write(&opts.journal, journal::header(&spec))
            .map_err(|e| format!("cannot write the journal {}: {e}", opts.journal.display()))?;
        match &spec.mode {
            OrderMode::PerRow => eprintln!(
                "batch {}: {} orders to place; journal {}",
                spec.batch_id,
                spec.rows.len(),
                opts.journal.display()
            ),
            OrderMode::Enrollment(e) => {
                eprintln!(
                    "batch {}: {} addresses to enroll, {} a time (one invoice each); journal {}",
                    spec.batch_id,
                    spec.rows.len(),
                    e.chunk,
                    opts.journal.display()
                );
                let with_csr = spec.rows.iter().filter(|r| r.csr.is_some()).count();
                if with_csr > 0 {
                    eprintln!(
                        "note: {with_csr} rows carry a CSR, which an enrollment does not send: the recipients are \
                         invited and make their own keys"
                    );
                }
            }
        }
        Engine::new(spec, creds, config, now())
    };

    let mut journal_file = OpenOptions::new()
        .append(true)
        .open(&opts.journal)
        .map_err(|e| format!("cannot open the journal {}: {e}", opts.journal.display()))?;
    let bar = progress_bar(engine.spec().rows.len() as u64);
    let mut in_flight = FuturesUnordered::new();
    let mut interrupted = false;
    let ctrl_c = tokio::signal::ctrl_c();
    tokio::pin!(ctrl_c);

    loop {
        persist(&mut journal_file, engine.take_journal(), &opts.journal)?;
        while let Some(t) = engine.poll_transmit(now()) {
            // The transition to "sending" is on disk before the request leaves.
            persist(&mut journal_file, engine.take_journal(), &opts.journal)?;
            let client = &client;
            in_flight.push(async move { (t.id, client.send(&t.request).await) });
        }
        show(&bar, &engine.progress(now()));
        if in_flight.is_empty() && engine.is_idle() {
            break;
        }
        let wake = engine
            .next_wakeup()
            .map(|at| Duration::from_millis(at.saturating_sub(now())));
        tokio::select! {
            Some((id, outcome)) = in_flight.next() => engine.handle(id, outcome, now()),
            _ = tokio::time::sleep(wake.unwrap_or(Duration::from_secs(3600))), if wake.is_some() => {}
            _ = &mut ctrl_c, if !interrupted => {
                interrupted = true;
                engine.pause();
                bar.println("stopping: waiting for the requests in flight (Ctrl-C again to quit at once)");
                // A second Ctrl-C quits at once; the journal already says which
                // requests were in flight, and the next run reconciles them.
                tokio::spawn(async {
                    let _ = tokio::signal::ctrl_c().await;
                    std::process::exit(i32::from(EXIT_INTERRUPTED));
                });
            }
        }
    }
    persist(&mut journal_file, engine.take_journal(), &opts.journal)?;
    bar.finish_and_clear();

    let p = engine.progress(now());
    if let Some(out) = &opts.out {
        std::fs::write(out, results_csv(engine.spec(), engine.states()))
            .map_err(|e| format!("cannot write {}: {e}", out.display()))?;
    }
    println!(
        "placed {}, rejected {}, failed {}, unknown {}, unconfirmed {}, not sent {} (of {}){}",
        p.placed,
        p.rejected,
        p.failed,
        p.unknown + p.sending,
        p.unconfirmed,
        p.pending,
        p.total,
        opts.out
            .as_ref()
            .map_or(String::new(), |o| format!("; results in {}", o.display()))
    );
    if let (OrderMode::Enrollment(_), Some(where_)) = (&engine.spec().mode, engine.spec().profile.enrollment_invoice())
    {
        eprintln!("invoices: {where_}");
    }
    for (row, candidates) in engine.unconfirmed() {
        let refs: Vec<&str> = candidates.iter().map(|o| o.reference.as_str()).collect();
        let email = &engine.spec().rows[row].email;
        eprintln!(
            "unconfirmed: {email} (line {}): the CA may hold its order: {}. Check in the CA's portal, then run the \
             same command with --accept {email}={} or --resend {email}",
            engine.spec().rows[row].line,
            refs.join(", "),
            refs[0]
        );
    }
    if let Some(reason) = engine.halted() {
        eprintln!("smime-bulk: stopped: {reason}. Fix it and run the same command again to resume.");
        return Ok(ExitCode::from(2));
    }
    if interrupted {
        eprintln!("smime-bulk: stopped. Run the same command again to resume; nothing will be ordered twice.");
        return Ok(ExitCode::from(EXIT_INTERRUPTED));
    }
    if let Some(why) = engine.reconcile_abandoned() {
        eprintln!("smime-bulk: {why}");
    }
    if p.failed > 0 {
        eprintln!(
            "smime-bulk: {} rows failed: their attempts ran out and the CA holds no order for them (see the results' \
             error column); run the same command again to try them again.",
            p.failed
        );
    }
    if p.unknown + p.sending > 0 {
        eprintln!(
            "smime-bulk: some outcomes could not be confirmed with the CA yet; run the same command again to reconcile them."
        );
    }
    Ok(ExitCode::from(
        if engine.is_complete() && p.rejected == 0 && p.failed == 0 {
            0
        } else {
            1
        },
    ))
}

/// Applies `--accept EMAIL=REF` and `--resend EMAIL` to the unconfirmed rows
/// of a resumed batch.
fn decide_unconfirmed(engine: &mut Engine, opts: &SubmitOptions) -> Result<(), String> {
    let row_of = |engine: &Engine, email: &str| {
        engine
            .spec()
            .rows
            .iter()
            .position(|r| r.email.eq_ignore_ascii_case(email.trim()))
            .ok_or_else(|| format!("{email} is not in this batch"))
    };
    for decision in &opts.accept {
        let (email, reference) = decision
            .split_once('=')
            .ok_or_else(|| format!("--accept {decision}: write EMAIL=REF"))?;
        let row = row_of(engine, email)?;
        engine
            .accept_candidate(row, reference.trim())
            .map_err(|e| format!("--accept {decision}: {e}"))?;
    }
    for email in &opts.resend {
        let row = row_of(engine, email)?;
        engine.resend(row).map_err(|e| format!("--resend {email}: {e}"))?;
    }
    Ok(())
}

fn has_journal(path: &Path) -> Result<bool, String> {
    match std::fs::metadata(path) {
        Ok(m) => Ok(m.len() > 0),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(false),
        Err(e) => Err(format!("cannot read {}: {e}", path.display())),
    }
}

fn check_same_batch(spec: &BatchSpec, opts: &SubmitOptions) -> Result<(), String> {
    let mismatch = |what: &str, journal: &str, given: &str| {
        Err(format!(
            "the journal {} belongs to a batch with {what} {journal}, not {given}; use another --journal for a new batch",
            opts.journal.display()
        ))
    };
    if spec.ca_url.trim_end_matches('/') != opts.ca.trim_end_matches('/') {
        return mismatch("CA", &spec.ca_url, &opts.ca);
    }
    if spec.profile != opts.profile {
        return mismatch("CA profile", spec.profile.name(), opts.profile.name());
    }
    if spec.account_key != opts.account_key {
        return mismatch("account", &spec.account_key, &opts.account_key);
    }
    if spec.mode != opts.mode {
        return mismatch("mode", &describe_mode(&spec.mode), &describe_mode(&opts.mode));
    }
    if spec.product != opts.product || spec.period != opts.period {
        return mismatch(
            "product",
            &format!("{} for {} days", spec.product, spec.period),
            &format!("{} for {} days", opts.product, opts.period),
        );
    }
    Ok(())
}

fn describe_mode(mode: &OrderMode) -> String {
    match mode {
        OrderMode::PerRow => "per-row".into(),
        OrderMode::Enrollment(e) => format!(
            "enrollment (certificate id {}, approver {}, {} a chunk)",
            e.certificate_id, e.approver_id, e.chunk
        ),
    }
}

/// Validates the roster and builds a new batch from its valid rows.
async fn new_batch(client: &CaClient, creds: &Credentials, opts: &SubmitOptions) -> Result<BatchSpec, String> {
    // Try the CA and the keys (one page of orders) before anything is journaled.
    let first_page = ListQuery {
        page: 1,
        per_page: 1,
        created_since: 0,
    };
    let resp = client.fetch(&opts.profile.list_orders(creds, &first_page)).await?;
    if let Err(e) = opts.profile.parse_order_list(&resp) {
        return Err(format!("nothing was sent: {e}"));
    }
    let domains = match (&opts.domains, opts.profile.list_domains(creds)) {
        (Some(d), _) => d.clone(),
        (None, Some(request)) => {
            let resp = client.fetch(&request).await?;
            let list = opts
                .profile
                .parse_domains(&resp)
                .map_err(|e| format!("cannot get the validated domains from the CA ({e}); pass them with --domains"))?;
            ValidatedDomains::parse(&list).map_err(|e| format!("the CA's domain list: {e}"))?
        }
        (None, None) => {
            return Err(format!(
                "a CA of profile {} has no API for the account's validated domains: pass them with --domains \
                 (or --domains-file), as the CA's portal lists them",
                opts.profile
            ))
        }
    };
    let report = smime_bulk_roster::check(
        &opts.roster_bytes,
        &Options {
            mode: Mode::Table,
            domains,
            exact_domains: false,
            mapping: None,
            limits: opts.limits,
            sheet: opts.sheet.clone(),
            key_seed: 0,
        },
    );
    if report.is_unusable() {
        print!("{}", crate::output::text(&report, &opts.roster));
        return Err(format!("{} cannot be used; nothing was sent", opts.roster));
    }
    let invalid = report.invalid_count();
    if invalid > 0 && !opts.skip_invalid {
        print!("{}", crate::output::text(&report, &opts.roster));
        return Err(format!(
            "{invalid} of {} rows are invalid; nothing was sent. Fix them, or pass --skip-invalid to order only the valid rows",
            report.rows.len()
        ));
    }
    if invalid > 0 {
        eprintln!("skipping {invalid} invalid rows (--skip-invalid)");
    }
    let rows: Vec<BatchRow> = report
        .rows
        .into_iter()
        .filter(|r| r.valid)
        .map(BatchRow::from)
        .collect();
    if rows.is_empty() {
        return Err("no valid row to order".into());
    }
    Ok(BatchSpec {
        batch_id: format!("{:012x}", random_u64()? & 0xffff_ffff_ffff),
        ca_url: client.base().to_owned(),
        profile: opts.profile,
        created_at: std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_secs()),
        account_key: opts.account_key.clone(),
        product: opts.product.clone(),
        period: opts.period,
        mode: opts.mode.clone(),
        rows,
    })
}

fn persist(file: &mut File, entries: Vec<JournalEntry>, path: &Path) -> Result<(), String> {
    if entries.is_empty() {
        return Ok(());
    }
    file.write_all(journal::lines(&entries).as_bytes())
        .and_then(|_| file.flush())
        .map_err(|e| {
            format!(
                "cannot write the journal {}: {e}; stopping so that no order is lost",
                path.display()
            )
        })
}

/// 64 random bits from the operating system's random source.
fn random_u64() -> Result<u64, String> {
    let mut bytes = [0u8; 8];
    getrandom::getrandom(&mut bytes).map_err(|e| format!("cannot get random bytes from the system: {e}"))?;
    Ok(u64::from_le_bytes(bytes))
}

fn progress_bar(total: u64) -> ProgressBar {
    let bar = ProgressBar::new(total);
    bar.set_style(
        ProgressStyle::with_template("{bar:30} {pos}/{len} {msg}").unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    bar
}

fn show(bar: &ProgressBar, p: &Progress) {
    bar.set_position(p.settled() as u64);
    let eta = p.eta_secs.map_or(String::new(), |s| format!(", ETA {s:.0}s"));
    bar.set_message(format!(
        "placed {} · rejected {} · retrying {} · unknown {} · unconfirmed {} · {:.1}/s{eta}",
        p.placed, p.rejected, p.retrying, p.unknown, p.unconfirmed, p.rate_per_sec
    ));
}
