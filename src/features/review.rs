//! Step: the report — summary, domain coverage and every finding.

use crate::shared::state::use_roster;
use leptos::prelude::*;
use smime_bulk_roster::{Report, Severity};

/// How many findings the table shows at once (the rest are counted).
const SHOWN_FINDINGS: usize = 1000;

/// Summary, coverage and findings of the loaded roster.
#[component]
pub fn ReviewStep() -> impl IntoView {
    let state = use_roster();
    let body = move || match state.report.get() {
        None => view! { <p class="hint">"Load a roster to see its problems here."</p> }.into_any(),
        Some(report) => {
            let source = state.input.with(|i| i.as_ref().map(|i| i.source.clone()).unwrap_or_default());
            view! {
                <Summary report=report.clone() source=source/>
                <CoverageView report=report.clone()/>
                <Findings report=report/>
            }
            .into_any()
        }
    };
    view! {
        <section class="step" aria-labelledby="review-title">
            <h2 id="review-title">"3. Review"</h2>
            {body}
        </section>
    }
}

#[component]
fn Summary(report: Report, source: String) -> impl IntoView {
    let encoding = report.encoding.map_or("—", |e| e.label());
    let delimiter = report.delimiter.map_or_else(|| if report.encoding.is_some() { "email list".to_owned() } else { "—".to_owned() }, |d| d.label().to_owned());
    let errors = report.findings.iter().filter(|f| f.severity == Severity::Error).count();
    let warnings = report.findings.len() - errors;
    let verdict = if report.is_unusable() {
        "This file cannot be used as it is; see below.".to_owned()
    } else if report.invalid_count() == 0 {
        format!("All {} rows are valid.", report.rows.len())
    } else {
        format!("{} of {} rows need a fix.", report.invalid_count(), report.rows.len())
    };
    view! {
        <div id="summary" class="summary" role="status" aria-live="polite">
            <p class="verdict">{format!("{source}: {verdict}")}</p>
            <dl>
                <div><dt>"Rows"</dt><dd data-testid="rows">{report.rows.len()}</dd></div>
                <div><dt>"Valid"</dt><dd data-testid="valid">{report.valid_count()}</dd></div>
                <div><dt>"Invalid"</dt><dd data-testid="invalid">{report.invalid_count()}</dd></div>
                <div><dt>"Errors"</dt><dd data-testid="errors">{errors}</dd></div>
                <div><dt>"Warnings"</dt><dd data-testid="warnings">{warnings}</dd></div>
                <div><dt>"Encoding"</dt><dd data-testid="encoding">{encoding}</dd></div>
                <div><dt>"Delimiter"</dt><dd data-testid="delimiter">{delimiter}</dd></div>
            </dl>
        </div>
    }
}

#[component]
fn CoverageView(report: Report) -> impl IntoView {
    let coverage = report.coverage;
    if coverage.validated.is_empty() && coverage.uncovered.is_empty() {
        return ().into_any();
    }
    let validated = coverage
        .validated
        .into_iter()
        .map(|c| view! { <tr><td>{c.domain}</td><td class="num">{c.rows}</td><td>"validated"</td></tr> })
        .collect_view();
    let uncovered = coverage
        .uncovered
        .into_iter()
        .map(|c| view! { <tr class="uncovered"><td>{c.domain}</td><td class="num">{c.rows}</td><td>"not validated"</td></tr> })
        .collect_view();
    view! {
        <h3>"Domain coverage"</h3>
        <table id="coverage" class="data">
            <caption class="hint">"Rows per domain: validate the domains marked \u{201c}not validated\u{201d} with the CA, or remove their rows."</caption>
            <thead><tr><th scope="col">"Domain"</th><th scope="col">"Rows"</th><th scope="col">"Status"</th></tr></thead>
            <tbody>{validated}{uncovered}</tbody>
        </table>
    }
    .into_any()
}

#[component]
fn Findings(report: Report) -> impl IntoView {
    let total = report.findings.len();
    if total == 0 {
        return view! { <p class="ok">"No problems found."</p> }.into_any();
    }
    let rows = report
        .findings
        .into_iter()
        .take(SHOWN_FINDINGS)
        .map(|f| {
            let severity = if f.severity == Severity::Error { "error" } else { "warning" };
            view! {
                <tr class=severity>
                    <td class="num">{f.line.map_or_else(|| "—".to_owned(), |l| l.to_string())}</td>
                    <td>{f.column.unwrap_or_else(|| "—".to_owned())}</td>
                    <td><span class=format!("badge {severity}")>{severity}</span></td>
                    <td>{f.message}<code class="code">{f.code.as_str()}</code></td>
                    <td>{f.suggestion.unwrap_or_default()}</td>
                </tr>
            }
        })
        .collect_view();
    let more = (total > SHOWN_FINDINGS).then(|| {
        view! { <p class="hint">{format!("Showing the first {SHOWN_FINDINGS} of {total} findings.")}</p> }
    });
    view! {
        <h3>"Findings"</h3>
        <table id="findings" class="data">
            <thead><tr>
                <th scope="col">"Line"</th><th scope="col">"Column"</th><th scope="col">"Severity"</th>
                <th scope="col">"Problem and fix"</th><th scope="col">"Suggestion"</th>
            </tr></thead>
            <tbody>{rows}</tbody>
        </table>
        {more}
    }
    .into_any()
}
