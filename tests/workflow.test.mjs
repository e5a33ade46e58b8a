// The whole bulk enrollment in a real browser against the real sandbox CA:
// connect, load, fix, order, follow, export; and a reload in the middle of a
// faulty batch that must end with exactly one order per row.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { readFile, mkdir } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { dirname, join } from "node:path";
import { site } from "./support/site.mjs";
import { openSite, connect, typeDomains } from "./support/steps.mjs";
import { startSandbox } from "./support/sandbox.mjs";
import { launch } from "./support/browser.mjs";
import { gridCell, cellText, editCell } from "./support/grid.mjs";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const fixtures = join(root, "crates/roster/tests/fixtures/roster");
// Screenshots of the main steps, shown in README.md (made by this run).
const shots = join(root, "docs/screenshots");
let browser;

before(async () => {
  browser = await launch();
  await mkdir(shots, { recursive: true });
});

after(async () => {
  await browser?.close();
});

const text = (page, id) => page.locator(`[data-testid=${id}]`).innerText();

async function download(page, selector) {
  const [file] = await Promise.all([page.waitForEvent("download"), page.click(selector)]);
  return readFile(await file.path(), "utf8");
}

test("connect, load a 1252 export, fix it inline, order, and export the results", async () => {
  const sandbox = await startSandbox();
  const server = await site(sandbox.url);
  const page = await browser.newPage();
  const errors = [];
  page.on("pageerror", (e) => errors.push(e.message));
  await openSite(page, server.url, sandbox.url);

  // The connection check is a read: two server errors in a row are tried
  // again, and the step still connects.
  assert.equal((await sandbox.setFaults({ fail_next: 2 })).status, 200);
  await connect(page);
  assert.equal((await (await sandbox.admin("/sandbox/faults")).json()).fail_next, 0, "both failures were met");
  assert.match(await page.locator("#connection-status").innerText(), /the keys were accepted/);
  assert.match(await page.locator("#domains-not-listed").innerText(), /does not list the domains/);
  assert.match(await page.locator("#secret-destination").innerText(), new RegExp(`sent only to ${sandbox.url.replace(/[.]/g, "\\.")}`));
  await typeDomains(page);
  await page.locator("#step-connect").screenshot({ path: join(shots, "1-connect.png") });

  await page.setInputFiles("#roster-file", join(fixtures, "excel-1252-semicolon.csv"));
  await page.waitForSelector("#summary");
  assert.equal(await text(page, "rows"), "6");
  assert.equal(await text(page, "invalid"), "2");
  assert.equal(await text(page, "encoding"), "Windows-1252");
  assert.equal(await text(page, "delimiter"), ";");
  await editCell(page, "Country", 5);
  await page.mouse.move(0, 0); // the focus shows the cell's message, not a hover
  await page.locator("#step-review").screenshot({ path: join(shots, "2-review.png") });

  // Only the rows with errors.
  await page.selectOption("#grid-filter", "errors");
  await page.waitForFunction(() => document.querySelectorAll("#grid tr.grid-row").length === 2);
  const report = await download(page, "#download-errors");
  assert.match(report, /^line,column,value,code,severity,message,suggestion\r\n/);
  assert.match(report, /\n5,Country,UK,country_invalid,error,"Country ""UK"" is not an ISO 3166 code; did you mean ""GB""\?",GB\r\n/);

  // Fix "UK" in place: the row turns valid at once.
  assert.equal(await gridCell(page, "Country", 5).getAttribute("aria-invalid"), "true");
  const uk = await editCell(page, "Country", 5);
  assert.equal(await uk.getAttribute("aria-invalid"), "true");
  await uk.fill("GB");
  await uk.press("Tab");
  await page.waitForFunction(() => document.querySelector("[data-testid=invalid]")?.textContent === "1");
  assert.match(await page.locator("#announcer").innerText(), /Line 5 is valid now/);
  // The rest by "apply all suggestions" (FRA → FR).
  await page.click("#apply-suggestions");
  await page.waitForFunction(() => document.querySelector("[data-testid=invalid]")?.textContent === "0");

  assert.match(await page.locator("#order-summary").innerText(), /6 certificates will be ordered; total 234\.00/);
  await page.check("#confirm-order");
  await page.click("#place-orders");
  await page.waitForFunction(() => document.querySelector("[data-testid=placed]")?.textContent === "6", null, { timeout: 30000 });
  await page.waitForSelector("#run[data-phase=finished]");
  await page.locator("#step-submit").screenshot({ path: join(shots, "3-submit.png") });
  await page.locator("#step-results").screenshot({ path: join(shots, "4-results.png") });
  await page.selectOption("#grid-filter", "all");
  await page.setViewportSize({ width: 360, height: 740 });
  await page.waitForTimeout(300);
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  assert.ok(overflow <= 0, `the page scrolls sideways by ${overflow}px at 360px`);
  await page.locator("#step-review").screenshot({ path: join(shots, "5-review-360px.png") });

  const orders = await sandbox.orders();
  assert.equal(orders.length, 6);
  assert.deepEqual(orders.map((o) => o.country).sort(), ["AT", "DE", "DK", "FR", "GB", "US"]);
  // Every order went as a CORS simple request: SSL.com answers no preflight for /certificates.
  assert.deepEqual(await sandbox.preflights(), {}, "no preflight reached the CA");
  assert.match(await page.locator("#status-meanings").innerText(), /invites the recipient by email to validate their identity/);
  assert.match(await page.locator("#batch-total").innerText(), /6 orders placed; total \$540\.00\./);
  const results = await download(page, "#export-results");
  const lines = results.trim().split("\r\n");
  assert.equal(lines[0], "email,ref,status,order_amount,certificate_url,receipt_url,error");
  assert.equal(lines.length, 7);
  for (const o of orders) {
    assert.ok(lines.some((l) => l.startsWith(`${o.email},${o.reference},waiting on validation from customer,$90.00,`)), `${o.email}: ${lines.join("\n")}`);
  }
  // Statuses moved on at the CA show after a refresh.
  await sandbox.setStatus(orders[0].reference, "issued");
  await page.click("#refresh-statuses");
  await page.waitForFunction(() => /issued/.test(document.querySelector("#results")?.textContent ?? ""));
  assert.equal(await page.locator("#announcer").textContent(), "Statuses refreshed.");
  // A CA that fails every try of a refresh: the page says so where the
  // button is, and keeps the statuses it had.
  assert.equal((await sandbox.setFaults({ fail_next: 4 })).status, 200);
  await sandbox.setStatus(orders[1].reference, "issued");
  await page.click("#refresh-statuses");
  const failed = page.locator("#step-results [role=alert]");
  await failed.waitFor({ timeout: 20000 });
  assert.equal(
    await failed.innerText(),
    "Statuses could not be refreshed: the CA's order list gave no usable answer 4 times in a row (the last: HTTP 500); try again in a few minutes.",
  );
  assert.equal((await page.locator("#results").innerText()).match(/\bissued\b/g).length, 1, "the last statuses read stay");
  assert.equal(await page.locator("#refresh-statuses").isEnabled(), true, "and it can be tried again");
  await page.click("#refresh-statuses");
  // (innerText: textContent runs the cells' words together.)
  await page.waitForFunction(() => (document.querySelector("#results")?.innerText.match(/\bissued\b/g) ?? []).length === 2);
  assert.equal(await failed.count(), 0, "a refresh that works takes the failure away");
  assert.deepEqual(errors, []);
  await page.close();
  await server.close();
  sandbox.stop();
});

test("a reload in the middle of a faulty batch resumes it: exactly one order per row", async () => {
  const sandbox = await startSandbox(["--fail-rate", "0.2", "--drop-rate", "0.05", "--latency-ms", "40"]);
  const server = await site(sandbox.url);
  const page = await browser.newPage();
  await openSite(page, server.url, sandbox.url);
  await connect(page);
  await typeDomains(page);
  let csv = "First Name\tLast Name\tEmail\tCountry\n";
  for (let i = 0; i < 200; i++) csv += `Person\tNumber ${i}\tperson${i}@${i % 2 ? "example.org" : "example.com"}\tGB\n`;
  await page.fill("#roster-paste", csv);
  await page.click("#check-paste");
  await page.waitForFunction(() => document.querySelector("[data-testid=valid]")?.textContent === "200");
  await page.check("#confirm-order");
  await page.click("#place-orders");
  await page.waitForFunction(() => Number(document.querySelector("[data-testid=placed]")?.textContent ?? 0) >= 40, null, { timeout: 30000 });

  await page.reload();
  await page.waitForSelector("#resume-banner");
  assert.match(await page.locator("#resume-banner").innerText(), /A batch of 200 orders/);
  // The secret is not kept with the batch: it must be given again.
  await page.click("#resume-batch");
  assert.match(await page.locator("#step-submit [role=alert]").innerText(), /Enter the secret key/);
  await page.click("#use-demo-keys");
  await page.click("#resume-batch");
  await page.waitForSelector("#run[data-phase=finished]", { timeout: 60000 });
  assert.equal(await text(page, "placed"), "200");

  const orders = await sandbox.orders();
  const perEmail = new Map();
  for (const o of orders) perEmail.set(o.email, (perEmail.get(o.email) ?? 0) + 1);
  const duplicated = [...perEmail.values()].reduce((n, c) => n + c - 1, 0);
  const lost = 200 - perEmail.size;
  const unconfirmed = Number(await text(page, "unconfirmed"));
  console.log(`browser reload mid-batch (sslcom): rows=200 orders=${orders.length} lost=${lost} duplicated=${duplicated} unconfirmed=${unconfirmed} preflights=${JSON.stringify(await sandbox.preflights())}`);
  assert.equal(unconfirmed, 0);
  assert.equal(lost, 0);
  assert.equal(duplicated, 0);
  assert.equal(orders.length, 200);
  await page.close();
  await server.close();
  sandbox.stop();
});

test("wrong keys are explained; columns remapped, rows deleted and added; pause and resume", async (t) => {
  const sandbox = await startSandbox(["--latency-ms", "150"]);
  const server = await site(sandbox.url);
  const page = await browser.newPage();
  // Stopped even when an assertion fails, so the run ends.
  t.after(async () => {
    await page.close().catch(() => {});
    await server.close();
    sandbox.stop();
  });
  await openSite(page, server.url, sandbox.url);
  await page.fill("#account-key", "sandbox-account");
  await page.fill("#secret-key", "not-the-secret");
  await page.click("#test-connection");
  await page.waitForSelector("#connection-status .error");
  assert.match(await page.locator("#connection-status").innerText(), /refused these keys/);
  await connect(page);
  await typeDomains(page);

  let csv = "Mail,Nom,Pays\n";
  for (let i = 0; i < 20; i++) csv += `person${i}@example.com,Number ${i},GB\n`;
  await page.fill("#roster-paste", csv);
  await page.click("#check-paste");
  await page.waitForSelector("#mapping");
  // "Nom" and "Pays" are not known headers: map them by hand, the second
  // before the check the first started has come back (in one task): the
  // first choice must hold.
  await page.evaluate(() => {
    for (const [id, value] of [["#map-col-1", "Last Name"], ["#map-col-2", "Country"]]) {
      const select = document.querySelector(id);
      select.value = value;
      select.dispatchEvent(new Event("change", { bubbles: true }));
    }
  });
  await page
    .waitForFunction(() => document.querySelector('#grid tr.grid-row td[data-field="Last Name"] .text')?.textContent === "Number 0")
    .catch(async (e) => {
      // What the page showed instead, for whoever reads the failure.
      const shown = await page.evaluate(() => ["[role=alert]", "#reading", "#announcer", "#mapping"]
        .map((s) => `${s}: ${document.querySelector(s)?.innerText ?? "(none)"}`).join(" | "));
      throw new Error(`${e.message}; the page showed ${shown}`);
    });
  assert.equal(await cellText(page, "Country", 2), "GB");

  await page.click('button[aria-label="Delete line 3"]');
  await page.waitForFunction(() => document.querySelector("[data-testid=rows]")?.textContent === "19");
  await page.click("#add-row");
  await page.waitForFunction(() => document.querySelector("[data-testid=invalid]")?.textContent === "1");
  for (const [field, value] of [["Email", "added@example.org"], ["Last Name", "Added"], ["Country", "FR"]]) {
    const input = await editCell(page, field, 22);
    await input.fill(value);
    await input.press("Tab");
  }
  await page.waitForFunction(() => document.querySelector("[data-testid=valid]")?.textContent === "20");

  await page.check("#confirm-order");
  await page.click("#place-orders");
  await page.click("#pause");
  await page.waitForSelector("#run[data-phase=paused]");
  await page.waitForTimeout(600); // the requests already in flight complete
  const atPause = Number(await text(page, "placed"));
  await page.waitForTimeout(600);
  assert.equal(Number(await text(page, "placed")), atPause, "nothing is sent while paused");
  assert.ok(atPause < 20, `paused at ${atPause}`);
  await page.click("#resume");
  await page.waitForSelector("#run[data-phase=finished]", { timeout: 30000 });
  const orders = await sandbox.orders();
  assert.equal(orders.length, 20);
  assert.ok(orders.some((o) => o.email === "added@example.org" && o.country === "FR"));
  assert.ok(!orders.some((o) => o.email === "person1@example.com"), "the deleted row was not ordered");
});

test("the connect step checks a CA against its profile: the sslcom sandbox matches, a reference one differs", async () => {
  for (const [args, differs] of [[[], false], [["--profile", "reference", "--cors-origin", "*"], true]]) {
    const sandbox = await startSandbox(args);
    const server = await site(sandbox.url);
    const page = await browser.newPage();
    await openSite(page, server.url, sandbox.url);
    await page.click("#use-demo-keys");
    await page.click("#check-ca");
    await page.waitForSelector("#ca-checks tbody tr");
    const verdicts = await page.locator("#ca-checks tbody tr").evaluateAll((rows) => rows.map((r) => `${r.dataset.matches}: ${r.innerText}`));
    const caption = await page.locator("#ca-checks caption").innerText();
    if (differs) {
      assert.ok(verdicts.some((v) => v.startsWith("differs")), verdicts.join("\n"));
      assert.match(caption, /differ/);
    } else {
      assert.ok(verdicts.every((v) => v.startsWith("matches")), verdicts.join("\n"));
      assert.match(caption, /behaves as its profile says/);
    }
    assert.equal((await sandbox.orders()).length, 0, "the checks order nothing");
    await page.close();
    await server.close();
    sandbox.stop();
  }
});
