//! "Refresh statuses": the batch's orders read back from the CA's order list,
//! a page at a time, and their statuses applied to the batch's rows. No IO,
//! like the engine: [`StatusRefresh::step`] says what to do (send a request,
//! wait, or stop) and [`StatusRefresh::answered`] takes what became of the
//! request, so the page's driver stays a loop and the rules are tested here.
//!
//! A page that meets a fault that may pass (a 5xx, a 429, no answer in
//! time, a dropped connection: [`crate::retry`]'s rule, the page's other
//! reads' too) is read again with jittered backoff, up to [`MAX_TRIES`]
//! times. Keys refused, a redirect, an answer that cannot be read, or a 429
//! asking for a wait over [`crate::retry::MAX_ASKED_WAIT_MS`] stop the
//! refresh at once, with the CA's words.

use crate::engine::{Outcome, RowState};
use crate::protocol::{CaError, Credentials, HttpRequest, ListQuery, Profile};
pub use crate::retry::MAX_TRIES;
use crate::retry::{may_pass, ReadRetry};
use std::collections::HashMap;
use std::fmt;

/// Pages read at most (100,000 orders at SSL.com's 100 a page).
pub const MAX_PAGES: u32 = 1_000;

/// What the driver does next.
#[derive(Debug)]
pub enum RefreshStep {
    /// Send this request and hand its outcome to [`StatusRefresh::answered`].
    Send(HttpRequest),
    /// Wait this many milliseconds, then ask again.
    Wait(u64),
    /// The refresh is over: [`StatusRefresh::statuses`] holds what was read.
    Done(Result<(), RefreshError>),
}

/// Why a refresh stopped short. The statuses read before it are kept in
/// [`StatusRefresh::statuses`].
#[derive(Debug, Clone)]
pub enum RefreshError {
    /// The CA answered with something that will not change if asked again.
    Ca(CaError),
    /// A fault that may pass came [`MAX_TRIES`] times on one page; the last
    /// outcome, so the driver can tell an unreachable CA from a blocked answer.
    GaveUp(Outcome),
    /// The list went on past [`MAX_PAGES`].
    TooManyPages,
}

impl RefreshError {
    /// A stable snake_case code.
    pub fn code(&self) -> &'static str {
        match self {
            RefreshError::Ca(e) => e.code(),
            RefreshError::GaveUp(_) => "refresh_gave_up",
            RefreshError::TooManyPages => "refresh_too_many_pages",
        }
    }
}

impl fmt::Display for RefreshError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RefreshError::Ca(e) => write!(f, "{e}"),
            RefreshError::GaveUp(last) => {
                let last = match last {
                    Outcome::Response(r) => format!("HTTP {}", r.status),
                    Outcome::Timeout => "no answer in time".into(),
                    Outcome::Network(e) => e.clone(),
                };
                write!(
                    f,
                    "the CA's order list gave no usable answer {MAX_TRIES} times in a row (the last: {last}); \
                     try again in a few minutes"
                )
            }
            RefreshError::TooManyPages => write!(
                f,
                "the CA lists more than {MAX_PAGES} pages of orders in the batch's window, more than a \
                 refresh reads"
            ),
        }
    }
}

/// Status by order reference, as the CA lists them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Statuses(HashMap<String, String>);

impl Statuses {
    /// Sets each placed row's status to the listed one; returns how many
    /// placed rows the list no longer holds (cancelled or expired). Other
    /// rows are left as they are.
    pub fn apply(&self, states: &mut [RowState]) -> usize {
        let mut missing = 0;
        for state in states {
            if let RowState::Placed { order } = state {
                match self.0.get(&order.reference) {
                    Some(status) => order.status.clone_from(status),
                    None => missing += 1,
                }
            }
        }
        missing
    }

    /// Orders listed.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Whether none was listed.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

/// A refresh in progress.
#[derive(Debug)]
pub struct StatusRefresh {
    profile: Profile,
    credentials: Credentials,
    created_since: u64,
    page: u32,
    /// The current page's tries.
    retry: ReadRetry,
    /// The wait owed before the next try, if any.
    wait: Option<u64>,
    statuses: Statuses,
    done: Option<Result<(), RefreshError>>,
}

impl StatusRefresh {
    /// A refresh of the orders created since `created_since` (Unix seconds;
    /// the batch's start) in the account of `credentials`. `seed` drives the
    /// backoff's jitter.
    pub fn new(profile: Profile, credentials: Credentials, created_since: u64, seed: u64) -> Self {
        StatusRefresh {
            profile,
            credentials,
            created_since,
            page: 1,
            retry: ReadRetry::new(seed),
            wait: None,
            statuses: Statuses::default(),
            done: None,
        }
    }

    /// What to do next. After a [`RefreshStep::Send`], call
    /// [`answered`](Self::answered) before asking again.
    pub fn step(&mut self) -> RefreshStep {
        if let Some(done) = &self.done {
            return RefreshStep::Done(done.clone());
        }
        if let Some(ms) = self.wait.take() {
            return RefreshStep::Wait(ms);
        }
        let query = ListQuery {
            page: self.page,
            per_page: self.profile.list_page_size(),
            created_since: self.created_since,
        };
        RefreshStep::Send(self.profile.list_orders(&self.credentials, &query))
    }

    /// What became of the request [`step`](Self::step) handed out.
    pub fn answered(&mut self, outcome: Outcome) {
        let parsed = match &outcome {
            Outcome::Response(r) => Some(self.profile.parse_order_list(r)),
            Outcome::Timeout | Outcome::Network(_) => None,
        };
        let error = parsed.as_ref().and_then(|p| p.as_ref().err());
        if let Some(retry_after_ms) = may_pass(&outcome, error) {
            return self.fault(outcome, retry_after_ms);
        }
        // Only an answer gets here: no answer at all may pass, handled above.
        let Some(parsed) = parsed else { return };
        match parsed {
            Ok(orders) => {
                let full = orders.len() >= self.profile.list_page_size() as usize;
                self.statuses
                    .0
                    .extend(orders.into_iter().map(|o| (o.reference, o.status)));
                self.retry.answered();
                if !full {
                    self.done = Some(Ok(()));
                } else if self.page >= MAX_PAGES {
                    self.done = Some(Err(RefreshError::TooManyPages));
                } else {
                    self.page += 1;
                }
            }
            Err(e) => self.done = Some(Err(RefreshError::Ca(e))),
        }
    }

    /// The statuses read so far: all of them once done without error.
    pub fn statuses(&self) -> &Statuses {
        &self.statuses
    }

    /// A fault that may pass: try the page again after a wait (the CA's
    /// `Retry-After` when it gave one), or give up after [`MAX_TRIES`].
    fn fault(&mut self, outcome: Outcome, retry_after_ms: Option<u64>) {
        match self.retry.after_fault(retry_after_ms) {
            Some(ms) => self.wait = Some(ms),
            None => self.done = Some(Err(RefreshError::GaveUp(outcome))),
        }
    }
}
