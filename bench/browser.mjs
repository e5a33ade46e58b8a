// The browser benchmark, in one headless Chromium session against the
// release dist/: Papa Parse 5.7.1 + a JavaScript validator against our wasm
// engine, bytes → report, each in a Web Worker, on generated rosters of 10k,
// 100k and 1M rows (median of 5 after a warm-up); then, in the app itself,
// the time from the file chosen to the summary at 100k and 1M rows (and over
// the engine's own time; the file is chosen once the engine worker has
// warmed up and said it is ready, as it has by the time a user has
// connected), with the stages' times, the main thread's longest task while the 1M-row
// roster loads, and the p95 frame time while scrolling and while editing the
// 100k-row review grid (scrolled again with the CPU slowed 2× and 4×), and
// while scrolling the largest roster's, with the frames missed. Prints a
// table, then `key=value` lines ending with `first_load_brotli_kb=N` and,
// last, `speedup_vs_papaparse_100k=X.XX`.
// Figures only: nothing here passes or fails on a time.
// BENCH_SIZES=10000,100000 picks the sizes; BENCH_PARTS=engine (or app)
// runs only the side-by-side timings (or only the app's long tasks and grid);
// BENCH_RUNS=25 times each engine 25 times (5 by default).
import { readFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { dirname, join } from "node:path";
import { serveStatic } from "../tests/support/static-server.mjs";
import { launch } from "../tests/support/browser.mjs";
import { roster, DOMAINS } from "../tests/support/roster.mjs";
import { encodeOptions } from "../tests/support/engine.mjs";
import { bundleReport } from "../tools/bundle-size.mjs";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const SIZES = (process.env.BENCH_SIZES ?? "10000,100000,1000000").split(",").map(Number);
/** Timed runs of each engine at each size (after one untimed); BENCH_RUNS for steadier medians. */
const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const PARTS = (process.env.BENCH_PARTS ?? "engine,app").split(",");
/** CPU slow-downs the 100k grid is scrolled under too, to show its headroom. */
const THROTTLE_RATES = [2, 4];

/** ISO 3166 alpha-2 codes and XX, read from the engine's own table. */
async function countries() {
  const table = await readFile(join(root, "crates/roster/src/country/table.rs"), "utf8");
  const codes = [...table.matchAll(/^\s*\("([A-Z]{2})", "[A-Z]{3}"\),$/gm)].map((m) => m[1]);
  if (codes.length < 249) throw new Error(`only ${codes.length} country codes found in table.rs`);
  return [...codes, "XX"];
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const log = (...a) => console.error("[bench]", ...a);

/** Runs `RUNS + 1` checks of the page's `window.roster` in a fresh worker at `url`; returns their messages. */
async function timeWorker(page, url, request) {
  return page.evaluate(
    async ({ url, request, runs }) => {
      const worker = new Worker(url);
      const next = () => new Promise((resolve, reject) => {
        worker.onerror = (e) => reject(new Error(e.message));
        worker.onmessage = ({ data }) => {
          if (data.kind === "report" || data.kind === "ready" || data.kind === "error") resolve(data);
        };
      });
      const ready = await next();
      if (ready.kind !== "ready") throw new Error(`worker said ${ready.kind}`);
      const out = [];
      for (let i = 0; i < runs + 1; i++) {
        const bytes = window.roster.slice(0);
        const message = { ...request, id: i + 1, bytes };
        if (request.options) message.options = new Uint8Array(request.options);
        const answer = next();
        worker.postMessage(message, [bytes]);
        const data = await answer;
        if (data.kind !== "report") throw new Error(data.message ?? "no report");
        out.push({ elapsed_ms: data.elapsed_ms, memory_bytes: data.memory_bytes ?? null, report_bytes: data.report_bytes ?? null });
      }
      worker.terminate();
      return out;
    },
    { url, request, runs: RUNS },
  );
}

/** The app loading `rows` rows by its file input: wall time and the main thread's long tasks meanwhile. */
async function appLoad(browser, url, rows, bytes) {
  const page = await browser.newPage();
  await page.addInitScript(() => {
    window.__long = [];
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) window.__long.push({ start: e.startTime, duration: e.duration });
    }).observe({ type: "longtask", buffered: true });
    // The engine worker's own messages, as they reach the page: its warm-up
    // rounds' times (`ready`), when each piece of rows came, and the report
    // with the worker's own time from the bytes to the encoded report
    // (`elapsed_ms`), to set beside the page's marks.
    window.__engine = [];
    window.__warmUp = null;
    const NativeWorker = window.Worker;
    window.Worker = class extends NativeWorker {
      constructor(...args) {
        super(...args);
        this.addEventListener("message", (e) => {
          const kind = e.data?.kind;
          if (kind === "ready") window.__warmUp = e.data.warm_up_ms ?? [];
          if (kind === "rows" || kind === "report") window.__engine.push({ kind, at: performance.now(), elapsed: e.data.elapsed_ms });
        });
      }
    };
  });
  await page.goto(url);
  await page.waitForSelector("#roster-file", { state: "attached" });
  await page.fill("#domains", DOMAINS.join(", "));
  await page.locator("#domains").press("Tab");
  // The file reaches the page (over the DevTools protocol) before the clock starts.
  const handle = await page.evaluateHandle(({ b64, name }) => {
    const bin = atob(b64);
    const buf = new Uint8Array(bin.length);
    for (let i = 0; i < bin.length; i++) buf[i] = bin.charCodeAt(i);
    return new File([buf], name, { type: "text/csv" });
  }, { b64: bytes.toString("base64"), name: `roster-${rows}.csv` });
  // As after a user has connected: the engine worker (started once the
  // page is up) has warmed up and said it is ready.
  await page.waitForFunction(() => window.__warmUp, null, { timeout: 60_000 });
  const started = await page.evaluate(() => performance.now());
  await page.evaluate((file) => {
    const input = document.querySelector("#roster-file");
    const dt = new DataTransfer();
    dt.items.add(file);
    input.files = dt.files;
    input.dispatchEvent(new Event("change", { bubbles: true }));
  }, handle);
  // Looked for at every frame (not every 50 ms, which would add 25 ms on average).
  await page.waitForFunction((n) => document.querySelector("[data-testid=rows]")?.innerText === String(n), rows, { timeout: 600_000, polling: "raf" });
  const done = await page.evaluate(() => performance.now());
  await page.waitForTimeout(300);
  const long = (await page.evaluate(() => window.__long)).filter((t) => t.start >= started);
  // Where the time went: the page's User Timing marks (src/shared/slices.rs `mark`), in order.
  const marks = (await page.evaluate(() => performance.getEntriesByType("mark").map((m) => [m.name, m.startTime])))
    .filter(([name, at]) => name.startsWith("smime-bulk:") && at >= started);
  let last = started;
  const stages = marks.map(([name, at]) => {
    const stage = `${name.slice("smime-bulk:".length)} +${(at - last).toFixed(0)}`;
    last = at;
    return stage;
  });
  stages.push(`shown +${(done - last).toFixed(0)}`);
  const engine = (await page.evaluate(() => window.__engine)).filter((m) => m.at >= started);
  const report = engine.find((m) => m.kind === "report");
  const pieces = engine.filter((m) => m.kind === "rows");
  if (report) {
    const first = pieces.length ? `, first of ${pieces.length} row pieces at +${(pieces[0].at - started).toFixed(0)}` : "";
    const last = pieces.length ? `, last at +${(pieces[pieces.length - 1].at - started).toFixed(0)}` : "";
    stages.push(`(the worker's own check ${report.elapsed.toFixed(0)} ms${first}${last}, report at +${(report.at - started).toFixed(0)})`);
  }
  for (const t of long) stages.push(`(a main-thread task of ${t.duration.toFixed(0)} ms at +${(t.start - started).toFixed(0)})`);
  const warm = await page.evaluate(() => window.__warmUp);
  stages.push(`(its warm-up before: ${warm.length} rounds of ${warm.map((ms) => ms.toFixed(0)).join(", ")} ms)`);
  log(`the app at ${rows} rows, ms since the previous stage: ${stages.join(", ")}`);
  return { page, wall_ms: done - started, long, stages };
}

/**
 * Edits `edits` cells of the review grid one after another, each committed
 * as a user commits it (a change event), alternating a valid and an invalid
 * address so each edit changes findings; the time from the edit to the next
 * frame after it, in ms.
 */
async function editFrames(page, edits) {
  return page.evaluate(async (edits) => {
    const times = [];
    for (let i = 0; i < edits; i++) {
      // The cell opened first, as a click opens it (not timed): its input.
      const cells = [...document.querySelectorAll("#grid tr.grid-row td[data-field='Email']")];
      cells[i % cells.length].focus({ preventScroll: true });
      let input;
      for (let frame = 0; !(input = document.activeElement)?.matches("#grid input"); frame++) {
        if (frame === 100) throw new Error("a focused cell of the grid opened no input");
        await new Promise((r) => requestAnimationFrame(r));
      }
      const started = performance.now();
      input.value = i % 2 ? `edited.${i}@example.com` : `edited.${i}@@example.com`;
      input.dispatchEvent(new Event("change", { bubbles: true }));
      await new Promise((r) => requestAnimationFrame(r));
      times.push(performance.now() - started);
    }
    return times;
  }, edits);
}

/**
 * Scrolls the review grid top to bottom over `frames` animation frames; the
 * frame times in ms, as intervals between the frames' start times (the
 * timestamps requestAnimationFrame hands its callbacks), and as intervals
 * between the callbacks' own clock readings (these add when each callback
 * happened to run within its frame).
 */
async function scrollFrames(page, frames) {
  return page.evaluate(async (frames) => {
    const grid = document.querySelector(".grid-viewport");
    const times = [];
    const callbacks = [];
    let last = await new Promise((r) => requestAnimationFrame(r));
    let lastNow = performance.now();
    for (let i = 1; i <= frames; i++) {
      grid.scrollTop = (i / frames) * (grid.scrollHeight - grid.clientHeight);
      const start = await new Promise((r) => requestAnimationFrame(r));
      const now = performance.now();
      times.push(start - last);
      callbacks.push(now - lastNow);
      last = start;
      lastNow = now;
    }
    const rows = document.querySelectorAll("#grid tr.grid-row");
    return { times, callbacks, rows: rows.length, lastLine: Number(rows[rows.length - 1]?.querySelector("th").textContent) };
  }, frames);
}

const rosters = new Map(SIZES.map((n) => [n, Buffer.from(roster(n))]));
const files = {
  "bench.html": "<!doctype html><meta charset=utf-8><title>smime-bulk benchmark</title>",
  "papa-worker.js": await readFile(join(root, "bench/papa-worker.js")),
  "papaparse.min.js": await readFile(join(root, "node_modules/papaparse/papaparse.min.js")),
};
for (const [n, bytes] of rosters) files[`roster-${n}.csv`] = bytes;
const server = await serveStatic(join(root, "dist"), { files });
const browser = await launch();
const codes = await countries();
const loader = "./engine-worker_loader.js";
const results = [];
try {
  const page = await browser.newPage();
  page.on("pageerror", (e) => log("page error:", e.message));
  await page.goto(`${server.url}bench.html`);
  for (const [n, bytes] of PARTS.includes("engine") ? rosters : []) {
    await page.evaluate(async (name) => {
      window.roster = await (await fetch(name)).arrayBuffer();
    }, `roster-${n}.csv`);
    log(`${n} rows (${(bytes.length / 1e6).toFixed(1)} MB): Papa Parse + JS`);
    const papa = await timeWorker(page, "./papa-worker.js", { kind: "check", domains: DOMAINS, countries: codes });
    log(`${n} rows: smime-bulk engine (wasm)`);
    const ours = await timeWorker(page, loader, { kind: "check", options: [...encodeOptions(DOMAINS)] });
    const row = (name, runs) => {
      const ms = median(runs.slice(1).map((r) => r.elapsed_ms));
      const { memory_bytes: memory, report_bytes: report } = runs.at(-1);
      // The first run too: what a user's first roster meets (the code not yet
      // fully compiled, the memory not yet grown); the median leaves it out.
      const first = runs[0].elapsed_ms;
      return { engine: name, rows: n, mb: bytes.length / 1e6, ms, first, mbps: bytes.length / 1e6 / (ms / 1000), memory, report };
    };
    results.push(row("papaparse+js", papa), row("smime-bulk wasm", ours));
  }
  await page.close();

  // The app: each roster of 100k rows or more loaded through the page (the
  // largest's long tasks kept), and the 100k grid scrolled and edited.
  const big = Math.max(...SIZES);
  const mid = SIZES.includes(100_000) ? 100_000 : Math.min(...SIZES);
  // Set when the app part runs (its figures are printed only then).
  let load, scroll, edit;
  let scrollBig = null;
  const throttled = new Map();
  const loads = new Map();
  const stages = new Map();
  if (PARTS.includes("app")) {
    for (const n of SIZES.filter((n) => n >= Math.min(100_000, big)).sort((a, b) => b - a)) {
      log(`the app loading ${n} rows`);
      const run = await appLoad(browser, server.url, n, rosters.get(n));
      loads.set(n, run.wall_ms);
      stages.set(n, run.stages);
      if (n === big) load = run;
      if (n !== mid) {
        // The largest roster's grid scrolled too: it must stay usable.
        if (n === big && n > mid) {
          log(`the app's review grid at ${n} rows: scrolling`);
          await run.page.waitForSelector(".grid-viewport");
          await scrollFrames(run.page, 30); // warm-up
          scrollBig = await scrollFrames(run.page, 240);
        }
        await run.page.close();
        continue;
      }
      log(`the app's review grid at ${mid} rows: scrolling, then editing`);
      await run.page.waitForSelector(".grid-viewport");
      await scrollFrames(run.page, 30); // warm-up
      scroll = await scrollFrames(run.page, 240);
      // The headroom: the same scroll with the CPU slowed down (Chromium's
      // DevTools throttling), to see how far a slower machine is from a miss.
      const cdp = await run.page.context().newCDPSession(run.page);
      for (const rate of THROTTLE_RATES) {
        await cdp.send("Emulation.setCPUThrottlingRate", { rate });
        throttled.set(rate, await scrollFrames(run.page, 240));
      }
      await cdp.send("Emulation.setCPUThrottlingRate", { rate: 1 });
      await run.page.evaluate(() => {
        const grid = document.querySelector(".grid-viewport");
        grid.scrollTop = (grid.scrollHeight - grid.clientHeight) / 2;
      });
      await run.page.waitForTimeout(200);
      await editFrames(run.page, 5); // warm-up
      edit = await editFrames(run.page, 60);
      await run.page.close();
    }
  }

  const bundle = await bundleReport(join(root, "dist"));
  console.log("");
  console.log("engine            rows        MB     median ms   first run ms     MB/s   peak memory (×file)");
  const mb = (bytes, r) => `${(bytes / 1e6).toFixed(0)} MB (${(bytes / 1e6 / r.mb).toFixed(1)}×)`;
  for (const r of results) {
    // Ours: the wasm memory (it only grows: its size is the peak), and the
    // report's pieces, copied out of it as they fill, in buffers of their own.
    const memory = r.memory == null
      ? "n/a (JS heap not measurable in a worker)"
      : `${mb(r.memory + r.report, r)}: wasm ${mb(r.memory, r)} + report ${mb(r.report, r)}`;
    console.log(`${r.engine.padEnd(16)} ${String(r.rows).padStart(8)} ${r.mb.toFixed(1).padStart(8)} ${r.ms.toFixed(1).padStart(12)} ${r.first.toFixed(1).padStart(14)} ${r.mbps.toFixed(1).padStart(8)}   ${memory}`);
  }
  // The app part's figures, when it ran (BENCH_PARTS=engine runs without it).
  const app = PARTS.includes("app");
  /** The app part's `key=value` lines, printed after the bundle's line. */
  const appFigures = [];
  if (app) {
    const longest = load.long.reduce((m, t) => Math.max(m, t.duration), 0);
    console.log("");
    console.log(`app, ${big} rows loaded through the page: ${load.wall_ms.toFixed(0)} ms to the summary; main-thread tasks over 50 ms meanwhile: ${load.long.length}, longest ${longest.toFixed(0)} ms`);
    const p95of = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length * 0.95)];
    // A frame interval over 1.5 frames (25 ms) is a frame missed; below it,
    // intervals over 16.7 ms are the frame clock's jitter, not a miss.
    const missed = (xs) => xs.filter((t) => t > 1.5 * (1000 / 60)).length;
    const p95 = p95of(scroll.times);
    const p95edit = p95of(edit);
    console.log(`app, review grid of ${mid} rows scrolled top to bottom in 240 frames: p95 frame time ${p95.toFixed(2)} ms, median ${median(scroll.times).toFixed(2)} ms, frames missed (over 25 ms) ${missed(scroll.times)}, ${scroll.rows} row elements; callback to callback: p95 ${p95of(scroll.callbacks).toFixed(1)} ms, median ${median(scroll.callbacks).toFixed(1)} ms`);
    if (scrollBig) console.log(`app, review grid of ${big} rows scrolled top to bottom in 240 frames: p95 frame time ${p95of(scrollBig.times).toFixed(1)} ms, median ${median(scrollBig.times).toFixed(1)} ms, frames missed ${missed(scrollBig.times)}, ${scrollBig.rows} row elements, last line shown ${scrollBig.lastLine}`);
    for (const [rate, t] of throttled) {
      console.log(`app, review grid of ${mid} rows scrolled with the CPU slowed ${rate}×: p95 frame time ${p95of(t.times).toFixed(1)} ms, median ${median(t.times).toFixed(1)} ms, frames missed ${missed(t.times)} of 240`);
    }
    console.log(`app, review grid of ${mid} rows, ${edit.length} cells edited one after another: p95 edit-to-frame ${p95edit.toFixed(1)} ms, median ${median(edit).toFixed(1)} ms`);
    // File chosen → summary in the page, over the engine's own bytes → report in a bare worker.
    const engineMs = (n) => results.find((r) => r.rows === n && r.engine === "smime-bulk wasm")?.ms;
    const summaries = [...loads].sort(([a], [b]) => a - b).map(([n, ms]) => ({ n, ms, over: ms / engineMs(n) }));
    for (const { n, ms, over } of summaries) {
      console.log(`app, ${n} rows: ${ms.toFixed(0)} ms from the file chosen to the summary = ${over.toFixed(2)}× the engine's own ${engineMs(n)?.toFixed(0) ?? "n/a"} ms`);
      console.log(`app, ${n} rows, ms per stage: ${stages.get(n).join(", ")}`);
    }
    appFigures.push(`longest_main_thread_task_ms_${big}=${longest.toFixed(0)}`);
    appFigures.push(`grid_p95_frame_ms_${mid}=${p95.toFixed(1)}`);
    appFigures.push(`grid_missed_frames_${mid}=${missed(scroll.times)}`);
    appFigures.push(`grid_p95_edit_frame_ms_${mid}=${p95edit.toFixed(1)}`);
    if (scrollBig) appFigures.push(`grid_p95_frame_ms_${big}=${p95of(scrollBig.times).toFixed(1)}`);
    for (const { n, ms, over } of summaries) {
      appFigures.push(`app_to_summary_ms_${n}=${ms.toFixed(0)}`);
      if (Number.isFinite(over)) appFigures.push(`app_over_engine_${n}=${over.toFixed(2)}`);
    }
  }
  console.log(`bundle: first load ${(bundle.firstLoad.brotli / 1024).toFixed(1)} KB brotli (${(bundle.firstLoad.raw / 1024).toFixed(0)} KB raw); engine worker, loaded once the page is up, ${(bundle.later.brotli / 1024).toFixed(1)} KB brotli`);
  for (const line of appFigures) console.log(line);
  console.log(`first_load_brotli_kb=${Math.round(bundle.firstLoad.brotli / 1024)}`);
  const at100k = (engine) => results.find((r) => r.rows === 100_000 && r.engine === engine)?.ms;
  if (at100k("papaparse+js") && at100k("smime-bulk wasm")) {
    console.log(`speedup_vs_papaparse_100k=${(at100k("papaparse+js") / at100k("smime-bulk wasm")).toFixed(2)}`);
  }
} finally {
  await browser.close();
  await server.close();
}
