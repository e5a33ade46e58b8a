//! The review's grid of editable cells, virtualised: a fixed set of row
//! elements ("slots", see [`super::window`]) whose contents follow the scroll.
//!
//! Advice for hackers: a scroll creates no element and no reactive node. It
//! moves the window; each slot's `id` memo then names another row, and only
//! what depends on it (values, findings, labels) writes to the DOM. An edit
//! bumps the editor's version: each slot's findings and each cell's value are
//! memos, so only the rows whose findings or values changed touch the DOM. A
//! focused cell follows its row while the row keeps a slot (its pending text
//! is committed first, as leaving the cell would); when the row scrolls out,
//! the cell is left and the focus goes to the grid.

use super::window::{Window, ROW_HEIGHT_PX, VIEWPORT_PX};
use super::Filter;
use crate::shared::state::AppState;
use leptos::prelude::*;
use smime_bulk_roster::mapping::Field;
use smime_bulk_roster::sheet::CellRef;
use smime_bulk_roster::Finding;
use wasm_bindgen::JsCast;

/// The grid over the rows `filter` lets through. `scroll_top` is the
/// viewport's scroll position (the step resets it with the filter).
#[component]
pub fn Grid(
    state: AppState,
    filter: RwSignal<Filter>,
    scroll_top: RwSignal<usize>,
    viewport: NodeRef<leptos::html::Div>,
) -> impl IntoView {
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
    let total = Memo::new(move |_| shown_ids.with(Vec::len));
    let window = Memo::new(move |_| Window::at(scroll_top.get(), total.get()));
    // Apart, so that a scroll within a row wakes no slot.
    let first = Memo::new(move |_| window.get().first);
    let count = Memo::new(move |_| window.get().count);
    let tbody = NodeRef::<leptos::html::Tbody>::new();

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

    // The scroll: the focused cell follows its row, then the window moves.
    let on_scroll = move |ev: leptos::ev::Event| {
        let el: web_sys::HtmlElement = event_target(&ev);
        let top = usize::try_from(el.scroll_top()).unwrap_or(0);
        let before = window.get_untracked();
        let after = Window::at(top, before.total);
        if after.first != before.first {
            if let Some(body) = tbody.get_untracked() {
                follow_focus(&body, &el, before.first, &after);
            }
        }
        scroll_top.set(top);
    };

    let slot = move |slot: usize| {
        let position = move || first.get() + slot;
        let id = Memo::new(move |_| shown_ids.with(|ids| ids.get(position()).copied()));
        // The row's findings, computed once per change for all its cells.
        let row = Memo::new(move |_| {
            state.track_editor();
            let id = id.get();
            state
                .editor
                .with_value(|e| e.as_ref().zip(id).map(|(e, id)| e.findings(id)).unwrap_or_default())
        });
        let line = Memo::new(move |_| {
            let id = id.get();
            state
                .editor
                .with_value(|e| e.as_ref().zip(id).and_then(|(e, id)| e.row(id)).map_or(0, |r| r.line))
        });
        let status = move || {
            let errors = row.with(|all| all.iter().filter(|f| f.is_error()).count());
            if errors == 0 {
                "✓ valid".to_owned()
            } else {
                format!("✗ {errors} error{}", if errors == 1 { "" } else { "s" })
            }
        };
        let row_findings = move || {
            row.with(|all| {
                all.iter()
                    .filter(|f| f.field.is_none())
                    .map(|f| f.message.as_str())
                    .collect::<Vec<_>>()
                    .join(" ")
            })
        };
        let cells = move || {
            fields
                .get()
                .into_iter()
                .map(|field| cell(state, slot, id, line, row, field, edit))
                .collect_view()
        };
        view! {
            <tr class="grid-row" aria-rowindex=move || position() + 2 style:height=format!("{ROW_HEIGHT_PX}px")>
                <th scope="row" class="num">{line}</th>
                {cells}
                <td class="status cell">
                    {status}
                    <Show when=move || !row_findings().is_empty()>
                        <span class="tip" role="tooltip">{row_findings}</span>
                    </Show>
                </td>
                <td><button type="button" class="icon" aria-label=move || format!("Delete line {}", line.get())
                    on:click=move |_| if let Some(id) = id.get_untracked() { delete(id) }>"Delete"</button></td>
            </tr>
        }
    };

    view! {
        <div class="grid-viewport" node_ref=viewport tabindex="-1"
            style:height=format!("{VIEWPORT_PX}px")
            on:scroll=on_scroll>
            <table class="grid" id="grid" aria-rowcount=move || total.get() + 1>
                <thead><tr aria-rowindex="1">
                    <th scope="col">"Line"</th>
                    {move || fields.get().into_iter().map(|f| view! { <th scope="col">{f.label()}</th> }).collect_view()}
                    <th scope="col">"Status"</th>
                    <th scope="col"><span class="visually-hidden">"Actions"</span></th>
                </tr></thead>
                <tbody node_ref=tbody>
                    <tr class="spacer" aria-hidden="true" style:height=move || format!("{}px", window.get().above_px)></tr>
                    <For each=move || 0..count.get() key=|s| *s let:s>{slot(s)}</For>
                    <tr class="spacer" aria-hidden="true" style:height=move || format!("{}px", window.get().below_px)></tr>
                </tbody>
            </table>
        </div>
    }
}

/// The editable `field` of the row in slot `slot` (row `id`, on `line`, with
/// findings `row`); its tooltip's id names the slot.
fn cell(
    state: AppState,
    slot: usize,
    id: Memo<Option<usize>>,
    line: Memo<u32>,
    row: Memo<Vec<Finding>>,
    field: Field,
    edit: impl Fn(usize, Field, String) + Copy + Send + Sync + 'static,
) -> impl IntoView {
    // Shared by the marker, the tip and the ARIA attributes.
    let findings = Memo::new(move |_| {
        row.with(|all| {
            all.iter()
                .filter(|f| f.field == Some(field))
                .cloned()
                .collect::<Vec<Finding>>()
        })
    });
    let value = Memo::new(move |_| {
        state.track_editor();
        let id = id.get();
        state.editor.with_value(|e| {
            e.as_ref()
                .zip(id)
                .and_then(|(e, id)| e.row(id))
                .map(|r| r.get(field).to_owned())
                .unwrap_or_default()
        })
    });
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
                    row: line.get()
                }
            ))
        })
    };
    let message = move || {
        let text = findings.with(|f| f.iter().map(|f| f.message.as_str()).collect::<Vec<_>>().join(" "));
        format!("{}{text}", cell_ref().unwrap_or_default())
    };
    let tip_id = format!("tip-{slot}-{}", field.label().replace(' ', "-").to_lowercase());
    let tip_ref = tip_id.clone();
    view! {
        <td class="cell" class:invalid=invalid class:warned=warned>
            <input type="text" spellcheck="false"
                aria-label=move || format!("{}, line {}", field.label(), line.get())
                aria-invalid=move || if invalid() { "true" } else { "false" }
                aria-describedby=move || if findings.with(Vec::is_empty) { None } else { Some(tip_ref.clone()) }
                prop:value=value
                on:change=move |ev| if let Some(id) = id.get_untracked() { edit(id, field, event_target_value(&ev)) }/>
            <Show when=move || findings.with(|f| !f.is_empty())>
                <span class="marker" aria-hidden="true">{move || if invalid() { "✗" } else { "!" }}</span>
                <span class="tip" role="tooltip" id=tip_id.clone()>{message}</span>
            </Show>
        </td>
    }
}

/// Before the window moves from `from` to `to`: a focused control in the
/// grid is left (so that its pending text is committed to its own row); if
/// its row keeps a slot, the same control in that slot takes the focus,
/// otherwise the grid's viewport does. Nothing scrolls.
fn follow_focus(tbody: &web_sys::HtmlElement, viewport: &web_sys::HtmlElement, from: usize, to: &Window) {
    // Every control of the grid is a cell's child; the cell a row's, the
    // row the body's (found by walking, not by selectors: the first load is
    // kept small).
    let Some(focused) = document().active_element() else {
        return;
    };
    let Some(cell) = focused.parent_element() else {
        return;
    };
    let Some(tr) = cell.parent_element() else {
        return;
    };
    if !tr.parent_element().is_some_and(|p| p.is_same_node(Some(tbody))) {
        return;
    }
    // Elements before it: the top spacer and the slots above; cells before it.
    let before = |el: &web_sys::Element| {
        std::iter::successors(el.previous_element_sibling(), |e| e.previous_element_sibling()).count()
    };
    let (Some(slot), column) = (before(&tr).checked_sub(1), before(&cell)) else {
        return;
    };
    // Leaving the cell commits it (its change event runs now).
    let _ = focused.unchecked_ref::<web_sys::HtmlElement>().blur();
    let position = from + slot;
    let nth = |first: Option<web_sys::Element>, n: usize| (0..n).try_fold(first?, |e, _| e.next_element_sibling());
    let target = to
        .holds(position)
        .then(|| nth(tbody.first_element_child(), position - to.first + 1))
        .flatten()
        .and_then(|tr| nth(tr.first_element_child(), column))
        .and_then(|cell| cell.first_element_child());
    let options = web_sys::FocusOptions::new();
    options.set_prevent_scroll(true);
    let _ = match target {
        Some(el) => el.unchecked_ref::<web_sys::HtmlElement>().focus_with_options(&options),
        None => viewport.focus_with_options(&options),
    };
}
