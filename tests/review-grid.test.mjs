// The review grid at 100,000 rows: its row elements are made once and reused
// while it scrolls, each showing the right row and its findings; an edit
// writes only to its own row; a cell being edited stays with its row, and
// text typed but not yet committed goes to the row it was typed into.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { dirname, join } from "node:path";
import { serveStatic } from "./support/static-server.mjs";
import { launch } from "./support/browser.mjs";
import { gridCell, cellText, editCell } from "./support/grid.mjs";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const ROWS = 100_000;
let browser, server;

before(async () => {
  browser = await launch();
  server = await serveStatic(join(root, "dist"));
});

after(async () => {
  await browser?.close();
  await server?.close();
});

/** The page with a roster of `ROWS` rows read: line L holds "Number L−2"; every 50th row's country is "UK" (an error). */
async function loaded() {
  const page = await browser.newPage();
  await page.goto(server.url);
  await page.waitForSelector("#roster-file", { state: "attached" });
  await page.fill("#domains", "example.com");
  await page.locator("#domains").press("Tab");
  let csv = "First Name,Last Name,Email,Country\n";
  for (let i = 0; i < ROWS; i++) csv += `Person,Number ${i},person${i}@example.com,${i % 50 === 0 ? "UK" : "GB"}\n`;
  await page.setInputFiles("#roster-file", { name: "big.csv", mimeType: "text/csv", buffer: Buffer.from(csv) });
  await page.waitForFunction((n) => document.querySelector("[data-testid=rows]")?.textContent === String(n), ROWS, { timeout: 120_000 });
  await page.waitForSelector("#grid tr.grid-row");
  return page;
}

/** Scrolls the grid to `top` pixels (or the end for `Infinity`) and waits until its first row element shows the row there. */
async function scrollTo(page, top) {
  await page.evaluate((top) => {
    const el = document.querySelector(".grid-viewport");
    el.scrollTop = Math.min(top, el.scrollHeight - el.clientHeight);
  }, top);
  await page.waitForFunction((rows) => {
    const el = document.querySelector(".grid-viewport");
    const first = document.querySelector("#grid tr.grid-row");
    // 44 px a row, 4 rows of overscan above the one at the top, 18 row elements.
    const expected = Math.max(0, Math.min(Math.floor(el.scrollTop / 44) - 4, rows - 18));
    return Number(first?.getAttribute("aria-rowindex")) === expected + 2;
  }, ROWS);
}

/** What each row element shows, and whether it is one of those marked earlier. */
function rows(page) {
  return page.evaluate(() =>
    [...document.querySelectorAll("#grid tr.grid-row")].map((tr) => ({
      marked: tr.__mark === true,
      index: Number(tr.getAttribute("aria-rowindex")),
      line: Number(tr.querySelector("th").textContent),
      last: tr.querySelector("td[data-field='Last Name'] .text").textContent,
      email: tr.querySelector("td[data-field='Email'] .text").textContent,
      countryInvalid: tr.querySelector("td[data-field='Country']").getAttribute("aria-invalid") === "true",
      inputs: tr.querySelectorAll("input").length,
    })),
  );
}

test("the 100k-row grid reuses its row elements while scrolling, each showing its row", async () => {
  const page = await loaded();
  const count = await page.evaluate(() => {
    const all = document.querySelectorAll("#grid tr.grid-row");
    for (const tr of all) tr.__mark = true;
    return all.length;
  });
  assert.equal(count, 18, "10 rows in view and 4 above and below");
  assert.equal(await page.locator("#grid").getAttribute("aria-rowcount"), String(ROWS + 1));
  for (const top of [Infinity, 44 * 50_000 + 20, 44 * 3, 0]) {
    await scrollTo(page, top);
    const shown = await rows(page);
    assert.equal(shown.length, count, `row elements at ${top}`);
    assert.ok(shown.every((r) => r.marked), `a row element was made anew at ${top}`);
    shown.forEach((r, i) => {
      const line = shown[0].line + i;
      const countryInvalid = (line - 2) % 50 === 0; // "UK"
      assert.deepEqual(r, { marked: true, index: line, line, last: `Number ${line - 2}`, email: `person${line - 2}@example.com`, countryInvalid, inputs: 0 });
    });
    if (top === Infinity) assert.equal(shown.at(-1).line, ROWS + 1, "the last row is reached");
  }
  await page.close();
});

test("an edit writes to its own row element only", async () => {
  const page = await loaded();
  await scrollTo(page, 44 * 1_000);
  const invalid = Number(await page.locator("[data-testid=invalid]").textContent());
  await page.evaluate(() => {
    window.__touched = new Set();
    new MutationObserver((records) => {
      for (const r of records) {
        const node = r.target.nodeType === Node.ELEMENT_NODE ? r.target : r.target.parentElement;
        window.__touched.add(node.closest("tr")?.getAttribute("aria-rowindex") ?? "outside");
      }
    }).observe(document.querySelector("#grid tbody"), { subtree: true, childList: true, attributes: true, characterData: true });
  });
  const cell = await editCell(page, "Email", 1010);
  await cell.fill("not an address");
  await cell.press("Tab");
  await page.waitForFunction((n) => document.querySelector("[data-testid=invalid]")?.textContent === String(n), invalid + 1);
  assert.equal(await gridCell(page, "Email", 1010).getAttribute("aria-invalid"), "true");
  assert.equal(await cellText(page, "Email", 1010), "not an address");
  // Tab went on to the next cell of the row, which holds the grid's one input now.
  assert.equal(await page.evaluate(() => document.activeElement?.getAttribute("aria-label")), "Country, line 1010");
  assert.equal(await page.locator("#grid input").count(), 1);
  assert.deepEqual(await page.evaluate(() => [...window.__touched]), ["1010"]);
  await page.close();
});

test("a focused cell stays with its row while the grid scrolls; text typed in it goes to that row", async () => {
  const page = await loaded();
  const invalid = Number(await page.locator("[data-testid=invalid]").textContent());
  await scrollTo(page, 44 * 20);
  await editCell(page, "Email", 27);
  // Three rows down: every row element shows another row, and the input and the focus move with line 27.
  await scrollTo(page, 44 * 23);
  await page.waitForFunction(() => document.activeElement?.getAttribute("aria-label") === "Email, line 27");
  assert.equal(await page.locator("#grid input").count(), 1);
  // Typed, not committed; then the row scrolls far out of the window.
  await page.keyboard.press("Control+A");
  await page.keyboard.type("typed@@example.com");
  await scrollTo(page, 44 * 40_000);
  assert.ok(await page.evaluate(() => document.activeElement?.classList.contains("grid-viewport")), "the grid keeps the focus");
  await page.waitForFunction((n) => document.querySelector("[data-testid=invalid]")?.textContent === String(n), invalid + 1);
  await scrollTo(page, 44 * 20);
  assert.equal(await cellText(page, "Email", 27), "typed@@example.com");
  assert.equal(await gridCell(page, "Email", 27).getAttribute("aria-invalid"), "true");
  assert.equal(await cellText(page, "Email", 28), "person26@example.com");
  assert.equal(await page.locator("#grid input").count(), 0, "no cell is left open");
  await page.close();
});

test("Tab from the last row in view goes on to the next row's first cell, which scrolls in with its input open", async () => {
  const page = await loaded();
  await scrollTo(page, 44 * 20);
  // Lines 22 to 31 are in view; line 32 has a row element below them.
  const country = await editCell(page, "Country", 31);
  await country.press("Tab"); // line 31's Delete button
  await page.keyboard.press("Tab");
  await page.waitForFunction(() => document.activeElement?.getAttribute("aria-label") === "First Name, line 32");
  const top = await page.evaluate(() => document.querySelector(".grid-viewport").scrollTop);
  assert.ok(top > 44 * 20, `the grid scrolled to show line 32 (scrollTop ${top})`);
  assert.equal(await page.locator("#grid input").count(), 1);
  await page.keyboard.type("Typed");
  await page.keyboard.press("Tab");
  await page.waitForFunction(() => document.activeElement?.getAttribute("aria-label") === "Last Name, line 32");
  assert.equal(await cellText(page, "First Name", 32), "Typed");
  await page.close();
});

test("keys typed into a cell before its row moves to another row element are kept, and typing goes on after them", async () => {
  const page = await loaded();
  await scrollTo(page, 44 * 20);
  await editCell(page, "First Name", 27);
  await page.keyboard.type("Ty"); // over the selected "Person"
  // One row down: every row element shows another row, line 27's input opens again in the next one up.
  await scrollTo(page, 44 * 21);
  await page.waitForFunction(() => document.activeElement?.getAttribute("aria-label") === "First Name, line 27");
  await page.keyboard.type("ped");
  await page.keyboard.press("Tab");
  await page.waitForFunction(() => document.activeElement?.getAttribute("aria-label") === "Last Name, line 27");
  assert.equal(await cellText(page, "First Name", 27), "Typed", "not \"ped\": the keys after the move replaced none before it");
  await page.close();
});

test("Escape in a cell being edited goes back to the value held: nothing is committed; opening a cell moves no column", async () => {
  const page = await loaded();
  const invalid = Number(await page.locator("[data-testid=invalid]").textContent());
  const widths = () => page.evaluate(() => [...document.querySelectorAll("#grid thead th")].map((th) => th.getBoundingClientRect().width));
  const closed = await widths();
  const cell = await editCell(page, "Email", 5);
  assert.deepEqual(await widths(), closed, "the columns' widths with the input open");
  await page.keyboard.type("typed@@example.com");
  assert.equal(await cell.inputValue(), "typed@@example.com");
  await page.keyboard.press("Escape");
  assert.equal(await cell.inputValue(), "person3@example.com");
  await page.keyboard.press("Tab");
  await page.waitForFunction(() => document.activeElement?.getAttribute("aria-label") === "Country, line 5");
  assert.equal(await cellText(page, "Email", 5), "person3@example.com");
  assert.equal(await page.locator("[data-testid=invalid]").textContent(), String(invalid));
  await page.close();
});

test("the grid's rows are laid out as flex boxes and still read as a table: its columns line up and keep their roles", async () => {
  const page = await loaded();
  // Every row's cells sit under the header's columns.
  const misaligned = await page.evaluate(() => {
    const edges = (tr) => [...tr.children].map((c) => Math.round(c.getBoundingClientRect().left));
    const head = edges(document.querySelector("#grid thead tr"));
    return [...document.querySelectorAll("#grid tr.grid-row")].filter((tr) => edges(tr).join() !== head.join()).length;
  });
  assert.equal(misaligned, 0);
  // The table's semantics, as assistive technology is given them.
  const table = page.getByRole("table").and(page.locator("#grid"));
  assert.equal(await table.count(), 1);
  assert.equal(await table.getByRole("columnheader", { name: "Email", exact: true }).count(), 1);
  assert.equal(await table.getByRole("rowheader", { name: "5", exact: true }).count(), 1);
  const row = table.getByRole("row").filter({ has: page.getByRole("rowheader", { name: "5", exact: true }) });
  assert.equal(await row.count(), 1);
  assert.equal(await row.getByRole("cell", { name: "person3@example.com", exact: true }).count(), 1);
  await page.close();
});

test("text typed into a cell is committed when the cell loses the focus without a change event (the window left)", async () => {
  const page = await loaded();
  const cell = await editCell(page, "Last Name", 6);
  await page.keyboard.type("Typed");
  // A window switch blurs the input and fires no change event.
  await cell.evaluate((input) => input.dispatchEvent(new FocusEvent("blur")));
  await page.waitForFunction(() => document.querySelectorAll("#grid input").length === 0);
  assert.equal(await cellText(page, "Last Name", 6), "Typed");
  await page.close();
});

test("a fix that takes its row out of the filter goes to that row only, not to the row that takes its place", async () => {
  const page = await loaded();
  await page.selectOption("#grid-filter", "errors");
  // Lines 2, 52, 102, … have "UK" (an error): line 2 is first, line 52 next.
  await page.waitForFunction(() => document.querySelector("#grid tr.grid-row th")?.textContent === "2");
  const invalid = Number(await page.locator("[data-testid=invalid]").textContent());
  const country = await editCell(page, "Country", 2);
  await country.fill("GB");
  await country.press("Tab");
  await page.waitForFunction((n) => document.querySelector("[data-testid=invalid]")?.textContent === String(n), invalid - 1);
  await page.waitForFunction(() => document.querySelector("#grid tr.grid-row th")?.textContent === "52");
  assert.equal(await cellText(page, "Country", 52), "UK");
  await page.selectOption("#grid-filter", "all");
  await page.waitForFunction(() => document.querySelector("#grid tr.grid-row th")?.textContent === "2");
  assert.equal(await cellText(page, "Country", 2), "GB");
  assert.equal(await page.locator("[data-testid=invalid]").textContent(), String(invalid - 1));
  await page.close();
});
