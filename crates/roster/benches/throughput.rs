//! Engine throughput on generated rosters of 100k and 1M rows: prints rows/s
//! (items) and MB/s (bytes), for the report of rows (`check`) and for the
//! compact form the engine worker posts. Run with `cargo bench -p smime-bulk-roster`.
//! Figures only; nothing here asserts a time.

use divan::counter::{BytesCount, ItemsCount};
use divan::Bencher;
use smime_bulk_roster::{check, domains::ValidatedDomains, Mode, Options};

fn main() {
    divan::main();
}

const FIRST: [&str; 14] = [
    "Jane", "John", "Zoë", "Łukasz", "María", "Ahmed", "Mei", "Olusegun", "Siobhán", "Jörg", "Priya", "Kenji",
    "Amélie", "Noah",
];
const LAST: [&str; 13] = [
    "Doe", "Smith", "Müller", "Nowak", "García", "Haddad", "Chen", "Adeyemi", "O'Brien", "Weiß", "Sharma", "Sato",
    "Laurent",
];
const COUNTRIES: [&str; 10] = ["GB", "DE", "FR", "US", "PL", "ES", "JP", "IE", "NL", "SE"];
const DOMAINS: [&str; 4] = ["example.com", "mail.example.com", "example.org", "eu.example.org"];

/// The address row `i` has unless it is made faulty: names folded to ASCII
/// letters, as mail systems do.
fn address(i: usize) -> String {
    let local: String = format!("{}.{}{i}", FIRST[i % FIRST.len()], LAST[(i / 7) % LAST.len()])
        .to_lowercase()
        .chars()
        .filter(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || *c == '.')
        .collect();
    format!("{local}@{}", DOMAINS[(i / 11) % DOMAINS.len()])
}

/// The same roster as the browser benchmark's (tests/support/roster.mjs):
/// realistic names, mixed domains, and 2% of rows with each kind of problem
/// (bad address, unvalidated domain, bad country, missing first name and
/// country, duplicate). Deterministic.
fn roster(rows: usize) -> Vec<u8> {
    let mut out = String::with_capacity(rows * 50);
    out.push_str("First Name,Last Name,Email,Country,Csr");
    for i in 0..rows {
        let mut first = FIRST[i % FIRST.len()];
        let last = LAST[(i / 7) % LAST.len()];
        let mut country = COUNTRIES[(i / 3) % COUNTRIES.len()];
        let mut email = address(i);
        match i % 50 {
            0 => email = email.replacen('@', "@@", 1),
            1 => email = format!("{}@gmail.com", email.split('@').next().unwrap_or_default()),
            2 => country = "UK",
            3 => {
                first = "";
                country = "";
            }
            4 => email = address(i - 1),
            _ => {}
        }
        out.push_str(&format!("\r\n{first},{last},{email},{country},"));
    }
    out.push_str("\r\n");
    out.into_bytes()
}

fn options() -> Options {
    Options {
        mode: Mode::Table,
        domains: ValidatedDomains::parse(["example.com", "example.org"]).unwrap(),
        exact_domains: false,
        mapping: None,
        sheet: None,
    }
}

#[divan::bench(args = [100_000, 1_000_000], sample_count = 5, sample_size = 1)]
fn check_roster(bencher: Bencher, rows: usize) {
    let bytes = roster(rows);
    let options = options();
    bencher
        .counter(ItemsCount::new(rows))
        .counter(BytesCount::new(bytes.len()))
        .bench(|| check(divan::black_box(&bytes), &options));
}

/// The engine worker's path: rows written to the compact form as they are
/// checked, never held as `Row`s.
#[divan::bench(args = [100_000, 1_000_000], sample_count = 5, sample_size = 1)]
fn check_roster_to_wire(bencher: Bencher, rows: usize) {
    let bytes = roster(rows);
    let options = options();
    bencher
        .counter(ItemsCount::new(rows))
        .counter(BytesCount::new(bytes.len()))
        .bench(|| {
            smime_bulk_roster::wire::check_with_progress(
                divan::black_box(&bytes),
                &options,
                &mut |_| {},
                3,
                smime_bulk_roster::wire::KeepBuffers,
            )
        });
}
