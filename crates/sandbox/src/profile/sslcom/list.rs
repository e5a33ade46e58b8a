//! `GET /certificates` (SSL.com's `index_v1_4`, docs/sslcom-sws.md §6): a
//! bare array, newest first, paged by `page`/`per_page`, windowed only by
//! `search=created_at:…`.
//!
//! What the source ignores is ignored here too: `start`/`end`, an
//! `external_order_number` query parameter, search terms other than
//! `created_at:` (the free-text search hits columns the sandbox has not),
//! `filter`. `per_page` is capped at [`MAX_PER_PAGE`] (SSL.com's maximum is
//! unknown).

use super::params::{to_i, Params};
use super::show::check_choices;
use super::views::{self, LIST_FIELDS};
use super::{begin, Action, STATUS_CANCELED};
use crate::clock;
use crate::state::Shared;
use axum::extract::State;
use axum::http::Uri;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::Value;

/// `per_page` when none is given (`PER_PAGE_DEFAULT`).
pub const DEFAULT_PER_PAGE: i64 = 10;
/// The sandbox's cap on `per_page`.
pub const MAX_PER_PAGE: i64 = 1000;

/// The search's terms: split on white space outside single quotes.
fn terms(search: &str) -> Vec<String> {
    let (mut out, mut term, mut quoted) = (Vec::new(), String::new(), false);
    for c in search.trim().chars() {
        match c {
            '\'' => {
                quoted = !quoted;
                term.push(c);
            }
            c if c.is_whitespace() && !quoted => {
                if !term.is_empty() {
                    out.push(std::mem::take(&mut term));
                }
            }
            c => term.push(c),
        }
    }
    if !term.is_empty() {
        out.push(term);
    }
    out
}

/// The `created_at:MM/DD/YYYY[-MM/DD/YYYY]` window, as the source's Date
/// range `(start..finish)` compares with a timestamp: from the first day's
/// midnight to the last day's midnight, both included (so the last day is
/// in effect left out); one date alone is that day. `Err` where Ruby's
/// `Date.strptime` raises (→ 500).
pub fn window(search: &str) -> Result<(Option<i64>, Option<i64>), ()> {
    let Some(value) = terms(search).into_iter().find_map(|t| {
        let at = t.find("created_at:")?;
        Some(t[at + "created_at:".len()..].trim_matches('\'').to_owned())
    }) else {
        return Ok((None, None));
    };
    let mut dates = value.split('-');
    let start = clock::parse_us_date(dates.next().unwrap_or_default()).ok_or(())?;
    let finish = match dates.next() {
        Some(d) => clock::parse_us_date(d).ok_or(())?,
        None => start + clock::DAY_MS,
    };
    Ok((Some(start), Some(finish)))
}

pub async fn list(State(state): State<Shared>, uri: Uri) -> Response {
    let read = || Ok(Params::from_query(uri.query()));
    let Action {
        params,
        account,
        mut errors,
    } = match begin(&state, read).await {
        Ok(a) => a,
        Err(r) => return r,
    };
    check_choices(&params, &mut errors);
    let (Some(account), true) = (account, errors.is_empty()) else {
        return views::errors_200(errors);
    };
    let Ok(window) = window(&params.text("search").unwrap_or_default()) else {
        return views::server_error();
    };
    // will_paginate refuses a page below 1; a per_page below 1 is taken to
    // fail alike (not in the record).
    let page = params.text("page").map_or(1, |p| to_i(&p));
    let per_page = params.text("per_page").map_or(DEFAULT_PER_PAGE, |p| to_i(&p));
    if page < 1 || per_page < 1 {
        return views::server_error();
    }
    let per_page = per_page.min(MAX_PER_PAGE) as u64;
    let offset = ((page - 1) as u64).saturating_mul(per_page).min(i64::MAX as u64);
    let orders = match state
        .store
        .list_newest(&account.account_key, window, STATUS_CANCELED, offset, per_page)
    {
        Ok(o) => o,
        Err(_) => return views::server_error(),
    };
    let fields_param = params.text("fields").filter(|f| !f.is_empty());
    let fields: Vec<&str> = match &fields_param {
        Some(f) => f.split(',').collect(),
        None => LIST_FIELDS.to_vec(),
    };
    Json(Value::Array(
        orders.iter().map(|o| views::list_item(o, &fields)).collect(),
    ))
    .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_created_at_search_is_a_window_of_midnights() {
        let day = |m, d| clock::date_ms(2024, m, d);
        assert_eq!(window("created_at:03/01/2024-03/05/2024"), Ok((day(3, 1), day(3, 5))));
        assert_eq!(window("created_at:03/01/2024"), Ok((day(3, 1), day(3, 2))));
        assert_eq!(
            window("jane created_at:'3/1/2024' status:issued"),
            Ok((day(3, 1), day(3, 2)))
        );
        assert_eq!(window("external_order_number:k-1"), Ok((None, None)));
        assert_eq!(window(""), Ok((None, None)));
        assert_eq!(window("created_at:2024-03-01"), Err(()));
    }
}
