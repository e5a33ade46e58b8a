// The workflow smoke run in the engine WEBDRIVER_ENGINE names (firefox or
// webkitgtk), through WebDriver: connect with the sandbox demo keys, load a
// Windows-1252 `;` export of 50 people with accented names, fix a country in
// the review grid, order the 50 rows with the sandbox's faults on, and see
// every row placed once in the results. `./x test` runs it once per engine:
//   WEBDRIVER_ENGINE=firefox node --test tests/webdriver/workflow.mjs
// (Not named *.test.mjs: `node --test tests/` runs the Chromium tests only.)
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { By, Key } from "selenium-webdriver";
import { site } from "../support/site.mjs";
import { startSandbox } from "../support/sandbox.mjs";
import { excel1252Roster } from "../support/roster.mjs";
import { engineFromEnv, session, waitFor } from "../support/webdriver.mjs";

const ROWS = 50;
const engine = engineFromEnv();
let browser, sandbox, server, dir;

before(async () => {
  sandbox = await startSandbox();
  server = await site(sandbox.url);
  browser = await session(engine);
  dir = await mkdtemp(join(tmpdir(), "smime-bulk-webdriver-"));
});

after(async () => {
  await browser?.stop();
  await server?.close();
  sandbox?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

const css = (selector) => browser.driver.findElement(By.css(selector));
const text = async (selector) => (await css(selector).getText()).trim();
/** Waits until the element at `selector` has exactly `want` as its text. */
const textIs = (selector, want, timeout) =>
  waitFor(browser.driver, `${selector} to read ${want}`, (s, w) => document.querySelector(s)?.textContent === w, [selector, want], timeout);

/**
 * Types `value` into the field at `selector` and leaves it the way a user
 * does, by clicking `elsewhere` (a heading): in Firefox, WebDriver's Tab key
 * in a textarea may not move focus, and then `change` would not fire.
 */
async function typeAndLeave(selector, value, elsewhere) {
  const field = await css(selector);
  await field.clear();
  await field.sendKeys(value);
  await css(elsewhere).click();
}

/**
 * The review grid's cell of column `field` on line `line`, once it is shown:
 * a cell shows its text, and only the cell being edited holds an input.
 */
const gridCell = (field, line) =>
  waitFor(browser.driver, `the ${field} cell of line ${line}`, (f, l) =>
    [...document.querySelectorAll("#grid tr.grid-row")]
      .find((tr) => tr.querySelector("th")?.textContent === String(l))
      ?.querySelector(`td[data-field="${f}"]`), [field, line]);

/** What the grid's cell of column `field` on line `line` shows. */
const cellText = async (field, line) => (await (await gridCell(field, line)).findElement(By.css(".text"))).getAttribute("textContent");

/**
 * Opens the grid's cell of column `field` on line `line` with a click, types
 * `value` over its text (selected when the input opens) and leaves it by
 * clicking `elsewhere`. Not WebDriver's clear(): it leaves the input, which
 * closes it.
 */
async function typeIntoCell(field, line, value, elsewhere) {
  await (await gridCell(field, line)).click();
  const input = `#grid input[aria-label="${field}, line ${line}"]`;
  await waitFor(browser.driver, `the input of ${field}, line ${line}`, (s) => document.activeElement?.matches(s), [input]);
  // Typed into the focused input as a user types (WebDriver's element
  // sendKeys would focus the element again first).
  await browser.driver.actions().keyDown(Key.CONTROL).sendKeys("a").keyUp(Key.CONTROL).sendKeys(value).perform();
  await css(elsewhere).click();
}

test(`${engine.name}: connect, load a 1252 export, fix it, order ${ROWS} rows with faults, every row placed once`, async () => {
  const { driver } = browser;
  await driver.get(server.url);
  await waitFor(driver, "the CA preset", (url) => document.querySelector("#ca-preset")?.value === url, [sandbox.url]);

  await css("#use-demo-keys").click();
  await css("#test-connection").click();
  await waitFor(driver, "the keys accepted", () => document.querySelector("#connection-status .ok") !== null);
  assert.match(await text("#connection-status"), /the keys were accepted/);
  await typeAndLeave("#domains", "example.com, example.org", "#domains-title");
  await waitFor(driver, "two domain chips", () => document.querySelectorAll(".chips .chip").length === 2);

  const file = join(dir, "excel-1252-50.csv");
  await writeFile(file, await excel1252Roster(ROWS));
  await css("#roster-file").sendKeys(file);
  await waitFor(driver, "the summary", () => document.querySelector("#summary") !== null);
  await textIs("[data-testid=rows]", String(ROWS));
  assert.equal(await text("[data-testid=encoding]"), "Windows-1252");
  assert.equal(await text("[data-testid=delimiter]"), ";");
  assert.equal(await text("[data-testid=invalid]"), "2");
  // The accents came through the 1252 decoding.
  assert.equal(await cellText("First Name", 2), "Jürgen");
  assert.equal(await cellText("Last Name", 3), "Ørsted");

  // Fix "UK" in the grid, then "FRA" by the clear suggestion.
  assert.equal(await (await gridCell("Country", 5)).getAttribute("aria-invalid"), "true");
  await typeIntoCell("Country", 5, "GB", "#review-title");
  await textIs("[data-testid=invalid]", "1");
  // The live region is visually hidden, so WebDriver's element text (what is rendered) is empty.
  assert.match(await waitFor(browser.driver, "the announcement", () => document.querySelector("#announcer")?.textContent), /Line 5 is valid now/);
  await css("#apply-suggestions").click();
  await textIs("[data-testid=invalid]", "0");
  await textIs("[data-testid=valid]", String(ROWS));

  // Faults on for the orders: a fifth fail, one in twenty answers is cut off.
  const faults = await sandbox.setFaults({ fail_rate: 0.2, drop_rate: 0.05, latency_ms: 20 });
  const set = await faults.json();
  assert.deepEqual([faults.status, set.fail_rate, set.drop_rate], [200, 0.2, 0.05], JSON.stringify(set));
  await css("#confirm-order").click();
  await css("#place-orders").click();
  await waitFor(driver, "the batch to finish", () => document.querySelector("#run[data-phase=finished]") !== null, [], 180000);
  assert.equal(await text("[data-testid=placed]"), String(ROWS));
  assert.equal(await text("[data-testid=unconfirmed]"), "0");
  assert.equal(await text("[data-testid=failed]"), "0");

  // The results: a row per person, each with its own order.
  await textIs("#results tbody tr:last-child td:nth-child(1)", `person${ROWS - 1}@example.org`);
  const results = await waitFor(driver, "the results table", () =>
    [...document.querySelectorAll("#results tbody tr")].map((tr) => [...tr.cells].map((c) => c.textContent.trim())));
  assert.equal(results.length, ROWS);
  const refs = new Set(results.map((cells) => cells[2]));
  assert.equal(refs.size, ROWS, "every row has its own order reference");
  const orders = await sandbox.orders();
  const perEmail = new Map();
  for (const o of orders) perEmail.set(o.email, (perEmail.get(o.email) ?? 0) + 1);
  const duplicated = [...perEmail.values()].reduce((n, c) => n + c - 1, 0);
  const lost = ROWS - perEmail.size;
  console.log(`webdriver workflow (${engine.name}): rows=${ROWS} orders=${orders.length} lost=${lost} duplicated=${duplicated}`);
  assert.equal(duplicated, 0);
  assert.equal(lost, 0);
  assert.deepEqual(new Set(results.map((cells) => cells[0])), new Set(perEmail.keys()));
  for (const o of orders) assert.ok(refs.has(o.reference), `${o.email}'s order ${o.reference} is in the results`);
  // The fixed countries went to the CA; the accents stayed with the rows.
  const country = (email) => orders.find((o) => o.email === email)?.country;
  assert.deepEqual([country("sian.obrien@mail.example.com"), country("francois@example.org")], ["GB", "FR"]);
  assert.equal(results[0][1], "Jürgen Müller");
  assert.deepEqual(await sandbox.preflights(), {}, "no preflight reached the CA");
});
