//! Engine throughput on generated rosters of 100k and 1M rows: prints rows/s
//! (items) and MB/s (bytes). Run with `cargo bench -p smime-bulk-roster`.
//! Figures only; nothing here asserts a time.

use divan::counter::{BytesCount, ItemsCount};
use divan::Bencher;
use smime_bulk_roster::{check, domains::ValidatedDomains, Mode, Options};

fn main() {
    divan::main();
}

const FIRST: [&str; 12] = ["Jane", "John", "Zoë", "Łukasz", "María", "Ahmed", "Mei", "Olusegun", "Siobhán", "Jörg", "Priya", "Kenji"];
const LAST: [&str; 12] = ["Doe", "Smith", "Müller", "Nowak", "García", "Haddad", "Chen", "Adeyemi", "O'Brien", "Weiß", "Sharma", "Sato"];
const COUNTRIES: [&str; 8] = ["GB", "DE", "FR", "US", "PL", "ES", "JP", "IE"];
const DOMAINS: [&str; 4] = ["example.com", "mail.example.com", "example.org", "eu.example.org"];

/// A Windows-Excel-like roster with about 2% problems of several kinds,
/// generated deterministically (no randomness source needed).
fn roster(rows: usize) -> Vec<u8> {
    let mut out = String::with_capacity(rows * 56);
    out.push_str("First Name;Last Name;Email;Country;Csr\r\n");
    for i in 0..rows {
        let first = FIRST[i % FIRST.len()];
        let last = LAST[(i / 7) % LAST.len()];
        let mut country = COUNTRIES[(i / 3) % COUNTRIES.len()];
        let mut domain = DOMAINS[(i / 11) % DOMAINS.len()];
        let mut local = format!("{}.{}{}", first.to_lowercase(), last.to_lowercase().replace('\'', ""), i);
        match i % 250 {
            0 => country = "UK",
            1 => domain = "gmail.com",
            2 => local = format!("{}.{}{}", first.to_lowercase(), "dup", i - 2),
            3 => local.push('@'),
            4 => country = "",
            _ => {}
        }
        out.push_str(&format!("{first};{last};{local}@{domain};{country};\r\n"));
    }
    out.into_bytes()
}

fn options() -> Options {
    Options { mode: Mode::Table, domains: ValidatedDomains::parse(["example.com", "example.org"]).unwrap(), exact_domains: false, mapping: None }
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
