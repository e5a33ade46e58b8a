//! Step: load the roster by file picker, drag-and-drop anywhere, or paste.

use crate::shared::alert::alert;
use crate::shared::file::{read_bytes, BrowserBytes};
use crate::shared::state::{use_app, AppState, Reading, RosterInput};
use leptos::ev;
use leptos::prelude::*;
use leptos::task::spawn_local;
use smime_bulk_roster::template::{TEMPLATE_CSV, TEMPLATE_FILE_NAME};
use smime_bulk_roster::Mode;

/// Loads `file` into the state, or reports why it could not be read: a
/// file over the size limit is refused before its bytes are read into the
/// tab, with the engine's `file_too_large` message.
fn load_file(state: AppState, file: web_sys::File) {
    let limits = state.config.get_untracked().limits.into();
    let size = usize::try_from(file.size() as u64).unwrap_or(usize::MAX);
    if let Some(too_large) = smime_bulk_roster::limits::Limits::file_size(&limits, size) {
        state
            .load_error
            .set(Some(format!("\"{}\": {}", file.name(), too_large.message)));
        return;
    }
    spawn_local(async move {
        match read_bytes(&file).await {
            Ok(bytes) => {
                set_input(
                    state,
                    RosterInput {
                        source: file.name(),
                        bytes,
                        mode: Mode::Auto,
                    },
                );
            }
            Err(message) => state.load_error.set(Some(message)),
        }
    });
}

/// Replaces the roster (the column mapping starts over with it).
fn set_input(state: AppState, input: RosterInput) {
    state.load_error.set(None);
    state.mapping_choice.set(None);
    state.sheet_choice.set(None);
    state.input.set(Some(input));
    // The next thing to look at is the review of what was read.
    crate::shared::focus::focus_soon("review-title");
}

/// A small roster to try the workflow with.
const SAMPLE: &str = "First Name,Last Name,Email,Country,Csr\r\n\
Jane,Doe,jane.doe@example.com,GB,\r\n\
Jürgen,Müller,juergen.mueller@example.com,DE,\r\n\
Amélie,Laurent,amelie.laurent@example.org,FR,\r\n\
Siân,O'Brien,sian.obrien@mail.example.com,UK,\r\n\
Kenji,Sato,kenji.sato@example.org,JP,\r\n\
,Madonna,madonna@example.com,US,\r\n\
Bob,Stone,bob.stone@gmail.com,US,\r\n\
Ana,García,ana.garcia@example.com,Spain,\r\n";

/// File input, paste box, template link, and a page-wide drop target.
#[component]
pub fn LoadStep() -> impl IntoView {
    let state = use_app();
    let pasted = RwSignal::new(String::new());
    let dragging = RwSignal::new(false);

    let on_file = move |ev: ev::Event| {
        let input: web_sys::HtmlInputElement = event_target(&ev);
        if let Some(file) = input.files().and_then(|files| files.get(0)) {
            load_file(state, file);
        }
        // Let the same file be chosen again after it was edited on disk.
        input.set_value("");
    };
    let on_paste_check = move |_| {
        let text = pasted.get();
        if text.trim().is_empty() {
            state.load_error.set(Some(
                "The paste box is empty. Paste a spreadsheet range, CSV text or a list of addresses first.".into(),
            ));
            return;
        }
        set_input(
            state,
            RosterInput {
                source: "pasted text".into(),
                bytes: BrowserBytes::copied_from(text.as_bytes()),
                mode: Mode::Auto,
            },
        );
    };

    // Drag-and-drop anywhere on the page.
    let has_files = |e: &web_sys::DragEvent| {
        e.data_transfer()
            .is_some_and(|dt| dt.types().iter().any(|t| t.as_string().as_deref() == Some("Files")))
    };
    let over = window_event_listener(ev::dragover, move |e| {
        if has_files(&e) {
            e.prevent_default();
            dragging.set(true);
        }
    });
    let leave = window_event_listener(ev::dragleave, move |e| {
        if e.related_target().is_none() {
            dragging.set(false);
        }
    });
    let drop = window_event_listener(ev::drop, move |e| {
        e.prevent_default();
        dragging.set(false);
        let file = e
            .data_transfer()
            .and_then(|dt| dt.files())
            .and_then(|files| files.get(0));
        if let Some(file) = file {
            load_file(state, file);
        }
    });
    on_cleanup(move || {
        over.remove();
        leave.remove();
        drop.remove();
    });

    let template_href = format!(
        "data:text/csv;charset=utf-8,{}",
        js_sys::encode_uri_component(TEMPLATE_CSV)
    );
    view! {
        <section class="step" id="step-load" aria-labelledby="load-title">
            <h2 id="load-title" tabindex="-1">"3. Load the roster"</h2>
            <p class="hint">
                "A workbook (.xlsx, .ods, .xls) or a CSV or text export with the columns First Name, Last Name, Email, Country and Csr (Csr may be empty), "
                "or a list of addresses. "
                <a href=template_href download=TEMPLATE_FILE_NAME>"Download the CSV template"</a>
                " · "
                <button type="button" class="link" id="load-sample" on:click=move |_| {
                    set_input(state, RosterInput { source: "sample roster".into(), bytes: BrowserBytes::copied_from(SAMPLE.as_bytes()), mode: Mode::Auto });
                }>"Try a sample roster"</button>
            </p>
            <div class="load-options">
                <div class="picker">
                    <label for="roster-file">"Choose a file"</label>
                    <input type="file" id="roster-file" accept=".csv,.txt,.tsv,.xlsx,.xlsm,.ods,.xls,text/csv,text/plain" on:change=on_file/>
                    <p class="hint">"…or drop it anywhere on this page."</p>
                </div>
                <div class="paste">
                    <label for="roster-paste">"Or paste a spreadsheet range, CSV text or a list of addresses"</label>
                    <textarea id="roster-paste" rows="5"
                        placeholder="Jane Doe <jane@example.com>; bob@example.com"
                        prop:value=move || pasted.get()
                        on:input=move |ev| pasted.set(event_target_value(&ev))
                    ></textarea>
                    <button type="button" id="check-paste" on:click=on_paste_check>"Check pasted text"</button>
                </div>
            </div>
            {move || state.reading.get().map(|reading| {
                let (label, done, total) = match reading {
                    Reading::Checking(p) => (format!("Checking the roster: {} rows so far", p.rows), p.bytes_done, p.bytes_total),
                    Reading::Preparing { done, total } => (format!("Preparing the review of {total} rows"), done, total),
                };
                let percent = (done * 100).checked_div(total).unwrap_or(0);
                view! {
                    <div class="reading" id="reading">
                        <label for="reading-progress">{format!("{label} ({percent}%)")}</label>
                        <progress id="reading-progress" max="100" value=percent></progress>
                        <button type="button" id="cancel-reading" on:click=move |_| state.cancel_reading()>"Cancel"</button>
                    </div>
                }
            })}
            {alert(state.load_error)}
        </section>
        <div class="drop-overlay" class:visible=move || dragging.get() aria-hidden="true">
            <p>"Drop the roster file to check it"</p>
        </div>
    }
}
