//! The review's grid of editable cells, virtualised: a fixed set of row
//! elements ("slots", see [`super::window`]) whose contents follow the scroll.
//!
//! Advice for hackers: a scroll creates no element and no reactive node. It
//! moves the window; each slot's one memo, a [`SlotView`] of the row it now
//! shows (see [`super::slot`]), is computed again, and only the bindings whose
//! piece of it changed write to the DOM. A cell is its text; only the cell
//! being edited holds an input (the `editing` signal names its row and
//! field), because a text input is costly to lay out and a scroll would
//! otherwise change about 90 of them a frame. Focus on a cell (Tab, a click)
//! opens its input; leaving the input closes it. An edit bumps the editor's
//! version: every slot's view is computed again, and only the rows whose
//! values or findings changed touch the DOM. A cell being edited follows its
//! row while the row keeps a slot (its pending text is committed first, as
//! leaving the cell would, and its text cursor goes back where it was); when
//! the row scrolls out, the cell is left and the focus goes to the grid. The
//! rows are flex boxes (style/main.css: a table's layout cost a third more
//! each frame), so the table's roles are written out: browsers may drop them
//! with the display.

use super::slot::{Mark, SheetColumns, SlotView};
use super::window::{Window, ROW_HEIGHT_PX, VIEWPORT_PX};
use super::Filter;
use crate::shared::state::AppState;
use leptos::prelude::*;
use smime_bulk_roster::mapping::Field;
use std::cell::RefCell;
use std::rc::Rc;
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
    // The one cell with an input: its row (by id, so it follows the row) and field.
    let editing = RwSignal::new(None::<(usize, Field)>);

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

    // The scroll: the focused cell is left, the window moves, then the cell
    // showing the same row takes the focus (after the move, so that its
    // focus handler reads the row it shows now).
    let on_scroll = move |ev: leptos::ev::Event| {
        let el: web_sys::HtmlElement = event_target(&ev);
        let top = usize::try_from(el.scroll_top()).unwrap_or(0);
        let before = window.get_untracked();
        let after = Window::at(top, before.total);
        let moved = after.first != before.first;
        // Where the text cursor is in an open input, before leaving it.
        let caret = moved.then(focused_caret).flatten();
        let refocus = moved
            .then(|| {
                tbody
                    .get_untracked()
                    .and_then(|body| leave_focus(&body, &el, before.first, &after))
            })
            .flatten();
        scroll_top.set(top);
        if let Some(target) = refocus {
            // The input opening again in its row's new slot puts the cursor
            // back (see `enter`).
            if let Some(at) = caret.filter(|_| target.has_attribute("data-field")) {
                let _ = target.set_attribute(CARET, &at.to_string());
            }
            let options = web_sys::FocusOptions::new();
            options.set_prevent_scroll(true);
            let _ = target.focus_with_options(&options);
        }
    };

    let slot = move |slot: usize| {
        let position = move || first.get() + slot;
        // Everything the slot shows, computed once per change of its row.
        let view = Memo::new(move |_| {
            state.track_editor();
            let id = shown_ids.with(|ids| ids.get(position()).copied());
            fields.with(|fields| {
                state.loaded.with(|info| {
                    let sheet = info.as_ref().and_then(|info| {
                        Some(SheetColumns {
                            sheet: info.sheet.as_ref()?,
                            mapping: &info.mapping,
                        })
                    });
                    state.editor.with_value(|e| {
                        e.as_ref()
                            .map(|e| SlotView::of(e, id, fields, sheet))
                            .unwrap_or_default()
                    })
                })
            })
        });
        // The field of this slot's row being edited: one subscriber to
        // `editing` per slot, and a scroll wakes no cell through it.
        let edited = Memo::new(move |_| match editing.get() {
            Some((id, field)) if view.with(|v| v.id) == Some(id) => Some(field),
            _ => None,
        });
        let line = move || view.with(|v| v.line);
        let status = move || {
            let errors = view.with(|v| v.errors);
            if errors == 0 {
                "✓ valid".to_owned()
            } else {
                format!("✗ {errors} error{}", if errors == 1 { "" } else { "s" })
            }
        };
        let notes = move || view.with(|v| v.row_notes.clone());
        let cells = move || {
            fields
                .get()
                .into_iter()
                .enumerate()
                .map(|(k, field)| cell(slot, k, field, view, editing, edited, edit))
                .collect_view()
        };
        view! {
            <tr class="grid-row" role="row" aria-rowindex=move || position() + 2 style:height=format!("{ROW_HEIGHT_PX}px")>
                <th scope="row" role="rowheader" class="num">{line}</th>
                {cells}
                <td role="cell" class=move || if view.with(|v| v.row_notes.is_empty()) { "status cell" } else { "status cell noted" }>
                    {status}
                    <span class="tip" role="tooltip">{notes}</span>
                </td>
                <td role="cell"><button type="button" class="icon" aria-label=move || format!("Delete line {}", line())
                    on:click=move |_| if let Some(id) = view.with_untracked(|v| v.id) { delete(id) }>"Delete"</button></td>
            </tr>
        }
    };

    view! {
        <div class="grid-viewport" node_ref=viewport tabindex="-1"
            style:height=format!("{VIEWPORT_PX}px")
            on:scroll=on_scroll>
            <table class="grid" id="grid" role="table" aria-rowcount=move || total.get() + 1>
                <thead><tr role="row" aria-rowindex="1">
                    <th scope="col" role="columnheader">"Line"</th>
                    {move || fields.get().into_iter().map(|f| view! { <th scope="col" role="columnheader">{f.label()}</th> }).collect_view()}
                    <th scope="col" role="columnheader">"Status"</th>
                    <th scope="col" role="columnheader"><span class="visually-hidden">"Actions"</span></th>
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

/// Cell `k` of slot `slot`, its `field`, as `view` has it: its text, and an
/// input only while it is the cell being edited (`editing`; `edited` is the
/// slot's share of it). Its marker is drawn by CSS from its class; its
/// tooltip (empty without findings) describes it, with an id that names the
/// slot.
fn cell(
    slot: usize,
    k: usize,
    field: Field,
    view: Memo<SlotView>,
    editing: RwSignal<Option<(usize, Field)>>,
    edited: Memo<Option<Field>>,
    edit: impl Fn(usize, Field, String) + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let mark = move || view.with(|v| v.cells.get(k).map_or(Mark::Clean, |c| c.mark));
    let invalid = move || mark() == Mark::Invalid;
    let value = move || view.with(|v| v.cells.get(k).map(|c| c.value.clone()).unwrap_or_default());
    let id = move || view.with_untracked(|v| v.id);
    let here = Memo::new(move |_| edited.get() == Some(field));
    let tip_id = format!("tip-{slot}-{}", field.label().replace(' ', "-").to_lowercase());
    let content = {
        let tip_id = tip_id.clone();
        move || {
            if here.get() {
                // The input belongs to the row it opened on, whatever the slot
                // shows by the time it commits (an edit can move the row out
                // of the filter before the blur that follows its change).
                let Some(row) = id() else { return ().into_any() };
                let held = Rc::new(RefCell::new(untrack(value)));
                // The input's text to its row, unless it is what the row holds.
                let commit = {
                    let held = held.clone();
                    move |input: web_sys::HtmlInputElement| {
                        let text = input.value();
                        if *held.borrow() != text {
                            held.replace(text.clone());
                            edit(row, field, text);
                        }
                    }
                };
                let initial = held.borrow().clone();
                let on_change = commit.clone();
                let on_escape = move |ev: leptos::ev::KeyboardEvent| {
                    if ev.key() == "Escape" {
                        // Back to the value held: nothing is committed.
                        let el: web_sys::HtmlInputElement = event_target(&ev);
                        el.set_value(&held.borrow());
                        el.select();
                    }
                };
                let input = NodeRef::<leptos::html::Input>::new();
                input.on_load(move |el| {
                    // Only where the user is: the cell holding the focus.
                    let active = document().active_element();
                    match el.parent_element() {
                        Some(td) if active.is_some_and(|a| a == td) => enter(&el),
                        td => {
                            if let Some(td) = td {
                                let _ = td.remove_attribute(CARET);
                            }
                            editing.set(None);
                        }
                    }
                });
                view! {
                    <input type="text" spellcheck="false" node_ref=input
                        aria-label=format!("{}, line {}", field.label(), view.with_untracked(|v| v.line))
                        aria-invalid=move || if invalid() { "true" } else { "false" }
                        aria-describedby=tip_id.clone()
                        // The attribute, set as the input is made (a `prop:value` is
                        // set a microtask later, which would undo the selection).
                        value=initial
                        on:change=move |ev| on_change(event_target(&ev))
                        on:keydown=on_escape
                        // A blur without a change (the window left while typing)
                        // commits too: closing the input must not lose its text.
                        on:blur=move |ev| {
                            commit(event_target(&ev));
                            editing.set(None);
                        }/>
                }
                .into_any()
            } else {
                view! { <span class="text">{value}</span> }.into_any()
            }
        }
    };
    let described = tip_id.clone();
    view! {
        <td role="cell" data-field=field.label()
            class=move || match mark() { Mark::Clean => "cell", Mark::Warned => "cell warned", Mark::Invalid => "cell invalid" }
            tabindex=move || if here.get() { "-1" } else { "0" }
            aria-invalid=move || invalid().then_some("true")
            aria-describedby=described
            on:focus=move |ev| {
                editing.set(id().map(|id| (id, field)));
                // Its input still open (left and come back to in one task, so
                // `here` never changed): back into it now.
                let td: web_sys::Element = event_target(&ev);
                if let Some(input) = td.first_element_child().and_then(|c| c.dyn_into::<web_sys::HtmlInputElement>().ok()) {
                    enter(&input);
                }
            }>
            {content}
            <span class="tip" role="tooltip" id=tip_id>{move || view.with(|v| v.cells.get(k).map(|c| c.message.clone()).unwrap_or_default())}</span>
        </td>
    }
}

/// The attribute of a cell whose input opens again after its row moved to
/// this slot while it was open: where its text cursor was.
const CARET: &str = "data-caret";

/// Into a cell's input: the focus, without scrolling (the cell's own focus
/// has scrolled it into view), and its text selected, as Tab selects a
/// field's text; or, for an input opening again after its row moved, the
/// cursor where it was ([`CARET`]): the keys typed next must not replace
/// those typed before the move. (An input that had text selected then has
/// all of it selected.)
fn enter(input: &web_sys::HtmlInputElement) {
    let options = web_sys::FocusOptions::new();
    options.set_prevent_scroll(true);
    let _ = input.focus_with_options(&options);
    let td = input.parent_element();
    let caret = td.as_ref().and_then(|td| td.get_attribute(CARET));
    // Read as usize, whose parser the page holds already (a u32 one would
    // add to the first load), then narrowed.
    let at = caret.as_deref().and_then(|c| c.parse::<usize>().ok());
    if let Some(td) = td.filter(|_| caret.is_some()) {
        let _ = td.remove_attribute(CARET);
    }
    match at.and_then(|at| u32::try_from(at).ok()) {
        Some(at) => {
            let _ = input.set_selection_range(at, at);
        }
        None => input.select(),
    }
}

/// Where the text cursor is in the focused element, if it is a text input
/// with no text selected (selected text is selected whole again: see `enter`).
fn focused_caret() -> Option<u32> {
    let input = document()
        .active_element()?
        .dyn_into::<web_sys::HtmlInputElement>()
        .ok()?;
    let end = input.selection_end().ok()??;
    (input.selection_start().ok()?? == end).then_some(end)
}

/// Before the window moves from `from` to `to`: a focused control in the
/// grid is left (so that its pending text is committed to its own row).
/// What takes the focus once the window has moved: if the row keeps a slot,
/// the same cell or control in that slot, otherwise the grid's `viewport`;
/// `None` if the focus was not in the grid. (A cell focused by Tab below the
/// rows in view scrolls the grid itself, before its input opens: the cell
/// follows its row too.)
fn leave_focus(
    tbody: &web_sys::HtmlElement,
    viewport: &web_sys::HtmlElement,
    from: usize,
    to: &Window,
) -> Option<web_sys::HtmlElement> {
    // The focus is on a text cell (its input not open yet) or on a control,
    // a cell's child; the cell is a row's, the row the body's (found by
    // walking, not by selectors: the first load is kept small).
    let focused = document().active_element()?;
    let text_cell = focused.has_attribute("data-field");
    let cell = if text_cell {
        Some(focused.clone())
    } else {
        focused.parent_element()
    }?;
    let tr = cell.parent_element()?;
    if !tr.parent_element().is_some_and(|p| p.is_same_node(Some(tbody))) {
        return None;
    }
    // Elements before it: the top spacer and the slots above; cells before it.
    let before = |el: &web_sys::Element| {
        std::iter::successors(el.previous_element_sibling(), |e| e.previous_element_sibling()).count()
    };
    let (Some(slot), column) = (before(&tr).checked_sub(1), before(&cell)) else {
        return None;
    };
    // Leaving an input commits it (its change event runs now).
    if !text_cell {
        let _ = focused.unchecked_ref::<web_sys::HtmlElement>().blur();
    }
    let position = from + slot;
    let nth = |first: Option<web_sys::Element>, n: usize| (0..n).try_fold(first?, |e, _| e.next_element_sibling());
    let target = to
        .holds(position)
        .then(|| nth(tbody.first_element_child(), position - to.first + 1))
        .flatten()
        .and_then(|tr| nth(tr.first_element_child(), column))
        // A text cell takes the focus itself (and opens its input); others, their control.
        .and_then(|cell| {
            if cell.has_attribute("data-field") {
                Some(cell)
            } else {
                cell.first_element_child()
            }
        });
    Some(target.map_or_else(|| viewport.clone(), |el| el.unchecked_into()))
}
