// The first page, in headless Chromium: load rosters by file input, paste and
// drop, and see the engine's counts and messages. Runs against the release
// build in dist/ served by a plain static server.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { readFile, mkdir } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { dirname, join } from "node:path";
import { serveStatic } from "./support/static-server.mjs";
import { launch } from "./support/browser.mjs";
import { cellText } from "./support/grid.mjs";
import { roster, DOMAINS } from "./support/roster.mjs";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const fixtures = join(root, "crates/roster/tests/fixtures/roster");
const shots = join(root, "tests/output");
let server, browser;

before(async () => {
  server = await serveStatic(join(root, "dist"));
  browser = await launch();
  await mkdir(shots, { recursive: true });
});

after(async () => {
  await browser?.close();
  await server?.close();
});

async function openPage() {
  const page = await browser.newPage();
  const errors = [];
  page.on("pageerror", (e) => errors.push(e.message));
  await page.goto(server.url);
  await page.waitForSelector("#roster-file", { state: "attached" });
  return { page, errors };
}

const text = (page, id) => page.locator(`[data-testid=${id}]`).innerText();

// The domains box applies on change (leaving the box), as a user's Tab does.
async function setDomains(page, value) {
  await page.fill("#domains", value);
  await page.locator("#domains").press("Tab");
}

test("a browser without WebAssembly SIMD is told what the page needs, not shown a blank page", async () => {
  // V8 without SSE4.1 has no wasm SIMD: a real browser that lacks it.
  const old = await launch(["--js-flags=--no-enable-sse4-1"]);
  try {
    const page = await old.newPage();
    const errors = [];
    page.on("pageerror", (e) => errors.push(e.message));
    await page.goto(server.url);
    const alert = page.getByRole("alert");
    await alert.waitFor();
    const said = await alert.innerText();
    assert.match(said, /smime-bulk cannot start in this browser/);
    assert.match(said, /WebAssembly with SIMD/);
    assert.match(said, /Firefox 89 or later and Safari 16\.4 or later/);
    // The app did not start: no step of it is on the page.
    assert.equal(await page.locator("#roster-file").count(), 0);
    assert.deepEqual(errors, ["smime-bulk: this browser has no WebAssembly SIMD"]);
  } finally {
    await old.close();
  }
});

test("a Windows-1252 semicolon export loaded by the file input shows counts and fixes", async () => {
  const { page, errors } = await openPage();
  await setDomains(page, "example.com, example.org");
  await page.setInputFiles("#roster-file", join(fixtures, "excel-1252-semicolon.csv"));
  await page.waitForSelector("#summary");
  assert.equal(await text(page, "rows"), "6");
  assert.equal(await text(page, "valid"), "4");
  assert.equal(await text(page, "invalid"), "2");
  assert.equal(await text(page, "encoding"), "Windows-1252");
  assert.equal(await text(page, "delimiter"), ";");
  const findings = await page.locator("#step-review").textContent();
  assert.match(findings, /Country "UK" is not an ISO 3166 code; did you mean "GB"\?/);
  assert.match(findings, /country_invalid/);
  await page.screenshot({ path: join(shots, "first-page.png"), fullPage: true });
  assert.deepEqual(errors, []);
  await page.close();
});

test("a roster larger than one copy slice is checked whole, and whole again from the same bytes", async () => {
  // 400,000 rows, 19.7 MB: the page copies the bytes it keeps for the
  // worker 16 MB at a time (shared/file.rs), and transfers the copy, so a
  // second check reads the same bytes again.
  const rows = 400_000;
  const bytes = Buffer.from(roster(rows));
  assert.ok(bytes.length > 16 << 20, `${bytes.length} bytes`);
  const { page, errors } = await openPage();
  await setDomains(page, DOMAINS.join(", "));
  await page.setInputFiles("#roster-file", { name: "large.csv", mimeType: "text/csv", buffer: bytes });
  const counts = async () => [await text(page, "rows"), Number(await text(page, "valid"))];
  await page.waitForFunction((n) => document.querySelector("[data-testid=rows]")?.innerText === String(n), rows, { timeout: 120_000 });
  const [, validBefore] = await counts();
  // One domain fewer: the same rows checked again, fewer of them valid.
  await setDomains(page, DOMAINS[0]);
  await page.waitForFunction((v) => Number(document.querySelector("[data-testid=valid]")?.innerText) < v, validBefore, { timeout: 120_000 });
  const [rowsAfter, validAfter] = await counts();
  assert.equal(rowsAfter, String(rows));
  assert.ok(validAfter > 0 && validAfter < validBefore, `${validAfter} of ${validBefore}`);
  assert.deepEqual(errors, []);
  await page.close();
});

test("changing the validated domains re-checks the loaded roster", async () => {
  const { page } = await openPage();
  await page.setInputFiles("#roster-file", join(fixtures, "excel-unicode-text.txt"));
  await page.waitForSelector("#summary");
  assert.equal(await text(page, "encoding"), "UTF-16LE");
  assert.equal(await text(page, "delimiter"), "TAB");
  assert.equal(await text(page, "invalid"), "0", "no domains typed: domains are not checked");
  await setDomains(page, "example.com");
  await page.waitForFunction(() => document.querySelector("[data-testid=invalid]")?.textContent === "2");
  const coverage = await page.locator("#coverage").innerText();
  assert.match(coverage, /elsewhere\.net\s+1\s+not validated/);
  assert.match(coverage, /example\.org\s+1\s+not validated/);
  await page.close();
});

test("a pasted Outlook recipient list is detected and checked", async () => {
  const { page } = await openPage();
  await setDomains(page, "example.com");
  await page.fill("#roster-paste", 'Doe, Jane <jane@example.com>; "Roe, Rick" <rick@example.com>\nbob@gmail.com');
  await page.click("#check-paste");
  await page.waitForSelector("#summary");
  assert.equal(await text(page, "rows"), "3");
  assert.equal(await text(page, "valid"), "2");
  assert.equal(await text(page, "delimiter"), "email list");
  assert.match(await page.locator("#step-review").textContent(), /the domain gmail\.com is not one of the organisation's validated domains/);
  await page.close();
});

test("a spreadsheet range pasted without its header is read as a table", async () => {
  const { page } = await openPage();
  await setDomains(page, "example.com");
  await page.fill("#roster-paste", "Jane\tDoe\tjane@example.com\tGB\nJohn\tSmith\tjohn@example.com\tUK\n");
  await page.click("#check-paste");
  await page.waitForSelector("#summary");
  assert.equal(await text(page, "rows"), "2");
  assert.equal(await text(page, "invalid"), "1");
  assert.equal(await text(page, "delimiter"), "TAB");
  assert.equal(await page.locator("#map-col-2").inputValue(), "Email");
  assert.equal(await cellText(page, "First Name", 1), "Jane");
  await page.close();
});

test("a file dropped anywhere on the page is checked", async () => {
  const { page } = await openPage();
  const csv = await readFile(join(fixtures, "ragged.csv"), "utf8");
  await page.evaluate((content) => {
    const dt = new DataTransfer();
    dt.items.add(new File([content], "ragged.csv", { type: "text/csv" }));
    document.body.dispatchEvent(new DragEvent("dragover", { dataTransfer: dt, bubbles: true, cancelable: true }));
    document.body.dispatchEvent(new DragEvent("drop", { dataTransfer: dt, bubbles: true, cancelable: true }));
  }, csv);
  await page.waitForSelector("#summary");
  assert.equal(await text(page, "rows"), "4");
  assert.match(await page.locator("#step-review").textContent(), /Line 3 has 3 fields where the header has 4/);
  await page.close();
});

test("an unusable file says why, and the template link carries the header", async () => {
  const { page } = await openPage();
  await page.setInputFiles("#roster-file", { name: "book.xlsx", mimeType: "application/octet-stream", buffer: Buffer.from("PK\x03\x04\x00\x00binary") });
  await page.waitForSelector("#summary");
  assert.match(await page.locator("#step-review").textContent(), /The workbook is damaged and cannot be read/);
  assert.match(await page.locator("#step-review").textContent(), /workbook_unreadable/);
  const href = await page.locator("a[download]").getAttribute("href");
  assert.equal(decodeURIComponent(href.split(",").slice(1).join(",")), "First Name,Last Name,Email,Country,Csr\r\n");
  await page.close();
});

const workbooks = join(root, "crates/roster/tests/fixtures/workbook");

test("an .xlsx picked with the file input is read in the worker, findings at their cells", async () => {
  const { page, errors } = await openPage();
  await setDomains(page, "example.com");
  await page.setInputFiles("#roster-file", join(workbooks, "roster.xlsx"));
  await page.waitForSelector("#summary");
  assert.equal(await text(page, "rows"), "3");
  assert.equal(await text(page, "invalid"), "2");
  assert.equal(await page.locator("#sheet-choice").inputValue(), "Équipe");
  assert.equal(await cellText(page, "First Name", 4), "美咲");
  const review = await page.locator("#step-review").textContent();
  assert.match(review, /Équipe!D3: Country "UK" is not an ISO 3166 code; did you mean "GB"\?/);
  assert.match(review, /Équipe!C4: Email "misaki\.sato@example" is not a valid address/);
  assert.deepEqual(errors, []);
  await page.close();
});

test("an .ods dropped on the page is read, and picking its second sheet reads that one", async () => {
  const { page, errors } = await openPage();
  await setDomains(page, "example.org");
  const ods = [...(await readFile(join(workbooks, "roster.ods")))];
  await page.evaluate((bytes) => {
    const dt = new DataTransfer();
    dt.items.add(new File([new Uint8Array(bytes)], "roster.ods", { type: "application/vnd.oasis.opendocument.spreadsheet" }));
    document.body.dispatchEvent(new DragEvent("dragover", { dataTransfer: dt, bubbles: true, cancelable: true }));
    document.body.dispatchEvent(new DragEvent("drop", { dataTransfer: dt, bubbles: true, cancelable: true }));
  }, ods);
  await page.waitForSelector("#sheet-choice");
  assert.equal(await text(page, "rows"), "3");
  await page.selectOption("#sheet-choice", "Contractors");
  await page.waitForFunction(() => document.querySelector("[data-testid=rows]")?.textContent === "2");
  assert.equal(await page.locator("#sheet-choice").inputValue(), "Contractors");
  assert.equal(await text(page, "invalid"), "0");
  assert.match(await page.locator("#step-review").textContent(), /Contractors!D3: Country "se" is in lower case/);
  await page.screenshot({ path: join(shots, "workbook-sheet.png"), fullPage: true });
  assert.deepEqual(errors, []);
  await page.close();
});

test("the page works from a sub-path of a static host", async () => {
  const sub = await serveStatic(join(root, "dist"), { prefix: "/tools/smime/" });
  const page = await browser.newPage();
  await page.goto(sub.url);
  await page.fill("#roster-paste", "Email\njane@example.com\n");
  await page.click("#check-paste");
  await page.waitForSelector("#summary");
  assert.equal(await text(page, "rows"), "1");
  await page.close();
  await sub.close();
});

test("hostile input is explained on the page: damaged UTF-8, a spoofed name, a file over the size limit", async () => {
  const { page, errors } = await openPage();
  // UTF-8 with one Windows-1252 byte: refused with its line and byte, not read as 1252.
  const mixed = Buffer.concat([
    Buffer.from("First Name,Last Name,Email,Country\nJürgen,Müller,j@example.com,DE\nJ"),
    Buffer.from([0xfc]),
    Buffer.from("rgen,Weber,w@example.com,DE\n"),
  ]);
  await page.setInputFiles("#roster-file", { name: "mixed.csv", mimeType: "text/csv", buffer: mixed });
  await page.waitForSelector("#summary");
  const review = await page.locator("#step-review").textContent();
  assert.match(review, /at line 3, byte 2 of the line \(after "J"\), the bytes 0xFC are not UTF-8/);
  assert.match(review, /encoding_invalid/);
  // A right-to-left override in a name: named, placed, with the fix.
  await page.fill("#roster-paste", "Email,Last Name,First Name,Country\njane@example.com,Doe\u202EeoD,Jane,GB\n");
  await page.click("#check-paste");
  await page.waitForFunction(() => document.querySelector("#step-review")?.textContent.includes("U+202E RIGHT-TO-LEFT OVERRIDE"));
  const spoofed = await page.locator("#step-review").textContent();
  assert.match(spoofed, /Last Name contains U\+202E RIGHT-TO-LEFT OVERRIDE at character 4/);
  assert.match(spoofed, /name_invalid/);
  assert.equal(await text(page, "invalid"), "1");
  assert.deepEqual(errors, []);
  await page.close();

  // config.json's limits: a file over the size limit is refused before it is read.
  const config = JSON.parse(await readFile(join(root, "dist/config.json"), "utf8"));
  config.cas[0].name = "Sandbox with small limits";
  config.limits = { max_file_bytes: 64 };
  const small = await serveStatic(join(root, "dist"), { files: { "config.json": JSON.stringify(config) } });
  const limited = await browser.newPage();
  try {
    await limited.goto(small.url);
    await limited.waitForSelector("#ca-preset option:has-text('Sandbox with small limits')", { state: "attached" });
    const roster = "Email\n" + "jane@example.com\n".repeat(4);
    await limited.setInputFiles("#roster-file", { name: "big.csv", mimeType: "text/csv", buffer: Buffer.from(roster) });
    const alert = await limited.locator("#step-load .error[role=alert]").innerText();
    assert.match(alert, /"big\.csv": The file is larger than the limit of 64 bytes \(it has at least 74 bytes\)/);
  } finally {
    await limited.close();
    await small.close();
  }
});

test("the fixed roster download runs no formula in a spreadsheet and loads back as it was", async () => {
  const { page, errors } = await openPage();
  await setDomains(page, "example.com");
  const hostile = 'First Name,Last Name,Email,Country\n"=HYPERLINK(""http://evil.example"")",+1,jane@example.com,GB\n@SUM(A1),-2,bob@example.com,GB\n';
  await page.fill("#roster-paste", hostile);
  await page.click("#check-paste");
  await page.waitForSelector("#summary");
  const [file] = await Promise.all([page.waitForEvent("download"), page.click("#download-roster")]);
  const csv = await readFile(await file.path(), "utf8");
  const lines = csv.split("\r\n");
  assert.equal(lines[1], `"'=HYPERLINK(""http://evil.example"")",'+1,jane@example.com,GB,`);
  assert.equal(lines[2], "'@SUM(A1),'-2,bob@example.com,GB,");
  // Loaded again, the cells are what they were: the same warnings, on the same values.
  await page.fill("#roster-paste", csv);
  await page.click("#check-paste");
  await page.waitForFunction(() => document.querySelector("[data-testid=rows]")?.textContent === "2");
  assert.equal(await cellText(page, "First Name", 2), '=HYPERLINK("http://evil.example")');
  assert.equal(await cellText(page, "Last Name", 3), "-2");
  assert.deepEqual(errors, []);
  await page.close();
});
