//! The generated roster both benchmarks read: the browser benchmark's
//! (tests/support/roster.mjs), byte for byte.

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
pub fn roster(rows: usize) -> Vec<u8> {
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
