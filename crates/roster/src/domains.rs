//! The organisation's pre-validated email domains, and which rows they cover.
//!
//! A domain covers itself and, unless matching is exact, its subdomains — on a
//! label boundary: `example.com` covers `mail.example.com` but neither
//! `notexample.com` nor `example.com.evil.net`. Comparison is on lower-case
//! A-labels, so U-labels and A-labels of one name are the same domain.

use crate::email::normalize_domain;
use crate::hash::{HashMap, HashSet};
use serde::Serialize;
use std::fmt;

/// A validated domain list that could not be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DomainListError {
    /// The entry as given.
    pub entry: String,
    /// What is wrong with it.
    pub reason: String,
}

impl fmt::Display for DomainListError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "validated domain \"{}\" is not a domain name: {}",
            self.entry, self.reason
        )
    }
}

impl std::error::Error for DomainListError {}

/// The set of pre-validated domains, normalised to lower-case A-labels.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ValidatedDomains {
    domains: HashSet<String>,
    /// In the order given, for reports.
    ordered: Vec<String>,
}

impl ValidatedDomains {
    /// Reads domains given as a list; entries may be U- or A-labels, any case,
    /// and empty entries are skipped.
    ///
    /// ```
    /// use smime_bulk_roster::domains::ValidatedDomains;
    /// let d = ValidatedDomains::parse(["Example.com", "bücher.example"]).unwrap();
    /// assert_eq!(d.covering("mail.example.com", false), Some("example.com"));
    /// assert_eq!(d.covering("notexample.com", false), None);
    /// ```
    pub fn parse<I, S>(entries: I) -> Result<Self, DomainListError>
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        let mut out = ValidatedDomains::default();
        for entry in entries {
            let entry = entry.as_ref().trim();
            let bare = entry.trim_start_matches("*.").trim_start_matches('@');
            if bare.is_empty() {
                continue;
            }
            let domain = normalize_domain(bare).map_err(|reason| DomainListError {
                entry: entry.to_owned(),
                reason,
            })?;
            if out.domains.insert(domain.clone()) {
                out.ordered.push(domain);
            }
        }
        Ok(out)
    }

    /// Reads a list separated by commas, semicolons, white space or lines
    /// (as typed in a box or kept in a file; `#` starts a comment line).
    pub fn parse_list(text: &str) -> Result<Self, DomainListError> {
        let lines = text.lines().filter(|l| !l.trim_start().starts_with('#'));
        Self::parse(lines.flat_map(|l| l.split(|c: char| c == ',' || c == ';' || c.is_whitespace())))
    }

    /// Whether no domain is given (then the domain check is off).
    pub fn is_empty(&self) -> bool {
        self.domains.is_empty()
    }

    /// The domains, normalised, in the order given.
    pub fn iter(&self) -> impl Iterator<Item = &str> {
        self.ordered.iter().map(String::as_str)
    }

    /// The most specific validated domain covering `domain` (lower-case
    /// A-labels), or `None`. With `exact`, only `domain` itself counts.
    /// Costs one set look-up per label of `domain`.
    pub fn covering<'a>(&'a self, domain: &str, exact: bool) -> Option<&'a str> {
        if let Some(d) = self.domains.get(domain) {
            return Some(d);
        }
        if exact {
            return None;
        }
        let mut rest = domain;
        while let Some((_, parent)) = rest.split_once('.') {
            if let Some(d) = self.domains.get(parent) {
                return Some(d);
            }
            rest = parent;
        }
        None
    }

    /// The validated domain nearest to `domain` by edit distance (at most 2),
    /// to suggest a fix for a typo such as `exmaple.com`.
    pub fn nearest(&self, domain: &str) -> Option<&str> {
        self.ordered
            .iter()
            .map(|d| (edit_distance(d, domain), d))
            .filter(|(dist, _)| *dist <= 2)
            .min_by_key(|(dist, _)| *dist)
            .map(|(_, d)| d.as_str())
    }
}

/// Damerau–Levenshtein (optimal string alignment) distance, capped work for
/// long inputs.
fn edit_distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    if a.len().abs_diff(b.len()) > 2 || a.len() > 253 || b.len() > 253 {
        return usize::MAX;
    }
    let w = b.len() + 1;
    let mut d = vec![0usize; (a.len() + 1) * w];
    for i in 0..=a.len() {
        d[i * w] = i;
    }
    for (j, cell) in d.iter_mut().enumerate().take(w) {
        *cell = j;
    }
    for i in 1..=a.len() {
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut v = (d[(i - 1) * w + j] + 1)
                .min(d[i * w + j - 1] + 1)
                .min(d[(i - 1) * w + j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                v = v.min(d[(i - 2) * w + j - 2] + 1);
            }
            d[i * w + j] = v;
        }
    }
    d[a.len() * w + b.len()]
}

/// How many rows fall under one domain.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DomainCount {
    /// The domain (lower-case A-labels).
    pub domain: String,
    /// How many rows with a well-formed address fall under it.
    pub rows: usize,
}

/// Rows per validated domain, and per domain not covered by any — so the
/// administrator knows what to validate next.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Coverage {
    /// Every validated domain, with the rows it covers (0 included), in the order given.
    pub validated: Vec<DomainCount>,
    /// Each uncovered email domain with its rows, most rows first.
    pub uncovered: Vec<DomainCount>,
}

/// Accumulates [`Coverage`] row by row (and, for the editor, takes rows
/// back out when they change).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct CoverageCounter {
    validated: HashMap<String, usize>,
    uncovered: HashMap<String, usize>,
}

impl CoverageCounter {
    /// The counts behind a finished [`Coverage`].
    pub(crate) fn from_coverage(coverage: &Coverage) -> Self {
        let counts = |list: &[DomainCount]| -> HashMap<String, usize> {
            list.iter()
                .filter(|c| c.rows > 0)
                .map(|c| (c.domain.clone(), c.rows))
                .collect()
        };
        CoverageCounter {
            validated: counts(&coverage.validated),
            uncovered: counts(&coverage.uncovered),
        }
    }

    /// Counts `rows` more rows under the validated `domain`.
    pub(crate) fn covered(&mut self, domain: &str, rows: usize) {
        add(&mut self.validated, domain, rows);
    }

    pub(crate) fn uncovered(&mut self, domain: &str) {
        add(&mut self.uncovered, domain, 1);
    }

    /// Takes back one [`CoverageCounter::covered`] row.
    pub(crate) fn uncount_covered(&mut self, domain: &str) {
        drop_one(&mut self.validated, domain);
    }

    /// Takes back one [`CoverageCounter::uncovered`] row.
    pub(crate) fn uncount_uncovered(&mut self, domain: &str) {
        drop_one(&mut self.uncovered, domain);
    }

    /// The coverage as counted so far.
    pub(crate) fn summary(&self, domains: &ValidatedDomains) -> Coverage {
        let validated = domains
            .iter()
            .map(|d| DomainCount {
                domain: d.to_owned(),
                rows: self.validated.get(d).copied().unwrap_or(0),
            })
            .collect();
        let mut uncovered: Vec<DomainCount> = self
            .uncovered
            .iter()
            .map(|(domain, &rows)| DomainCount {
                domain: domain.clone(),
                rows,
            })
            .collect();
        uncovered.sort_by(|a, b| b.rows.cmp(&a.rows).then_with(|| a.domain.cmp(&b.domain)));
        Coverage { validated, uncovered }
    }
}

/// `rows` more for `domain`.
fn add(counts: &mut HashMap<String, usize>, domain: &str, rows: usize) {
    match counts.get_mut(domain) {
        Some(n) => *n += rows,
        None => {
            counts.insert(domain.to_owned(), rows);
        }
    }
}

/// One less for `domain`; a domain at zero leaves the map.
fn drop_one(counts: &mut HashMap<String, usize>, domain: &str) {
    if let Some(n) = counts.get_mut(domain) {
        *n -= 1;
        if *n == 0 {
            counts.remove(domain);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn subdomains_are_covered_on_label_boundaries_only() {
        let d = ValidatedDomains::parse(["example.com"]).unwrap();
        assert_eq!(d.covering("example.com", false), Some("example.com"));
        assert_eq!(d.covering("a.b.example.com", false), Some("example.com"));
        assert_eq!(d.covering("notexample.com", false), None);
        assert_eq!(d.covering("example.com.evil.net", false), None);
        assert_eq!(d.covering("com", false), None);
    }

    #[test]
    fn exact_matching_turns_subdomains_off() {
        let d = ValidatedDomains::parse(["example.com"]).unwrap();
        assert_eq!(d.covering("example.com", true), Some("example.com"));
        assert_eq!(d.covering("mail.example.com", true), None);
    }

    #[test]
    fn the_most_specific_domain_covers() {
        let d = ValidatedDomains::parse(["example.com", "eu.example.com"]).unwrap();
        assert_eq!(d.covering("paris.eu.example.com", false), Some("eu.example.com"));
    }

    #[test]
    fn u_labels_and_a_labels_are_one_domain() {
        let d = ValidatedDomains::parse(["BÜCHER.example"]).unwrap();
        assert_eq!(
            d.covering("xn--bcher-kva.example", false),
            Some("xn--bcher-kva.example")
        );
        let d = ValidatedDomains::parse(["xn--bcher-kva.example"]).unwrap();
        assert_eq!(d.iter().collect::<Vec<_>>(), vec!["xn--bcher-kva.example"]);
    }

    #[test]
    fn lists_split_on_commas_space_and_lines() {
        let d = ValidatedDomains::parse_list("# ours\nexample.com, example.org;\n *.example.net\n\n").unwrap();
        assert_eq!(
            d.iter().collect::<Vec<_>>(),
            vec!["example.com", "example.org", "example.net"]
        );
        assert!(ValidatedDomains::parse_list("example").is_err());
    }

    #[test]
    fn typos_find_the_nearest_domain() {
        let d = ValidatedDomains::parse(["example.com", "example.org"]).unwrap();
        assert_eq!(d.nearest("exmaple.com"), Some("example.com"));
        assert_eq!(d.nearest("elsewhere.net"), None);
    }
}
