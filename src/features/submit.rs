//! Step 7: submit and follow. Drives the submission engine with gloo-net, its
//! journal in IndexedDB, so a reload or a closed tab resumes the batch without
//! placing an order twice.

use crate::shared::alert::alert;
use crate::shared::ca::{send, TIMEOUT_MS};
use crate::shared::journal_store::{active_batch, set_active_batch, JournalStore};
use crate::shared::state::{use_app, AppState, RunCommand, RunPhase, RunView};
use futures_channel::mpsc;
use futures_util::future::{select, Either};
use futures_util::stream::{FuturesUnordered, StreamExt};
use leptos::prelude::*;
use leptos::task::spawn_local;
use smime_bulk_ca::engine::journal;
use smime_bulk_ca::engine::{BatchSpec, Engine, EngineConfig, Outcome, Phase, RequestId, RowState};
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

/// How often the loop looks for commands and refreshes the view, at most.
const TICK_MS: u64 = 200;
/// How often the row states (heavier) are published while running.
const STATES_EVERY_MS: f64 = 1000.0;

fn now_ms() -> u64 {
    js_sys::Date::now() as u64
}

/// A batch found in this browser's journal, waiting to be resumed.
#[derive(Clone, PartialEq)]
struct Pending {
    spec: Arc<BatchSpec>,
    placed: usize,
    text: Arc<String>,
    next_seq: u32,
}

/// The batches this page drives: a new one placed in the order step (the app
/// hands it to [`Runner::start`]), or one interrupted in this browser and
/// resumed here. The step's buttons command the batch driven last.
#[derive(Clone, Copy)]
pub struct Runner {
    state: AppState,
    /// A batch found in this browser's journal, neither resumed nor replaced yet.
    offered: RwSignal<Option<Pending>>,
    /// Where commands for the batch driven last go (its driver holds the receiver).
    commands: StoredValue<Option<mpsc::UnboundedSender<RunCommand>>>,
}

impl Runner {
    /// Drives nothing yet.
    pub fn new(state: AppState) -> Self {
        Runner {
            state,
            offered: RwSignal::new(None),
            commands: StoredValue::new(None),
        }
    }

    /// Starts driving `spec` from scratch. It becomes the browser's active
    /// batch, so an interrupted one is no longer offered.
    pub fn start(&self, spec: Arc<BatchSpec>) {
        self.offered.set(None);
        let state = self.state;
        let commands = self.listen();
        spawn_local(async move {
            let store = match JournalStore::open().await {
                Ok(s) => s,
                Err(e) => {
                    state.announce.set(e.clone());
                    return show_failed(state, spec, e);
                }
            };
            if let Err(e) = store.append(&spec.batch_id, 0, &journal::header(&spec)).await {
                return show_failed(state, spec, e);
            }
            set_active_batch(Some(&spec.batch_id));
            let engine = Engine::new((*spec).clone(), state.credentials(), engine_config(), now_ms());
            drive(state, store, engine, 1, commands).await;
        });
    }

    /// A new channel for the batch about to be driven: the buttons' commands
    /// go to it from now on.
    fn listen(&self) -> mpsc::UnboundedReceiver<RunCommand> {
        let (sender, receiver) = mpsc::unbounded();
        self.commands.set_value(Some(sender));
        receiver
    }

    /// Hands `command` to the batch driven last.
    fn command(&self, command: RunCommand) {
        self.commands.with_value(|sender| {
            if let Some(sender) = sender {
                // A driver that has stopped has dropped its receiver: nothing to command.
                let _ = sender.unbounded_send(command);
            }
        });
    }
}

fn view_of(engine: &Engine, phase: RunPhase) -> RunView {
    RunView {
        spec: Arc::new(engine.spec().clone()),
        states: Arc::new(engine.states().cloned().collect()),
        progress: engine.progress(now_ms()),
        phase,
    }
}

/// Shows a batch that could not start: its journal could not be opened or written.
fn show_failed(state: AppState, spec: Arc<BatchSpec>, why: String) {
    state.run.set(Some(RunView {
        spec,
        states: Arc::new(Vec::new()),
        progress: Default::default(),
        phase: RunPhase::Failed(why),
    }));
}

fn engine_config() -> EngineConfig {
    EngineConfig {
        seed: now_ms(),
        ..EngineConfig::default()
    }
}

/// Writes what the engine journaled since last time; `seq` numbers the records.
async fn persist(store: &JournalStore, engine: &mut Engine, seq: &mut u32) -> Result<(), String> {
    let entries = engine.take_journal();
    if entries.is_empty() {
        return Ok(());
    }
    let batch = engine.spec().batch_id.clone();
    store.append(&batch, *seq, &journal::lines(&entries)).await?;
    *seq += 1;
    Ok(())
}

type Flight = Pin<Box<dyn Future<Output = (RequestId, Outcome)>>>;

/// The driver loop: until the batch is finished or cancelled.
async fn drive(
    state: AppState,
    store: JournalStore,
    mut engine: Engine,
    mut seq: u32,
    mut commands: mpsc::UnboundedReceiver<RunCommand>,
) {
    let base = engine.spec().ca_url.clone();
    let mut in_flight: FuturesUnordered<Flight> = FuturesUnordered::new();
    let mut last_states = 0.0;
    let mut waiting_for_user = false;
    state.run.set(Some(view_of(&engine, RunPhase::Engine(Phase::Running))));
    loop {
        loop {
            let command = match commands.try_recv() {
                Ok(command) => command,
                // The channel closed: a newer batch took the buttons (this one
                // is halted or paused and sends nothing). Its view is the newer one's.
                Err(e) if e.is_closed() => return,
                Err(_) => break, // nothing waiting
            };
            match command {
                RunCommand::Pause => engine.pause(),
                RunCommand::Resume => {
                    engine.set_credentials(state.credentials());
                    engine.resume_sending();
                }
                RunCommand::Cancel => engine.cancel(),
                // The buttons only offer rows the view shows as unconfirmed;
                // a stale click (already decided) changes nothing.
                RunCommand::Accept { row, reference } => {
                    let _ = engine.accept_candidate(row, &reference);
                }
                RunCommand::Resend { row } => {
                    let _ = engine.resend(row);
                }
            }
        }
        let mut failure = persist(&store, &mut engine, &mut seq).await.err();
        while failure.is_none() {
            let Some(t) = engine.poll_transmit(now_ms()) else { break };
            // The "sending" transition is durable before the request leaves.
            failure = persist(&store, &mut engine, &mut seq).await.err();
            let base = base.clone();
            in_flight.push(Box::pin(
                async move { (t.id, send(&base, &t.request, TIMEOUT_MS).await) },
            ));
        }
        if let Some(why) = failure {
            engine.pause();
            state.run.set(Some(view_of(
                &engine,
                RunPhase::Failed(format!(
                    "{why}. Sending stopped so that nothing is lost; reload the page to resume."
                )),
            )));
            return;
        }
        let phase = engine.phase();
        let publish_states = js_sys::Date::now() - last_states > STATES_EVERY_MS || phase != Phase::Running;
        state.run.update(|run| match run {
            Some(view) if !publish_states => {
                view.progress = engine.progress(now_ms());
                view.phase = RunPhase::Engine(phase.clone());
            }
            _ => {
                last_states = js_sys::Date::now();
                *run = Some(view_of(&engine, RunPhase::Engine(phase.clone())));
            }
        });
        if in_flight.is_empty() && engine.is_idle() {
            match phase {
                // Unconfirmed rows wait here for the user's decision (announced once).
                Phase::Finished if engine.progress(now_ms()).unconfirmed > 0 => {
                    let n = engine.progress(now_ms()).unconfirmed;
                    if !std::mem::replace(&mut waiting_for_user, true) {
                        state.announce.set(format!(
                            "{n} orders could not be confirmed with the CA: decide for each in step 7."
                        ));
                    }
                }
                Phase::Finished => {
                    if engine.is_complete() {
                        set_active_batch(None);
                    }
                    let p = engine.progress(now_ms());
                    state
                        .announce
                        .set(format!("Batch finished: {} placed, {} rejected.", p.placed, p.rejected));
                    return;
                }
                Phase::Cancelled => {
                    set_active_batch(None);
                    state.announce.set("Batch cancelled.".into());
                    return;
                }
                _ => {} // paused or halted: wait for a command
            }
        }
        let wait = engine
            .next_wakeup()
            .map_or(TICK_MS, |at| at.saturating_sub(now_ms()))
            .min(TICK_MS) as u32;
        let timer = gloo_timers::future::TimeoutFuture::new(wait.max(1));
        if in_flight.is_empty() {
            timer.await;
        } else if let Either::Left((Some((id, outcome)), _)) = select(in_flight.next(), timer).await {
            engine.handle(id, outcome, now_ms());
        }
    }
}

/// The unconfirmed rows, each with its candidate orders and the two
/// decisions: "this is its order" or "order it again".
fn decisions(run: &RunView, runner: Runner) -> Option<impl IntoView> {
    let rows: Vec<_> = run
        .states
        .iter()
        .enumerate()
        .filter_map(|(row, s)| match s {
            RowState::Unconfirmed { reason, candidates, .. } => Some((row, reason.clone(), candidates.clone())),
            _ => None,
        })
        .collect();
    if rows.is_empty() {
        return None;
    }
    let items = rows
        .into_iter()
        .map(|(row, reason, candidates)| {
            let email = run.spec.rows[row].email.clone();
            let choices = candidates
                .into_iter()
                .map(|o| {
                    let reference = o.reference.clone();
                    let label = format!("{} is its order", o.reference);
                    view! {
                        <button type="button" class="secondary" data-accept=o.reference.clone()
                            on:click=move |_| runner.command(RunCommand::Accept { row, reference: reference.clone() })>{label}</button>
                    }
                })
                .collect_view();
            view! {
                <li data-row=row>
                    <p><strong>{email}</strong>": "{reason}</p>
                    <div class="actions">
                        {choices}
                        <button type="button" class="secondary" data-resend=row
                            on:click=move |_| runner.command(RunCommand::Resend { row })>"None is: order it again"</button>
                    </div>
                </li>
            }
        })
        .collect_view();
    Some(view! {
        <div id="unconfirmed" role="region" aria-label="Orders to decide">
            <p>"The CA may already hold these orders but could not confirm it. Check them in the CA's portal; ordering again would be a second, paid certificate if one exists."</p>
            <ul>{items}</ul>
        </div>
    })
}

/// Progress, controls, and the offer to resume a batch after a reload.
#[component]
pub fn SubmitStep(runner: Runner) -> impl IntoView {
    let state = use_app();
    let offered = runner.offered;
    let problem = RwSignal::new(None::<String>);

    // A batch left under way in this browser (a reload, a closed tab).
    spawn_local(async move {
        let Some(batch) = active_batch() else { return };
        let loaded = async {
            let store = JournalStore::open().await?;
            let (text, next_seq) = store.load(&batch).await?;
            let (spec, states) = journal::replay(&text).map_err(|e| format!("the saved batch cannot be read: {e}"))?;
            let placed = states.iter().filter(|s| matches!(s, RowState::Placed { .. })).count();
            Ok::<_, String>(Pending {
                spec: Arc::new(spec),
                placed,
                text: Arc::new(text),
                next_seq,
            })
        };
        match loaded.await {
            Ok(p) => offered.set(Some(p)),
            Err(e) => problem.set(Some(e)),
        }
    });

    let resume = move |_| {
        let Some(p) = offered.get_untracked() else { return };
        if state.secret_key.get_untracked().trim().is_empty() {
            problem.set(Some(
                "Enter the secret key in step 1 to resume: it is never saved with the batch.".into(),
            ));
            return;
        }
        if state.account_key.get_untracked().trim().is_empty() {
            state.account_key.set(p.spec.account_key.clone());
        }
        problem.set(None);
        offered.set(None);
        let commands = runner.listen();
        spawn_local(async move {
            let store = match JournalStore::open().await {
                Ok(s) => s,
                Err(e) => return problem.set(Some(e)),
            };
            let (spec, states) = match journal::replay(&p.text) {
                Ok(x) => x,
                Err(e) => return problem.set(Some(e.to_string())),
            };
            let creds = smime_bulk_ca::protocol::Credentials::new(
                spec.account_key.clone(),
                state.secret_key.get_untracked().trim(),
            );
            let mut engine = Engine::resume(spec, states, creds, engine_config(), now_ms());
            // Resuming is running the batch again: failed rows (the CA holds
            // no order for them) get a fresh set of attempts.
            engine.retry_failed();
            drive(state, store, engine, p.next_seq, commands).await;
        });
    };
    let discard = move |_| {
        if let Some(p) = offered.get_untracked() {
            let id = p.spec.batch_id.clone();
            spawn_local(async move {
                if let Ok(store) = JournalStore::open().await {
                    let _ = store.delete(&id).await;
                }
            });
        }
        set_active_batch(None);
        offered.set(None);
    };

    let progress = move || {
        let run = state.run.get()?;
        let p = run.progress.clone();
        // Tenths of a percent, in integers (the page carries no float printing).
        let tenths = (p.settled() * 1000).checked_div(p.total).unwrap_or(0);
        let phase_text = match &run.phase {
            RunPhase::Engine(Phase::Running) => "Sending…".to_owned(),
            RunPhase::Engine(Phase::Paused) => "Paused.".to_owned(),
            RunPhase::Engine(Phase::Halted(why)) => format!("Stopped by the CA: {why}. Fix it in step 1, then resume."),
            RunPhase::Engine(Phase::Cancelled) => "Cancelled.".to_owned(),
            RunPhase::Engine(Phase::Finished) if p.unconfirmed > 0 => format!(
                "{} orders need your decision: the CA may hold them, but could not confirm it.",
                p.unconfirmed
            ),
            RunPhase::Engine(Phase::Finished) if p.unknown + p.sending > 0 => {
                "Finished, but some outcomes are not confirmed yet: resume later to reconcile them.".to_owned()
            }
            RunPhase::Engine(Phase::Finished) => "Finished.".to_owned(),
            RunPhase::Failed(why) => why.clone(),
        };
        let running = matches!(run.phase, RunPhase::Engine(Phase::Running));
        let resumable = matches!(run.phase, RunPhase::Engine(Phase::Paused | Phase::Halted(_)));
        let active = running || resumable;
        let eta = p
            .eta_secs
            .map_or(String::new(), |s| format!(", about {} s left", s.round() as u64));
        let rate = (p.rate_per_sec * 10.0).round() as u64;
        Some(view! {
            <div id="run" data-phase=run.phase.name()>
                <p class="verdict" id="run-phase">{phase_text}</p>
                <progress id="run-progress" max="100" value=format!("{}.{}", tenths / 10, tenths % 10) aria-label="Orders settled">{format!("{}%", tenths / 10)}</progress>
                <dl class="counts">
                    <div><dt>"Placed"</dt><dd data-testid="placed">{p.placed}</dd></div>
                    <div><dt>"Rejected"</dt><dd data-testid="rejected">{p.rejected}</dd></div>
                    <div><dt>"Retrying"</dt><dd data-testid="retrying">{p.retrying}</dd></div>
                    <div><dt>"Unknown"</dt><dd data-testid="unknown">{p.unknown}</dd></div>
                    <div><dt>"Unconfirmed"</dt><dd data-testid="unconfirmed">{p.unconfirmed}</dd></div>
                    <div><dt>"Failed"</dt><dd data-testid="failed">{p.failed}</dd></div>
                    <div><dt>"Of"</dt><dd data-testid="total">{p.total}</dd></div>
                </dl>
                <p class="hint">{format!("{}.{} orders/s{eta}", rate / 10, rate % 10)}</p>
                {decisions(&run, runner)}
                <div class="actions">
                    <button type="button" id="pause" disabled=!running on:click=move |_| runner.command(RunCommand::Pause)>"Pause"</button>
                    <button type="button" id="resume" disabled=!resumable on:click=move |_| runner.command(RunCommand::Resume)>"Resume"</button>
                    <button type="button" class="secondary" id="cancel" disabled=!active on:click=move |_| runner.command(RunCommand::Cancel)>"Cancel the batch"</button>
                </div>
            </div>
        })
    };

    view! {
        <section class="step" id="step-submit" aria-labelledby="submit-title">
            <h2 id="submit-title" tabindex="-1">"7. Submit and follow"</h2>
            {move || offered.get().map(|p| view! {
                <div class="banner" id="resume-banner" role="region" aria-label="Unfinished batch">
                    <p>{format!("A batch of {} orders to {} was interrupted: {} placed so far. Enter the secret key in step 1, then resume it; nothing will be ordered twice.", p.spec.rows.len(), p.spec.ca_url, p.placed)}</p>
                    <div class="actions">
                        <button type="button" id="resume-batch" on:click=resume>"Resume the batch"</button>
                        <button type="button" class="secondary" id="discard-batch" on:click=discard>"Forget it"</button>
                    </div>
                </div>
            })}
            {alert(problem)}
            {move || progress().map(|v| v.into_any()).unwrap_or_else(|| view! { <p class="hint">"Orders you place in step 6 are sent from here, with progress."</p> }.into_any())}
        </section>
    }
}
