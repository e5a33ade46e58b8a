// Quality bars of the page: axe-core finds no violation on any step, the
// workflow works with the keyboard alone, the 100k-row grid stays virtual,
// and dist/ runs under a strict Content-Security-Policy from boot to the
// results' refresh and export.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { dirname, join } from "node:path";
import AxeBuilder from "@axe-core/playwright";
import { serveStatic } from "./support/static-server.mjs";
import { startSandbox } from "./support/sandbox.mjs";
import { launch } from "./support/browser.mjs";
import { editCell } from "./support/grid.mjs";
import { openSite, connect, typeDomains } from "./support/steps.mjs";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
let browser, sandbox, server;

before(async () => {
  browser = await launch();
  sandbox = await startSandbox();
  const config = { cas: [{ name: "Test sandbox", url: sandbox.url, demo_account_key: "sandbox-account", demo_secret_key: "sandbox-secret" }] };
  server = await serveStatic(join(root, "dist"), { files: { "config.json": JSON.stringify(config) } });
});

after(async () => {
  await browser?.close();
  await server?.close();
  sandbox?.stop();
});

async function open(options = {}) {
  const context = await browser.newContext(options);
  const page = await context.newPage();
  await page.goto(server.url);
  await page.waitForFunction((url) => document.querySelector("#ca-preset")?.value === url, sandbox.url);
  return page;
}

async function axe(page, step) {
  const { violations } = await new AxeBuilder({ page }).analyze();
  const summary = violations.map((v) => `${v.id}: ${v.nodes.length} × ${v.help} (${v.nodes[0]?.target})`);
  assert.deepEqual(summary, [], `axe on ${step}`);
}

/// Presses Tab until `selector` has focus (fails if it is never reached).
async function tabTo(page, selector, max = 400) {
  for (let i = 0; i < max; i++) {
    if (await page.evaluate((s) => document.activeElement?.matches(s) ?? false, selector)) return;
    await page.keyboard.press("Tab");
  }
  assert.fail(`${selector} is not reachable with Tab`);
}

test("axe-core reports no violation on any step, light and dark", async () => {
  for (const colorScheme of ["light", "dark"]) {
    const page = await open({ colorScheme });
    await axe(page, `start (${colorScheme})`);
    await page.click("#use-demo-keys");
    await page.click("#test-connection");
    await page.waitForSelector("#connection-status .ok");
    await page.fill("#domains", "example.com, example.org");
    await page.locator("#domains").press("Tab");
    await page.waitForFunction(() => document.querySelectorAll(".chips .chip").length === 2);
    await axe(page, `connected (${colorScheme})`);
    await page.click("#load-sample");
    await page.waitForSelector("#grid");
    await editCell(page, "Country", 5);
    await axe(page, `review with a cell's message shown (${colorScheme})`);
    await page.click("#apply-suggestions");
    const email = await editCell(page, "Email", 8);
    await email.fill("bob.stone@example.com");
    await email.press("Tab");
    await page.waitForFunction(() => document.querySelector("[data-testid=invalid]")?.textContent === "0");
    await page.check("#confirm-order");
    await page.click("#place-orders");
    await page.waitForSelector("#run[data-phase=finished]");
    await axe(page, `results (${colorScheme})`);
    await page.close();
  }
});

test("the workflow works with the keyboard alone", async () => {
  const page = await open();
  await page.locator("body").focus();
  await tabTo(page, "#use-demo-keys");
  await page.keyboard.press("Enter");
  await tabTo(page, "#test-connection");
  await page.keyboard.press("Enter");
  await page.waitForSelector("#connection-status .ok");
  await tabTo(page, "#domains");
  await page.keyboard.type("example.com, example.org");
  await page.keyboard.press("Tab");
  await page.waitForFunction(() => document.querySelectorAll(".chips .chip").length === 2);
  await tabTo(page, "#load-sample");
  await page.keyboard.press("Enter");
  await page.waitForSelector("#grid");
  // Focus moves on to the review of what was read.
  await page.waitForFunction(() => document.activeElement?.id === "review-title");
  // Fix the bad address of line 8 in the grid.
  await tabTo(page, '#grid input[aria-label="Email, line 8"]');
  await page.keyboard.press("Control+A");
  await page.keyboard.type("bob.stone@example.com");
  await page.keyboard.press("Tab");
  await tabTo(page, "#apply-suggestions");
  await page.keyboard.press("Enter");
  await page.waitForFunction(() => document.querySelector("[data-testid=invalid]")?.textContent === "0");
  await tabTo(page, "#confirm-order");
  await page.keyboard.press("Space");
  await tabTo(page, "#place-orders");
  await page.keyboard.press("Enter");
  await page.waitForSelector("#run[data-phase=finished]");
  assert.equal(await page.locator("[data-testid=placed]").innerText(), "8");
  // Focus reached with the keyboard is visible.
  await tabTo(page, "#export-results");
  const outline = await page.evaluate(() => getComputedStyle(document.activeElement).outlineStyle);
  assert.notEqual(outline, "none");
  await page.close();
});

test("the 100k-row grid keeps at most 100 row elements while scrolling", async () => {
  const page = await open();
  let csv = "First Name,Last Name,Email,Country\n";
  for (let i = 0; i < 100000; i++) csv += `Person,Number ${i},person${i}@example.com,${i % 50 === 0 ? "UK" : "GB"}\n`;
  await page.setInputFiles("#roster-file", { name: "big.csv", mimeType: "text/csv", buffer: Buffer.from(csv) });
  await page.waitForFunction(() => document.querySelector("[data-testid=rows]")?.textContent === "100000", null, { timeout: 60000 });
  const counts = [];
  for (const fraction of [0, 0.25, 0.5, 0.999]) {
    await page.evaluate((f) => {
      const el = document.querySelector(".grid-viewport");
      el.scrollTop = f * (el.scrollHeight - el.clientHeight);
      el.dispatchEvent(new Event("scroll"));
    }, fraction);
    await page.waitForTimeout(100);
    const rows = await page.locator("#grid tr.grid-row").count();
    const firstLine = Number(await page.locator("#grid tr.grid-row th").first().innerText());
    counts.push(rows);
    assert.ok(rows > 0 && rows <= 100, `${rows} row elements at ${fraction}`);
    assert.ok(Math.abs(firstLine - 2 - fraction * 100000) < 100, `line ${firstLine} at ${fraction}`);
  }
  console.log(`100k grid: row elements while scrolling = ${counts.join(", ")}`);
  await page.close();
});

test("the whole workflow, order included, runs under a strict Content-Security-Policy", async () => {
  const csp = `default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; connect-src 'self' ${sandbox.url}; img-src 'self' data:; frame-ancestors 'none'; base-uri 'none'; form-action 'none'`;
  const config = { cas: [{ name: "Test sandbox", url: sandbox.url, demo_account_key: "sandbox-account", demo_secret_key: "sandbox-secret" }] };
  const strict = await serveStatic(join(root, "dist"), { headers: { "content-security-policy": csp }, files: { "config.json": JSON.stringify(config) } });
  const page = await browser.newPage();
  const violations = [];
  page.on("console", (m) => { if (/Content Security Policy/i.test(m.text())) violations.push(m.text()); });
  // Listening before the page's first script, so that the boot is watched too.
  await page.addInitScript(() => {
    window.__csp = [];
    document.addEventListener("securitypolicyviolation", (e) => window.__csp.push(`${e.violatedDirective} ${e.blockedURI}`));
  });
  await openSite(page, strict.url, sandbox.url);
  await connect(page);
  await typeDomains(page);
  await page.click("#load-sample");
  await page.waitForSelector("#grid");
  assert.equal(await page.locator("[data-testid=rows]").innerText(), "8");
  await page.click("#apply-suggestions");
  const email = await editCell(page, "Email", 8);
  await email.fill("bob.stone@example.com");
  await email.press("Tab");
  await page.waitForFunction(() => document.querySelector("[data-testid=invalid]")?.textContent === "0");
  await page.check("#confirm-order");
  await page.click("#place-orders");
  await page.waitForSelector("#run[data-phase=finished]", { timeout: 30000 });
  assert.equal(await page.locator("[data-testid=placed]").innerText(), "8");
  // The results step's own requests (a refresh) and its export, under the same policy.
  await sandbox.setStatus((await sandbox.orders()).at(-1).reference, "issued");
  await page.click("#refresh-statuses");
  await page.waitForFunction(() => /issued/.test(document.querySelector("#results")?.textContent ?? ""));
  const [exported] = await Promise.all([page.waitForEvent("download"), page.click("#export-results")]);
  assert.match(await readFile(await exported.path(), "utf8"), /^email,ref,status,/);
  const html = await (await fetch(strict.url)).text();
  assert.doesNotMatch(html, /<script(?![^>]*\bsrc=)[^>]*>/, "no inline script");
  assert.match(html, /<script type="module" src="\.\/boot-[0-9a-f]+\.js" integrity="sha384-/);
  assert.deepEqual(violations, []);
  assert.deepEqual(await page.evaluate(() => window.__csp), []);
  await page.close();
  await strict.close();
});
