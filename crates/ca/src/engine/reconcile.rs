//! Settling lost answers without the CA's help.
//!
//! SSL.com cannot be asked "do you hold key K?": its order list does not carry
//! `external_order_number` and cannot filter by it, and the CA never
//! de-duplicates. So a row whose create answer was lost (timeout, dropped
//! connection, 5xx, an error answer without a reference) is settled by a
//! **sweep**:
//!
//! 1. list every page of the account's orders created in the batch's window;
//! 2. set aside the orders the batch already holds, and those whose mailbox is
//!    none of the rows being settled;
//! 3. read each remaining order whose key the list did not show
//!    (`GET /certificate/{ref}`);
//! 4. match: one order with the row's key → placed; several → unconfirmed;
//!    none, but an order without a readable key for the same mailbox and
//!    product → unconfirmed; none at all → the CA holds no order for the row,
//!    which may be sent again.
//!
//! An unconfirmed row is never resent automatically: the user sees its
//! candidate orders and decides. A sweep covers the rows that were unknown
//! when it started (and had waited long enough for a slow create to land);
//! rows that become unknown later wait for the next sweep, since the listing
//! may predate their order. A failed request of a sweep is retried with
//! backoff, and after too many failures in a row the sweep is abandoned and
//! its rows stay unknown for this run (the next run sweeps again).
//!
//! Orders read are kept for the run (`Known`), so a later sweep reads only
//! orders it has not seen.

use crate::protocol::Order;
use std::collections::{HashMap, HashSet, VecDeque};

/// Orders learnt during the run, by reference.
pub(super) type Known = HashMap<String, Order>;

/// One request a sweep wants sent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum SweepRequest {
    /// List page `n` (from 1) of the window.
    List(u32),
    /// Read one order.
    Show(String),
}

/// A sweep in progress.
#[derive(Debug)]
pub(super) struct Sweep {
    /// Rows it settles.
    pub covers: Vec<usize>,
    /// Their mailboxes, lower-cased: orders for other mailboxes are not read.
    mailboxes: HashSet<String>,
    /// The next page to request, while listing.
    next_page: Option<u32>,
    page_in_flight: bool,
    /// Orders to read.
    to_read: VecDeque<String>,
    reads_in_flight: usize,
    /// Orders listed by this sweep, as the list shows them.
    listed: HashMap<String, Order>,
    /// Failures in a row; reset by any success.
    pub failures: u32,
    /// No request before this time (backoff after a failure).
    pub retry_at: u64,
}

/// What a sweep concluded for one row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Verdict {
    /// Exactly one order carries the row's key.
    Placed(Order),
    /// Orders that may be the row's: it must not be resent without the user.
    Unconfirmed(Vec<Order>, String),
    /// The CA holds no order for the row.
    Absent,
}

/// Pages a sweep lists at most: 100,000 orders at 100 a page.
pub(super) const MAX_PAGES: u32 = 1_000;

impl Sweep {
    /// A sweep settling `covers`, whose mailboxes are given.
    pub fn new(covers: Vec<usize>, mailboxes: impl IntoIterator<Item = String>) -> Self {
        Sweep {
            covers,
            mailboxes: mailboxes.into_iter().map(|m| m.trim().to_lowercase()).collect(),
            next_page: Some(1),
            page_in_flight: false,
            to_read: VecDeque::new(),
            reads_in_flight: 0,
            listed: HashMap::new(),
            failures: 0,
            retry_at: 0,
        }
    }

    /// The next request to send at `now`, if any is due.
    pub fn next_request(&mut self, now: u64) -> Option<SweepRequest> {
        if now < self.retry_at {
            return None;
        }
        if let Some(reference) = self.to_read.pop_front() {
            self.reads_in_flight += 1;
            return Some(SweepRequest::Show(reference));
        }
        match self.next_page {
            Some(page) if !self.page_in_flight => {
                self.page_in_flight = true;
                Some(SweepRequest::List(page))
            }
            _ => None,
        }
    }

    /// Page `page` answered with `orders` (`per_page` asked). Orders not yet
    /// known go to `known` when the list shows their key, else are queued to be
    /// read unless they are `held` by the batch or for another mailbox.
    /// `Err` when the window has more pages than a sweep lists.
    pub fn listed(
        &mut self,
        page: u32,
        per_page: u32,
        orders: Vec<Order>,
        known: &mut Known,
        held: &HashSet<String>,
    ) -> Result<(), String> {
        self.page_in_flight = false;
        self.failures = 0;
        let full = orders.len() >= per_page as usize;
        for order in orders {
            if self.listed.contains_key(&order.reference) {
                continue;
            }
            self.listed.insert(order.reference.clone(), order.clone());
            if known.contains_key(&order.reference) {
                continue;
            }
            if order.external_order_number.is_some() {
                known.insert(order.reference.clone(), order);
            } else if !held.contains(&order.reference) && self.may_be_ours(&order) {
                self.to_read.push_back(order.reference);
            }
        }
        self.next_page = if full { Some(page + 1) } else { None };
        if self.next_page.is_some_and(|p| p > MAX_PAGES) {
            return Err(format!(
                "the CA lists more than {} orders in the batch's window; settle these rows in the CA's portal",
                MAX_PAGES * per_page
            ));
        }
        Ok(())
    }

    fn may_be_ours(&self, order: &Order) -> bool {
        order
            .email
            .as_deref()
            .is_none_or(|m| self.mailboxes.contains(&m.trim().to_lowercase()))
    }

    /// Order `reference` was read (`Some`), or the CA no longer has it
    /// (`None`). What the read leaves out (SSL.com's show may not repeat the
    /// mailbox) is taken from the list.
    pub fn shown(&mut self, reference: &str, order: Option<Order>, known: &mut Known) {
        self.reads_in_flight -= 1;
        self.failures = 0;
        if let Some(mut order) = order {
            if let Some(listed) = self.listed.get(reference) {
                order.email = order.email.or_else(|| listed.email.clone());
                order.product = order.product.or_else(|| listed.product.clone());
            }
            known.insert(reference.to_owned(), order);
        }
    }

    /// A request failed: send it again after `backoff_ms`. Returns the
    /// failures in a row so far.
    pub fn failed(&mut self, request: SweepRequest, now: u64, backoff_ms: u64) -> u32 {
        match request {
            SweepRequest::List(_) => self.page_in_flight = false,
            SweepRequest::Show(reference) => {
                self.reads_in_flight -= 1;
                self.to_read.push_front(reference);
            }
        }
        self.failures += 1;
        self.retry_at = now + backoff_ms;
        self.failures
    }

    /// A request was not processed (throttled, or the run halted): send it
    /// again, without counting a failure.
    pub fn requeue(&mut self, request: SweepRequest) {
        match request {
            SweepRequest::List(_) => self.page_in_flight = false,
            SweepRequest::Show(reference) => {
                self.reads_in_flight -= 1;
                self.to_read.push_front(reference);
            }
        }
    }

    /// Whether every page was listed and every order read.
    pub fn is_done(&self) -> bool {
        self.next_page.is_none() && !self.page_in_flight && self.to_read.is_empty() && self.reads_in_flight == 0
    }

    /// The verdict for a row with `key`, `mailbox` and `product`, once done.
    pub fn verdict(&self, key: &str, mailbox: &str, product: &str, known: &Known, held: &HashSet<String>) -> Verdict {
        let mut keyed: Vec<&Order> = known
            .values()
            .filter(|o| o.external_order_number.as_deref() == Some(key) && !held.contains(&o.reference))
            .collect();
        by_reference(&mut keyed);
        match keyed.as_slice() {
            [one] => return Verdict::Placed((*one).clone()),
            [] => {}
            several => {
                return Verdict::Unconfirmed(
                    several.iter().map(|o| (*o).clone()).collect(),
                    format!(
                        "the CA holds {} orders with this row's key: it was ordered more than once",
                        several.len()
                    ),
                )
            }
        }
        let mailbox = mailbox.trim().to_lowercase();
        let mut alike: Vec<&Order> = self
            .listed
            .keys()
            .filter_map(|r| known.get(r))
            .filter(|o| {
                o.external_order_number.is_none()
                    && !held.contains(&o.reference)
                    && o.email.as_deref().is_some_and(|m| m.trim().to_lowercase() == mailbox)
                    && o.product.as_deref().is_none_or(|p| p == product)
            })
            .collect();
        by_reference(&mut alike);
        let alike: Vec<Order> = alike.into_iter().cloned().collect();
        if alike.is_empty() {
            Verdict::Absent
        } else {
            Verdict::Unconfirmed(
                alike,
                "the CA holds an order for this mailbox and product whose key it does not show: it may be this row's"
                    .into(),
            )
        }
    }

    /// The verdict for a bulk-enrolled row with `mailbox` and `product`,
    /// once done. Enrolled orders carry no key, so the mailbox decides: one
    /// keyless order for it → placed; none, and no keyless order of the
    /// product without a readable mailbox → absent; anything else →
    /// unconfirmed (an order whose mailbox the CA does not show may be
    /// this row's: SSL.com's 2020 API path leaves enrolled orders without it).
    pub fn enrolled_verdict(&self, mailbox: &str, product: &str, known: &Known, held: &HashSet<String>) -> Verdict {
        let mailbox = mailbox.trim().to_lowercase();
        let keyless = |o: &&Order| {
            o.external_order_number.is_none()
                && !held.contains(&o.reference)
                && o.product.as_deref().is_none_or(|p| p == product)
        };
        let listed: Vec<&Order> = self
            .listed
            .keys()
            .filter_map(|r| known.get(r))
            .filter(keyless)
            .collect();
        let mut alike: Vec<&Order> = listed
            .iter()
            .copied()
            .filter(|o| o.email.as_deref().is_some_and(|m| m.trim().to_lowercase() == mailbox))
            .collect();
        let mut blind: Vec<&Order> = listed.iter().copied().filter(|o| o.email.is_none()).collect();
        by_reference(&mut alike);
        by_reference(&mut blind);
        match (alike.as_slice(), blind.is_empty()) {
            ([], true) => Verdict::Absent,
            ([one], true) => Verdict::Placed((*one).clone()),
            ([], false) => {
                let reason = format!(
                    "the CA holds {} orders of this product that do not show their mailbox: one may be this \
                     address's",
                    blind.len()
                );
                Verdict::Unconfirmed(blind.into_iter().cloned().collect(), reason)
            }
            _ => {
                let reason = format!(
                    "the CA holds {} orders for this address (and {} without a mailbox): which is this \
                     enrollment's is not certain",
                    alike.len(),
                    blind.len()
                );
                let candidates = alike.into_iter().chain(blind).cloned().collect();
                Verdict::Unconfirmed(candidates, reason)
            }
        }
    }
}

/// Candidates in the order of their references, so the user sees them the
/// same way each time. By insertion: the lists are a few orders long, and the
/// page (which runs this) then carries no general sort.
fn by_reference(orders: &mut [&Order]) {
    for i in 1..orders.len() {
        let mut j = i;
        while j > 0 && orders[j - 1].reference > orders[j].reference {
            orders.swap(j - 1, j);
            j -= 1;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn order(reference: &str, key: Option<&str>, email: Option<&str>) -> Order {
        Order {
            reference: reference.into(),
            external_order_number: key.map(str::to_owned),
            email: email.map(str::to_owned),
            product: Some("302".into()),
            ..Order::default()
        }
    }

    #[test]
    fn a_sweep_lists_until_a_short_page_and_reads_only_orders_that_may_be_ours() {
        let mut s = Sweep::new(vec![0], ["Jane@Example.com".to_owned()]);
        let mut known = Known::new();
        let held: HashSet<String> = ["co-held".to_owned()].into();
        assert_eq!(s.next_request(0), Some(SweepRequest::List(1)));
        assert_eq!(s.next_request(0), None, "one page at a time");
        let page1 = vec![
            order("co-held", None, Some("jane@example.com")),
            order("co-other", None, Some("bob@example.com")),
        ];
        s.listed(1, 2, page1, &mut known, &held).unwrap();
        assert_eq!(s.next_request(0), Some(SweepRequest::List(2)));
        s.listed(
            2,
            2,
            vec![order("co-jane", None, Some("JANE@example.com"))],
            &mut known,
            &held,
        )
        .unwrap();
        assert_eq!(s.next_request(0), Some(SweepRequest::Show("co-jane".into())));
        assert!(!s.is_done());
        s.shown(
            "co-jane",
            Some(order("co-jane", Some("k1"), None)), // the read does not repeat the mailbox: the list's is kept
            &mut known,
        );
        assert!(s.is_done());
        assert_eq!(
            s.verdict("k1", "jane@example.com", "302", &known, &held),
            Verdict::Placed(order("co-jane", Some("k1"), Some("JANE@example.com")))
        );
        assert_eq!(
            s.verdict("k2", "ann@example.com", "302", &known, &held),
            Verdict::Absent
        );
    }

    #[test]
    fn two_orders_with_one_key_or_a_keyless_order_for_the_mailbox_leave_the_row_unconfirmed() {
        let held = HashSet::new();
        let mut known = Known::new();
        let mut s = Sweep::new(vec![0], ["jane@example.com".to_owned()]);
        let listed = vec![
            order("co-a", Some("k1"), Some("jane@example.com")),
            order("co-b", Some("k1"), Some("jane@example.com")),
            order("co-c", None, Some("ann@example.com")),
        ];
        s.listed(1, 10, listed, &mut known, &held).unwrap();
        // co-c is not for a covered mailbox: not read, not known.
        assert!(s.is_done());
        assert!(matches!(
            s.verdict("k1", "jane@example.com", "302", &known, &held),
            Verdict::Unconfirmed(c, _) if c.len() == 2
        ));
        known.insert("co-d".into(), order("co-d", None, Some("ann@example.com")));
        s.listed
            .insert("co-d".into(), order("co-d", None, Some("ann@example.com")));
        assert!(matches!(
            s.verdict("k9", "ann@example.com", "302", &known, &held),
            Verdict::Unconfirmed(c, _) if c[0].reference == "co-d"
        ));
        assert_eq!(
            s.verdict("k9", "ann@example.com", "303", &known, &held),
            Verdict::Absent
        );
    }

    #[test]
    fn a_failed_request_is_sent_again_after_its_backoff() {
        let mut s = Sweep::new(vec![0], ["jane@example.com".to_owned()]);
        let first = s.next_request(0).unwrap();
        assert_eq!(s.failed(first, 100, 50), 1);
        assert_eq!(s.next_request(120), None);
        assert_eq!(s.next_request(150), Some(SweepRequest::List(1)));
    }

    #[test]
    fn a_window_over_the_page_limit_is_an_error() {
        let mut s = Sweep::new(vec![0], ["jane@example.com".to_owned()]);
        let mut known = Known::new();
        let full = vec![order("co-x", Some("k"), None)];
        assert!(s.listed(MAX_PAGES, 1, full, &mut known, &HashSet::new()).is_err());
    }
}
