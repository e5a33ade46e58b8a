//! Step 5: review and fix — summary, counts per code, filters, a virtualised
//! grid of editable cells, "apply all suggestions", coverage, error report.

use crate::shared::download::save;
use crate::shared::state::{use_app, AppState};
use leptos::prelude::*;
use smime_bulk_roster::editor::Editor;
use smime_bulk_roster::mapping::Field;
use smime_bulk_roster::sheet::{CellRef, SheetSource};
use smime_bulk_roster::{Code, Finding, Severity};

/// Height of a grid row in pixels (fixed, so the grid can be virtualised),
/// an integer for CSS lengths: printing a float pulls the float formatter
/// (about 6 KB brotli) into the first load.
const ROW_HEIGHT_PX: usize = 44;
/// The same, for scroll arithmetic.
const ROW_HEIGHT: f64 = ROW_HEIGHT_PX as f64;
/// Height of the grid's scrolling area in pixels (see [`ROW_HEIGHT_PX`]).
const VIEWPORT_PX: usize = 440;
/// The same, for scroll arithmetic.
const VIEWPORT: f64 = VIEWPORT_PX as f64;
/// Rows rendered above and below the visible ones.
const OVERSCAN: usize = 8;

/// Which rows the grid shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Filter {
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
    let scroll_top = RwSignal::new(0.0f64);
    let viewport = NodeRef::<leptos::html::Div>::new();

    let with_editor = move |f: &dyn Fn(&Editor) -> String| -> String {
        state.editor.with_value(|e| e.as_ref().map(f).unwrap_or_default())
    };
    let shown_ids = Memo::new(move |_| {
        state.track_editor();
        let filter = filter.get();
        state.editor.with_value(|e| match e {
            None => Vec::new(),
            Some(e) => match filter {
                Filter::All => e.filter(false, None),
                Filter::Errors => e.filter(true, None),
                Filter::Code(c) => e.filter(false, Some(c)),
            },
        })
    });
    let fields = Memo::new(move |_| {
        state
            .loaded
            .get()
            .map(|info| {
                Field::ALL
                    .into_iter()
                    .filter(|f| info.mapping.has(*f))
                    .collect::<Vec<_>>()
            })
            .unwrap_or_default()
    });
    let window = Memo::new(move |_| {
        let total = shown_ids.with(Vec::len);
        let first = ((scroll_top.get() / ROW_HEIGHT) as usize)
            .saturating_sub(OVERSCAN)
            .min(total);
        let count = (VIEWPORT / ROW_HEIGHT) as usize + 2 * OVERSCAN;
        (first, (first + count).min(total), total)
    });
    let visible = move || {
        let (first, last, _) = window.get();
        shown_ids.with(|ids| ids[first..last].to_vec())
    };

    let edit = move |id: usize, field: Field, value: String| {
        let outcome = state.edit(|e| {
            e.edit(id, field, &value);
            let line = e.row(id).map_or(0, |r| r.line);
            let errors = e.findings(id).iter().filter(|f| f.is_error()).count();
            if errors == 0 {
                format!("Line {line} is valid now.")
            } else {
                format!(
                    "Line {line} still has {errors} problem{}.",
                    if errors == 1 { "" } else { "s" }
                )
            }
        });
        state.announce.set(outcome.unwrap_or_default());
    };
    let delete = move |id: usize| {
        state.edit(|e| e.delete(id));
        state.announce.set("Row deleted.".into());
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
                    scroll_top.set(0.0);
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

    // Row `id`'s findings as they are now (tracks the editor).
    let findings_of = move |id: usize| -> Vec<Finding> {
        state.track_editor();
        state
            .editor
            .with_value(|e| e.as_ref().map(|e| e.findings(id)).unwrap_or_default())
    };
    let line_of = move |id: usize| {
        state
            .editor
            .with_value(|e| e.as_ref().and_then(|e| e.row(id)).map_or(0, |r| r.line))
    };

    // `row` holds the row's findings, computed once per change for all its cells.
    let cell = move |id: usize, field: Field, row: Memo<Vec<Finding>>| {
        // Shared by the marker, the tip and the ARIA attributes.
        let findings = Memo::new(move |_| {
            row.with(|all| {
                all.iter()
                    .filter(|f| f.field == Some(field))
                    .cloned()
                    .collect::<Vec<Finding>>()
            })
        });
        let value = move || {
            state.track_editor();
            state.editor.with_value(|e| {
                e.as_ref()
                    .and_then(|e| e.row(id))
                    .map(|r| r.get(field).to_owned())
                    .unwrap_or_default()
            })
        };
        let line = move || line_of(id);
        let invalid = move || findings.with(|f| f.iter().any(Finding::is_error));
        let warned = move || !invalid() && findings.with(|f| !f.is_empty());
        // In a workbook, the cell the finding is about, as the sheet names it.
        let cell_ref = move || {
            state.loaded.with(|info| {
                let info = info.as_ref()?;
                let sheet = info.sheet.as_ref()?;
                let column = info.mapping.column(field)? as u32 + sheet.first_column;
                Some(format!(
                    "{}: ",
                    CellRef {
                        sheet: &sheet.name,
                        column: Some(column),
                        row: line()
                    }
                ))
            })
        };
        let message = move || {
            let text = findings.with(|f| f.iter().map(|f| f.message.as_str()).collect::<Vec<_>>().join(" "));
            format!("{}{text}", cell_ref().unwrap_or_default())
        };
        let tip_id = format!("tip-{id}-{}", field.label().replace(' ', "-").to_lowercase());
        let tip_ref = tip_id.clone();
        view! {
            <td class="cell" class:invalid=invalid class:warned=warned>
                <input type="text" spellcheck="false"
                    aria-label=move || format!("{}, line {}", field.label(), line())
                    aria-invalid=move || if invalid() { "true" } else { "false" }
                    aria-describedby=move || if findings.with(Vec::is_empty) { None } else { Some(tip_ref.clone()) }
                    prop:value=value
                    on:change=move |ev| edit(id, field, event_target_value(&ev))/>
                <Show when=move || findings.with(|f| !f.is_empty())>
                    <span class="marker" aria-hidden="true">{move || if invalid() { "✗" } else { "!" }}</span>
                    <span class="tip" role="tooltip" id=tip_id.clone()>{message}</span>
                </Show>
            </td>
        }
    };

    let grid = move || {
        state.loaded.get().filter(|i| !i.unusable)?;
        Some(view! {
            <div class="grid-viewport" node_ref=viewport tabindex="-1"
                style:height=format!("{VIEWPORT_PX}px")
                on:scroll=move |ev| {
                    let el: web_sys::HtmlElement = event_target(&ev);
                    scroll_top.set(f64::from(el.scroll_top()));
                }>
                <table class="grid" id="grid" aria-rowcount=move || window.get().2 + 1>
                    <thead><tr>
                        <th scope="col">"Line"</th>
                        {move || fields.get().into_iter().map(|f| view! { <th scope="col">{f.label()}</th> }).collect_view()}
                        <th scope="col">"Status"</th>
                        <th scope="col"><span class="visually-hidden">"Actions"</span></th>
                    </tr></thead>
                    <tbody>
                        <tr class="spacer" aria-hidden="true" style:height=move || format!("{}px", window.get().0 * ROW_HEIGHT_PX)></tr>
                        <For each=visible key=|id| *id let:id>
                            {
                                let row = Memo::new(move |_| findings_of(id));
                                let status = move || {
                                    let errors = row.with(|all| all.iter().filter(|f| f.is_error()).count());
                                    if errors == 0 { "✓ valid".to_owned() } else { format!("✗ {errors} error{}", if errors == 1 { "" } else { "s" }) }
                                };
                                let row_findings = move || {
                                    row.with(|all| all.iter().filter(|f| f.field.is_none()).map(|f| f.message.as_str()).collect::<Vec<_>>().join(" "))
                                };
                                let line = move || line_of(id);
                                view! {
                                    <tr class="grid-row" style:height=format!("{ROW_HEIGHT_PX}px")>
                                        <th scope="row" class="num">{line}</th>
                                        {move || fields.get().into_iter().map(|f| cell(id, f, row)).collect_view()}
                                        <td class="status cell">
                                            {status}
                                            <Show when=move || !row_findings().is_empty()>
                                                <span class="tip" role="tooltip">{row_findings}</span>
                                            </Show>
                                        </td>
                                        <td><button type="button" class="icon" aria-label=move || format!("Delete line {}", line()) on:click=move |_| delete(id)>"Delete"</button></td>
                                    </tr>
                                }
                            }
                        </For>
                        <tr class="spacer" aria-hidden="true" style:height=move || { let (_, last, total) = window.get(); format!("{}px", (total - last) * ROW_HEIGHT_PX) }></tr>
                    </tbody>
                </table>
            </div>
        })
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
