//! The state the steps share, as signals. Rules live in the crates; this only
//! holds values and wires rebuilds.

use crate::shared::config::AppConfig;
use crate::shared::engine::{self, Checked, EngineError};
use crate::shared::file::BrowserBytes;
use crate::shared::slices::{mark, yield_now, Budget};
use leptos::prelude::*;
use leptos::task::spawn_local;
use smime_bulk_ca::engine::{BatchSpec, Phase, Progress, RowState};
use smime_bulk_ca::protocol::{Credentials, Product, Profile};
use smime_bulk_roster::decode::TextEncoding;
use smime_bulk_roster::domains::{DomainListError, ValidatedDomains};
use smime_bulk_roster::editor::{Editor, KeyIndex};
use smime_bulk_roster::mapping::{Field, Mapping};
use smime_bulk_roster::sheet::SheetSource;
use smime_bulk_roster::sniff::Delimiter;
use smime_bulk_roster::{wire, CheckProgress, Mode, Options};
use std::sync::Arc;

/// A roster as loaded: where it came from and its bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RosterInput {
    /// File name, or "pasted text".
    pub source: String,
    /// The bytes as read, held by the browser; sent nowhere but to the
    /// engine worker.
    pub bytes: BrowserBytes,
    /// How to read them.
    pub mode: Mode,
}

/// What loading found out, besides the rows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoadInfo {
    /// File name or "pasted text".
    pub source: String,
    /// Encoding used.
    pub encoding: Option<TextEncoding>,
    /// Delimiter of a table.
    pub delimiter: Option<Delimiter>,
    /// Table or list.
    pub mode: Mode,
    /// The header record as written.
    pub headers: Vec<String>,
    /// The mapping used.
    pub mapping: Mapping,
    /// The sheet read, when the roster is a workbook (and the others there are).
    pub sheet: Option<SheetSource>,
    /// Whether a file-level error makes the roster unusable.
    pub unusable: bool,
}

/// Reading a roster: the engine worker checks it, then the page takes the
/// report over a slice at a time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reading {
    /// The worker is checking the roster.
    Checking(CheckProgress),
    /// The page is taking over the report: rows done of all.
    Preparing {
        /// Rows taken over.
        done: usize,
        /// Rows in all.
        total: usize,
    },
}

/// Rows the page takes over in one step, between two looks at the task's
/// time budget (see [`crate::shared::slices`]): a step is a millisecond or
/// two, so no task runs far past the budget.
const STEP_ROWS: usize = 1_024;

/// The result of "Test connection".
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Connection {
    /// Not tried yet.
    Untested,
    /// Under way.
    Testing,
    /// It worked; what the CA said.
    Ok(String),
    /// It failed; why, in words a user can act on.
    Failed(String),
}

/// A batch run's view for the submit and results steps.
#[derive(Debug, Clone, PartialEq)]
pub struct RunView {
    /// The batch.
    pub spec: Arc<BatchSpec>,
    /// Each row's state.
    pub states: Arc<Vec<RowState>>,
    /// Counts, rate, ETA.
    pub progress: Progress,
    /// Running, paused, halted (with why), cancelled, done, or failed.
    pub phase: RunPhase,
}

/// Where a run stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RunPhase {
    /// As the engine tells it (`Engine::phase`): running, paused, halted by
    /// the CA, cancelled or finished.
    Engine(Phase),
    /// The journal could not be opened or written: stopped so nothing is lost.
    Failed(String),
}

impl RunPhase {
    /// The stable lower-case name of the phase (the page's `data-phase`).
    pub fn name(&self) -> &'static str {
        match self {
            RunPhase::Engine(phase) => phase.name(),
            RunPhase::Failed(_) => "failed",
        }
    }
}

/// A command for the running batch.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RunCommand {
    /// Stop handing out requests.
    Pause,
    /// Hand them out again.
    Resume,
    /// Give the batch up.
    Cancel,
    /// The user's decision on an unconfirmed row: candidate `reference` is its order.
    Accept {
        /// The row.
        row: usize,
        /// The candidate order's reference.
        reference: String,
    },
    /// The user's decision on an unconfirmed row: none of its candidates is its order.
    Resend {
        /// The row.
        row: usize,
    },
}

/// Signals shared through context.
#[derive(Clone, Copy)]
pub struct AppState {
    /// The seed of the address keys' hash for this page's checks, drawn at
    /// random (see [`Options::key_seed`]).
    key_seed: u64,
    /// Presets from config.json.
    pub config: RwSignal<AppConfig>,
    /// The chosen CA's base URL.
    pub ca_url: RwSignal<String>,
    /// The dialect it speaks (its preset's, or chosen for another CA).
    pub ca_profile: RwSignal<Profile>,
    /// Account key.
    pub account_key: RwSignal<String>,
    /// Secret key: in memory only (sessionStorage only on explicit opt-in).
    pub secret_key: RwSignal<String>,
    /// The user's opt-in to keep the secret in sessionStorage.
    pub remember_secret: RwSignal<bool>,
    /// Outcome of "Test connection".
    pub connection: RwSignal<Connection>,
    /// The validated domains as typed or loaded.
    pub domains_text: RwSignal<String>,
    /// Exact domain matching (no subdomains).
    pub exact_domains: RwSignal<bool>,
    /// The typed domains, parsed.
    pub domains: Memo<Result<ValidatedDomains, DomainListError>>,
    /// The loaded roster, if any.
    pub input: RwSignal<Option<RosterInput>>,
    /// The user's column mapping (column index → field), if changed.
    pub mapping_choice: RwSignal<Option<Vec<Option<Field>>>>,
    /// The workbook's sheet the user picked; `None` reads the first.
    pub sheet_choice: RwSignal<Option<String>>,
    /// What loading found out.
    pub loaded: RwSignal<Option<LoadInfo>>,
    /// How far reading the roster has come; `None` when it is not being read.
    pub reading: RwSignal<Option<Reading>>,
    /// The first records, every column as read, for the mapping preview.
    pub preview: RwSignal<Vec<Vec<String>>>,
    /// Bumped for each roster read and each cancel: work for an older one stops.
    pub generation: StoredValue<u64>,
    /// The roster being fixed (not reactive itself: see
    /// [`AppState::track_editor`]). Changed only through [`AppState::edit`]
    /// and [`AppState::set_editor`].
    pub editor: StoredValue<Option<Editor>>,
    /// Bumped after every change to `editor`.
    version: RwSignal<u64>,
    /// A message about loading (a file that could not be read).
    pub load_error: RwSignal<Option<String>>,
    /// The CA's products.
    pub products: RwSignal<Vec<Product>>,
    /// Chosen product code.
    pub product: RwSignal<String>,
    /// Chosen validity in days.
    pub period: RwSignal<u32>,
    /// The current or last run.
    pub run: RwSignal<Option<RunView>>,
    /// An announcement for screen readers (the live region).
    pub announce: RwSignal<String>,
}

/// Where the secret is kept when the user opts in.
pub const SESSION_SECRET_KEY: &str = "smime-bulk.secret-key";

impl AppState {
    /// Creates the signals, and the effects that rebuild the editor when the
    /// roster or the mapping changes and re-check it when the domains change.
    pub fn new() -> Self {
        let domains_text = RwSignal::new(String::new());
        let state = AppState {
            key_seed: random_seed(),
            config: RwSignal::new(AppConfig::default()),
            ca_url: RwSignal::new(AppConfig::default().cas[0].url.clone()),
            ca_profile: RwSignal::new(AppConfig::default().cas[0].profile),
            account_key: RwSignal::new(String::new()),
            secret_key: RwSignal::new(session_secret().unwrap_or_default()),
            remember_secret: RwSignal::new(session_secret().is_some()),
            connection: RwSignal::new(Connection::Untested),
            domains_text,
            exact_domains: RwSignal::new(false),
            domains: Memo::new(move |_| ValidatedDomains::parse_list(&domains_text.get())),
            input: RwSignal::new(None),
            mapping_choice: RwSignal::new(None),
            sheet_choice: RwSignal::new(None),
            loaded: RwSignal::new(None),
            reading: RwSignal::new(None),
            preview: RwSignal::new(Vec::new()),
            generation: StoredValue::new(0),
            editor: StoredValue::new(None),
            version: RwSignal::new(0),
            load_error: RwSignal::new(None),
            products: RwSignal::new(Vec::new()),
            product: RwSignal::new(String::new()),
            period: RwSignal::new(0),
            run: RwSignal::new(None),
            announce: RwSignal::new(String::new()),
        };

        // A new roster or mapping: read it again, in the engine worker, and
        // start a fresh editor.
        Effect::new(move |_| {
            let Some(input) = state.input.get() else { return };
            let mapping = state.mapping_choice.get();
            state.sheet_choice.track();
            let options = state.options_untracked(input.mode, mapping);
            state.reading.set(Some(Reading::Checking(CheckProgress {
                bytes_total: input.bytes.byte_length(),
                ..CheckProgress::default()
            })));
            let generation = state.generation.get_value() + 1;
            state.generation.set_value(generation);
            mark("read");
            spawn_local(async move {
                let checked = engine::check(&input.bytes, &options, move |p| {
                    if state.generation.get_value() == generation {
                        state.reading.set(Some(Reading::Checking(p)));
                    }
                })
                .await;
                let outcome = match checked {
                    Ok(Checked {
                        rows,
                        index,
                        report,
                        preview,
                    }) => take_over(state, generation, (rows, index), &report, &options)
                        .await
                        .map(|e| (e, preview)),
                    Err(EngineError::Cancelled) => return,
                    Err(EngineError::Failed(why)) => Err(why),
                };
                // Replaced by a newer roster, or cancelled (see `cancel_reading`).
                if state.generation.get_value() != generation {
                    return;
                }
                state.reading.set(None);
                match outcome {
                    Ok(((editor, info), preview)) => {
                        state.preview.set(preview);
                        state.loaded.set(Some(LoadInfo {
                            source: input.source.clone(),
                            ..info
                        }));
                        state.announce.set(format!(
                            "{}: {} rows read, {} valid, {} need a fix.",
                            input.source,
                            editor.len(),
                            editor.valid_count(),
                            editor.invalid_count()
                        ));
                        state.set_editor(Some(editor));
                        mark("editor-set");
                    }
                    Err(why) => state.load_error.set(Some(format!(
                        "The roster could not be read: {why}. Reload the page and try again."
                    ))),
                }
            });
        });

        // Other domains: re-check every row, keeping the user's edits.
        Effect::new(move |previous: Option<()>| {
            let domains = state.domains.get().unwrap_or_default();
            let exact = state.exact_domains.get();
            if previous.is_none() {
                return;
            }
            state.edit(|e| e.set_domains(domains, exact));
        });

        // CSRs typed into the grid are checked in the engine worker (the page
        // does not carry the CSR checks); their rows stay `csr_pending` until then.
        let asked: StoredValue<std::collections::BTreeSet<String>> = StoredValue::new(Default::default());
        Effect::new(move |_| {
            state.track_editor();
            let pending = state
                .editor
                .with_value(|e| e.as_ref().map(|e| e.pending_csrs()).unwrap_or_default());
            let new: Vec<String> = pending
                .into_iter()
                .filter(|p| !asked.with_value(|a| a.contains(p)))
                .collect();
            if new.is_empty() {
                return;
            }
            asked.update_value(|a| a.extend(new.iter().cloned()));
            spawn_local(async move {
                let outcomes = engine::check_csrs(&new).await;
                asked.update_value(|a| {
                    for p in &new {
                        a.remove(p);
                    }
                });
                match outcomes {
                    Ok(outcomes) => {
                        state.edit(|e| e.add_csr_outcomes(outcomes));
                    }
                    Err(EngineError::Cancelled) => {}
                    Err(EngineError::Failed(why)) => state.announce.set(format!("A CSR could not be checked: {why}.")),
                }
            });
        });

        // The secret lives in sessionStorage only while the user opts in.
        Effect::new(move |_| {
            let remember = state.remember_secret.get();
            let secret = state.secret_key.get();
            if let Some(storage) = web_sys::window().and_then(|w| w.session_storage().ok().flatten()) {
                let _ = if remember && !secret.is_empty() {
                    storage.set_item(SESSION_SECRET_KEY, &secret)
                } else {
                    storage.remove_item(SESSION_SECRET_KEY)
                };
            }
        });
        state
    }

    /// Options for checking, from the current domains (read without tracking).
    pub fn options_untracked(&self, mode: Mode, mapping: Option<Vec<Option<Field>>>) -> Options {
        Options {
            mode,
            domains: self.domains.get_untracked().unwrap_or_default(),
            exact_domains: self.exact_domains.get_untracked(),
            mapping,
            limits: self.config.get_untracked().limits.into(),
            sheet: self.sheet_choice.get_untracked(),
            key_seed: self.key_seed,
        }
    }

    /// Reads the workbook's sheet `name` instead (its columns are mapped anew).
    pub fn choose_sheet(&self, name: String) {
        self.mapping_choice.set(None);
        self.sheet_choice.set(Some(name));
    }

    /// Stops reading the roster under way and forgets it.
    pub fn cancel_reading(&self) {
        engine::cancel();
        self.generation.update_value(|g| *g += 1);
        self.reading.set(None);
        self.input.set(None);
        self.loaded.set(None);
        self.preview.set(Vec::new());
        self.set_editor(None);
        self.announce.set("Reading the roster was cancelled.".into());
    }

    /// Changes the roster being fixed, if there is one, and bumps `version`:
    /// everything that tracks the editor looks again. `None` if there is none.
    pub fn edit<R>(&self, change: impl FnOnce(&mut Editor) -> R) -> Option<R> {
        let result = self.editor.try_update_value(|e| e.as_mut().map(change)).flatten();
        if result.is_some() {
            self.version.update(|v| *v += 1);
        }
        result
    }

    /// Makes the effect or memo running now run again when the roster being
    /// fixed changes.
    pub fn track_editor(&self) {
        self.version.track();
    }

    /// Puts `editor` (a roster just read, or none) in place of the one being
    /// fixed, and bumps `version`.
    pub fn set_editor(&self, editor: Option<Editor>) {
        self.editor.set_value(editor);
        self.version.update(|v| *v += 1);
    }

    /// Chooses the CA at `url`, with its preset's profile if it has one.
    pub fn choose_ca(&self, url: String) {
        if let Some(preset) = self.config.get_untracked().cas.into_iter().find(|c| c.url == url) {
            self.ca_profile.set(preset.profile);
        }
        self.ca_url.set(url);
    }

    /// The products to offer for a CA without a product API: the chosen
    /// preset's catalogue, or the profile's built-in one for another CA.
    pub fn catalogue_untracked(&self) -> Vec<Product> {
        let url = self.ca_url.get_untracked();
        match self.config.get_untracked().cas.into_iter().find(|c| c.url == url) {
            Some(preset) => preset.catalogue(),
            None => self.ca_profile.get_untracked().catalogue(),
        }
    }

    /// The credentials as entered.
    pub fn credentials(&self) -> Credentials {
        Credentials::new(
            self.account_key.get_untracked().trim(),
            self.secret_key.get_untracked().trim(),
        )
    }
}

/// Takes the worker's report over (`rows` decoded as the worker sent them,
/// and grouped by key in `index`, then the rest, `bytes`) a step of rows at a time, yielding to the
/// browser once a task has used its budget so the page stays responsive
/// (see [`crate::shared::slices`]); `Err` if the
/// report cannot be read. Stops early (with an editor nobody will use) when a
/// newer roster replaces this one.
async fn take_over(
    state: AppState,
    generation: u64,
    (rows, index): (wire::RowPieces, KeyIndex),
    bytes: &[u8],
    options: &Options,
) -> Result<(Editor, LoadInfo), String> {
    let unreadable = |e: wire::WireError| format!("the engine worker's report could not be read ({e})");
    let current = || state.generation.get_value() == generation;
    mark("checked");
    let mut decoder = wire::ReportDecoder::after_rows(bytes, rows).map_err(unreadable)?;
    let total = decoder.rows_total();
    let mut budget = Budget::start();
    let preparing = |done: usize| state.reading.set(Some(Reading::Preparing { done, total }));
    while !decoder.decode_rows(STEP_ROWS).map_err(unreadable)? && current() {
        if budget.spent() {
            preparing(decoder.rows_done() / 2);
            budget.yield_if_spent().await;
        }
    }
    mark("rows-decoded");
    while !decoder.decode_findings(STEP_ROWS).map_err(unreadable)? && current() {
        budget.yield_if_spent().await;
    }
    let report = decoder.finish().map_err(unreadable)?;
    let info = LoadInfo {
        source: String::new(),
        encoding: report.encoding,
        delimiter: report.delimiter,
        mode: report.mode,
        headers: report.headers.clone(),
        mapping: report.mapping.clone(),
        sheet: report.sheet.clone(),
        unusable: report.is_unusable(),
    };
    mark("findings-decoded");
    budget.yield_if_spent().await;
    let mut editor = Editor::unindexed_with(report, options, index);
    while !editor.index_keys(STEP_ROWS) && current() {
        if budget.spent() {
            preparing((total + editor.indexed()) / 2);
            budget.yield_if_spent().await;
        }
    }
    mark("indexed");
    // The review's first render of a million rows is a task of its own.
    yield_now().await;
    Ok((editor, info))
}

/// 64 bits from the browser's random source (0 if it has none, as the CLI's).
fn random_seed() -> u64 {
    let mut bytes = [0u8; 8];
    if let Some(c) = web_sys::window().and_then(|w| w.crypto().ok()) {
        let _ = c.get_random_values_with_u8_array(&mut bytes);
    }
    u64::from_le_bytes(bytes)
}

fn session_secret() -> Option<String> {
    let storage = web_sys::window()?.session_storage().ok()??;
    storage
        .get_item(SESSION_SECRET_KEY)
        .ok()
        .flatten()
        .filter(|s| !s.is_empty())
}

/// The shared state from context.
pub fn use_app() -> AppState {
    expect_context::<AppState>()
}
