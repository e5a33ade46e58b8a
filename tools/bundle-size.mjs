// The bundle report: sizes of what dist/ makes a browser download, raw, gzip
// and brotli (the most a CDN does), split into the first load (what the page
// fetches before anyone touches it) and what is fetched later (the engine
// worker, started when a roster is loaded).
//
//   node tools/bundle-size.mjs [--check] [--json] [dist]
//
// Prints a table and the line `first_load_brotli_kb=N`. With --check it exits
// 1 when the first load exceeds BUDGET_KB; sizes are deterministic for a given
// build, so this is a test, unlike timings.
import { readFile, readdir } from "node:fs/promises";
import { join } from "node:path";
import { gzipSync, brotliCompressSync, constants } from "node:zlib";

/**
 * The first-load budget, brotli, in KB (1 KB = 1024 bytes). 302 since the page's
 * reads (the connection check, the domains, the products) are sent again after
 * a fault that may pass (+0.6 KB) and a cell's input that follows its row to
 * another slot keeps its text cursor, so the keys typed next replace none
 * typed before (+0.3 KB): 301.0 KB when raised. 301 since the review
 * grid's rows are flex boxes with the table's roles written out (+0.5 KB,
 * 300.1 KB when raised; "refresh statuses" retrying its reads had been paid
 * for by one shared alert view and wasm-opt's --converge), which took the
 * layout of a scrolled frame at 100k rows from 5.3 to 3.6 ms. 300 since the review
 * grid's cells are text with one input for the cell being edited, and each
 * row element reads one view of its row (focus following the edited cell, the
 * slot view: +1.9 KB, 299.8 KB when raised), which took the 100k-row grid's p95
 * scroll frame from 27.3 to 20.1 ms on one machine. 298 since the page
 * decodes and groups the rows as the worker sends them (wire::RowPieces,
 * editor::KeyIndex, the rows' key hashes: +1.4 KB, 297.9 KB when raised),
 * which took a million rows from file to summary from 4.0 s to 1.4 s. 297 since the review
 * grid reuses its row elements and reaches every row of a million (its window
 * arithmetic and focus keeping, +3 KB) and the page takes a report over in
 * budgeted slices yielding through a MessageChannel (+0.7 KB): 295.6 KB when
 * raised. 295 since the page learnt the hardening's limits and invisible characters, the redirect
 * handling and the workbook's sheet choice (291.8 KB when raised). 290 since
 * the page learnt bulk enrollment (the order step's second mode, the engine's chunked
 * path and its settling; 285 KB when raised, from 274). 280 since the page
 * learnt SSL.com's dialect, the reconciliation sweep, unconfirmed decisions and
 * the CA check (273 KB when raised; it was 250 at 244). What the page's wasm
 * (281.0 KB of the 291.8) is made of, measured by building it without a part
 * (wasm-opt -Oz, brotli): the submission engine and its driver are 13.2 KB;
 * the steps themselves, each with its views and what only it uses, are
 * connect 15.3, order 13.0, submit 18.8 and results 12.2 KB; order, submit
 * and results together 64.3 KB, all four 83.3 KB (the dialects' answer
 * parsing and the CA types' serde go only with the last of them). So a
 * worker for the engine alone gets to about 279 KB; 200 needs the four steps'
 * views out of the first load (a module fetched on the way to step 6 with
 * connect's test fetched on use), and some 8 KB more. `tools/wasm-sizes.mjs`
 * says where the rest is by crate (tachys 61 KB, the page's own code 51,
 * core 36, reactive_graph 16, alloc 14, the ca crate 16, roster 14, serde_json 11).
 */
export const BUDGET_KB = 302;

/** Sizes of every file in `dist`, each tagged first load or later. */
export async function bundleReport(dist) {
  const html = await readFile(join(dist, "index.html"), "utf8");
  // The first load: index.html, what it references (scripts, styles, preloads),
  // what those scripts import, and config.json, which the app fetches at start.
  const referenced = new Set(["index.html", "config.json"]);
  // Quoted or not (a minified page drops the quotes).
  for (const m of html.matchAll(/(?:src|href)=["']?\.\/([^"'\s>]+)/g)) referenced.add(m[1]);
  for (const name of [...referenced]) {
    if (!name.endsWith(".js")) continue;
    const js = await readFile(join(dist, name), "utf8").catch(() => "");
    for (const m of js.matchAll(/["']\.\/([^"']+\.(?:js|wasm))["']/g)) referenced.add(m[1]);
  }
  const files = [];
  for (const name of (await readdir(dist)).sort()) {
    const body = await readFile(join(dist, name));
    files.push({
      name,
      firstLoad: referenced.has(name),
      raw: body.length,
      gzip: gzipSync(body, { level: 9 }).length,
      brotli: brotliCompressSync(body, { params: { [constants.BROTLI_PARAM_QUALITY]: 11, [constants.BROTLI_PARAM_SIZE_HINT]: body.length } }).length,
    });
  }
  const total = (list, key) => list.reduce((n, f) => n + f[key], 0);
  const first = files.filter((f) => f.firstLoad);
  const later = files.filter((f) => !f.firstLoad);
  return {
    files,
    firstLoad: { raw: total(first, "raw"), gzip: total(first, "gzip"), brotli: total(first, "brotli") },
    later: { raw: total(later, "raw"), gzip: total(later, "gzip"), brotli: total(later, "brotli") },
  };
}

const kb = (n) => (n / 1024).toFixed(1).padStart(8);

/** The report as a table. */
export function formatReport(report) {
  const lines = [`${"file".padEnd(44)} ${"load".padEnd(6)} ${"raw KB".padStart(8)} ${"gzip KB".padStart(8)} ${"br KB".padStart(8)}`];
  for (const f of report.files) {
    lines.push(`${f.name.padEnd(44)} ${(f.firstLoad ? "first" : "later").padEnd(6)} ${kb(f.raw)} ${kb(f.gzip)} ${kb(f.brotli)}`);
  }
  lines.push(`${"first load".padEnd(44)} ${"".padEnd(6)} ${kb(report.firstLoad.raw)} ${kb(report.firstLoad.gzip)} ${kb(report.firstLoad.brotli)}`);
  lines.push(`${"later (engine worker)".padEnd(44)} ${"".padEnd(6)} ${kb(report.later.raw)} ${kb(report.later.gzip)} ${kb(report.later.brotli)}`);
  return lines.join("\n");
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const args = process.argv.slice(2);
  const dist = args.find((a) => !a.startsWith("--")) ?? "dist";
  const report = await bundleReport(dist);
  if (args.includes("--json")) {
    console.log(JSON.stringify(report));
  } else {
    console.log(formatReport(report));
    console.log(`first_load_brotli_kb=${Math.round(report.firstLoad.brotli / 1024)}`);
  }
  if (args.includes("--check") && report.firstLoad.brotli > BUDGET_KB * 1024) {
    console.error(
      `bundle budget exceeded: the first load is ${(report.firstLoad.brotli / 1024).toFixed(1)} KB brotli, over ${BUDGET_KB} KB. ` +
        "Look at what grew with `node tools/wasm-sizes.mjs` on a build that keeps names (see its header), and move it to a worker or drop it.",
    );
    process.exit(1);
  }
}
