//! Step 5: review and fix — summary, counts per code, filters, a virtualised
//! grid of editable cells, "apply all suggestions", coverage, error report.
//!
//! - `review.rs`: the step, its summary and actions.
//! - `review/grid.rs`: the grid of editable cells, a fixed set of row elements.
//! - `review/slot.rs`: what one row element shows, from the editor.
//! - `review/window.rs`: which rows have an element for a scroll position.

mod grid;
mod slot;
mod window;

use crate::shared::download::save;
use crate::shared::state::{use_app, AppState};
use leptos::prelude::*;
use smime_bulk_roster::editor::Editor;
use smime_bulk_roster::sheet::SheetSource;
use smime_bulk_roster::{Code, Severity};

/// Which rows the grid shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Filter {
    All,
    Errors,
    Code(Code),
}

impl Filter {
    fn value(self) -> String {
        match self {
            Filter::All => "all".into(),
            Filter::Errors => "errors".into(),
            Filter::Code(c) => c.as_str().into(),
        }
    }

    fn parse(v: &str) -> Filter {
        match v {
            "errors" => Filter::Errors,
            other => Code::ALL
                .into_iter()
                .find(|c| c.as_str() == other)
                .map_or(Filter::All, Filter::Code),
        }
    }
}

/// The review step.
#[component]
pub fn ReviewStep() -> impl IntoView {
    let state = use_app();
    let filter = RwSignal::new(Filter::All);
    let scroll_top = RwSignal::new(0usize);
    let viewport = NodeRef::<leptos::html::Div>::new();

    let with_editor = move |f: &dyn Fn(&Editor) -> String| -> String {
        state.editor.with_value(|e| e.as_ref().map(f).unwrap_or_default())
    };
    let add = move |_| {
        state.edit(Editor::add);
        filter.set(Filter::All);
        if let Some(el) = viewport.get_untracked() {
            el.set_scroll_top(el.scroll_height());
        }
        state.announce.set("A new empty row was added at the end.".into());
    };
    let apply = move |_| {
        let n = state.edit(Editor::apply_suggestions).unwrap_or(0);
        state.announce.set(format!("{n} suggestions applied."));
    };
    let download_errors = move |_| {
        let csv = with_editor(&|e| e.error_report_csv());
        if let Err(e) = save("smime-bulk-error-report.csv", "text/csv;charset=utf-8", &csv) {
            state.announce.set(e);
        }
    };
    let download_roster = move |_| {
        let csv = with_editor(&|e| Editor::roster_csv(e.all_rows()));
        if let Err(e) = save("smime-bulk-roster-fixed.csv", "text/csv;charset=utf-8", &csv) {
            state.announce.set(e);
        }
    };

    let summary = move || {
        state.track_editor();
        let info = state.loaded.get()?;
        let (rows, valid, invalid, suggestions, counts, file_findings, coverage) = state.editor.with_value(|e| {
            let e = e.as_ref()?;
            Some((
                e.len(),
                e.valid_count(),
                e.invalid_count(),
                e.clear_suggestion_count(),
                e.counts_by_code(),
                e.file_findings().to_vec(),
                e.coverage(),
            ))
        })?;
        let encoding = info.encoding.map_or("—".to_owned(), |e| e.label().to_owned());
        let delimiter = info.delimiter.map_or_else(
            || {
                if info.encoding.is_some() {
                    "email list".to_owned()
                } else {
                    "—".to_owned()
                }
            },
            |d| d.label().to_owned(),
        );
        let verdict = if info.unusable {
            "This file cannot be used as it is; see below.".to_owned()
        } else if invalid == 0 {
            format!("All {rows} rows are valid.")
        } else {
            format!("{invalid} of {rows} rows need a fix.")
        };
        let errors: usize = counts
            .iter()
            .filter(|(c, _)| c.severity() == Severity::Error)
            .map(|(_, n)| n)
            .sum();
        let warnings: usize = counts
            .iter()
            .filter(|(c, _)| c.severity() == Severity::Warning)
            .map(|(_, n)| n)
            .sum();
        let code_buttons = counts
            .iter()
            .map(|(code, n)| {
                let code = *code;
                let class = if code.severity() == Severity::Error {
                    "badge error"
                } else {
                    "badge warning"
                };
                view! {
                    <li><button type="button" class="code-count" on:click=move |_| filter.set(Filter::Code(code))>
                        <span class=class>{if code.severity() == Severity::Error { "error" } else { "warning" }}</span>
                        " " {code.as_str()} " " <strong>{*n}</strong>
                    </button></li>
                }
            })
            .collect_view();
        let file_list = (!file_findings.is_empty()).then(|| {
            view! {
                <ul class="file-findings">
                    {file_findings.into_iter().map(|f| {
                        let class = if f.is_error() { "error" } else { "warning" };
                        let code = f.code.as_str();
                        view! { <li class=class>{f.message}<code class="code">{code}</code></li> }
                    }).collect_view()}
                </ul>
            }
        });
        let coverage_rows = coverage
            .validated
            .into_iter()
            .map(|c| (c, "validated", ""))
            .chain(coverage.uncovered.into_iter().map(|c| (c, "not validated", "uncovered")))
            .map(|(c, status, class)| view! { <tr class=class><td>{c.domain}</td><td class="num">{c.rows}</td><td>{status}</td></tr> })
            .collect_view();
        Some(view! {
            <div id="summary" class="summary">
                <p class="verdict">{format!("{}: {verdict}", info.source)}</p>
                <dl>
                    <div><dt>"Rows"</dt><dd data-testid="rows">{rows}</dd></div>
                    <div><dt>"Valid"</dt><dd data-testid="valid">{valid}</dd></div>
                    <div><dt>"Invalid"</dt><dd data-testid="invalid">{invalid}</dd></div>
                    <div><dt>"Errors"</dt><dd data-testid="errors">{errors}</dd></div>
                    <div><dt>"Warnings"</dt><dd data-testid="warnings">{warnings}</dd></div>
                    {match info.sheet {
                        Some(sheet) => view! {
                            <div><dt>"Sheet"</dt><dd data-testid="sheet">{sheet_picker(state, sheet)}</dd></div>
                        }.into_any(),
                        None => view! {
                            <div><dt>"Encoding"</dt><dd data-testid="encoding">{encoding}</dd></div>
                            <div><dt>"Delimiter"</dt><dd data-testid="delimiter">{delimiter}</dd></div>
                        }.into_any(),
                    }}
                </dl>
            </div>
            {file_list}
            <h3>"Problems by kind"</h3>
            <ul class="code-counts" aria-label="Problems by kind; choose one to show only its rows">{code_buttons}</ul>
            <div class="actions">
                <label for="grid-filter" class="inline">"Show"</label>
                <select id="grid-filter" prop:value=move || filter.get().value() on:change=move |ev| {
                    filter.set(Filter::parse(&event_target_value(&ev)));
                    scroll_top.set(0);
                    if let Some(el) = viewport.get_untracked() { el.set_scroll_top(0); }
                }>
                    <option value="all">{format!("All rows ({rows})")}</option>
                    <option value="errors">{format!("Rows with errors ({invalid})")}</option>
                    {counts.keys().map(|c| view! { <option value=c.as_str()>{format!("Rows with {}", c.as_str())}</option> }).collect_view()}
                </select>
                <button type="button" id="apply-suggestions" disabled=suggestions == 0 on:click=apply>{format!("Apply {suggestions} clear suggestions")}</button>
                <button type="button" class="secondary" id="add-row" on:click=add>"Add a row"</button>
                <button type="button" class="secondary" id="download-errors" on:click=download_errors>"Download error report"</button>
                <button type="button" class="secondary" id="download-roster" on:click=download_roster>"Download the fixed roster"</button>
            </div>
            <h3>"Domain coverage"</h3>
            <table id="coverage" class="data">
                <caption class="hint">"Rows per domain: have the domains marked \u{201c}not validated\u{201d} validated with the CA, or remove their rows."</caption>
                <thead><tr><th scope="col">"Domain"</th><th scope="col">"Rows"</th><th scope="col">"Status"</th></tr></thead>
                <tbody>{coverage_rows}</tbody>
            </table>
        })
    };

    let grid = move || {
        state.loaded.get().filter(|i| !i.unusable)?;
        Some(view! { <grid::Grid state filter scroll_top viewport/> })
    };

    view! {
        <section class="step" id="step-review" aria-labelledby="review-title">
            <h2 id="review-title" tabindex="-1">"5. Review and fix"</h2>
            {move || summary().map(|v| v.into_any()).unwrap_or_else(|| view! { <p class="hint">"Load a roster to see its problems here."</p> }.into_any())}
            {grid}
        </section>
    }
}

/// The sheet read, as a choice among the workbook's sheets when it has more
/// than one: picking another reads the roster again from that sheet.
fn sheet_picker(state: AppState, sheet: SheetSource) -> AnyView {
    if sheet.names.len() < 2 {
        return sheet.name.into_any();
    }
    let current = sheet.name.clone();
    view! {
        <select id="sheet-choice" aria-label="Sheet to read" on:change=move |ev| state.choose_sheet(event_target_value(&ev))>
            {sheet.names.into_iter().map(|name| {
                let selected = name == current;
                view! { <option value=name.clone() selected=selected>{name.clone()}</option> }
            }).collect_view()}
        </select>
    }
    .into_any()
}
