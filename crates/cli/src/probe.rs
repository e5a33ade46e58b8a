//! `smime-bulk probe`: runs the read-only checks of `smime_bulk_ca::probe`
//! against a CA and prints what matches its profile and what does not.

use crate::ca_client::CaClient;
use smime_bulk_ca::probe::{self, CheckId, Finding};
use smime_bulk_ca::protocol::{Credentials, Profile};
use std::process::ExitCode;

/// What `probe` was asked to check.
pub struct ProbeOptions {
    pub client: CaClient,
    pub profile: Profile,
    pub creds: Credentials,
    /// The origin the app would be served from.
    pub origin: String,
}

/// Runs every check; exit 0 when all that could be made match, 1 when one
/// does not, 2 when the CA cannot be reached.
pub async fn run(opts: ProbeOptions) -> Result<ExitCode, String> {
    let ProbeOptions {
        client,
        profile,
        creds,
        origin,
    } = opts;
    let mut findings: Vec<Finding> = Vec::new();
    let mut listed = Vec::new();
    for check in probe::checks(profile, &creds) {
        let resp = client.fetch(&check.request).await?;
        let (finding, refs) = probe::judge(profile, check.id, &resp);
        if check.id == CheckId::Keys {
            listed = refs;
        }
        findings.push(finding);
    }
    match listed.first() {
        Some(reference) => {
            let check = probe::show_check(profile, &creds, reference);
            let resp = client.fetch(&check.request).await?;
            findings.push(probe::judge(profile, check.id, &resp).0);
        }
        None => findings.push(Finding {
            check: CheckId::ShowShape.name().into(),
            expected: "an order of the account to read".into(),
            seen: "the account lists no order".into(),
            matches: None,
        }),
    }
    let page = &probe::checks(profile, &creds)[0].request;
    let create = &probe::checks(profile, &creds)[2].request;
    let simple = client.allowed_origin(page, &origin, false).await?;
    let preflight = client.allowed_origin(create, &origin, true).await?;
    findings.extend(probe::judge_cors(profile, simple.as_deref(), preflight.as_deref()));

    println!(
        "CA {} against profile {profile}, as a page at {origin} would call it:",
        client.base()
    );
    let width = findings.iter().map(|f| f.check.chars().count()).max().unwrap_or(0);
    for f in &findings {
        let mark = match f.matches {
            Some(true) => "match   ",
            Some(false) => "MISMATCH",
            None => "skipped ",
        };
        println!("{mark}  {:width$}  expected {}; seen {}", f.check, f.expected, f.seen);
    }
    let mismatches = findings.iter().filter(|f| f.matches == Some(false)).count();
    println!(
        "{} checks: {} match, {mismatches} do not, {} could not be made.",
        findings.len(),
        findings.iter().filter(|f| f.matches == Some(true)).count(),
        findings.iter().filter(|f| f.matches.is_none()).count()
    );
    if mismatches > 0 {
        println!(
            "This CA does not behave as the {profile} profile says: try another --ca-profile, or report what differs."
        );
    }
    Ok(ExitCode::from(u8::from(mismatches > 0)))
}
