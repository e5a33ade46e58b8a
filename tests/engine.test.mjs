// The engine worker, in headless Chromium against dist/: it gives the same
// report as the engine called directly (the CLI, natively), its progress
// arrives in order, and Cancel in the page stops it.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { readdir, readFile, writeFile, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { dirname, join } from "node:path";
import { serveStatic } from "./support/static-server.mjs";
import { launch } from "./support/browser.mjs";
import { editCell } from "./support/grid.mjs";
import { roster } from "./support/roster.mjs";
import { encodeOptions } from "./support/engine.mjs";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const fixtures = join(root, "crates/roster/tests/fixtures/roster");
const csrs = join(root, "crates/roster/tests/fixtures/csr");
const cli = join(root, "target/debug/smime-bulk");
const DOMAINS = ["example.com", "example.org"];
let server, browser;

before(async () => {
  execFileSync("cargo", ["build", "--quiet", "-p", "smime-bulk-cli"], { cwd: root, stdio: "inherit" });
  server = await serveStatic(join(root, "dist"));
  browser = await launch();
});

after(async () => {
  await browser?.close();
  await server?.close();
});

/** Runs one check in a fresh engine worker in `page`; returns its messages, the report as bytes. */
async function runWorker(page, bytes, options) {
  const loader = await page.getAttribute("meta[name=smime-bulk-engine]", "content");
  return page.evaluate(
    async ({ loader, bytes, options }) => {
      const worker = new Worker(loader);
      const messages = [];
      const rows = [];
      const done = new Promise((resolve, reject) => {
        worker.onerror = (e) => reject(new Error(e.message));
        worker.onmessage = ({ data }) => {
          if (data.kind === "ready") {
            const buffer = Uint8Array.from(atob(bytes), (c) => c.charCodeAt(0)).buffer;
            worker.postMessage({ kind: "check", id: 7, options: new Uint8Array(options), bytes: buffer }, [buffer]);
            // Transferred, not copied: the page's buffer is now empty.
            messages.push({ kind: "sent", left: buffer.byteLength });
          } else if (data.kind === "rows") {
            // A piece of rows, sent while the check goes on.
            rows.push(new Uint8Array(data.piece));
            messages.push({ kind: "rows", id: data.id, bytes: data.piece.byteLength });
          } else if (data.kind === "report") {
            // The report's pieces end to end: its head, the rows sent before, the rest.
            const rest = data.report.map((piece) => new Uint8Array(piece));
            const pieces = [...rest.slice(0, 1), ...rows, ...rest.slice(1)];
            const report = new Uint8Array(pieces.reduce((n, p) => n + p.length, 0));
            pieces.reduce((at, p) => (report.set(p, at), at + p.length), 0);
            let text = "";
            for (let i = 0; i < report.length; i += 0x8000) text += String.fromCharCode(...report.subarray(i, i + 0x8000));
            messages.push({ kind: "report", id: data.id, report: btoa(text), preview: data.preview });
            resolve();
          } else {
            messages.push(data);
            if (data.kind === "error") resolve();
          }
        };
      });
      await done;
      worker.terminate();
      return messages;
    },
    { loader, bytes: Buffer.from(bytes).toString("base64"), options: Array.from(options) },
  );
}

async function openPage() {
  const page = await browser.newPage();
  const errors = [];
  page.on("pageerror", (e) => errors.push(e.message));
  await page.goto(server.url);
  await page.waitForSelector("#roster-file", { state: "attached" });
  return { page, errors };
}

/** Every roster fixture, a roster holding every CSR fixture, and hostile inputs. */
async function inputs() {
  const out = [];
  for (const name of (await readdir(fixtures)).filter((f) => !f.startsWith("."))) {
    out.push({ name, bytes: await readFile(join(fixtures, name)) });
  }
  const rows = ["First Name,Last Name,Email,Country,Csr"];
  for (const name of (await readdir(csrs)).sort()) {
    const pem = (await readFile(join(csrs, name), "utf8")).trim();
    rows.push(`Jane,Doe,jane@example.com,DE,"${pem}"`);
  }
  out.push({ name: "every-csr.csv", bytes: Buffer.from(rows.join("\r\n")) });
  out.push({ name: "workbook.xlsx", bytes: Buffer.from("PK\x03\x04\x14\x00\x06\x00", "latin1") });
  out.push({ name: "empty.csv", bytes: Buffer.alloc(0) });
  out.push({ name: "bom-only.csv", bytes: Buffer.from([0xef, 0xbb, 0xbf]) });
  out.push({ name: "header-only.csv", bytes: Buffer.from("First Name,Last Name,Email,Country,Csr\r\n") });
  return out;
}

test("the worker gives byte for byte the report the engine gives directly, on every fixture", async () => {
  const { page, errors } = await openPage();
  const all = await inputs();
  assert.ok(all.length >= 14, `only ${all.length} inputs`);
  const dir = await mkdtemp(join(tmpdir(), "smime-bulk-engine-"));
  const options = encodeOptions(DOMAINS);
  try {
    for (const { name, bytes } of all) {
      const path = join(dir, name);
      await writeFile(path, bytes);
      let direct;
      try {
        direct = execFileSync(cli, ["check", "--format", "wire", "--domains", DOMAINS.join(","), path], { stdio: ["ignore", "pipe", "ignore"] });
      } catch (e) {
        direct = e.stdout; // exit 1 or 2 (invalid rows, an unusable file): the report is written all the same
      }
      assert.ok(direct.length > 4, `${name}: the CLI wrote no report`);
      const messages = await runWorker(page, bytes, options);
      const report = messages.find((m) => m.kind === "report");
      assert.ok(report, `${name}: no report, got ${JSON.stringify(messages.map((m) => m.kind))}`);
      assert.equal(report.id, 7);
      const got = Buffer.from(report.report, "base64");
      const at = [...got].findIndex((b, i) => b !== direct[i]);
      assert.ok(got.equals(direct), `${name}: the worker's report differs from the direct one (${got.length} bytes, not ${direct.length}; first at byte ${at})`);
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
  assert.deepEqual(errors, []);
  await page.close();
});

test("progress arrives in order and ends at the whole roster; the bytes are transferred", async () => {
  const { page } = await openPage();
  const bytes = Buffer.from(roster(100_000));
  const messages = await runWorker(page, bytes, encodeOptions(DOMAINS));
  assert.deepEqual(messages[0], { kind: "sent", left: 0 });
  const progress = messages.filter((m) => m.kind === "progress");
  assert.ok(progress.length >= 6, `${progress.length} progress events`);
  for (let i = 1; i < progress.length; i++) {
    assert.ok(progress[i].done >= progress[i - 1].done && progress[i].rows > progress[i - 1].rows, `event ${i} went back`);
  }
  const last = progress.at(-1);
  assert.deepEqual([last.done, last.total, last.rows], [bytes.length, bytes.length, 100_000]);
  assert.equal(messages.at(-1).kind, "report", "the report comes after every progress event");
  // The rows come in pieces while the check goes on, not with the report.
  const rows = messages.filter((m) => m.kind === "rows");
  assert.ok(rows.length >= 10, `${rows.length} pieces of rows`);
  assert.ok(rows.every((m) => m.id === 7 && m.bytes > 200_000), JSON.stringify(rows.slice(0, 3)));
  const firstRows = messages.findIndex((m) => m.kind === "rows");
  assert.ok(firstRows < messages.findLastIndex((m) => m.kind === "progress"), "no piece of rows came before the check's end");
  await page.close();
});

test("Cancel stops the worker reading a large roster, and the page forgets it", async () => {
  const { page, errors } = await openPage();
  // The page starts its engine worker once it is up, before any roster.
  if (page.workers().length === 0) await page.waitForEvent("worker", { timeout: 5000 }).catch(() => null);
  assert.equal(page.workers().length, 1, "the engine worker did not start ahead of the first roster");
  const closed = new Promise((resolve) => page.workers()[0].on("close", () => resolve(true)));
  await page.setInputFiles("#roster-file", { name: "big.csv", mimeType: "text/csv", buffer: Buffer.from(roster(1_000_000)) });
  // The worker is reading: it has reported rows. Cancel is clicked in the
  // same frame: warmed, the worker reads the whole million in about half a
  // second, within the time Playwright's click waits for the button to hold still.
  await page.waitForFunction(() => {
    const reading = /[1-9][0-9]* rows so far/.test(document.querySelector("#reading")?.textContent ?? "");
    if (reading) document.querySelector("#cancel-reading").click();
    return reading;
  }, null, { polling: "raf" });
  assert.equal(await Promise.race([closed, new Promise((r) => setTimeout(() => r(false), 5000))]), true, "the worker did not stop");
  await page.waitForSelector("#reading", { state: "detached" });
  await page.waitForTimeout(500);
  assert.equal(await page.locator("#summary").count(), 0, "a cancelled roster was shown");
  assert.match(await page.locator("#announcer").innerText(), /cancelled/);
  // The next roster starts a fresh worker and is read.
  await page.click("#load-sample");
  await page.waitForSelector("#summary");
  assert.deepEqual(errors, []);
  await page.close();
});

test("Cancel while the roster is still being handed to the worker: nothing is read, the next roster is", async () => {
  const { page, errors } = await openPage();
  let workers = 0;
  page.on("worker", () => workers++);
  await page.setInputFiles("#roster-file", { name: "big.csv", mimeType: "text/csv", buffer: Buffer.from(roster(1_000_000)) });
  // At once, in the frame the progress first shows: the 50 MB are copied a
  // slice at a time, yielding between slices, so the click lands during the copy.
  await page.waitForFunction(() => {
    const cancel = document.querySelector("#reading progress") && document.querySelector("#cancel-reading");
    cancel?.click();
    return Boolean(cancel);
  }, null, { polling: "raf" });
  await page.waitForSelector("#reading", { state: "detached" });
  await page.waitForTimeout(1500);
  assert.equal(await page.locator("#summary").count(), 0, "a cancelled roster was shown");
  assert.equal(await page.locator("#reading").count(), 0, "a cancelled roster is still being read");
  assert.ok(workers <= 1, `${workers} workers started`);
  await page.click("#load-sample");
  await page.waitForSelector("#summary");
  assert.deepEqual(errors, []);
  await page.close();
});

test("a CSR typed into the grid is checked by the worker: pending, then its real outcome", async () => {
  const { page, errors } = await openPage();
  await page.fill("#domains", DOMAINS.join(", "));
  await page.locator("#domains").press("Tab");
  await page.fill("#roster-paste", "First Name,Last Name,Email,Country,Csr\nJane,Doe,jane@example.com,GB,\n");
  await page.click("#check-paste");
  await page.waitForFunction(() => document.querySelector("[data-testid=valid]")?.textContent === "1");
  // A one-line base64 request (a grid cell holds one line): RSA 1024, too weak.
  const base64 = (pem) => pem.replace(/-----[A-Z ]+-----/g, "").replace(/\s+/g, "");
  const weak = base64(await readFile(join(csrs, "rsa1024.csr"), "utf8"));
  let cell = await editCell(page, "Csr", 2);
  await cell.fill(weak);
  await cell.press("Tab");
  await page.waitForFunction(() => document.querySelector("#step-review")?.textContent.includes("csr_weak_key"), null, { timeout: 10_000 });
  assert.equal(await page.locator("[data-testid=invalid]").innerText(), "1");
  // A sound P-256 request for the same address: valid once the worker says so.
  cell = await editCell(page, "Csr", 2);
  await cell.fill(await readFile(join(csrs, "p256.b64"), "utf8").then((t) => t.trim()));
  await cell.press("Tab");
  await page.waitForFunction(() => document.querySelector("[data-testid=valid]")?.textContent === "1", null, { timeout: 10_000 });
  const review = await page.locator("#step-review").textContent();
  assert.doesNotMatch(review, /csr_pending|csr_weak_key/);
  assert.deepEqual(errors, []);
  await page.close();
});
